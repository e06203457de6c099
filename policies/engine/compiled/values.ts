// Run-time tests on CEL values, shared by every compiled node.
//
// @bufbuild/cel brands its values with global symbols (`Symbol.for(...)`);
// its own isCelMap/isCelList/isCelError test exactly these brands. The hot
// paths test them inline (`BRAND in value`) to save a call per access.
import { celList, celMap, isCelList, isCelType, isCelUint } from "@bufbuild/cel";
import type { CelError, CelList, CelMap } from "@bufbuild/cel";

export const ERROR_BRAND = Symbol.for("@bufbuild/cel/error");
export const MAP_BRAND = Symbol.for("@bufbuild/cel/map");
export const LIST_BRAND = Symbol.for("@bufbuild/cel/list");

/** isCelMap for a value already known to be a non-null object (the hot-path form). */
export function isMapObject(value: object): value is CelMap {
  return MAP_BRAND in value;
}

/** isCelList for a value already known to be a non-null object. */
export function isListObject(value: object): value is CelList {
  return LIST_BRAND in value;
}

/** isCelError, inlined: true for a CelError value. */
export function isErrorValue(value: unknown): value is CelError {
  return typeof value === "object" && value !== null && ERROR_BRAND in value;
}

/**
 * Thrown at run time when a value outside the modelled domain turns up (a
 * protobuf message, a plain object or a function among the bindings): the
 * caller re-runs the whole expression on @bufbuild/cel's planner, which
 * knows what to do with it. hostgate's bindings are JSON views, Maps, arrays
 * and scalars, so this does not happen in the engine; it keeps the fast path
 * honest for any other caller.
 */
export class Bailout extends Error {
  constructor() {
    super("value outside the compiled fast path's domain");
    this.name = "Bailout";
  }
}

export const BAILOUT = new Bailout();

/**
 * Values other than maps that @bufbuild/cel field access answers "not found"
 * for: lists, uints, bytes and type values. Anything else that is an object
 * and not a map is a protobuf message (or foreign), which only the planner
 * models.
 */
export function isPlainNonMap(value: object): boolean {
  return isCelList(value) || isCelUint(value) || value instanceof Uint8Array || isCelType(value);
}

/**
 * A binding's value as CEL sees it: what @bufbuild/cel's activation does
 * (`toCel`) for the values hostgate passes. JS Maps and arrays get the same
 * NativeMap/ArrayList views the planner would wrap them in; an error value
 * fails the read; anything else bails out to the planner.
 */
export function bindingToCel(value: unknown): unknown {
  switch (typeof value) {
    case "string":
    case "boolean":
    case "bigint":
    case "number":
      return value;
    case "object":
      if (value === null) return null;
      if (MAP_BRAND in value || LIST_BRAND in value) return value;
      if (ERROR_BRAND in value) throw value;
      if (value instanceof Map) return celMap(value);
      if (Array.isArray(value)) return celList(value);
      if (value instanceof Uint8Array || isCelUint(value) || isCelType(value)) return value;
      throw BAILOUT;
    default:
      throw BAILOUT;
  }
}

const SURROGATE = /[\ud800-\udfff]/;
const SURROGATE_PAIR = /[\ud800-\udbff][\udc00-\udfff]/g;

/**
 * CEL `size` of a string: code points, as `[...text].length` counts them (a
 * pair of surrogates is one, a lone surrogate one), without building the
 * array: the length, less one per pair, matched left to right as the
 * iterator pairs them. The regular expressions scan natively, which also
 * spares a character loop over a string built by concatenation.
 */
export function codePointCount(text: string): number {
  if (!SURROGATE.test(text)) return text.length;
  return text.length - (text.match(SURROGATE_PAIR)?.length ?? 0);
}
