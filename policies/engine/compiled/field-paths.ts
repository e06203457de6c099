// Field paths `dyn(x).a.b.c` (what prepareForPlanning makes of `x.a.b.c`)
// as single nodes, with the shared-prefix slots of paths.ts and the
// by-position read of `variables.<name>` of variables.ts.
import type { Expr_Select } from "@bufbuild/cel-spec/cel/expr/syntax_pb.js";
import { checked, selectField } from "./access.ts";
import { fieldNotFound } from "./errors.ts";
import { bindingReader } from "./identifiers.ts";
import { pathKey } from "./paths.ts";
import { IndexedVariables } from "./variables.ts";
import type { CompileContext, Compiled, Expr, Node, Scope } from "./types.ts";

/**
 * `dyn(x).a.b.c` as one node: the same selections, in the same order, with
 * the same errors, without a node per selection. Prefixes read more than
 * once in the expression are kept (see paths.ts); the longest kept prefix
 * is the starting point, as nested nodes would find it.
 */
export function compilePath(ctx: CompileContext, ident: Expr, selections: readonly Expr[], scope: Scope): Compiled {
  // The root yields the value after `base` selections: the variable itself, or `variables.name` read by position.
  const byPosition = variableRoot(ctx, ident, selections[0]!, scope);
  const root = byPosition ?? ctx.compile(ident, scope).run;
  const base = byPosition === undefined ? 0 : 1;
  const fields = selections.map((s) => (s.exprKind.value as Expr_Select).field);
  const ids = selections.map((s) => s.id);
  const isLocal = (name: string) => scope.has(name);
  const slots = selections.map((s) => {
    const key = pathKey(s, isLocal, ctx.env);
    return key === undefined ? -1 : (ctx.pathSlot(key) ?? -1);
  });
  const n = fields.length;
  if (slots.every((s) => s === -1)) {
    if (n === base) return { run: root, bare: false };
    if (n === base + 1) {
      const [field, id] = [fields[base]!, ids[base]!];
      return { run: (b, l) => selectField(root(b, l), field, id), bare: false };
    }
    return {
      run: (b, l) => {
        let value = root(b, l);
        for (let i = base; i < n; i++) value = selectField(value, fields[i]!, ids[i]!);
        return value;
      },
      bare: false,
    };
  }
  return {
    run: (b, l) => {
      let i = n;
      let value: unknown;
      for (; i > 0; i--) {
        const slot = slots[i - 1]!;
        if (slot >= 0 && l[slot] !== undefined) {
          value = l[slot];
          break;
        }
      }
      if (i === 0) {
        value = root(b, l);
        i = base;
        if (base === 1 && slots[0]! >= 0) l[slots[0]!] = value;
      }
      for (; i < n; i++) {
        value = selectField(value, fields[i]!, ids[i]!);
        const slot = slots[i]!;
        if (slot >= 0) l[slot] = value;
      }
      return value;
    },
    bare: false,
  };
}

/**
 * `dyn(variables).name` when the module's variable positions are known: the
 * view's value at the name's position (see variables.ts), else the read by
 * name; either way the same value or the same error. Returns a node that
 * yields the selection's result, standing in for the root of a path whose
 * first step it then skips; undefined when it does not apply.
 */
function variableRoot(ctx: CompileContext, ident: Expr, first: Expr, scope: Scope): Node | undefined {
  if (ident.exprKind.case !== "identExpr" || ident.exprKind.value.name !== "variables" || scope.has("variables")) return undefined;
  const names = ctx.variableIndex;
  const field = (first.exprKind.value as Expr_Select).field;
  const index = names?.get(field);
  if (names === undefined || index === undefined) return undefined;
  const root = ctx.compile(ident, scope).run;
  const read = bindingReader("variables");
  const id = first.id;
  return (b, l) => {
    const view = read(b);
    // Anything but the engine's view of this module is read as any identifier and map.
    if (!(view instanceof IndexedVariables) || view.names !== names) return selectField(root(b, l), field, id);
    const value = view.at(index);
    if (value === undefined) throw fieldNotFound(id, field);
    return checked(value);
  };
}
