// The one verdict function. `hostgate check`, the admission webhook and the
// policy tests all call `decide`, so they cannot disagree. It follows the API
// server's order: schema defaults (at decode), mutation, schema validation,
// then validation policies. The webhook runs only the phases its endpoint
// serves (the API server does the schema part itself); `check` runs them all.
import type { CrdCatalogEntry } from "../crds/catalog.ts";
import { checkCustomResource } from "./schema/check.ts";
import { matchesRequest, runMutations, runValidations } from "./engine/evaluate.ts";
import type { Exclusion } from "./engine/evaluate.ts";
import { enforcedAction } from "./engine/enforcement.ts";
import type { PolicySet } from "./engine/module-loader.ts";
import { RequestContext } from "./engine/request-context.ts";
import type { EngineEnvironment } from "./engine/request-context.ts";
import type { AdmissionInput, JsonPatchOperation, Violation } from "./engine/types.ts";
import { beingDeleted, onlyReleasesFinalizers } from "./deletion-window.ts";
import { namespaceMismatches, REQUEST_NAMESPACE_RULE } from "./request-namespace.ts";
import { admitPolicyModule, isPolicyModuleWrite, POLICY_MODULE_RULE } from "./policy-module-admission.ts";
import { moduleImpactWarnings } from "./audit/module-impact.ts";
import type { ExistingObjects } from "./audit/module-impact.ts";

export interface Finding {
  policy: string;
  message: string;
  field?: string;
  reason: string;
}

export interface Verdict {
  allowed: boolean;
  /** Every Deny violation, from every policy (one policy never hides another). */
  denials: Finding[];
  warnings: Finding[];
  /** Audit-action violations (and every finding of a module whose enforcement is Audit): recorded, not shown to the user. */
  audits: Finding[];
  /** The mutation patch (what a mutating webhook returns); empty when nothing changes. */
  patch: JsonPatchOperation[];
  /** The object after defaults and mutation. */
  object: unknown;
  /**
   * Names of the policies that matched the request, and whether a CRD schema applied: what the verdict rests on.
   * `excluded`: those of them whose matchConditions excluded the request in the validate phase (a condition was
   * false, so none of their validations ran), with the condition; absent when none was.
   */
  applied: { policies: string[]; schema: boolean; excluded?: Exclusion[] };
}

export interface Phases {
  /** Apply CRD schema defaults and validate against the CRD schema (offline check only). */
  schema: boolean;
  mutate: boolean;
  validate: boolean;
}

export const ALL_PHASES: Phases = { schema: true, mutate: true, validate: true };

/** The engine's environment (config, cluster, limits, clock) plus the policies and the CRDs. */
export interface VerdictEnvironment extends EngineEnvironment {
  policies: PolicySet;
  /** The platform config as a CEL value (see core/config configToCel). */
  config: unknown;
  /** The indexed cluster state as a CEL value (see core/state ClusterStateIndex.celValue). */
  cluster: unknown;
  /** Finds the CRD for a kind, for the schema phase; undefined for kinds we do not define. */
  crdFor?: (apiVersion: string, kind: string) => CrdCatalogEntry | undefined;
  /** The existing objects a PolicyModule change is weighed against (audit/module-impact.ts); without it, no impact warning. */
  impact?: ExistingObjects;
}

/** The name findings of the CRD schema phase are reported under. */
export const SCHEMA_POLICY = "crd-schema";
/** The name a request whose object names another namespace is denied under. */
export { REQUEST_NAMESPACE_RULE } from "./request-namespace.ts";

