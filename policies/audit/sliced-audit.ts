// auditObjects (audit-objects.ts) for a process that must stay responsive
// while it judges: the reconciler's background audit judges every held object
// (up to audit.maxObjects, 50,000 by default) at about 140 µs per policy each,
// which in one synchronous call blocks the event loop for seconds: the
// reconciler's other controllers wait, and so does the renewal of its Lease
// (renew deadline 10 s), so a long pass could cost the leader its term.
//
// Here the same judgements run in slices: objects are judged until a slice
// has taken `sliceMs` (checked after each object), then the event loop gets a
// turn (setImmediate: pending I/O and timers run first) before the next
// slice. Between slices the caller may say the pass is superseded (the term
// ended, a newer change makes the results stale); then it stops at once and
// returns no results, so a partial picture is never published.
//
// The results are auditObjects' own, in its order: the same requester,
// computed once over ALL the objects (a reconciler-written object is proven
// by DomainRoutes anywhere in the set, not only in its slice), the same
// per-object judgement, and the same order. To avoid one large synchronous
// sort of every result at the end (750,000 results for 50,000 objects under
// 15 policies), the objects are sorted by subject first (a stable sort, so
// equal subjects keep their input order) and each run of objects with an
// equal subject has its results sorted by compareResults (also stable): that
// is exactly the order a stable sort of all results gives.
import { setImmediate as nextTurn } from "node:timers/promises";
import { performance } from "node:perf_hooks";
import type { KubeObject } from "../../core/kube/object-key.ts";
import type { VerdictEnvironment } from "../verdict.ts";
import { assertJudgeable, auditObject, compareResults, compareSubjects, subjectOf } from "./audit-objects.ts";
import type { AuditResult, AuditSubject } from "./audit-result.ts";
import { auditRequester } from "./audit-requester.ts";
import type { AuditRequester } from "./audit-requester.ts";

/** Default longest slice: well under a frame of other work, long enough that yielding costs little. */
export const DEFAULT_SLICE_MS = 20;

export interface SliceOptions {
  /** Judge objects for at most about this long before yielding; default DEFAULT_SLICE_MS. */
  sliceMs?: number;
  /** A monotonic clock in ms; default performance.now. */
  now?: () => number;
  /** Gives the event loop a turn; default setImmediate (tests inject a counting one). */
  yieldToLoop?: () => Promise<void>;
  /** Asked before the first slice and after each yield: true stops the pass without results. */
  superseded?: () => boolean;
}

/** A whole pass's results (auditObjects' exactly), or none when it was superseded. */
export type SlicedAudit = { completed: true; results: AuditResult[]; slices: number } | { completed: false; slices: number };

/**
 * auditObjects in slices of about `sliceMs`, yielding between them.
 * @throws InputError naming every object that has no apiVersion, kind or name (before judging any).
 */
export async function auditObjectsSliced(
  objects: readonly KubeObject[],
  env: VerdictEnvironment,
  options: SliceOptions = {},
  requester?: AuditRequester,
): Promise<SlicedAudit> {
  assertJudgeable(objects);
  const sliceMs = options.sliceMs ?? DEFAULT_SLICE_MS;
  if (!(sliceMs > 0)) throw new RangeError(`sliced audit: sliceMs must be positive (got ${sliceMs})`);
  const now = options.now ?? (() => performance.now());
  const yieldToLoop = options.yieldToLoop ?? (() => nextTurn());
  const superseded = options.superseded ?? (() => false);
  let slices = 1;
  if (superseded()) return { completed: false, slices };
  let sliceStart = now();
  // The linear preparation (who asks for each object, the order) is a slice's work too: it may take its own turn.
  const who = requester ?? auditRequester(objects, env.config);
  const ordered = sortedBySubject(objects);
  const results: AuditResult[] = [];
  let i = 0;
  if (ordered.length > 0 && now() - sliceStart >= sliceMs) {
    await yieldToLoop();
    slices++;
    if (superseded()) return { completed: false, slices };
    sliceStart = now();
  }
  while (i < ordered.length) {
    // One run of equal subjects (almost always a single object) is judged whole, so its results can be ordered together.
    let end = i + 1;
    while (end < ordered.length && compareSubjects(ordered[i]!.subject, ordered[end]!.subject) === 0) end++;
    const run: AuditResult[] = [];
    for (let j = i; j < end; j++) run.push(...auditObject(ordered[j]!.object, env, who(ordered[j]!.object)));
    results.push(...run.sort(compareResults));
    i = end;
    if (i < ordered.length && now() - sliceStart >= sliceMs) {
      await yieldToLoop();
      slices++;
      if (superseded()) return { completed: false, slices };
      sliceStart = now();
    }
  }
  return { completed: true, results, slices };
}

function sortedBySubject(objects: readonly KubeObject[]): { subject: AuditSubject; object: KubeObject }[] {
  return objects.map((object) => ({ subject: subjectOf(object), object })).sort((a, b) => compareSubjects(a.subject, b.subject));
}
