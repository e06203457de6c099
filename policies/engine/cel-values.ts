// JSON <-> CEL values.
//
// @bufbuild/cel converts plain objects on every access (a fresh Map per read)
// and throws on an object whose own key is "constructor" (a legal label key).
// Admission objects are JSON, read sparsely by expressions, so we hand CEL
// lazy read-only views: a JSON object becomes a CelMap whose entries are
// converted on first read and memoized; a JSON array becomes a CelList the
// same way. Only what an expression touches is ever converted.
//
// Values shared by every request (the config, the cluster state) get
// memoising views of their own: see shared-views.ts.
//
// The views register with @bufbuild/cel through its global brand symbols
// (`Symbol.for(...)`), the same test its own isCelMap/isCelList use.
import { isCelList, isCelMap, isCelUint } from "@bufbuild/cel";
import { LIST_BRAND, MAP_BRAND } from "./compiled/values.ts";

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/**
 * JSON numbers in CEL: an integer is an int (bigint), anything else a double.
 * Integers beyond 2^53 have already lost precision in JSON.parse; they stay
 * doubles rather than pretend to an exactness they lack.
 */
export function jsonNumberToCel(value: number): bigint | number {
  return Number.isSafeInteger(value) ? BigInt(value) : value;
}

/** Converts one JSON value to a CEL input, lazily for objects and arrays (see above). */
export function jsonToCel(value: unknown): unknown {
  switch (typeof value) {
    case "string":
    case "boolean":
    case "bigint":
      return value;
    case "number":
      return jsonNumberToCel(value);
    case "undefined":
      return null;
    case "object":
      if (value === null) return null;
      if (Array.isArray(value)) return new JsonList(value);
      if (value instanceof Map) return value; // already a CEL input (e.g. pre-built state)
      if (isCelMap(value) || isCelList(value)) return value;
      return new JsonMap(value as Record<string, unknown>);
    default:
      throw new TypeError(`cannot pass a ${typeof value} to CEL`);
  }
}

/**
 * Brands a view class as a CEL map or list. The brand sits on the prototype:
 * `brand in value` finds it there, and no view pays an allocation for it.
 */
export function brandPrototype(prototype: object, brand: symbol): void {
  Object.defineProperty(prototype, brand, { value: true });
}

/** Up to this many entries read, a view keeps them in one array it scans; past it, in a Map. */
const SCAN_LIMIT = 8;

class JsonMap {
  readonly #source: Record<string, unknown>;
  /**
   * Entries already read (own, defined), converted, as key, value, key,
   * value... Policies read the same few entries of the same objects over and
   * over (`object.spec` in nearly every expression): a scan of one short
   * array answers a repeated read before any property lookup, converts each
   * entry once, and is cheaper to create and search than a Map for the few
   * entries an object has read.
   */
  #read: unknown[] | undefined;
  /** The read entries once there are more than SCAN_LIMIT. */
  #readMap: Map<string, unknown> | undefined;

  constructor(source: Record<string, unknown>) {
    this.#source = source;
  }