export function decide(input: AdmissionInput, env: VerdictEnvironment, phases: Phases = ALL_PHASES): Verdict {
  const verdict: Verdict = { allowed: true, denials: [], warnings: [], audits: [], patch: [], object: input.object, applied: { policies: [], schema: false } };
  // Subresources (status, scale) are the controllers' business; CONNECT has no object.
  if (input.subResource || input.operation === "CONNECT") return verdict;
  // request.namespace is the namespace: an object naming another one is
  // denied before any policy reads it (see request-namespace.ts).
  const misplaced = namespaceMismatches(input);
  if (misplaced.length > 0) return { ...verdict, allowed: false, denials: misplaced, applied: { policies: [REQUEST_NAMESPACE_RULE], schema: false } };
  // An object being deleted only waits for its finalizers: the update that
  // removes them, and changes nothing else, is never refused (see
  // deletion-window.ts). Any other update of it is judged as usual.
  if (input.operation === "UPDATE" && beingDeleted(input.oldObject) && onlyReleasesFinalizers(input.object, input.oldObject)) return verdict;
  // A PolicyModule must compile as the loader compiles a module file, or it
  // is refused before any policy reads it (see policy-module-admission.ts).
  const moduleRule = phases.validate && isPolicyModuleWrite(input) ? [POLICY_MODULE_RULE] : [];
  if (moduleRule.length > 0) {
    const judged = admitPolicyModule(input, env.limits?.maxObjectBytes);
    if ("denials" in judged) return { ...verdict, allowed: false, denials: judged.denials, applied: { policies: [POLICY_MODULE_RULE], schema: false } };
    // It compiles: what it would deny among existing objects is told, never enforced.
    if (env.impact !== undefined) verdict.warnings.push(...moduleImpactWarnings(judged.module, env, env.impact));
  }

  // One context for the whole request, passed to both phases: one deadline,
  // one cost account, one set of CEL bindings (see engine/request-context.ts).
  const request = new RequestContext(input, env);
  const apiVersion = input.kind.group === "" ? input.kind.version : `${input.kind.group}/${input.kind.version}`;
  const crd = phases.schema && (input.operation === "CREATE" || input.operation === "UPDATE") ? env.crdFor?.(apiVersion, input.kind.kind) : undefined;

  verdict.applied = {
    policies: [...moduleRule, ...env.policies.modules.filter((m) => matchesRequest(m, input)).map((m) => m.name)],
    schema: crd !== undefined,
  };
  let prunedFields: readonly string[] = [];
  if (crd !== undefined) {
    // The API server prunes unknown fields and applies schema defaults when
    // it decodes the request, before any webhook sees it.
    const decoded = checkCustomResource(crd, request.object, { operation: input.operation, oldObject: input.oldObject, defaultsOnly: true });
    request.useObject(decoded.object);
    prunedFields = decoded.prunedFields;
  }

  if (phases.mutate) {
    const mutated = runMutations(env.policies, request);
    verdict.patch = mutated.patch;
    record(verdict, mutated.violations, env.policies);
  }

  if (crd !== undefined) {
    const schema = checkCustomResource(crd, request.object, { operation: input.operation, oldObject: input.oldObject });
    request.useObject(schema.object);
    for (const v of schema.violations) verdict.denials.push({ policy: SCHEMA_POLICY, message: v.message, field: v.field, reason: v.reason });
    // kubectl apply validates strictly by default (server-side field
    // validation Strict), so an unknown field is an error, not a silent drop.
    for (const field of new Set([...prunedFields, ...schema.prunedFields])) {
      const message = `strict decoding error: unknown field "${field}"; remove it or fix its spelling (\`kubectl explain\` lists the fields)`;
      verdict.denials.push({ policy: SCHEMA_POLICY, message, field, reason: "BadRequest" });
    }
  }

  if (phases.validate) {
    const excluded: Exclusion[] = [];
    record(verdict, runValidations(env.policies, request, excluded), env.policies);
    if (excluded.length > 0) verdict.applied.excluded = excluded;
  }

  verdict.object = request.object;
  verdict.allowed = verdict.denials.length === 0;
  return verdict;
}

/** Sorts each violation by what it does: its action, capped at its module's enforcement (engine/enforcement.ts). */
function record(verdict: Verdict, violations: readonly Violation[], policies: PolicySet): void {
  for (const v of violations) {
    const finding: Finding = { policy: v.policy, message: v.message, reason: v.reason, ...(v.field !== undefined ? { field: v.field } : {}) };
    // Every violation comes from a module of the set; an unknown name keeps its own action (never weaker).
    const action = enforcedAction(v.action, policies.byName.get(v.policy)?.enforcement ?? "Deny");
    if (action === "Deny") verdict.denials.push(finding);
    else if (action === "Warn") verdict.warnings.push(finding);
    else verdict.audits.push(finding);
  }
}
