// List concatenation (`a + b` on lists) that keeps lists shallow, for both
// engines (the `_+_(list,list)` overload, metered-functions.ts).
//
// @bufbuild/cel concatenates lazily: `a + b` is a node over a and b, and
// reading an element or iterating walks down the nodes. The planner runs the
// map and filter macros as `accu + [x]` once per element, so a list mapped
// from 60,000 elements was 60,000 nodes deep: iterating it again (a second
// macro, `in`, `==`) took time quadratic in its length and overflowed the
// stack. Here:
// - appending a few elements to the list last built by appending reuses its
//   array (as Go's append does): the macros' accumulators stay flat, in
//   linear time;
// - other concatenations stay lazy (a list doubled 40 times through
//   variables is still free to build; walking it is what is priced, cost.ts)
//   until they would be MAX_DEPTH nodes deep: then the result is copied flat,
//   charged one unit per element first (as walking a list is), so a list too
//   long for the budget fails at the limit instead of being copied.
import { celListConcat } from "@bufbuild/cel";
import type { CelList, CelValue } from "@bufbuild/cel";
import { chargeCost } from "./budget.ts";

/** Lists nested deeper than this (concatenations of concatenations) are copied flat. */
export const MAX_DEPTH = 64;
/** Appending at most this many elements to a growable list shares its array; a result this small is copied. */
const SMALL = 16;

const LIST = Symbol.for("@bufbuild/cel/list");

/**
 * A flat list over the first `size` elements of an array that later appends
 * may extend (but never change). A CelList as @bufbuild/cel recognizes one
 * (its symbol, size, get, iteration); its type declares a private member, hence the casts.
 */
class GrowableList {
  readonly [LIST] = {};
  readonly #array: CelValue[];
  readonly #size: number;

  constructor(array: CelValue[], size: number) {
    this.#array = array;
    this.#size = size;
  }

  get size(): number {
    return this.#size;
  }

  get(index: number): CelValue | undefined {
    return index >= 0 && index < this.#size ? this.#array[index] : undefined;
  }

  *values(): IterableIterator<CelValue> {
    for (let i = 0; i < this.#size; i++) yield this.#array[i]!;
  }

  [Symbol.iterator](): IterableIterator<CelValue> {
    return this.values();
  }

  /** `this + tail` without a copy when no other list was appended to this one's array yet, else undefined. */
  append(tail: CelList): GrowableList | undefined {
    if (this.#array.length !== this.#size) return undefined;
    for (const value of tail) this.#array.push(value);
    return new GrowableList(this.#array, this.#array.length);
  }
}

/** Nesting depth of the lazy concatenations built here (a list not in the map is flat: depth 0). */
const depths = new WeakMap<CelList, number>();

function flat(a: CelList, b: CelList): CelList {
  const array: CelValue[] = [];
  for (const value of a) array.push(value);
  for (const value of b) array.push(value);
  return new GrowableList(array, array.length) as unknown as CelList;
}

/** `a + b` on lists: the same elements as @bufbuild/cel's celListConcat, never more than MAX_DEPTH lazy nodes deep. */
export function concatLists(a: CelList, b: CelList): CelList {
  if (b.size === 0) return a;
  if (a.size === 0) return b;
  if (b.size <= SMALL && a instanceof GrowableList) {
    const appended = a.append(b);
    if (appended !== undefined) return appended as unknown as CelList;
  }
  if (a.size + b.size <= SMALL) return flat(a, b);
  const depth = 1 + Math.max(depths.get(a) ?? 0, depths.get(b) ?? 0);
  if (depth <= MAX_DEPTH) {
    const lazy = celListConcat(a, b);
    depths.set(lazy, depth);
    return lazy;
  }
  // Before the copy: a list too long for the budget is refused, not copied.
  chargeCost(a.size + b.size);
  return flat(a, b);
}
