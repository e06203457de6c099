// The CEL errors the fast path raises, worded and numbered exactly as
// @bufbuild/cel's planner words and numbers them (planner.js, access.js), so
// a policy's message and column do not depend on which engine ran it.
//
// Errors travel as exceptions here (the planner returns them as values): a
// thrown CelError is a CEL error, which `&&`, `||`, `?:` and comprehensions
// may absorb as CEL specifies; any other exception is one the planner would
// not have caught either, and it fails the whole expression (see compiler.ts).
import { celError, celType, isCelError } from "@bufbuild/cel";
import type { CelError, CelValue } from "@bufbuild/cel";
import { Bailout } from "./values.ts";

export function fieldNotFound(id: bigint, name: unknown): CelError {
  return celError(`field not found: ${String(name)}`, id);
}

export function indexOutOfBounds(id: bigint, index: number): CelError {
  return celError(`index ${index} out of bounds [0, -1)`, id);
}

export function unsupportedKeyType(id: bigint): CelError {
  return celError("unsupported key type", id);
}

export function unresolvedAttribute(id: bigint): CelError {
  return celError("unresolved attribute", id);
}

/** `&&` and `||` on a value that is not a bool. */
export function boolTypeMismatch(value: unknown, id: bigint): CelError {
  return celError(`type mismatch: expected bool, got ${celType(value as CelValue)}`, id);
}

/** A call no overload of the function accepts (planner.js EvalCall). */
export function noMatchingOverload(name: string, id: bigint, target: unknown, args: readonly unknown[]): CelError {
  const receiver = target !== undefined ? `${celType(target as CelValue)}.` : "";
  const types = args.map((arg) => celType(arg as CelValue).name).join(", ");
  return celError(`found no matching overload for '${name}' applied to '${receiver}(${types})'`, id);
}

/** A conditional whose condition is not a bool (access.js ConditionalAttr). */
export function conditionNotBool(value: unknown, id: bigint): CelError {
  return celError(`found no matching overload for _?_:_ applied to '(${celType(value as CelValue).name})'`, id);
}

/**
 * What a function implementation's exception becomes, as in @bufbuild/cel's
 * Callable.call: a CelError it threw keeps its own id (often none), anything
 * else becomes an error at the call.
 */
export function fromImplementation(error: unknown, id: bigint): CelError {
  if (error instanceof Bailout) throw error;
  return celError(error, id);
}

/** A caught exception as a CEL error to absorb; anything else propagates unchanged. */
export function absorbable(error: unknown): CelError {
  if (isCelError(error)) return error;
  throw error;
}

/**
 * The sentinel a missing variable throws inside the operand of `has()`, where
 * @bufbuild/cel answers false instead of failing (see Chain in types.ts).
 */
export const UNRESOLVED: unique symbol = Symbol("unresolved attribute");
