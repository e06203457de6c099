// Calls (planner.js planCall): the operators the planner evaluates itself
// (index, conditional, &&, ||, @not_strictly_false), then functions of the
// environment, native where the fast path has a form for them and the
// environment's overloads are the standard ones, else dispatched to the
// environment's own implementations.
import { celError } from "@bufbuild/cel";
import type { Expr_Call } from "@bufbuild/cel-spec/cel/expr/syntax_pb.js";
import { TICK_FUNCTION } from "../ast.ts";
import { tickFunction } from "../tick.ts";
import { compileIndex } from "./attributes.ts";
import { CONDITIONAL, INDEX } from "./chains.ts";
import { callSite, dispatch, isStandard } from "./dispatch.ts";
import type { CallSite } from "./dispatch.ts";
import { foldPureCall } from "./folding.ts";
import { STANDARD_FUNCTIONS, TICK_NATIVE, typeOf } from "./functions.ts";
import { compileAnd, compileConditional, compileNotStrictlyFalse, compileOr } from "./logic.ts";
import { OPERATORS } from "./operators.ts";
import { Unsupported } from "./types.ts";
import type { Chain, CompileContext, Compiled, Expr, Node, Scope } from "./types.ts";

/** Standard functions that produce protobuf messages (timestamps, durations), which only the planner models. */
const MESSAGE_PRODUCERS: ReadonlySet<string> = new Set(["timestamp", "duration"]);

const PLANNER_OPERATORS: ReadonlySet<string> = new Set([INDEX, CONDITIONAL, "_&&_", "_||_", "@not_strictly_false", "__not_strictly_false__", "_[?_]", "_?._"]);

export function compileCall(ctx: CompileContext, call: Expr_Call, id: bigint, scope: Scope, chain: Chain | undefined): Compiled {
  const name = call.function;
  if (PLANNER_OPERATORS.has(name)) {
    if (call.target !== undefined) throw new Unsupported(`${name} with a receiver`);
    switch (name) {
      case INDEX:
        return compileIndex(ctx, call.args, scope, chain!);
      case CONDITIONAL:
        return compileConditional(ctx, call.args, id, scope, chain!);
      case "_&&_":
        return compileAnd(ctx, call.args, id, scope);
      case "_||_":
        return compileOr(ctx, call.args, id, scope);
      case "@not_strictly_false":
      case "__not_strictly_false__":
        return compileNotStrictlyFalse(ctx, call.args, scope);
      default:
        throw new Unsupported(`optional access ${name}`);
    }
  }

  // `ns.fn(x)` where `ns.fn` is a function of the environment (e.g. strings.quote) is that function, not a method of `ns`.
  if (call.target !== undefined) {
    const qualified = qualifiedName(call.target);
    if (qualified?.startsWith(".")) throw new Unsupported("root-scope qualified name");
    const group = qualified === undefined ? undefined : ctx.env.funcs.find(`${qualified}.${name}`);
    if (group !== undefined) {
      const args = call.args.map((arg) => ctx.compile(arg, scope));
      return { run: generic(callSite(`${qualified}.${name}`, id, group), undefined, args), bare: false };
    }
  }

  const group = ctx.env.funcs.find(name);
  if (group === undefined) {
    // The planner fails such a call before evaluating anything in it (policies never get here: the loader rejects unknown functions).
    const error = celError(`unbound function: ${name}`, id);
    return {
      run: () => {
        throw error;
      },
      bare: false,
    };
  }
  if (MESSAGE_PRODUCERS.has(name)) throw new Unsupported(`${name}() produces a protobuf message`);
  const target = call.target === undefined ? undefined : ctx.compile(call.target, scope);
  const args = call.args.map((arg) => ctx.compile(arg, scope));
  const site = callSite(name, id, group);
  const folded = foldPureCall(ctx.env, site, target, args);
  if (folded !== undefined) return folded;
  const native = nativeCall(ctx, site, target, args);
  const run = native ?? generic(site, target, args);
  // type(x) keeps x's node too, for `type(x) == string` (see operators.ts).
  if (name === "type" && native !== undefined) return { run, bare: false, typeOf: { operand: args[0]!.run, of: typeOf(site) } };
  return { run, bare: false };
}

function nativeCall(ctx: CompileContext, site: CallSite, target: Compiled | undefined, args: readonly Compiled[]): Node | undefined {
  const name = site.name;
  if (name === TICK_FUNCTION) {
    const overloads = [...site.group];
    return overloads.length === 1 && overloads[0] === tickFunction ? TICK_NATIVE(site, target, args) : undefined;
  }
  const operator = OPERATORS.get(name);
  if (operator !== undefined) return target === undefined && isStandard(ctx.env, name) ? operator(site, args) : undefined;
  const standard = STANDARD_FUNCTIONS.get(name);
  if (standard !== undefined && isStandard(ctx.env, name)) return standard(site, target, args);
  return undefined;
}

/** Any function, through its overload group: the receiver first, then the arguments, in order. */
function generic(site: CallSite, target: Compiled | undefined, args: readonly Compiled[]): Node {
  const runs = args.map((arg) => arg.run);
  if (target === undefined) {
    if (runs.length === 0) return () => dispatch(site, undefined, []);
    if (runs.length === 1) {
      const only = runs[0]!;
      return (b, l) => dispatch(site, undefined, [only(b, l)]);
    }
    if (runs.length === 2) {
      const [first, second] = runs as [Node, Node];
      return (b, l) => {
        const x = first(b, l);
        return dispatch(site, undefined, [x, second(b, l)]);
      };
    }
  }
  const receiver = target?.run;
  return (b, l) => {
    const self = receiver === undefined ? undefined : receiver(b, l);
    const values = new Array<unknown>(runs.length);
    for (let i = 0; i < runs.length; i++) values[i] = runs[i]!(b, l);
    return dispatch(site, self, values);
  };
}

/** planner.js toQualifiedName: `a` or `a.b.c` as a dotted name, else undefined. */
function qualifiedName(expr: Expr): string | undefined {
  const kind = expr.exprKind;
  if (kind.case === "identExpr") return kind.value.name;
  if (kind.case === "selectExpr" && !kind.value.testOnly && kind.value.operand !== undefined) {
    const parent = qualifiedName(kind.value.operand);
    return parent === undefined ? undefined : `${parent}.${kind.value.field}`;
  }
  return undefined;
}
