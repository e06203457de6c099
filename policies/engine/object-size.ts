// The size bound on evaluated objects: `Buffer.byteLength(JSON.stringify(o))`
// must not exceed the limit. Serialising every request's object only to
// learn that a 2 KB object is under 1 MiB would cost more than evaluating
// most policies, so an upper bound of the serialised size is computed first,
// walking the object without building any string; only an object the bound
// cannot clear is serialised for its exact size.

/**
 * Lists and maps nested deeper than this are not evaluated. Serialising (and
 * converting, and comparing) a value is recursive: a 10 KB body of 5,000
 * nested lists overflowed JSON.stringify's stack, which threw out of the
 * engine instead of denying with a reason. Real objects nest a few dozen levels.
 */
export const MAX_NESTING_DEPTH = 1000;

/**
 * The object's serialised size in UTF-8 bytes when it may exceed `limit`,
 * -1 when it provably does not, or Infinity when it nests lists and maps more
 * than MAX_NESTING_DEPTH levels deep (it is then never serialised).
 */
export function serializedSizeOver(object: object, limit: number): number {
  if (upperBound(object, limit) <= limit) return -1;
  return nestedDeeperThan(object, MAX_NESTING_DEPTH) ? Infinity : Buffer.byteLength(JSON.stringify(object));
}

/** Whether lists and maps nest more than `limit` levels deep in the value; the walk goes no deeper than that. */
function nestedDeeperThan(value: unknown, limit: number): boolean {
  if (typeof value !== "object" || value === null) return false;
  if (limit === 0) return true;
  if (Array.isArray(value)) return value.some((item) => nestedDeeperThan(item, limit - 1));
  for (const key in value) if (nestedDeeperThan((value as Record<string, unknown>)[key], limit - 1)) return true;
  return false;
}

/** Deeper than this the walk gives up (and the object is serialised): it also stops on cycles. */
const MAX_DEPTH = 256;
/** JSON.stringify writes a finite number in at most 24 characters (e.g. -2.2250738585072014e-308). */
const MAX_NUMBER_LENGTH = 32;

/**
 * An upper bound of the serialised size, or a value above `budget` as soon as
 * the bound exceeds it or the value is one the bound does not model (a
 * toJSON method, a bigint, too deep). Each UTF-16 unit of a string takes at
 * most 6 bytes (a `\uXXXX` escape; a character takes at most 3).
 */
function upperBound(value: unknown, budget: number, depth = 0): number {
  switch (typeof value) {
    case "string":
      return 2 + 6 * value.length;
    case "number":
      return MAX_NUMBER_LENGTH;
    case "boolean":
      return 5;
    case "undefined":
    case "function":
    case "symbol":
      return 4; // omitted, or `null` in an array
    case "object": {
      if (value === null) return 4;
      if (depth > MAX_DEPTH || typeof (value as { toJSON?: unknown }).toJSON === "function") return Infinity;
      let total = 2;
      if (Array.isArray(value)) {
        for (let i = 0; i < value.length; i++) {
          total += 1 + upperBound(value[i], budget - total, depth + 1);
          if (total > budget) return total;
        }
        return total;
      }
      // for-in also visits inherited enumerable keys, which JSON.stringify
      // skips: counting them only raises the bound. It allocates no key array.
      for (const key in value) {
        total += 4 + 6 * key.length + upperBound((value as Record<string, unknown>)[key], budget - total, depth + 1);
        if (total > budget) return total;
      }
      return total;
    }
    default:
      return Infinity;
  }
}
