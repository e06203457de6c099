// Attribute chains, structurally. @bufbuild/cel's planner evaluates an
// identifier, field selection, index or conditional as an "attribute": the
// accesses pile onto one object with one id. That id, not the id of the
// node that failed, is what some errors carry (an index out of bounds names
// the chain, a missing variable names the whole chain), so the fast path
// computes it from the tree the same way the planner builds it.
import { TYPE_VALUES } from "./type-names.ts";
import type { Expr, Scope } from "./types.ts";

export const INDEX = "_[_]";
export const CONDITIONAL = "_?_:_";

/** True for the nodes the planner turns into an attribute (EvalAttr). */
export function isAttribute(expr: Expr): boolean {
  const kind = expr.exprKind;
  switch (kind.case) {
    case "identExpr":
      return true;
    case "selectExpr":
      return !kind.value.testOnly;
    case "callExpr":
      return kind.value.target === undefined && (kind.value.function === INDEX || kind.value.function === CONDITIONAL);
    default:
      return false;
  }
}

/**
 * The id the planner gives a node's attribute: an identifier's own, a
 * conditional's own, a selection's or index's operand chain's when the
 * operand is an attribute (else the selection's own id, or for an index the
 * operand's id).
 */
export function attributeId(expr: Expr): bigint {
  const kind = expr.exprKind;
  switch (kind.case) {
    case "selectExpr": {
      const operand = kind.value.operand;
      return !kind.value.testOnly && operand !== undefined && isAttribute(operand) ? attributeId(operand) : expr.id;
    }
    case "callExpr": {
      const operand = kind.value.args[0];
      if (kind.value.target === undefined && kind.value.function === INDEX && operand !== undefined) {
        return isAttribute(operand) ? attributeId(operand) : operand.id;
      }
      return expr.id;
    }
    default:
      return expr.id;
  }
}

/**
 * True when an access applied to this node would reach an identifier that
 * may name a type (directly, or as a branch of a conditional): with an
 * access, the planner no longer resolves such a name to the type.
 */
export function reachesTypeName(expr: Expr, scope: Scope): boolean {
  const kind = expr.exprKind;
  if (kind.case === "identExpr") return TYPE_VALUES.has(kind.value.name) && !scope.has(kind.value.name);
  if (kind.case === "callExpr" && kind.value.target === undefined && kind.value.function === CONDITIONAL) {
    return kind.value.args.slice(1).some((branch) => isAttribute(branch) && reachesTypeName(branch, scope));
  }
  return false;
}

/**
 * True when a variable (not a comprehension variable) is read within the
 * attribute chain itself, so the chain can come up unresolved.
 */
export function chainReadsVariable(expr: Expr, scope: Scope): boolean {
  const kind = expr.exprKind;
  switch (kind.case) {
    case "identExpr":
      return !scope.has(kind.value.name);
    case "selectExpr":
      return !kind.value.testOnly && kind.value.operand !== undefined && isAttribute(kind.value.operand) && chainReadsVariable(kind.value.operand, scope);
    case "callExpr": {
      if (kind.value.target !== undefined) return false;
      const args = kind.value.args;
      if (kind.value.function === INDEX) return args[0] !== undefined && isAttribute(args[0]) && chainReadsVariable(args[0], scope);
      if (kind.value.function === CONDITIONAL) return args.slice(1).some((branch) => isAttribute(branch) && chainReadsVariable(branch, scope));
      return false;
    }
    default:
      return false;
  }
}
