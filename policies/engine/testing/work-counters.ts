// Counters of the work an evaluation does, for the tests that must show a
// call was refused before its work, or that a walk stayed shallow, without
// timing it: a timing fails by chance on a loaded machine and passes a slow
// regression on a fast one (speed is measured in bench/, never asserted in
// tests). Each counter instruments a function only while a callback runs.
import { celList, celListConcat } from "@bufbuild/cel";
import type { CelValue } from "@bufbuild/cel";

/**
 * Runs `fn` with the function `owner[key]` replaced by one that counts the
 * calls whose arguments `counts` accepts, then puts the original back.
 * A Proxy keeps the function's own properties (BigInt.asIntN, a class's statics).
 * With `forbidden`, a counted call throws instead of running: work that must
 * not happen at all (a 99-second compile) fails the test at once.
 */
export function countingCalls<T>(
  owner: object,
  key: string,
  counts: (...args: unknown[]) => boolean,
  fn: () => T,
  options: { forbidden?: boolean } = {},
): { result: T; calls: number } {
  const slots = owner as Record<string, unknown>;
  const original = slots[key];
  if (typeof original !== "function") throw new Error(`internal: ${key} is not a function to count calls of`);
  let calls = 0;
  slots[key] = new Proxy(original, {
    apply(target, self, args) {
      if (counts(...args)) {
        calls++;
        if (options.forbidden === true) throw new Error(`${key} was called where it must not be`);
      }
      return Reflect.apply(target, self, args);
    },
  });
  try {
    const result = fn();
    return { result, calls };
  } finally {
    slots[key] = original;
  }
}

const LIST = Symbol.for("@bufbuild/cel/list");

/**
 * A CEL list (as @bufbuild/cel recognizes one: its symbol, size, get,
 * iteration) that counts every element read from it, so a test can show a
 * call priced its size without walking it. Past `readLimit` reads it throws,
 * so a walk of a list of 2^41 elements built from it fails at once instead of running for hours.
 */
export class CountingList {
  readonly [LIST] = {};
  /** Elements read so far, by get() or iteration. */
  reads = 0;
  readonly #values: readonly CelValue[];
  readonly #readLimit: number;

  constructor(values: readonly CelValue[], readLimit = 1000) {
    this.#values = values;
    this.#readLimit = readLimit;
  }

  #read(): void {
    if (++this.reads > this.#readLimit) throw new Error(`read more than ${this.#readLimit} elements of a list that must not be walked`);
  }

  get size(): number {
    return this.#values.length;
  }

  get(index: number): CelValue | undefined {
    this.#read();
    return this.#values[index];
  }

  *values(): IterableIterator<CelValue> {
    for (const value of this.#values) {
      this.#read();
      yield value;
    }
  }

  [Symbol.iterator](): IterableIterator<CelValue> {
    return this.values();
  }
}

interface ConcatNode {
  get(index: number): CelValue | undefined;
  values(): IterableIterator<CelValue>;
}

/**
 * Runs `fn` and returns the deepest nesting of @bufbuild/cel's lazy list
 * concatenations that any element read or iteration went through: reading
 * one element of a lazy list costs one step per level, so a depth bounded by
 * a constant keeps every walk linear in the elements it reads.
 */
export function deepestConcatenationRead<T>(fn: () => T): { result: T; depth: number } {
  const prototype = Object.getPrototypeOf(celListConcat(celList([]), celList([]))) as ConcatNode;
  const { get, values } = prototype;
  let depth = 0;
  let deepest = 0;
  prototype.get = function (this: ConcatNode, index: number) {
    deepest = Math.max(deepest, ++depth);
    try {
      return get.call(this, index);
    } finally {
      depth--;
    }
  };
  prototype.values = function* (this: ConcatNode) {
    deepest = Math.max(deepest, ++depth);
    try {
      yield* values.call(this);
    } finally {
      depth--;
    }
  };
  try {
    const result = fn();
    return { result, depth: deepest };
  } finally {
    prototype.get = get;
    prototype.values = values;
  }
}
