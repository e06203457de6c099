// Judges the objects already in the cluster under a policy set: what the
// webhook would answer if each were applied again, unchanged. It asks the one
// verdict function, decide(), so an audit cannot disagree with admission.
//
// Which request stands for "an existing object"? A re-apply of an unchanged
// object reaches the webhook as an UPDATE whose object and oldObject are the
// same, so that is what is sent here:
// - transition rules (oldObject vs object) see no change and pass, as they
//   would for the real re-apply;
// - uniqueness rules (domain-unique, appid-unique) leave the object's own
//   namespace/name out of the index either way, but a CREATE would still be
//   wrong for any rule keyed on the operation (request.operation == 'CREATE')
//   and would claim the object is new, which it is not;
// - an object being deleted whose "update" changes nothing only waits for its
//   finalizers, and decide() never judges that (deletion-window.ts): it has
//   no results, as it would get no findings at admission.
// A policy that matches the object's kind and operation but whose
// matchConditions exclude it ran no check, so it is `skip`, not `pass`
// (decide() lists it in verdict.applied.excluded).
// Who asks: the reconciler's username for an object the audited objects
// prove hostgate's reconciler wrote (it is the one who would re-apply it, and
// hostname-granted exempts it), hostgate-audit for everything else
// (audit-requester.ts says what the proof is, what it proves and what not).
// Only the validate phase runs: the API server already applied the schema and
// the mutations when the object was admitted, and a mutation result is not a
// finding. Each decide() is bounded by the environment's limits.
import { compareStrings } from "../../core/compare-strings.ts";
import type { KubeObject } from "../../core/kube/object-key.ts";
import { InputError } from "../engine/input-error.ts";
import { INTERNAL_ERROR_REASON } from "../engine/evaluate.ts";
import { splitApiVersion } from "../engine/types.ts";
import type { AdmissionInput } from "../engine/types.ts";
import { decide } from "../verdict.ts";
import type { Finding, Phases, Verdict, VerdictEnvironment } from "../verdict.ts";
import type { AuditOutcome, AuditResult, AuditSubject } from "./audit-result.ts";
import { auditRequester } from "./audit-requester.ts";
import type { AuditRequester } from "./audit-requester.ts";

export { AUDIT_USER } from "./audit-requester.ts";

const VALIDATE_ONLY: Phases = { schema: false, mutate: false, validate: true };

/**
 * One result per (object, policy that matched it), sorted by namespace
 * (cluster-scoped first), kind, name, apiVersion, policy.
 * @param requester who asks for each object (audit-requester.ts); by default
 *   proven from `objects` themselves. A caller auditing a few objects at a time
 *   passes auditRequester(all of them, env.config), so the DomainRoutes that
 *   prove a reconciler-written object are found.
 * @throws InputError naming every object that has no apiVersion, kind or name (no cluster holds one).
 */
export function auditObjects(
  objects: readonly KubeObject[],
  env: VerdictEnvironment,
  requester: AuditRequester = auditRequester(objects, env.config),
): AuditResult[] {
  assertJudgeable(objects);
  const results = objects.flatMap((object) => auditObject(object, env, requester(object)));
  return results.sort(compareResults);
}

/** @throws InputError naming every object that has no apiVersion, kind or name (no cluster holds one). */
export function assertJudgeable(objects: readonly KubeObject[]): void {
  const problems = objects.flatMap((object, index) => unjudgeable(object, index));
  if (problems.length > 0) throw new InputError(problems, "the objects cannot be audited");
}

function unjudgeable(object: KubeObject, index: number): string[] {
  const missing = [
    typeof object.apiVersion === "string" && object.apiVersion !== "" ? undefined : "apiVersion",
    typeof object.kind === "string" && object.kind !== "" ? undefined : "kind",
    typeof object.metadata?.name === "string" && object.metadata.name !== "" ? undefined : "metadata.name",
  ].filter((field) => field !== undefined);
  if (missing.length === 0) return [];
  const what = typeof object.kind === "string" ? `${object.kind} ` : "";
  return [
    `object ${index + 1} (${what}${String(object.metadata?.name ?? "unnamed")}) has no ${missing.join(", ")}; an object stored in a cluster always has them`,
  ];
}

