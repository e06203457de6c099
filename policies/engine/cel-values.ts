// JSON <-> CEL values.
//
// @bufbuild/cel converts plain objects on every access (a fresh Map per read)
// and throws on an object whose own key is "constructor" (a legal label key).
// Admission objects are JSON, read sparsely by expressions, so we hand CEL
// lazy read-only views: a JSON object becomes a CelMap whose entries are
// converted on first read and memoized; a JSON array becomes a CelList the
// same way. Only what an expression touches is ever converted.
//
// The views register with @bufbuild/cel through its global brand symbols
// (`Symbol.for(...)`), the same test its own isCelMap/isCelList use.
import { isCelList, isCelMap, isCelUint } from "@bufbuild/cel";

const MAP_BRAND = Symbol.for("@bufbuild/cel/map");
const LIST_BRAND = Symbol.for("@bufbuild/cel/list");

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

class JsonMap {
  readonly [MAP_BRAND] = {};
  readonly #source: Record<string, unknown>;
  #converted: Map<string, unknown> | undefined;

  constructor(source: Record<string, unknown>) {
    this.#source = source;
  }

  get size(): number {
    let n = 0;
    for (const key in this.#source) if (Object.hasOwn(this.#source, key) && this.#source[key] !== undefined) n++;
    return n;
  }

  get(key: unknown): unknown {
    if (typeof key !== "string" || !Object.hasOwn(this.#source, key)) return undefined;
    const raw = this.#source[key];
    if (raw === undefined) return undefined;
    if (typeof raw !== "object" || raw === null) return jsonToCel(raw);
    this.#converted ??= new Map();
    let value = this.#converted.get(key);
    if (value === undefined) {
      value = jsonToCel(raw);
      this.#converted.set(key, value);
    }
    return value;
  }

  has(key: unknown): boolean {
    return this.get(key) !== undefined;
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

class JsonList {
  readonly [LIST_BRAND] = {};
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

/**
 * Converts a CEL result back to JSON for patches and messages. int/uint become
 * numbers when safe (JSON has no bigint); anything JSON cannot hold is an error.
 */
export function celToJson(value: unknown, path = "result"): Json {
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
        for (const item of value as Iterable<unknown>) out.push(celToJson(item, `${path}[${i++}]`));
        return out;
      }
      if (isCelMap(value) || value instanceof Map) {
        const out: { [key: string]: Json } = {};
        for (const [key, item] of value as Iterable<[unknown, unknown]>) {
          if (typeof key !== "string") throw new TypeError(`${path} has a non-string key ${String(key)}; JSON object keys are strings`);
          Object.defineProperty(out, key, { value: celToJson(item, `${path}.${key}`), enumerable: true, writable: true, configurable: true });
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
