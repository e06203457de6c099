// The entry of the closure compiler: turns a parsed (and prepareForPlanning'd)
// CEL tree into nested JavaScript closures, once, at load. See README.md for
// how it relates to @bufbuild/cel's planner, which stays the fallback.
import { celError } from "@bufbuild/cel";
import type { CelEnv } from "@bufbuild/cel";
import { compileHas, compileSelect } from "./attributes.ts";
import { compileIdent } from "./identifiers.ts";
import { compileCall } from "./calls.ts";
import { attributeId, isAttribute } from "./chains.ts";
import { compileComprehension } from "./comprehensions.ts";
import { UNRESOLVED } from "./errors.ts";
import { compileConstant, compileList, compileMap } from "./literals.ts";
import { countPaths } from "./paths.ts";
import { Bailout, isErrorValue } from "./values.ts";
import { Unsupported } from "./types.ts";
import type { Bindings, Chain, CompileContext, Compiled, Expr, Locals, Scope } from "./types.ts";

/**
 * Runs the expression: returns its CEL value or its CEL error (as a value,
 * like the planner's program: same message, same id), or throws a Bailout
 * (re-run it on the planner).
 */
export type ClosureProgram = (bindings: Bindings) => unknown;

export type ClosureCompilation = { ok: true; program: ClosureProgram } | { ok: false; reason: string };

const NO_SCOPE: Scope = new Map();
const NO_LOCALS: Locals = [];

export function compileClosures(root: Expr, env: CelEnv, variableIndex?: ReadonlyMap<string, number>): ClosureCompilation {
  // Name resolution inside a container (namespace) is the planner's.
  if (env.namespace !== "") return { ok: false, reason: "the environment has a namespace" };
  const compiler = new Compiler(env, countPaths(root, env), variableIndex);
  let compiled: Compiled;
  try {
    compiled = compiler.compile(root, NO_SCOPE);
  } catch (error) {
    if (error instanceof Unsupported) return { ok: false, reason: error.message };
    // A fault of the compiler itself must not keep a valid policy from loading: the planner runs it.
    return { ok: false, reason: `the compiler failed: ${error instanceof Error ? error.message : String(error)}` };
  }
  const run = compiled.run;
  const slots = compiler.slots;
  // The planner reports an exception that escapes its nodes as an error of
  // the root (plan.js); so does the fast path.
  const rootId = attributeId(root);
  if (slots === 0) {
    const program: ClosureProgram = (bindings) => {
      try {
        return run(bindings, NO_LOCALS);
      } catch (error) {
        return escaped(error, rootId);
      }
    };
    return { ok: true, program };
  }
  // One locals array serves every evaluation, cleared after each; an
  // evaluation that starts while another runs (none does today: a variable
  // reads only earlier variables) gets a fresh one.
  let spare: Locals | undefined = new Array(slots).fill(undefined);
  const program: ClosureProgram = (bindings) => {
    const locals = spare ?? new Array(slots).fill(undefined);
    spare = undefined;
    try {
      return run(bindings, locals);
    } catch (error) {
      return escaped(error, rootId);
    } finally {
      // A loop, not Array.prototype.fill: for a few slots the builtin's call costs more than the stores.
      for (let i = 0; i < slots; i++) locals[i] = undefined;
      spare = locals;
    }
  };
  return { ok: true, program };
}

/** What an exception out of the closures is: a CEL error as a value, a Bailout as itself, anything else an error of the root. */
function escaped(error: unknown, rootId: bigint): unknown {
  if (isErrorValue(error)) return error;
  if (error instanceof Bailout) throw error;
  if (error === UNRESOLVED) throw new Error("internal: unresolved attribute escaped has()");
  return celError(error, rootId);
}

class Compiler implements CompileContext {
  readonly env: CelEnv;
  readonly variableIndex: ReadonlyMap<string, number> | undefined;
  slots = 0;
  readonly #pathCounts: ReadonlyMap<string, number>;
  readonly #pathSlots = new Map<string, number>();

  constructor(env: CelEnv, pathCounts: ReadonlyMap<string, number>, variableIndex: ReadonlyMap<string, number> | undefined) {
    this.env = env;
    this.#pathCounts = pathCounts;
    this.variableIndex = variableIndex;
  }

  allocateSlot(): number {
    return this.slots++;
  }

  pathSlot(key: string): number | undefined {
    if ((this.#pathCounts.get(key) ?? 0) < 2) return undefined;
    let slot = this.#pathSlots.get(key);
    if (slot === undefined) {
      slot = this.allocateSlot();
      this.#pathSlots.set(key, slot);
    }
    return slot;
  }

  compile(expr: Expr | undefined, scope: Scope, chain?: Chain): Compiled {
    if (expr === undefined) throw new Unsupported("missing expression");
    // An attribute that does not continue its parent's chain starts its own.
    if (chain === undefined && isAttribute(expr)) chain = { id: attributeId(expr), hasMode: false };
    const kind = expr.exprKind;
    switch (kind.case) {
      case "constExpr":
        return compileConstant(kind.value);
      case "identExpr":
        return compileIdent(this, kind.value.name, scope, chain!);
      case "selectExpr":
        return kind.value.testOnly ? compileHas(this, kind.value, scope) : compileSelect(this, expr, kind.value, scope, chain!);
      case "callExpr":
        return compileCall(this, kind.value, expr.id, scope, chain);
      case "listExpr":
        return compileList(this, kind.value, scope);
      case "structExpr":
        return compileMap(this, kind.value, expr.id, scope);
      case "comprehensionExpr":
        return compileComprehension(this, kind.value, expr.id, scope);
      default:
        throw new Unsupported(`expression of kind ${String(kind.case)}`);
    }
  }
}
