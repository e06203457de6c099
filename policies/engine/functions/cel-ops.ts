// CEL's own equality, ordering and addition, borrowed from the standard
// library of a private environment. @bufbuild/cel does not export its
// `equals` helper (its package `exports` map blocks deep imports), and
// reimplementing it would drift from what `==`, `<` and `+` do in the same
// expression: int 1 == double 1.0, NaN != NaN, cross-numeric ordering,
// bytes/timestamp/duration ordering and int overflow errors all come for free.

import { celEnv, celError, celType, isCelError } from "@bufbuild/cel";
import type { CelError, CelValue } from "@bufbuild/cel";

const std = celEnv().funcs;

function operator(name: string) {
  const group = std.find(name);
  if (group === undefined) throw new Error(`@bufbuild/cel has no standard ${name} operator`);
  return group;
}

const EQUALS = operator("_==_");
const LESS = operator("_<_");
const ADD = operator("_+_");

function noSuchOverload(op: string, a: CelValue, b: CelValue) {
  return celError(`no such overload: ${celType(a).name} ${op} ${celType(b).name}`);
}

// The borrowed operator stamped its error with a dummy expression id (0);
// a fresh error lets the caller's position be reported instead.
function rethrown(error: CelError) {
  return celError(error.message);
}

/** CEL `a == b`. Never fails: values of unrelated types are simply unequal. */
export function celEquals(a: CelValue, b: CelValue): boolean {
  return EQUALS.call(0, undefined, [a, b]) === true;
}

/** CEL `a < b`; throws a no-such-overload error for incomparable types. */
export function celLess(a: CelValue, b: CelValue): boolean {
  const result = LESS.call(0, undefined, [a, b]);
  if (result === undefined) throw noSuchOverload("<", a, b);
  if (isCelError(result)) throw rethrown(result);
  return result === true;
}

/** CEL `a + b`; throws on overflow or a type mismatch (CEL has no implicit widening). */
export function celAdd(a: CelValue, b: CelValue): CelValue {
  const result = ADD.call(0, undefined, [a, b]);
  if (result === undefined) throw noSuchOverload("+", a, b);
  if (isCelError(result)) throw rethrown(result);
  return result;
}
