// Load-time inspection and instrumentation of a parsed CEL expression.
// @bufbuild/cel has no public type-checker, so an unknown variable or function
// would only surface when a request reaches it. We walk the tree once at load
// and reject what cannot work, and we bound comprehensions (see budget.ts).
import type { Expr } from "@bufbuild/cel-spec/cel/expr/syntax_pb.js";
import type { CelEnv } from "@bufbuild/cel";

type FuncResolver = CelEnv["funcs"];

export const TICK_FUNCTION = "__hg_tick";

/** Names usable as identifiers besides declared variables: CEL's type denotations. */
const TYPE_IDENTIFIERS = new Set(["int", "uint", "double", "bool", "string", "bytes", "list", "map", "null_type", "type", "dyn"]);

export interface AstProblem {
  message: string;
  /** Expression id, mapped to a column by the caller through sourceInfo. */
  exprId: bigint;
}

export interface AstFacts {
  problems: AstProblem[];
  /** Deepest nesting of comprehensions (macros such as all/exists/map/filter). */
  comprehensionDepth: number;
  /** Identifiers of declared variables the expression reads, e.g. "object", "variables". */
  rootsRead: Set<string>;
  /** `variables.<name>` references, for ordering and existence checks. */
  variablesRead: Set<string>;
}

export function inspect(root: Expr, declared: ReadonlySet<string>, funcs: FuncResolver): AstFacts {
  const facts: AstFacts = { problems: [], comprehensionDepth: 0, rootsRead: new Set(), variablesRead: new Set() };

  const visit = (expr: Expr | undefined, scope: ReadonlySet<string>, depth: number): void => {
    if (expr === undefined) return;
    facts.comprehensionDepth = Math.max(facts.comprehensionDepth, depth);
    const kind = expr.exprKind;
    switch (kind.case) {
      case "identExpr": {
        const name = kind.value.name;
        if (scope.has(name)) return;
        if (declared.has(name)) {
          facts.rootsRead.add(name);
          return;
        }
        if (TYPE_IDENTIFIERS.has(name)) return;
        facts.problems.push({ exprId: expr.id, message: `undeclared reference to '${name}' (available: ${[...declared].sort().join(", ")})` });
        return;
      }
      case "selectExpr": {
        const operand = kind.value.operand;
        if (operand?.exprKind.case === "identExpr" && operand.exprKind.value.name === "variables" && !scope.has("variables")) {
          facts.variablesRead.add(kind.value.field);
        }
        visit(operand, scope, depth);
        return;
      }
      case "callExpr": {
        const call = kind.value;
        checkFunction(call.function, call.target !== undefined, call.args.length, expr.id, funcs, facts);
        visit(call.target, scope, depth);
        for (const arg of call.args) visit(arg, scope, depth);
        return;
      }
      case "listExpr":
        for (const element of kind.value.elements) visit(element, scope, depth);
        return;
      case "structExpr":
        for (const entry of kind.value.entries) {
          if (entry.keyKind.case === "mapKey") visit(entry.keyKind.value, scope, depth);
          visit(entry.value, scope, depth);
        }
        if (kind.value.messageName !== "") {
          facts.problems.push({
            exprId: expr.id,
            message: `message construction '${kind.value.messageName}{...}' is not supported; build a map instead: {'key': value}`,
          });
        }
        return;
      case "comprehensionExpr": {
        const c = kind.value;
        const inner = new Set(scope);
        inner.add(c.iterVar);
        if (c.iterVar2 !== "") inner.add(c.iterVar2);
        inner.add(c.accuVar);
        visit(c.iterRange, scope, depth);
        visit(c.accuInit, scope, depth);
        visit(c.loopCondition, inner, depth + 1);
        visit(c.loopStep, inner, depth + 1);
        const resultScope = new Set(scope);
        resultScope.add(c.accuVar);
        visit(c.result, resultScope, depth);
        return;
      }
      default:
        return;
    }
  };

  visit(root, new Set(), 0);
  return facts;
}

