// Constants, list literals and map literals (planner.js EvalConst, EvalList,
// EvalMap). A literal whose parts are all constant is built once at compile
// time and shared: CEL values are immutable, so no evaluation can tell.
import { celError, celList, celMap, celUint, isCelUint } from "@bufbuild/cel";
import type { CelInput } from "@bufbuild/cel";
import type { Constant, Expr_CreateList, Expr_CreateStruct } from "@bufbuild/cel-spec/cel/expr/syntax_pb.js";
import { unsupportedKeyType } from "./errors.ts";
import { Unsupported } from "./types.ts";
import { isErrorValue } from "./values.ts";
import type { Bindings, CompileContext, Compiled, Locals, Node, Scope } from "./types.ts";

export function constantValue(constant: Constant): unknown {
  const kind = constant.constantKind;
  switch (kind.case) {
    case "stringValue":
    case "bytesValue":
    case "doubleValue":
    case "boolValue":
    case "int64Value":
      return kind.value;
    case "uint64Value":
      return celUint(kind.value);
    case "nullValue":
      return null;
    default:
      throw new Unsupported(`constant of kind ${String(kind.case)}`);
  }
}

export function compileConstant(constant: Constant): Compiled {
  const value = constantValue(constant);
  return { run: () => value, bare: false, constant: { value } };
}

const NO_LOCALS: Locals = [];

/** Evaluates a node whose inputs are all constant, once; undefined when it fails (it then runs, and fails, per evaluation). */
function fold(run: Node): Compiled | undefined {
  try {
    const value = run({}, NO_LOCALS);
    return { run: () => value, bare: false, constant: { value } };
  } catch {
    return undefined;
  }
}

export function compileList(ctx: CompileContext, list: Expr_CreateList, scope: Scope): Compiled {
  if (list.optionalIndices.length > 0) throw new Unsupported("optional list elements");
  const elements = list.elements.map((element) => ctx.compile(element, scope));
  const runs = elements.map((e) => e.run);
  const run: Node = (b, l) => {
    const values = new Array<unknown>(runs.length);
    for (let i = 0; i < runs.length; i++) values[i] = runs[i]!(b, l);
    return celList(values as CelInput[]);
  };
  if (elements.every((e) => e.constant !== undefined)) return fold(run) ?? { run, bare: false };
  return { run, bare: false };
}

export function compileMap(ctx: CompileContext, struct: Expr_CreateStruct, id: bigint, scope: Scope): Compiled {
  if (struct.messageName !== "") throw new Unsupported(`message construction ${struct.messageName}{...}`);
  const keys: Compiled[] = [];
  const values: Compiled[] = [];
  for (const entry of struct.entries) {
    if (entry.optionalEntry) throw new Unsupported("optional map entries");
    if (entry.keyKind.case !== "mapKey") throw new Unsupported("field initialiser in a map literal");
    keys.push(ctx.compile(entry.keyKind.value, scope));
    values.push(ctx.compile(entry.value, scope));
  }
  const keyRuns = keys.map((k) => k.run);
  const valueRuns = values.map((v) => v.run);
  const run: Node = (b: Bindings, l: Locals) => {
    const entries = new Map<unknown, unknown>();
    for (let i = 0; i < keyRuns.length; i++) {
      // Key, then value, then the conflict check: the planner's order, so the same error wins.
      const key = mapKey(evaluateKey(keyRuns[i]!, b, l, id), id);
      const value = valueRuns[i]!(b, l);
      if (i > 0 && entries.has(key)) throw celError(`map key conflict: ${String(key)}`, id);
      entries.set(key, value);
    }
    return celMap(entries as Map<string, never>);
  };
  if (keys.every((k) => k.constant !== undefined) && values.every((v) => v.constant !== undefined)) return fold(run) ?? { run, bare: false };
  return { run, bare: false };
}

/**
 * A key's value. EvalMap checks the key's type before looking for an error,
 * so a key that fails is reported as "unsupported key type" at the map, not
 * with its own error (found by the differential fuzzing, fuzz.ts).
 */
function evaluateKey(key: Node, b: Bindings, l: Locals, id: bigint): unknown {
  try {
    return key(b, l);
  } catch (error) {
    if (isErrorValue(error)) throw unsupportedKeyType(id);
    throw error;
  }
}

/** A map literal's key as EvalMap admits it: bool, int, uint, string, or a double holding an integer (stored as int). */
function mapKey(key: unknown, id: bigint): unknown {
  switch (typeof key) {
    case "boolean":
    case "bigint":
    case "string":
      return key;
    case "number":
      if (Number.isInteger(key)) return BigInt(key);
      throw unsupportedKeyType(id);
    case "object":
      if (isCelUint(key)) return key;
      throw unsupportedKeyType(id);
    default:
      throw unsupportedKeyType(id);
  }
}
