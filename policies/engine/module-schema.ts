// The shape of a policy module file, checked with ajv before any CEL is
// compiled. Modelled on ValidatingAdmissionPolicy (match, matchConditions,
// variables, validations with message/messageExpression/reason/fieldPath) and
// MutatingAdmissionPolicy (JSONPatch mutations), with Kyverno's per-policy
// action (Deny/Warn/Audit) and a module-wide enforcement that caps it (the
// roll-out switch: Audit, then Warn, then Deny; see enforcement.ts).
//
// crds/hostgate.dev_policymodules.yaml is the same shape as a CRD, so a file
// and a cluster object are interchangeable; crds/policy-module-shape.test.ts
// holds the two to each other, bound for bound.

export const POLICY_MODULE_API_VERSION = "hostgate.dev/v1alpha1";
export const POLICY_MODULE_KIND = "PolicyModule";

export const STATUS_REASONS = ["Invalid", "Forbidden", "Conflict", "Unauthorized", "RequestEntityTooLarge"] as const;
export type StatusReason = (typeof STATUS_REASONS)[number];

const celIdentifier = { type: "string", pattern: "^[a-zA-Z_][a-zA-Z0-9_]*$", maxLength: 63 };
const expression = { type: "string", minLength: 1, maxLength: 8192 };
const action = { enum: ["Deny", "Warn", "Audit"] };
// Bounds the API server's CEL cost estimator needs on the CRD; kept here too, so a file the loader accepts is an object the API server accepts.
const matchValue = { type: "string", minLength: 1, maxLength: 253 };
const matchList = { type: "array", minItems: 1, maxItems: 64 };

export const policyModuleSchema = {
  type: "object",
  required: ["apiVersion", "kind", "metadata", "spec"],
  additionalProperties: false,
  properties: {
    apiVersion: { const: POLICY_MODULE_API_VERSION },
    kind: { const: POLICY_MODULE_KIND },
    metadata: {
      type: "object",
      required: ["name"],
      additionalProperties: false,
      properties: {
        name: { type: "string", pattern: "^[a-z0-9]([-a-z0-9]*[a-z0-9])?$", maxLength: 63 },
        labels: { type: "object", additionalProperties: { type: "string" } },
        annotations: { type: "object", additionalProperties: { type: "string" } },
      },
    },
    spec: {
      type: "object",
      required: ["description", "match"],
      additionalProperties: false,
      properties: {
        description: { type: "string", minLength: 1, maxLength: 2048 },
        match: {
          type: "array",
          minItems: 1,
          maxItems: 64,
          items: {
            type: "object",
            required: ["apiGroups", "kinds", "operations"],
            additionalProperties: false,
            properties: {
              // "" is the core group.
              apiGroups: { ...matchList, items: { type: "string", maxLength: 253 } },
              apiVersions: { ...matchList, items: matchValue },
              kinds: { ...matchList, items: matchValue },
              operations: { type: "array", minItems: 1, maxItems: 5, items: { enum: ["CREATE", "UPDATE", "DELETE", "CONNECT", "*"] } },
            },
          },
        },
        matchConditions: {
          type: "array",
          maxItems: 64,
          items: {
            type: "object",
            required: ["name", "expression"],
            additionalProperties: false,
            properties: { name: { type: "string", minLength: 1, maxLength: 63 }, expression },
          },
        },
        variables: {
          type: "array",
          maxItems: 64,
          items: {
            type: "object",
            required: ["name", "expression"],
            additionalProperties: false,
            properties: { name: celIdentifier, expression },
          },
        },
        action,
        enforcement: action,
        validations: {
          type: "array",
          maxItems: 64,
          items: {
            type: "object",
            required: ["expression"],
            additionalProperties: false,
            properties: {
              expression,
              message: { type: "string", minLength: 1, maxLength: 1024 },
              messageExpression: expression,
              reason: { enum: [...STATUS_REASONS] },
              fieldPath: { type: "string", pattern: "^[A-Za-z0-9_.\\[\\]'\"-]+$", maxLength: 256 },
              action,
            },
          },
        },
        mutations: {
          type: "array",
          maxItems: 64,
          items: {
            type: "object",
            required: ["patchType", "expression"],
            additionalProperties: false,
            properties: { patchType: { const: "JSONPatch" }, expression },
          },
        },
      },
    },
  },
} as const;

/** A module file as written, after schema validation. */
export interface PolicyModuleSource {
  apiVersion: typeof POLICY_MODULE_API_VERSION;
  kind: typeof POLICY_MODULE_KIND;
  metadata: { name: string; labels?: Record<string, string>; annotations?: Record<string, string> };
  spec: {
    description: string;
    match: Array<{ apiGroups: string[]; apiVersions?: string[]; kinds: string[]; operations: string[] }>;
    matchConditions?: Array<{ name: string; expression: string }>;
    variables?: Array<{ name: string; expression: string }>;
    action?: "Deny" | "Warn" | "Audit";
    /** The module's roll-out stage: caps every finding of the module at this action (enforcement.ts). Unset: as the validations say. */
    enforcement?: "Deny" | "Warn" | "Audit";
    validations?: Array<{
      expression: string;
      message?: string;
      messageExpression?: string;
      reason?: StatusReason;
      fieldPath?: string;
      action?: "Deny" | "Warn" | "Audit";
    }>;
    mutations?: Array<{ patchType: "JSONPatch"; expression: string }>;
  };
}
