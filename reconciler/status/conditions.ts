// metav1.Condition bookkeeping as the best operators do it: a condition's
// lastTransitionTime moves only when its status changes (a new reason or
// message alone does not make a transition), observedGeneration says which
// spec it describes, and conditions keep a stable order so an unchanged
// status serialises identically and is never rewritten.
import type { Condition } from "../../crds/types.ts";
import { formatTime } from "../../core/clock.ts";
import { compareStrings } from "../../core/compare-strings.ts";

/** A condition as a controller decides it: everything but the time. */
export interface ConditionInput {
  type: string;
  status: Condition["status"];
  reason: string;
  message: string;
}

/**
 * The conditions after setting `next`: `lastTransitionTime` is carried over
 * when the status is unchanged and is `now` otherwise. Other conditions are
 * kept; the result is sorted by type.
 */
export function setConditions(
  current: readonly Condition[] | undefined,
  next: readonly ConditionInput[],
  generation: number | undefined,
  now: Date,
): Condition[] {
  const byType = new Map((current ?? []).map((c) => [c.type, c]));
  const stamp = formatTime(now.getTime());
  for (const input of next) {
    const previous = byType.get(input.type);
    byType.set(input.type, {
      type: input.type,
      status: input.status,
      ...(generation === undefined ? {} : { observedGeneration: generation }),
      lastTransitionTime: previous !== undefined && previous.status === input.status ? previous.lastTransitionTime : stamp,
      reason: input.reason,
      message: input.message,
    });
  }
  return [...byType.values()].sort((a, b) => compareStrings(a.type, b.type));
}

/**
 * The condition of `type` the route's status already holds, as a decision to
 * keep: for a controller that has not finished a pass in this term yet (a
 * restart), so a restart writes nothing. Undefined when there is none, or when
 * it carries `undecided`, the reason given while the controller was not
 * involved (NotRequested, NotManaged), which is no decision to keep.
 */
export function decidedCondition(conditions: readonly Condition[] | undefined, type: string, undecided: string): ConditionInput | undefined {
  const set = findCondition(conditions, type);
  if (set === undefined || set.reason === undecided) return undefined;
  return { type, status: set.status, reason: set.reason, message: set.message };
}

export function findCondition(conditions: readonly Condition[] | undefined, type: string): Condition | undefined {
  return conditions?.find((c) => c.type === type);
}

/** True when both lists say the same thing (same order after setConditions; times included). */
export function sameConditions(a: readonly Condition[] | undefined, b: readonly Condition[] | undefined): boolean {
  const left = [...(a ?? [])].sort((x, y) => compareStrings(x.type, y.type));
  const right = [...(b ?? [])].sort((x, y) => compareStrings(x.type, y.type));
  return (
    left.length === right.length &&
    left.every((c, i) => {
      const d = right[i]!;
      return (
        c.type === d.type &&
        c.status === d.status &&
        c.reason === d.reason &&
        c.message === d.message &&
        c.lastTransitionTime === d.lastTransitionTime &&
        c.observedGeneration === d.observedGeneration
      );
    })
  );
}
