// Field selection, has() and indexing as compiled nodes (planner.js
// planSelect, planCallIndex); the reads themselves are in access.ts.
import type { Expr_Select } from "@bufbuild/cel-spec/cel/expr/syntax_pb.js";
import { hasField, indexValue, selectField } from "./access.ts";
import { attributeId, chainReadsVariable, isAttribute, reachesTypeName } from "./chains.ts";
import { UNRESOLVED } from "./errors.ts";
import { compilePath } from "./field-paths.ts";
import { constantValue } from "./literals.ts";
import { selectChain } from "./paths.ts";
import { Unsupported } from "./types.ts";
import type { Chain, CompileContext, Compiled, Expr, Node, Scope } from "./types.ts";

/** `operand.field`: a map's entry, else "field not found". A path from a variable is one node (field-paths.ts). */
export function compileSelect(ctx: CompileContext, expr: Expr, select: Expr_Select, scope: Scope, chain: Chain): Compiled {
  const path = selectChain(expr, ctx.env);
  if (path !== undefined) return compilePath(ctx, path.ident, path.selections, scope);
  const operand = requireOperand(select.operand, scope);
  const op = ctx.compile(operand, scope, isAttribute(operand) ? chain : undefined);
  if (op.bare) throw new Unsupported("field selection on an identifier (resolved as a qualified name)");
  const opRun = op.run;
  const field = select.field;
  const id = expr.id;
  return { run: (b, l) => selectField(opRun(b, l), field, id), bare: false };
}

/**
 * `has(operand.field)`: whether a map has the key; false for any other value;
 * false too when a variable in the operand's own chain is missing.
 */
export function compileHas(ctx: CompileContext, select: Expr_Select, scope: Scope): Compiled {
  const operand = requireOperand(select.operand, scope, true);
  const attribute = isAttribute(operand);
  const op = ctx.compile(operand, scope, attribute ? { id: attributeId(operand), hasMode: true } : undefined);
  const opRun = op.run;
  const field = select.field;
  if (!attribute || !chainReadsVariable(operand, scope)) return { run: (b, l) => hasField(opRun(b, l), field), bare: false };
  const run: Node = (b, l) => {
    let object: unknown;
    try {
      object = opRun(b, l);
    } catch (error) {
      if (error === UNRESOLVED) return false;
      throw error;
    }
    return hasField(object, field);
  };
  return { run, bare: false };
}

/** `operand[key]`: errors name the operand's attribute chain, as the planner's accesses do. */
export function compileIndex(ctx: CompileContext, args: readonly Expr[], scope: Scope, chain: Chain): Compiled {
  if (args.length !== 2) throw new Unsupported("index with other than two operands");
  const operand = requireOperand(args[0], scope);
  const keyExpr = args[1]!;
  const op = ctx.compile(operand, scope, isAttribute(operand) ? chain : undefined);
  const opRun = op.run;
  const errorId = attributeId(operand);
  if (keyExpr.exprKind.case === "constExpr") {
    const key = constantValue(keyExpr.exprKind.value);
    if (typeof key === "string" && op.bare) throw new Unsupported("string index on an identifier (resolved as a qualified name)");
    if (typeof key === "string") return { run: (b, l) => selectField(opRun(b, l), key, errorId), bare: false };
    return { run: (b, l) => indexValue(opRun(b, l), key, errorId), bare: false };
  }
  const keyRun = ctx.compile(keyExpr, scope).run;
  return {
    run: (b, l) => {
      const object = opRun(b, l);
      return indexValue(object, keyRun(b, l), errorId);
    },
    bare: false,
  };
}

/**
 * The operand of a selection or index. A type name given an access (`int.x`,
 * `(c ? int : m)[0]`) is resolved by the planner as a qualified name, or not
 * as a type at all: not modelled here. has() reads its operand unaccessed.
 */
function requireOperand(operand: Expr | undefined, scope: Scope, forHas = false): Expr {
  if (operand === undefined) throw new Unsupported("selection without an operand");
  if (!forHas && reachesTypeName(operand, scope)) throw new Unsupported("field or index access on a type name");
  return operand;
}
