// A module's enforcement is its roll-out stage, set by the security team:
// Audit (record only), then Warn (admit, tell the user), then Deny (enforce).
// It caps what every finding of the module does, without editing the
// module's validations: a validation written as an advisory (action: Warn)
// stays one under Deny, and under Audit nothing of the module reaches the
// user. Errors of the module are findings of the module too, so a module
// being rolled out never blocks a request, not even through its own bug; the
// error is reported at the capped action in place of the denial.
//
// Kubernetes' ValidatingAdmissionPolicyBinding validationActions do the same
// to a policy's failures, errors included (failurePolicy Fail turns an error
// into a failure, then the binding's actions apply).
import type { Action } from "./types.ts";

const STRENGTH: Readonly<Record<Action, number>> = { Audit: 0, Warn: 1, Deny: 2 };

/** What a finding does: its own action, lowered to the module's enforcement when that is weaker. */
export function enforcedAction(action: Action, enforcement: Action): Action {
  return STRENGTH[enforcement] < STRENGTH[action] ? enforcement : action;
}