  get size(): number {
    let n = 0;
    for (const key in this.#source) if (Object.hasOwn(this.#source, key) && this.#source[key] !== undefined) n++;
    return n;
  }

  get(key: unknown): unknown {
    if (typeof key !== "string") return undefined;
    const read = this.#readEntry(key);
    if (read !== undefined) return read;
    const source = this.#source;
    // Own properties only: an inherited name (`constructor`, a polluted prototype) is no key.
    if (!Object.hasOwn(source, key)) return undefined;
    const raw = source[key];
    if (raw === undefined) return undefined;
    const value = jsonToCel(raw);
    this.#keep(key, value);
    return value;
  }

  /** get(key) !== undefined, without converting the value: JSON values all convert to something defined. */
  has(key: unknown): boolean {
    if (typeof key !== "string") return false;
    if (this.#readEntry(key) !== undefined) return true;
    const source = this.#source;
    return Object.hasOwn(source, key) && source[key] !== undefined;
  }

  #readEntry(key: string): unknown {
    if (this.#readMap !== undefined) return this.#readMap.get(key);
    const read = this.#read;
    if (read === undefined) return undefined;
    for (let i = 0; i < read.length; i += 2) if (read[i] === key) return read[i + 1];
    return undefined;
  }

  #keep(key: string, value: unknown): void {
    if (this.#readMap !== undefined) {
      this.#readMap.set(key, value);
      return;
    }
    this.#read ??= [];
    const read = this.#read;
    read.push(key, value);
    if (read.length > 2 * SCAN_LIMIT) {
      this.#readMap = new Map();
      for (let i = 0; i < read.length; i += 2) this.#readMap.set(read[i] as string, read[i + 1]);
      this.#read = undefined;
    }
  }

  *keys(): IterableIterator<string> {
    for (const key of Object.keys(this.#source)) if (this.#source[key] !== undefined) yield key;
  }

  *values(): IterableIterator<unknown> {
    for (const key of this.keys()) yield this.get(key);
  }

  *entries(): IterableIterator<[string, unknown]> {
    for (const key of this.keys()) yield [key, this.get(key)];
  }

  forEach(callback: (value: unknown, key: string, map: JsonMap) => void): void {
    for (const [key, value] of this.entries()) callback(value, key, this);
  }

  [Symbol.iterator](): IterableIterator<[string, unknown]> {
    return this.entries();
  }
}

brandPrototype(JsonMap.prototype, MAP_BRAND);

class JsonList {
  readonly #source: readonly unknown[];
  #converted: unknown[] | undefined;

  constructor(source: readonly unknown[]) {
    this.#source = source;
  }

  get size(): number {
    return this.#source.length;
  }

  get(index: number): unknown {
    if (!Number.isInteger(index) || index < 0 || index >= this.#source.length) return undefined;
    const raw = this.#source[index];
    if (typeof raw !== "object" || raw === null) return jsonToCel(raw);
    this.#converted ??= new Array(this.#source.length);
    let value = this.#converted[index];
    if (value === undefined) {
      value = jsonToCel(raw);
      this.#converted[index] = value;
    }
    return value;
  }

  *values(): IterableIterator<unknown> {
    for (let i = 0; i < this.#source.length; i++) yield this.get(i);
  }

  [Symbol.iterator](): IterableIterator<unknown> {
    return this.values();
  }
}

brandPrototype(JsonList.prototype, LIST_BRAND);

/**
 * Converts a CEL result back to JSON for patches and messages. int/uint become
 * numbers when safe (JSON has no bigint); anything JSON cannot hold is an error.
 *
 * `limit` bounds the result (one per value, plus the characters of strings and
 * keys): a list built as `[x, x]` again and again costs CEL nothing to build
 * (its parts are shared) but doubles the JSON at every level, so the
 * conversion fails once past the limit instead of expanding it.
 */
export function celToJson(value: unknown, path = "result", limit = Number.MAX_SAFE_INTEGER): Json {
  return toJson(value, path, { left: limit, limit });
}

function toJson(value: unknown, path: string, budget: { left: number; limit: number }): Json {
  budget.left -= typeof value === "string" ? value.length + 1 : 1;
  if (budget.left < 0) throw new TypeError(`${path} makes the result larger than ${budget.limit} characters of JSON, more than an object may hold`);
  switch (typeof value) {
    case "string":
    case "boolean":
      return value;
    case "number":
      if (!Number.isFinite(value)) throw new TypeError(`${path} is ${value}, which JSON cannot represent`);
      return value;
    case "bigint":
      return bigintToJson(value, path);
    case "object": {
      if (value === null) return null;
      if (isCelUint(value)) return bigintToJson(value.value, path);
      if (isCelList(value) || Array.isArray(value)) {
        const out: Json[] = [];
        let i = 0;
        for (const item of value as Iterable<unknown>) out.push(toJson(item, `${path}[${i++}]`, budget));
        return out;
      }
      if (isCelMap(value) || value instanceof Map) {
        const out: { [key: string]: Json } = {};
        for (const [key, item] of value as Iterable<[unknown, unknown]>) {
          if (typeof key !== "string") throw new TypeError(`${path} has a non-string key ${String(key)}; JSON object keys are strings`);
          budget.left -= key.length;
          Object.defineProperty(out, key, { value: toJson(item, `${path}.${key}`, budget), enumerable: true, writable: true, configurable: true });
        }
        return out;
      }
      break;
    }
  }
  throw new TypeError(`${path} is a CEL value JSON cannot represent`);
}

function bigintToJson(value: bigint, path: string): number {
  if (value > BigInt(Number.MAX_SAFE_INTEGER) || value < BigInt(Number.MIN_SAFE_INTEGER)) {
    throw new TypeError(`${path} is ${value}, outside the range JSON numbers hold exactly`);
  }
  return Number(value);
}