/** The results of one judgeable object (assertJudgeable), unsorted: asked as `username`. */
export function auditObject(object: KubeObject, env: VerdictEnvironment, username: string): AuditResult[] {
  const subject = subjectOf(object);
  const [group, version] = splitApiVersion(subject.apiVersion);
  const input: AdmissionInput = {
    operation: "UPDATE",
    kind: { group, version, kind: subject.kind },
    ...(subject.namespace !== undefined ? { namespace: subject.namespace } : {}),
    name: subject.name,
    object,
    oldObject: object,
    userInfo: { username },
    dryRun: true,
  };
  const verdict = decide(input, env, VALIDATE_ONLY);
  return policiesOf(verdict, env).map((policy) => resultFor(subject, policy, verdict));
}

export function subjectOf(object: KubeObject): AuditSubject {
  const metadata = object.metadata!;
  const namespace = typeof metadata.namespace === "string" && metadata.namespace !== "" ? metadata.namespace : undefined;
  return {
    apiVersion: object.apiVersion!,
    kind: object.kind!,
    ...(namespace !== undefined ? { namespace } : {}),
    name: metadata.name!,
    ...(typeof metadata.uid === "string" && metadata.uid !== "" ? { uid: metadata.uid } : {}),
  };
}

/**
 * The policies the verdict rests on, and any that reported without being
 * listed (built-in rules). A module that only mutates judged nothing in the
 * validate phase, so it has no result (a "pass" would claim a check that did not run).
 */
function policiesOf(verdict: Verdict, env: VerdictEnvironment): string[] {
  const names = new Set(verdict.applied.policies.filter((name) => env.policies.byName.get(name)?.validations.length !== 0));
  for (const finding of [...verdict.denials, ...verdict.warnings, ...verdict.audits]) names.add(finding.policy);
  return [...names];
}

/**
 * The policy's outcome from where decide() put its findings. A policy error
 * that was denied (it fails closed) is `error`; one capped at Warn or Audit by
 * the module's enforcement admits the object, so it reports as warn or audit,
 * its message saying the policy could not be evaluated. A policy a false
 * matchCondition excluded found nothing because it checked nothing: `skip`,
 * naming the condition.
 */
function resultFor(subject: AuditSubject, policy: string, verdict: Verdict): AuditResult {
  const mine = (findings: readonly Finding[]) => findings.filter((f) => f.policy === policy);
  const denials = mine(verdict.denials);
  const warnings = mine(verdict.warnings);
  const audits = mine(verdict.audits);
  const outcome: AuditOutcome = denials.some((f) => f.reason === INTERNAL_ERROR_REASON)
    ? "error"
    : denials.length > 0
      ? "fail"
      : warnings.length > 0
        ? "warn"
        : audits.length > 0
          ? "audit"
          : "pass";
  // Strongest first, each in the order the policy reported them.
  const findings = [...denials, ...warnings, ...audits];
  const excluded = verdict.applied.excluded?.find((e) => e.policy === policy);
  if (excluded !== undefined && findings.length === 0) {
    return { subject, policy, outcome: "skip", messages: [`excluded by matchCondition "${excluded.condition}"`], fields: [] };
  }
  const fields = [...new Set(findings.flatMap((f) => (f.field !== undefined ? [f.field] : [])))];
  return { subject, policy, outcome, messages: findings.map((f) => f.message), fields };
}

/** namespace (cluster-scoped first), kind, name, apiVersion, policy. */
export function compareResults(a: AuditResult, b: AuditResult): number {
  return compareSubjects(a.subject, b.subject) || compareStrings(a.policy, b.policy);
}

export function compareSubjects(a: AuditSubject, b: AuditSubject): number {
  return (
    compareStrings(a.namespace ?? "", b.namespace ?? "") ||
    compareStrings(a.kind, b.kind) ||
    compareStrings(a.name, b.name) ||
    compareStrings(a.apiVersion, b.apiVersion)
  );
}
