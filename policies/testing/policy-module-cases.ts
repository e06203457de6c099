// PolicyModule objects for the tests of policy-module-admission.ts: one table
// of modules and what each must be answered, judged through decide(), through
// the webhook and through `hostgate check`, so the three are seen to agree.
type Json = Record<string, unknown>;

/** A PolicyModule object (hostgate.dev/v1alpha1) matching DomainRoutes, with these validations. */
export function policyModule(name: string, validations: unknown[], spec: Json = {}): Json {
  return {
    apiVersion: "hostgate.dev/v1alpha1",
    kind: "PolicyModule",
    metadata: { name },
    spec: {
      description: `module ${name}, written for a test`,
      match: [{ apiGroups: ["hostgate.dev"], kinds: ["DomainRoute"], operations: ["CREATE", "UPDATE"] }],
      validations,
      ...spec,
    },
  };
}

/** The module as the API server stores and sends it: its own metadata added, a status. */
export function asStored(module: Json): Json {
  const metadata = module.metadata as Json;
  return {
    ...module,
    metadata: {
      ...metadata,
      uid: "7d0c2b8e-0000-4000-8000-000000000001",
      resourceVersion: "4711",
      generation: 2,
      creationTimestamp: "2026-01-01T00:00:00Z",
      managedFields: [{ manager: "kubectl-client-side-apply", operation: "Update", apiVersion: "hostgate.dev/v1alpha1" }],
      annotations: { "kubectl.kubernetes.io/last-applied-configuration": "{}" },
    },
    status: { observedGeneration: 1 },
  };
}

const valid = { expression: "object.spec.domain.endsWith('.example.com')", message: "spec.domain must end in .example.com" };

export const VALID_MODULE = policyModule("domain-suffix", [valid]);

export interface DeniedModuleCase {
  name: string;
  module: Json;
  /** The field the denial names. */
  field: string;
  /** What the message must say (every pattern). */
  says: RegExp[];
  reason: string;
}

export const DENIED_MODULES: readonly DeniedModuleCase[] = [
  {
    name: "a CEL syntax error is denied with its expression path, line and column",
    module: policyModule("syntax-error", [valid, valid, { expression: "object.spec.domain ==", message: "never shown" }]),
    field: "spec.validations[2].expression",
    says: [
      /^PolicyModule\/syntax-error: policy "syntax-error": spec\.validations\[2\]\.expression \(line 1, column 20\): syntax error: /,
      /expression: object\.spec\.domain ==$/,
    ],
    reason: "Invalid",
  },
  {
    name: "an unknown function is denied, naming it and where the functions are listed",
    module: policyModule("unknown-function", [{ expression: "isShiny(object.spec.domain)", message: "never shown" }]),
    field: "spec.validations[0].expression",
    says: [/spec\.validations\[0\]\.expression \(line 1, column 1\): unknown function 'isShiny' \(see the function reference in /],
    reason: "Invalid",
  },
  {
    name: "a validation without an expression is denied, naming the missing field",
    module: policyModule("no-expression", [{ message: "what is wrong" }]),
    field: "spec.validations[0]",
    says: [/^PolicyModule\/no-expression: policy "no-expression": spec\.validations\[0\]: missing required field "expression"$/],
    reason: "Invalid",
  },
  {
    name: "an expression over the cost bound is denied, naming the bound and the way out",
    module: policyModule("too-deep", [
      {
        expression: "object.spec.a.all(x, object.spec.b.all(y, object.spec.c.all(z, object.spec.d.all(w, w == z))))",
        message: "never shown",
      },
    ]),
    field: "spec.validations[0].expression",
    says: [/spec\.validations\[0\]\.expression: comprehensions .* are nested 4 deep; the limit is 3, .* Precompute an inner part as a variable/],
    reason: "Invalid",
  },
  {
    name: "a module named like a built-in rule is denied: its findings would pass for the rule's",
    module: policyModule("crd-schema", [valid]),
    field: "metadata.name",
    says: [/^PolicyModule\/crd-schema: metadata\.name: "crd-schema" is the name of a rule built into hostgate .* Rename the PolicyModule$/],
    reason: "Conflict",
  },
];
