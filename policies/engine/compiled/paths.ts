// Shared field paths within one expression. Policies re-read the same path
// many times in one expression (`has(object.spec) && has(object.spec.x) &&
// object.spec.x != null && ...`). A path from a variable (`dyn(object).a.b`
// after prepareForPlanning) reads immutable values through memoising views,
// so every successful read of it in one evaluation yields the same value:
// the first success is kept in a slot of the evaluation's locals and reused.
// A failed read is not kept: each occurrence fails with its own error and
// position, as it would on the planner. Paths through comprehension
// variables change per iteration and are never shared.
import { isStandard } from "./dispatch.ts";
import type { CelEnv } from "@bufbuild/cel";
import type { Expr } from "./types.ts";

/**
 * `@name.a.b` for `dyn(name).a.b` where `name` is a variable (not a
 * comprehension variable); undefined for anything else.
 */
export function pathKey(expr: Expr, isLocal: (name: string) => boolean, env: CelEnv): string | undefined {
  const kind = expr.exprKind;
  if (kind.case === "selectExpr") {
    if (kind.value.testOnly || kind.value.operand === undefined) return undefined;
    const parent = pathKey(kind.value.operand, isLocal, env);
    return parent === undefined ? undefined : `${parent}.${kind.value.field}`;
  }
  if (kind.case === "callExpr" && kind.value.function === "dyn" && kind.value.target === undefined && kind.value.args.length === 1) {
    const arg = kind.value.args[0]!;
    if (arg.exprKind.case !== "identExpr" || isLocal(arg.exprKind.value.name) || !isStandard(env, "dyn")) return undefined;
    return `@${arg.exprKind.value.name}`;
  }
  return undefined;
}

/**
 * A field path `dyn(x).a.b...` (x a variable or a comprehension variable):
 * the identifier and the selections from the innermost out; else undefined.
 */
export function selectChain(expr: Expr, env: CelEnv): { ident: Expr; selections: Expr[] } | undefined {
  const selections: Expr[] = [];
  let current: Expr | undefined = expr;
  while (current?.exprKind.case === "selectExpr" && !current.exprKind.value.testOnly) {
    selections.unshift(current);
    current = current.exprKind.value.operand;
  }
  if (selections.length === 0 || current?.exprKind.case !== "callExpr") return undefined;
  const call = current.exprKind.value;
  if (call.function !== "dyn" || call.target !== undefined || call.args.length !== 1 || call.args[0]!.exprKind.case !== "identExpr") return undefined;
  if (!isStandard(env, "dyn")) return undefined;
  return { ident: call.args[0]!, selections };
}

/** How often each variable path occurs as a field selection in the expression. */
export function countPaths(root: Expr, env: CelEnv): Map<string, number> {
  const counts = new Map<string, number>();
  const visit = (expr: Expr | undefined, locals: ReadonlySet<string>): void => {
    if (expr === undefined) return;
    const kind = expr.exprKind;
    switch (kind.case) {
      case "selectExpr": {
        const key = kind.value.testOnly ? undefined : pathKey(expr, (name) => locals.has(name), env);
        if (key !== undefined) counts.set(key, (counts.get(key) ?? 0) + 1);
        visit(kind.value.operand, locals);
        return;
      }
      case "callExpr":
        visit(kind.value.target, locals);
        for (const arg of kind.value.args) visit(arg, locals);
        return;
      case "listExpr":
        for (const element of kind.value.elements) visit(element, locals);
        return;
      case "structExpr":
        for (const entry of kind.value.entries) {
          if (entry.keyKind.case === "mapKey") visit(entry.keyKind.value, locals);
          visit(entry.value, locals);
        }
        return;
      case "comprehensionExpr": {
        const c = kind.value;
        visit(c.iterRange, locals);
        visit(c.accuInit, locals);
        const loop = new Set(locals).add(c.accuVar).add(c.iterVar);
        visit(c.loopCondition, loop);
        visit(c.loopStep, loop);
        visit(c.result, new Set(locals).add(c.accuVar));
        return;
      }
      default:
        return;
    }
  };
  visit(root, new Set());
  return counts;
}