function checkFunction(name: string, isMethod: boolean, arity: number, exprId: bigint, funcs: FuncResolver, facts: AstFacts): void {
  // Operators (`_+_`, `!_`, `@in`, `_?_:_` ...) are resolved by the planner itself.
  if (/^[_@!-]/.test(name)) return;
  const group = funcs.find(name);
  if (group === undefined) {
    facts.problems.push({ exprId, message: `unknown function '${name}' (see the function reference in policies/engine/functions/README.md)` });
    return;
  }
  for (const overload of group) {
    if ((overload.target !== undefined) === isMethod && overload.arguments.length === arity) return;
  }
  const shapes = [...group].map((f) => `${f.target !== undefined ? `${f.target.name}.` : ""}${name}(${f.arguments.map((a) => a.name).join(", ")})`);
  const used = isMethod ? `as a method with ${arity} argument(s)` : `as a function with ${arity} argument(s)`;
  facts.problems.push({ exprId, message: `'${name}' cannot be called ${used}; overloads: ${[...new Set(shapes)].join(", ")}` });
}

/**
 * Prepares a parsed tree for planning, in place:
 *
 * - every comprehension's loop condition becomes `__hg_tick(cond)`, so each
 *   iteration charges the evaluation budget;
 * - every identifier that is the operand of a field selection (`object.spec`)
 *   becomes `dyn(object)`. @bufbuild/cel resolves `a.b.c` on an identifier as
 *   a possibly qualified name, trying `a.b.c`, then `a.b`, then `a` against the
 *   bindings and the protobuf registry on every evaluation; our expressions
 *   never use qualified names, and through the identity `dyn()` the planner
 *   applies the selections directly (measured: 1.56 µs -> 0.87 µs for three
 *   selections). Results and errors are unchanged.
 *
 * Ids of new nodes start above the highest id present.
 */
export function prepareForPlanning(root: Expr): void {
  let nextId = maxId(root) + 1n;
  const call = (fn: string, arg: Expr): Expr =>
    ({
      $typeName: "cel.expr.Expr",
      id: nextId++,
      exprKind: { case: "callExpr", value: { $typeName: "cel.expr.Expr.Call", function: fn, args: [arg] } },
    }) as Expr;
  const walk = (expr: Expr | undefined): void => {
    if (expr === undefined) return;
    const kind = expr.exprKind;
    switch (kind.case) {
      case "selectExpr":
        if (kind.value.operand?.exprKind.case === "identExpr" && !TYPE_IDENTIFIERS.has(kind.value.operand.exprKind.value.name)) {
          kind.value.operand = call("dyn", kind.value.operand);
        } else {
          walk(kind.value.operand);
        }
        return;
      case "callExpr":
        walk(kind.value.target);
        kind.value.args.forEach(walk);
        return;
      case "listExpr":
        kind.value.elements.forEach(walk);
        return;
      case "structExpr":
        for (const entry of kind.value.entries) {
          if (entry.keyKind.case === "mapKey") walk(entry.keyKind.value);
          walk(entry.value);
        }
        return;
      case "comprehensionExpr": {
        const c = kind.value;
        walk(c.iterRange);
        walk(c.accuInit);
        walk(c.loopCondition);
        walk(c.loopStep);
        walk(c.result);
        if (c.loopCondition !== undefined) c.loopCondition = call(TICK_FUNCTION, c.loopCondition);
        return;
      }
      default:
        return;
    }
  };
  walk(root);
}

function maxId(root: Expr): bigint {
  let max = 0n;
  const stack: Expr[] = [root];
  while (stack.length > 0) {
    const expr = stack.pop()!;
    if (expr.id > max) max = expr.id;
    const kind = expr.exprKind;
    switch (kind.case) {
      case "selectExpr":
        if (kind.value.operand) stack.push(kind.value.operand);
        break;
      case "callExpr":
        if (kind.value.target) stack.push(kind.value.target);
        stack.push(...kind.value.args);
        break;
      case "listExpr":
        stack.push(...kind.value.elements);
        break;
      case "structExpr":
        for (const entry of kind.value.entries) {
          if (entry.keyKind.case === "mapKey") stack.push(entry.keyKind.value);
          if (entry.value) stack.push(entry.value);
        }
        break;
      case "comprehensionExpr": {
        const c = kind.value;
        for (const e of [c.iterRange, c.accuInit, c.loopCondition, c.loopStep, c.result]) if (e) stack.push(e);
        break;
      }
    }
  }
  return max;
}
