// CEL views of the values every request shares: the platform config and the
// cluster state, JS Maps and arrays built once (core/config, core/state) and
// never modified after they are handed out.
//
// @bufbuild/cel wraps such a Map in a NativeMap (an array in an ArrayList)
// and re-wraps each nested Map or array on every read, so `cluster.grants`
// allocated views per access, per request. These views answer exactly as
// NativeMap and ArrayList do (map.js, list.js; shared-views.test.ts holds
// them side by side) but convert each nested Map or array once and keep the
// result. Scalars and values that are already CEL values pass through, and
// anything else is handed to @bufbuild/cel's own conversion.
import { celList, isCelList, isCelMap, isCelType, isCelUint } from "@bufbuild/cel";
import type { CelInput } from "@bufbuild/cel";
import { brandPrototype } from "./cel-values.ts";
import { LIST_BRAND, MAP_BRAND } from "./compiled/values.ts";

const views = new WeakMap<object, SharedMapView | SharedListView>();

/**
 * The CEL view of a shared value: a JS Map or array gets its memoising view
 * (one per value, reused by every request); anything else is returned as is.
 */
export function sharedCelView(value: unknown): unknown {
  if (!(value instanceof Map) && !Array.isArray(value)) return value;
  let view = views.get(value);
  if (view === undefined) {
    view = newView(value);
    views.set(value, view);
  }
  return view;
}

/** True for a nested value that gets a view of its own, kept by its container. */
function isContainer(value: unknown): value is Map<unknown, unknown> | unknown[] {
  return typeof value === "object" && value !== null && (value instanceof Map || Array.isArray(value)) && !isCelList(value) && !isCelMap(value);
}

/**
 * @bufbuild/cel's `toCel` (value.js, not exported) for a value that is not a
 * container: scalars and CEL values as they are, anything else converted by
 * @bufbuild/cel itself (reached through an ArrayList, whose `get` applies
 * toCel), failures included.
 */
function toCelScalar(value: unknown): unknown {
  switch (typeof value) {
    case "string":
    case "boolean":
    case "bigint":
    case "number":
      return value;
    case "object":
      if (value === null || value instanceof Uint8Array || isCelList(value) || isCelMap(value) || isCelUint(value) || isCelType(value)) return value;
      break;
  }
  return celList([value as CelInput]).get(0);
}

function newView(value: Map<unknown, unknown> | unknown[]): SharedMapView | SharedListView {
  return value instanceof Map ? new SharedMapView(value) : new SharedListView(value);
}

/** A NativeMap over a shared Map, with nested values converted once. */
export class SharedMapView {
  readonly #map: ReadonlyMap<unknown, unknown>;
  /** Views of nested Maps and arrays, by key. */
  #children: Map<unknown, unknown> | undefined;

  constructor(map: ReadonlyMap<unknown, unknown>) {
    this.#map = map;
  }

  #convert(key: unknown, value: unknown): unknown {
    if (typeof value !== "object" || value === null) return toCelScalar(value);
    const known = this.#children?.get(key);
    if (known !== undefined) return known;
    if (!isContainer(value)) return toCelScalar(value);
    const view = newView(value);
    this.#children ??= new Map();
    this.#children.set(key, view);
    return view;
  }

  get size(): number {
    return this.#map.size;
  }

  /** NativeMap.get: uint keys by value; doubles holding an integer as that int; uint keys found by an int. */
  get(key: unknown): unknown {
    if (isCelUint(key)) key = key.value;
    if (typeof key === "number") {
      if (!Number.isInteger(key)) return undefined;
      key = BigInt(key);
    }
    const value = this.#map.get(key);
    if (value !== undefined) return this.#convert(key, value);
    if (typeof key === "bigint") {
      for (const mapKey of this.#map.keys()) {
        if (isCelUint(mapKey) && mapKey.value === key) return this.#convert(mapKey, this.#map.get(mapKey));
      }
    }
    return undefined;
  }

  /** As NativeMap: present when get() is neither undefined nor null. */
  has(key: unknown): boolean {
    const value = this.get(key);
    return value !== undefined && value !== null;
  }

  keys(): IterableIterator<unknown> {
    return this.#map.keys();
  }

  *values(): IterableIterator<unknown> {
    for (const [key, value] of this.#map.entries()) yield this.#convert(key, value);
  }

  *entries(): IterableIterator<[unknown, unknown]> {
    for (const [key, value] of this.#map.entries()) yield [key, this.#convert(key, value)];
  }

  forEach(callback: (value: unknown, key: unknown, map: SharedMapView) => void, thisArg?: unknown): void {
    for (const [key, value] of this.#map) callback.call(thisArg, this.#convert(key, value), key, this);
  }

  [Symbol.iterator](): IterableIterator<[unknown, unknown]> {
    return this.entries();
  }
}

brandPrototype(SharedMapView.prototype, MAP_BRAND);

/** An ArrayList over a shared array, with nested values converted once. */
export class SharedListView {
  readonly #array: readonly unknown[];
  /** Views of nested Maps and arrays, by position. */
  #children: unknown[] | undefined;

  constructor(array: readonly unknown[]) {
    this.#array = array;
  }

  #convert(index: number, value: unknown): unknown {
    if (typeof value !== "object" || value === null) return toCelScalar(value);
    const known = this.#children?.[index];
    if (known !== undefined) return known;
    if (!isContainer(value)) return toCelScalar(value);
    const view = newView(value);
    this.#children ??= new Array(this.#array.length);
    this.#children[index] = view;
    return view;
  }

  get size(): number {
    return this.#array.length;
  }

  /** ArrayList.get: undefined out of range; a position that is not an integer fails as it does there. */
  get(index: number): unknown {
    if (index < 0 || index >= this.#array.length) return undefined;
    return this.#convert(index, this.#array[index]);
  }

  *values(): IterableIterator<unknown> {
    for (let i = 0; i < this.#array.length; i++) yield this.#convert(i, this.#array[i]);
  }

  [Symbol.iterator](): IterableIterator<unknown> {
    return this.values();
  }
}

brandPrototype(SharedListView.prototype, LIST_BRAND);
