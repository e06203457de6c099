// Fast forms of the comprehensions the parser's macros expand to
// (builder.js): all, exists, map, filter and map-with-filter. A
// comprehension of exactly such a shape runs as a plain loop instead of
// re-evaluating the accumulator expression each iteration; map and filter
// collect into one array instead of concatenating a list per element.
//
// The loops keep the general fold's semantics exactly (comprehensions.ts):
// the same tick per iteration (charged even for the iteration that stops
// the loop), the same error absorption (an error in one element's predicate
// does not hide a later element that decides the result), and the same
// errors. Anything of another shape takes the general fold.
import { celList } from "@bufbuild/cel";
import type { CelError, CelInput } from "@bufbuild/cel";
import type { Expr_Comprehension } from "@bufbuild/cel-spec/cel/expr/syntax_pb.js";
import { TICK_FUNCTION } from "../ast.ts";
import { chargeTick } from "../budget.ts";
import { tickFunction } from "../tick.ts";
import type { LoopParts } from "./comprehensions.ts";
import { isStandard } from "./dispatch.ts";
import { absorbable, boolTypeMismatch, conditionNotBool } from "./errors.ts";
import { itemAt, itemCount, itemsOf } from "./iteration.ts";
import { isErrorValue } from "./values.ts";
import type { CompileContext, Compiled, Expr, Node, Scope } from "./types.ts";

export function compileMacro(ctx: CompileContext, c: Expr_Comprehension, id: bigint, scope: Scope, parts: LoopParts): Compiled | undefined {
  if (!isIdent(c.result, c.accuVar)) return undefined;
  const loop = loopCondition(ctx, c.loopCondition);
  if (loop === undefined) return undefined;
  const step = c.loopStep;
  const init = c.accuInit;
  if (step === undefined || init === undefined || c.iterRange === undefined) return undefined;

  // all: accu && p, while @not_strictly_false(accu); exists: accu || p, while @not_strictly_false(!accu).
  const bool = constantBool(init);
  if (bool !== undefined) {
    const junction = bool ? "_&&_" : "_||_";
    const expected = bool
      ? isIdent(loop.condition, c.accuVar)
      : isCall(loop.condition, "!_", 1) && isIdent(callArgs(loop.condition)[0], c.accuVar) && isStandard(ctx.env, "!_");
    if (!expected || !isCall(step, junction, 2)) return undefined;
    const [accu, predicate] = callArgs(step) as [Expr, Expr];
    if (!isIdent(accu, c.accuVar) || mentions(predicate, c.accuVar)) return undefined;
    const p = ctx.compile(predicate, parts.loopScope).run;
    const range = ctx.compile(c.iterRange, scope).run;
    return { run: quantifier(bool, p, range, loop.ticks, parts.iterSlot, id, step.id), bare: false };
  }

  // map / filter: accu + [e], or p ? accu + [e] : accu, with accu starting as [].
  if (!isEmptyList(init) || !isConstantTrue(loop.condition)) return undefined;
  let predicate: Expr | undefined;
  let append = step;
  if (isCall(step, "_?_:_", 3)) {
    const [test, whenTrue, whenFalse] = callArgs(step) as [Expr, Expr, Expr];
    if (!isIdent(whenFalse, c.accuVar) || mentions(test, c.accuVar)) return undefined;
    predicate = test;
    append = whenTrue;
  }
  if (!isCall(append, "_+_", 2) || !isStandard(ctx.env, "_+_")) return undefined;
  const [accu, single] = callArgs(append) as [Expr, Expr];
  if (!isIdent(accu, c.accuVar) || single.exprKind.case !== "listExpr") return undefined;
  const list = single.exprKind.value;
  if (list.elements.length !== 1 || list.optionalIndices.length > 0) return undefined;
  const element = list.elements[0]!;
  if (mentions(element, c.accuVar)) return undefined;
  const p = predicate === undefined ? undefined : ctx.compile(predicate, parts.loopScope).run;
  const e = ctx.compile(element, parts.loopScope).run;
  const range = ctx.compile(c.iterRange, scope).run;
  return { run: collect(p, e, range, loop.ticks, parts.iterSlot, id, step.id), bare: false };
}

/**
 * all (decisive = false) or exists (decisive = true). The accumulator is a
 * bool or an error; the loop goes on while it is not decided.
 */
function quantifier(all: boolean, predicate: Node, range: Node, ticks: boolean, iterSlot: number, id: bigint, stepId: bigint): Node {
  const decisive = !all;
  return (b, l) => {
    const items = itemsOf(range(b, l), id);
    const count = itemCount(items);
    let accumulator: boolean | CelError = all;
    for (let i = 0; i < count; i++) {
      const item = itemAt(items, i);
      if (isErrorValue(item)) throw item;
      const undecided = accumulator !== decisive;
      if (!(ticks ? chargeTick(undecided) : undecided)) break;
      l[iterSlot] = item;
      let value: unknown;
      let failure: CelError | undefined;
      try {
        value = predicate(b, l);
      } catch (error) {
        failure = absorbable(error);
      }
      // The step is `accu && p` / `accu || p`: the decisive value wins, then the earlier error.
      if (failure === undefined && value === decisive) accumulator = decisive;
      else if (typeof accumulator !== "boolean") continue;
      else if (failure !== undefined) accumulator = failure;
      else if (value === !decisive) accumulator = !decisive;
      else accumulator = boolTypeMismatch(value, stepId);
    }
    if (typeof accumulator !== "boolean") throw accumulator;
    return accumulator;
  };
}

