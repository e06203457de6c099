// Reading values the way @bufbuild/cel's accesses read them (access.js,
// field.js): a field or string key of a map, an index of a list or map by
// int, uint, double or bool, has(). Values are read only through the
// CelMap/CelList interface (`get`, `has`), never as JavaScript properties,
// so a key named `constructor` or `__proto__` is an ordinary key and no
// prototype is reachable.
import { isCelUint } from "@bufbuild/cel";
import { fieldNotFound, indexOutOfBounds, unsupportedKeyType } from "./errors.ts";
import { BAILOUT, ERROR_BRAND, isListObject, isMapObject, isPlainNonMap } from "./values.ts";

/** `object.field`: a map's entry (failing with its error value, if it is one), else "field not found". */
export function selectField(object: unknown, field: string, id: bigint): unknown {
  if (typeof object === "object" && object !== null) {
    if (isMapObject(object)) {
      const value = object.get(field);
      if (value === undefined) throw fieldNotFound(id, field);
      if (typeof value === "object" && value !== null && ERROR_BRAND in value) throw value;
      return value;
    }
    if (!isPlainNonMap(object)) throw BAILOUT;
  }
  throw fieldNotFound(id, field);
}

/** has(object.field): whether a map has the key; false for any other value. */
export function hasField(object: unknown, field: string): boolean {
  if (typeof object !== "object" || object === null) return false;
  if (isMapObject(object)) return object.has(field);
  if (isPlainNonMap(object)) return false;
  throw BAILOUT;
}

/** The planner's access by key type: string, int, uint, double or bool (access.js newAccess). */
export function indexValue(object: unknown, key: unknown, id: bigint): unknown {
  switch (typeof key) {
    case "string":
      // A string key reads as a field selection does, with the chain's id.
      return selectField(object, key, id);
    case "bigint":
      return byIndex(object, key, id, Number(key));
    case "number":
      return byIndex(object, key, id, key);
    case "boolean": {
      const value = accessByIndex(object, key);
      if (value === undefined) throw fieldNotFound(id, key);
      return checked(value);
    }
    case "object":
      if (isCelUint(key)) return byIndex(object, key.value, id, Number(key.value));
      throw unsupportedKeyType(id);
    default:
      throw unsupportedKeyType(id);
  }
}

function byIndex(object: unknown, key: number | bigint, id: bigint, shown: number): unknown {
  const value = accessByIndex(object, key);
  if (value === undefined) throw indexOutOfBounds(id, shown);
  return checked(value);
}

/** field.js accessByIndex: maps by key, lists by position, anything else has no entries. */
function accessByIndex(object: unknown, key: number | bigint | boolean): unknown {
  if (typeof object !== "object" || object === null) return undefined;
  if (isMapObject(object)) return object.get(key);
  if (isListObject(object)) return object.get(Number(key));
  return undefined;
}

export function checked(value: unknown): unknown {
  if (typeof value === "object" && value !== null && ERROR_BRAND in value) throw value;
  return value;
}
