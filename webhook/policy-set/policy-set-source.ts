// Where the webhook gets the policy set each review is judged by. A fixed set
// (files: the built-in library or --policies, loaded once at start) or a live
// one (the cluster's PolicyModule objects, swapped when they change). Either
// way a review calls current() once and keeps that set to its end, so a swap
// in between never gives it half of each.
import type { PolicySet } from "../../policies/engine/module-loader.ts";

export interface PolicySetSource {
  /** The set in force now; replaced, never mutated, when it changes. */
  current(): PolicySet;
  /** Why no set can judge yet (not listed yet), or undefined. */
  notReadyReason(): string | undefined;
}

/** A set loaded once (files): ready when it holds a module, as before live sets existed. */
export function fixedPolicySet(set: PolicySet): PolicySetSource {
  return {
    current: () => set,
    notReadyReason: () => (set.modules.length > 0 ? undefined : "no policy modules are loaded"),
  };
}