/** map (no predicate), filter and map-with-filter into one array. */
function collect(predicate: Node | undefined, element: Node, range: Node, ticks: boolean, iterSlot: number, id: bigint, stepId: bigint): Node {
  return (b, l) => {
    const items = itemsOf(range(b, l), id);
    const count = itemCount(items);
    const out: unknown[] = [];
    let failure: CelError | undefined;
    for (let i = 0; i < count; i++) {
      const item = itemAt(items, i);
      if (isErrorValue(item)) throw item;
      if (ticks && !chargeTick(true)) break;
      l[iterSlot] = item;
      if (predicate !== undefined) {
        // `p ? accu + [e] : accu`: a failing or non-bool p becomes the accumulator.
        let keep: unknown;
        try {
          keep = predicate(b, l);
        } catch (error) {
          failure = absorbable(error);
          continue;
        }
        if (keep === false) continue;
        if (keep !== true) {
          failure = conditionNotBool(keep, stepId);
          continue;
        }
      }
      // `accu + [e]` with an erroring accu stays that error, without evaluating e.
      if (failure !== undefined) continue;
      try {
        out.push(element(b, l));
      } catch (error) {
        failure = absorbable(error);
      }
    }
    if (failure !== undefined) throw failure;
    return celList(out as CelInput[]);
  };
}

/** The loop condition, unwrapped from the budget tick when it carries one (hostgate's own tick only). */
function loopCondition(ctx: CompileContext, condition: Expr | undefined): { condition: Expr | undefined; ticks: boolean } | undefined {
  if (isCall(condition, TICK_FUNCTION, 1)) {
    const group = ctx.env.funcs.find(TICK_FUNCTION);
    const overloads = group === undefined ? [] : [...group];
    if (overloads.length !== 1 || overloads[0] !== tickFunction) return undefined;
    return { condition: unwrapNotStrictlyFalse(callArgs(condition)[0]), ticks: true };
  }
  return { condition: unwrapNotStrictlyFalse(condition), ticks: false };
}

/** all/exists conditions are @not_strictly_false(x); map/filter conditions are the constant true. */
function unwrapNotStrictlyFalse(condition: Expr | undefined): Expr | undefined {
  if (isCall(condition, "@not_strictly_false", 1)) return callArgs(condition)[0];
  return isConstantTrue(condition) ? condition : undefined;
}

function isCall(expr: Expr | undefined, fn: string, arity: number): boolean {
  return (
    expr?.exprKind.case === "callExpr" &&
    expr.exprKind.value.function === fn &&
    expr.exprKind.value.target === undefined &&
    expr.exprKind.value.args.length === arity
  );
}

function callArgs(expr: Expr | undefined): Expr[] {
  return expr?.exprKind.case === "callExpr" ? expr.exprKind.value.args : [];
}

function isIdent(expr: Expr | undefined, name: string): boolean {
  return expr?.exprKind.case === "identExpr" && expr.exprKind.value.name === name;
}

function constantBool(expr: Expr): boolean | undefined {
  return expr.exprKind.case === "constExpr" && expr.exprKind.value.constantKind.case === "boolValue" ? expr.exprKind.value.constantKind.value : undefined;
}

function isConstantTrue(expr: Expr | undefined): boolean {
  return expr !== undefined && constantBool(expr) === true;
}

function isEmptyList(expr: Expr): boolean {
  return expr.exprKind.case === "listExpr" && expr.exprKind.value.elements.length === 0 && expr.exprKind.value.optionalIndices.length === 0;
}

/** True when `name` occurs free in the expression (a nested comprehension may rebind it). */
function mentions(expr: Expr | undefined, name: string): boolean {
  if (expr === undefined) return false;
  const kind = expr.exprKind;
  switch (kind.case) {
    case "identExpr":
      return kind.value.name === name;
    case "selectExpr":
      return mentions(kind.value.operand, name);
    case "callExpr":
      return mentions(kind.value.target, name) || kind.value.args.some((arg) => mentions(arg, name));
    case "listExpr":
      return kind.value.elements.some((e) => mentions(e, name));
    case "structExpr":
      return kind.value.entries.some((entry) => (entry.keyKind.case === "mapKey" && mentions(entry.keyKind.value, name)) || mentions(entry.value, name));
    case "comprehensionExpr": {
      const c = kind.value;
      if (mentions(c.iterRange, name) || mentions(c.accuInit, name)) return true;
      const inLoop = c.accuVar !== name && c.iterVar !== name && c.iterVar2 !== name;
      if (inLoop && (mentions(c.loopCondition, name) || mentions(c.loopStep, name))) return true;
      return c.accuVar !== name && mentions(c.result, name);
    }
    default:
      return false;
  }
}
