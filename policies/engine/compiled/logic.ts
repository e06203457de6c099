// `&&`, `||`, `?:` and @not_strictly_false (planner.js EvalAnd, EvalOr,
// EvalNotStrictlyFalse; access.js ConditionalAttr).
//
// CEL's logical operators are commutative over errors: `false && err` and
// `err && false` are both false, `true || err` and `err || true` both true;
// otherwise the first error (in operand order) is the result, and a non-bool
// operand is a "type mismatch" error of the operator. Only CEL errors are
// absorbed: any other exception still fails the whole expression, as it
// escapes the planner's nodes too.
import { absorbable, boolTypeMismatch, conditionNotBool } from "./errors.ts";
import type { CelError } from "@bufbuild/cel";
import type { Chain, CompileContext, Compiled, Expr, Node, Scope } from "./types.ts";
import { isAttribute } from "./chains.ts";
import { Unsupported } from "./types.ts";

/** `a && b && ...`: false wins over errors; else the first error; else true. */
export function compileAnd(ctx: CompileContext, args: readonly Expr[], id: bigint, scope: Scope): Compiled {
  return { run: junction(operandsOf(ctx, "_&&_", args, id, scope), false), bare: false };
}

/** `a || b || ...`: true wins over errors; else the first error; else false. */
export function compileOr(ctx: CompileContext, args: readonly Expr[], id: bigint, scope: Scope): Compiled {
  return { run: junction(operandsOf(ctx, "_||_", args, id, scope), true), bare: false };
}

interface Operand {
  run: Node;
  /** The operator whose "type mismatch" a non-bool value of this operand is. */
  id: bigint;
}

/**
 * The operands of a chain of one operator, flattened: `(a && b) && c` is
 * a, b, c. The result is the same as nesting gives (the decisive value wins
 * wherever it is; otherwise the first error in operand order), with fewer
 * nodes; each operand keeps the id of the operator it belonged to.
 */
function operandsOf(ctx: CompileContext, fn: string, args: readonly Expr[], id: bigint, scope: Scope): Operand[] {
  const operands: Operand[] = [];
  for (const arg of args) {
    const kind = arg.exprKind;
    if (kind.case === "callExpr" && kind.value.function === fn && kind.value.target === undefined) {
      operands.push(...operandsOf(ctx, fn, kind.value.args, arg.id, scope));
    } else {
      operands.push({ run: ctx.compile(arg, scope).run, id });
    }
  }
  return operands;
}

/** The shared shape of && (decisive = false) and || (decisive = true). */
function junction(operands: readonly Operand[], decisive: boolean): Node {
  if (operands.length === 2) {
    const [{ run: left, id: leftId }, { run: right, id: rightId }] = operands as [Operand, Operand];
    return (b, l) => {
      let first: CelError | undefined;
      try {
        const value = left(b, l);
        if (value === decisive) return decisive;
        if (value !== !decisive) first = boolTypeMismatch(value, leftId);
      } catch (error) {
        first = absorbable(error);
      }
      let value: unknown;
      try {
        value = right(b, l);
      } catch (error) {
        const second = absorbable(error);
        throw first ?? second;
      }
      if (value === decisive) return decisive;
      if (first !== undefined) throw first;
      if (value !== !decisive) throw boolTypeMismatch(value, rightId);
      return !decisive;
    };
  }
  const runs = operands.map((o) => o.run);
  const ids = operands.map((o) => o.id);
  return (b, l) => {
    let first: CelError | undefined;
    for (let i = 0; i < runs.length; i++) {
      let value: unknown;
      try {
        value = runs[i]!(b, l);
      } catch (error) {
        first ??= absorbable(error);
        continue;
      }
      if (value === decisive) return decisive;
      if (value !== !decisive) first ??= boolTypeMismatch(value, ids[i]!);
    }
    if (first !== undefined) throw first;
    return !decisive;
  };
}

/** True for anything but a literal false, errors included (loop conditions of all/exists). */
export function compileNotStrictlyFalse(ctx: CompileContext, args: readonly Expr[], scope: Scope): Compiled {
  if (args.length !== 1) throw new Unsupported("@not_strictly_false with other than one operand");
  const operand = ctx.compile(args[0], scope).run;
  return {
    run: (b, l) => {
      try {
        return operand(b, l) !== false;
      } catch (error) {
        absorbable(error);
        return true;
      }
    },
    bare: false,
  };
}

/**
 * `c ? t : f`: only the chosen branch is evaluated; an erroring condition is
 * the result; a non-bool condition is a no-overload error. The branches
 * continue the conditional's attribute chain.
 */
export function compileConditional(ctx: CompileContext, args: readonly Expr[], id: bigint, scope: Scope, chain: Chain): Compiled {
  if (args.length !== 3) throw new Unsupported("conditional with other than three operands");
  const condition = ctx.compile(args[0], scope).run;
  const branch = (expr: Expr): Compiled => ctx.compile(expr, scope, isAttribute(expr) ? chain : undefined);
  const whenTrue = branch(args[1]!);
  const whenFalse = branch(args[2]!);
  const onTrue = whenTrue.run;
  const onFalse = whenFalse.run;
  const run: Node = (b, l) => {
    const value = condition(b, l);
    if (value === true) return onTrue(b, l);
    if (value === false) return onFalse(b, l);
    throw conditionNotBool(value, id);
  };
  const bare = (isAttribute(args[1]!) && whenTrue.bare) || (isAttribute(args[2]!) && whenFalse.bare);
  return { run, bare };
}
