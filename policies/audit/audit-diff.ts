// What changes for the existing objects when the policy set changes: the
// audit results under the current set against those under the proposed one,
// paired by (object, policy). `hostgate diff` prints it; the webhook's impact
// warning can read the same shape.
//
// A pair is "denied" when its outcome is fail or error (both refuse a
// re-apply); pass, skip (a matchCondition excluded the object), warn and audit
// all admit, so skip → fail is newly denied and fail → skip newly allowed.
// A denial by a policy that did not deny that object before is newly denied,
// even when another policy already denies it: the object now has one more
// thing to fix, so the set got stricter.
import { compareResults, compareSubjects } from "./audit-objects.ts";
import type { AuditOutcome, AuditResult, AuditSubject } from "./audit-result.ts";

export interface AuditChange {
  readonly subject: AuditSubject;
  readonly policy: string;
  /** The outcome before, or undefined when the policy did not match the object before. */
  readonly before: AuditOutcome | undefined;
  /** The outcome after, or undefined when the policy no longer matches the object (or is gone). */
  readonly after: AuditOutcome | undefined;
  /** The messages of the side that has the finding: after for new ones, before for removed ones. */
  readonly messages: readonly string[];
}

export interface AuditDiff {
  readonly newlyDenied: readonly AuditChange[];
  readonly newlyAllowed: readonly AuditChange[];
  readonly newWarnings: readonly AuditChange[];
  readonly removedWarnings: readonly AuditChange[];
}

const denies = (outcome: AuditOutcome | undefined) => outcome === "fail" || outcome === "error";
const warns = (outcome: AuditOutcome | undefined) => outcome === "warn";

/** Every (object, policy) pair whose denial or warning differs between the two audits, each list sorted like the results. */
export function diffAudits(current: readonly AuditResult[], proposed: readonly AuditResult[]): AuditDiff {
  const before = byPair(current);
  const after = byPair(proposed);
  // Either side's result names the pair; the sort puts the pairs in the results' order.
  const pairs = [...new Map([...before, ...after]).entries()].sort(([, a], [, b]) => compareResults(a, b));
  const diff = { newlyDenied: [] as AuditChange[], newlyAllowed: [] as AuditChange[], newWarnings: [] as AuditChange[], removedWarnings: [] as AuditChange[] };
  for (const [key, named] of pairs) {
    const was = before.get(key);
    const is = after.get(key);
    const change = (side: AuditResult | undefined): AuditChange => ({
      subject: named.subject,
      policy: named.policy,
      before: was?.outcome,
      after: is?.outcome,
      messages: side?.messages ?? [],
    });
    if (denies(is?.outcome) && !denies(was?.outcome)) diff.newlyDenied.push(change(is));
    if (denies(was?.outcome) && !denies(is?.outcome)) diff.newlyAllowed.push(change(was));
    if (warns(is?.outcome) && !warns(was?.outcome)) diff.newWarnings.push(change(is));
    if (warns(was?.outcome) && !warns(is?.outcome)) diff.removedWarnings.push(change(was));
  }
  return diff;
}

function byPair(results: readonly AuditResult[]): Map<string, AuditResult> {
  return new Map(results.map((r) => [pairKey(r), r]));
}

/** One key per (object, policy); JSON of an array, so no separator can collide with a name. */
function pairKey(r: AuditResult): string {
  return JSON.stringify([r.subject.apiVersion, r.subject.kind, r.subject.namespace ?? null, r.subject.name, r.policy]);
}

/** The subjects a list of changes names, once each, in order. */
export function subjectsOf(changes: readonly AuditChange[]): AuditSubject[] {
  const seen: AuditSubject[] = [];
  for (const c of changes) if (!seen.some((s) => compareSubjects(s, c.subject) === 0)) seen.push(c.subject);
  return seen;
}
