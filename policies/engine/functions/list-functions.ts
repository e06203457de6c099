// The Kubernetes CEL list library's aggregate methods. Element comparison,
// equality and addition are CEL's own operators (see cel-ops.ts), so
// `[1, 2.5].max()` and `[1].indexOf(1.0)` behave as `<` and `==` do.

import { CelScalar, celError, celMethod, celType, listType } from "@bufbuild/cel";
import type { CelFunc, CelList, CelValue } from "@bufbuild/cel";
import { celAdd, celEquals, celLess } from "./cel-ops.ts";

const { BOOL, DYN, INT } = CelScalar;
const LIST = listType(DYN);

// Types Kubernetes lets min/max/isSorted order, and sum add.
const ORDERED = new Set(["int", "uint", "double", "bool", "string", "bytes", "google.protobuf.Timestamp", "google.protobuf.Duration"]);
const SUMMABLE = new Set(["int", "uint", "double", "google.protobuf.Duration"]);

/** Lists are untyped at run time, so each element's type is checked here. */
function requireElementType(method: string, value: CelValue, allowed: Set<string>): CelValue {
  const name = celType(value).name;
  if (!allowed.has(name)) throw celError(`${method}: list element of type ${name} is not supported`);
  return value;
}

function isSorted(list: CelList): boolean {
  let previous: CelValue | undefined;
  for (const item of list) {
    requireElementType("isSorted", item, ORDERED);
    if (previous !== undefined && celLess(item, previous)) return false;
    previous = item;
  }
  return true;
}

/** An empty list sums to int 0: without a type checker its element type is unknown. */
function sum(list: CelList): CelValue {
  let total: CelValue | undefined;
  for (const item of list) {
    requireElementType("sum", item, SUMMABLE);
    total = total === undefined ? item : celAdd(total, item);
  }
  return total ?? 0n;
}

/** Keeps the first element `better` prefers; ties keep the earlier one, as Kubernetes does. */
function pick(method: string, list: CelList, better: (candidate: CelValue, best: CelValue) => boolean): CelValue {
  let best: CelValue | undefined;
  for (const item of list) {
    requireElementType(method, item, ORDERED);
    if (best === undefined || better(item, best)) best = item;
  }
  if (best === undefined) throw celError(`${method} called on empty list`);
  return best;
}

function indexOf(list: CelList, value: CelValue): bigint {
  for (let i = 0; i < list.size; i++) {
    if (celEquals(list.get(i) as CelValue, value)) return BigInt(i);
  }
  return -1n;
}

function lastIndexOf(list: CelList, value: CelValue): bigint {
  for (let i = list.size - 1; i >= 0; i--) {
    if (celEquals(list.get(i) as CelValue, value)) return BigInt(i);
  }
  return -1n;
}

export const listFunctions: CelFunc[] = [
  celMethod("isSorted", LIST, [], BOOL, function () {
    return isSorted(this);
  }),
  celMethod("sum", LIST, [], DYN, function () {
    return sum(this);
  }),
  celMethod("min", LIST, [], DYN, function () {
    return pick("min", this, (candidate, best) => celLess(candidate, best));
  }),
  celMethod("max", LIST, [], DYN, function () {
    return pick("max", this, (candidate, best) => celLess(best, candidate));
  }),
  celMethod("indexOf", LIST, [DYN], INT, function (value) {
    return indexOf(this, value);
  }),
  celMethod("lastIndexOf", LIST, [DYN], INT, function (value) {
    return lastIndexOf(this, value);
  }),
];
