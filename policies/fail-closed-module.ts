// The stand-in for a PolicyModule that was admitted but cannot load now (an
// upgrade changed the schema or a CEL function, say). Leaving it out would
// admit what it forbids, unchecked; so it stays in the set as a module that
// matches what the broken one matched and denies it, naming the module and
// its error. Other modules keep working.
import { AUDITED_RESOURCES } from "../core/state/audited-resources.ts";
import { compileCel } from "./engine/cel.ts";
import type { CompiledCel } from "./engine/cel.ts";
import { ROOT_VARIABLES } from "./engine/module-loader.ts";
import type { CompiledModule, ResourceRule } from "./engine/module-loader.ts";
import type { Operation } from "./engine/types.ts";

const OPERATIONS = new Set(["CREATE", "UPDATE", "DELETE", "CONNECT", "*"]);

let alwaysFalse: CompiledCel | undefined;

/** `label` names the object in messages (PolicyModule/NAME); `problems` are the loader's. */
export function failClosedModule(name: string, label: string, object: unknown, problems: readonly string[]): CompiledModule {
  // The first line of each problem: the loader adds the expression on a second line, too long for a denial.
  const error = problems.map((p) => p.split("\n", 1)[0]!).join("; ");
  const message =
    `policy module "${name}" is installed but cannot load, so what it matches is denied until it is fixed or deleted ` +
    `(kubectl get policymodule ${name} -o yaml): ${error}`;
  return denyingModule(name, `fail-closed stand-in for ${label}, which cannot load`, label, readableMatch(object), message);
}

/** The name of the stand-in for a cluster without any PolicyModule. */
export const NO_POLICY_MODULES = "no-policy-modules";

/**
 * The set in force when the cluster holds no PolicyModule at all (all
 * deleted, or the library never installed): an empty set would admit
 * everything unchecked, hostname grants included, so every kind the webhook is
 * sent is denied instead, except PolicyModules themselves, so the library can
 * be installed again.
 */
export function noPolicyModulesModule(): CompiledModule {
  const message =
    "no PolicyModule is installed in the cluster, and hostgate judges requests by the cluster's PolicyModules (serve --policies-from cluster): " +
    "everything it is sent is denied until they are back; install the built-in library with kubectl apply -f deploy/base/policy-modules.yaml " +
    "(or your own modules)";
  return denyingModule(NO_POLICY_MODULES, "fail-closed stand-in for a cluster without PolicyModules", "PolicyModule/*", readableMatch(undefined), message);
}

function denyingModule(name: string, description: string, file: string, match: ResourceRule[], message: string): CompiledModule {
  alwaysFalse ??= compiled("false");
  return {
    name,
    description,
    file,
    match,
    matchConditions: [],
    variables: [],
    variableIndex: new Map(),
    validations: [{ index: 0, program: alwaysFalse, message, messageProgram: undefined, reason: "Forbidden", fieldPath: undefined, action: "Deny" }],
    mutations: [],
    // Whatever stage the broken module was at: it cannot be evaluated, so what it matches is denied (fail closed).
    enforcement: "Deny",
    lastMatch: { kind: undefined, operation: "", matches: false },
  };
}

/**
 * The module's own match rules when they can still be read; otherwise every
 * kind the webhook is sent (not PolicyModules themselves, so the fix can
 * still be applied).
 */
function readableMatch(object: unknown): ResourceRule[] {
  const match = (object as { spec?: { match?: unknown } } | null)?.spec?.match;
  const strings = (v: unknown): v is string[] => Array.isArray(v) && v.length > 0 && v.every((s) => typeof s === "string");
  if (Array.isArray(match) && match.length > 0) {
    const rules: ResourceRule[] = [];
    for (const rule of match as Record<string, unknown>[]) {
      const apiVersions = rule?.apiVersions ?? ["*"];
      if (!strings(rule?.apiGroups) || !strings(rule?.kinds) || !strings(apiVersions) || !strings(rule?.operations)) break;
      if (!rule.operations.every((o) => OPERATIONS.has(o))) break;
      rules.push({ apiGroups: rule.apiGroups, apiVersions, kinds: rule.kinds, operations: rule.operations as (Operation | "*")[] });
    }
    if (rules.length === match.length) return rules;
  }
  return [{ apiGroups: ["*"], apiVersions: ["*"], kinds: [...new Set(AUDITED_RESOURCES.map((r) => r.kind))].sort(), operations: ["*"] }];
}

function compiled(expression: string): CompiledCel {
  const result = compileCel(expression, { variables: ROOT_VARIABLES });
  if (!result.ok) throw new Error(`internal: "${expression}" does not compile: ${result.message}`);
  return result;
}
