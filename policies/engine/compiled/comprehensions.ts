// Comprehensions (planner.js EvalFold): the macros all, exists, exists_one,
// map and filter are comprehensions after parsing. The accumulator and the
// iteration variable live in slots of the evaluation's locals.
//
// Every iteration runs the loop condition, which prepareForPlanning wrapped
// in `__hg_tick(...)`: each one charges the evaluation budget, so no loop
// runs past the iteration limit or the deadline (see budget.ts). The
// macro-shaped fast forms in macros.ts charge the same ticks, in the same
// order.
import type { Expr_Comprehension } from "@bufbuild/cel-spec/cel/expr/syntax_pb.js";
import { absorbable } from "./errors.ts";
import { itemAt, itemCount, itemsOf } from "./iteration.ts";
import { compileMacro } from "./macros.ts";
import { isErrorValue } from "./values.ts";
import { Unsupported } from "./types.ts";
import type { CompileContext, Compiled, Local, Node, Scope } from "./types.ts";

export interface LoopParts {
  accuSlot: number;
  iterSlot: number;
  /** Scope of the loop condition and step: the outer scope, the accumulator, then the iteration variable. */
  loopScope: Scope;
  /** Scope of the result: the outer scope and the accumulator. */
  resultScope: Scope;
}

export function compileComprehension(ctx: CompileContext, c: Expr_Comprehension, id: bigint, scope: Scope): Compiled {
  if (c.iterVar2 !== "") throw new Unsupported("two-variable comprehension");
  const accu: Local = { slot: ctx.allocateSlot(), mayHoldError: true };
  const iter: Local = { slot: ctx.allocateSlot(), mayHoldError: false };
  const loopScope = new Map(scope).set(c.accuVar, accu).set(c.iterVar, iter);
  const resultScope = new Map(scope).set(c.accuVar, accu);
  const parts: LoopParts = { accuSlot: accu.slot, iterSlot: iter.slot, loopScope, resultScope };
  return compileMacro(ctx, c, id, scope, parts) ?? { run: fold(ctx, c, id, scope, parts), bare: false };
}

/** The general comprehension, step for step as EvalFold runs it. */
function fold(ctx: CompileContext, c: Expr_Comprehension, id: bigint, scope: Scope, parts: LoopParts): Node {
  const init = ctx.compile(c.accuInit, scope).run;
  const range = ctx.compile(c.iterRange, scope).run;
  const condition = ctx.compile(c.loopCondition, parts.loopScope).run;
  const step = ctx.compile(c.loopStep, parts.loopScope).run;
  const result = ctx.compile(c.result, parts.resultScope).run;
  const { accuSlot, iterSlot } = parts;
  return (b, l) => {
    // The accumulator's initial value first, then the range: the planner's order.
    let accumulator = init(b, l);
    const items = itemsOf(range(b, l), id);
    const count = itemCount(items);
    for (let i = 0; i < count; i++) {
      const item = itemAt(items, i);
      if (isErrorValue(item)) throw item;
      l[accuSlot] = accumulator;
      l[iterSlot] = item;
      if (condition(b, l) !== true) break;
      try {
        accumulator = step(b, l);
      } catch (error) {
        // A failed step is the accumulator's new value; later steps may absorb it.
        accumulator = absorbable(error);
      }
    }
    l[accuSlot] = accumulator;
    return result(b, l);
  };
}
