// Rebuilds a JSON value with every object's keys in sorted order, so the
// rendered objects serialise byte-identically from unchanged input.
import { compareStrings } from "../../core/compare-strings.ts";

export function sortKeysDeep<T>(value: T): T {
  if (Array.isArray(value)) return value.map(sortKeysDeep) as T;
  if (value === null || typeof value !== "object") return value;
  const sorted: Record<string, unknown> = {};
  for (const key of Object.keys(value).sort(compareStrings)) sorted[key] = sortKeysDeep((value as Record<string, unknown>)[key]);
  return sorted as T;
}
