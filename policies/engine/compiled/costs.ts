// The fast path's side of the cost model (../cost.ts): a native form that
// does a call's work itself charges what the metered overload of that call
// would charge (../metered-functions.ts), at the same point (after the
// arguments, before the work) and failing the same way (an error at the
// call carrying the budget's reason), so an expression costs the same on
// either engine.
import { celError } from "@bufbuild/cel";
import { activeBudget } from "../budget.ts";

/** Charges units for the call `id` is about to run; throws the CEL error the planner's metered overload would return. */
export function chargeAt(units: number, id: bigint): void {
  if (units === 0) return;
  const budget = activeBudget();
  if (budget === undefined || budget.charge(units)) return;
  throw celError(budget.exhausted, id);
}
