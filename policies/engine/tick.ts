// `__hg_tick(condition)`, the call prepareForPlanning (ast.ts) wraps around
// every comprehension's loop condition: each iteration charges the active
// evaluation budget (budget.ts). One function object, shared by the CEL
// environment and the compiled fast path, which checks it is this one before
// charging the budget natively.
import { CelScalar, celFunc } from "@bufbuild/cel";
import { TICK_FUNCTION } from "./ast.ts";
import { chargeTick } from "./budget.ts";

export const tickFunction = celFunc(TICK_FUNCTION, [CelScalar.BOOL], CelScalar.BOOL, (condition: boolean) => chargeTick(condition));
