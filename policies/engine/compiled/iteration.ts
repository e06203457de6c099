// What a comprehension iterates (planner.js EvalFold): a list's elements or
// a map's keys; any other range is a type mismatch at the comprehension.
import { celError, celType, isCelList, isCelMap } from "@bufbuild/cel";
import type { CelList, CelMap, CelValue } from "@bufbuild/cel";

/** A list, read in place by position, or a map's keys, collected first as the planner collects them. */
export type Items = CelList | readonly unknown[];

export function itemsOf(range: unknown, id: bigint): Items {
  if (isCelMap(range)) return Array.from((range as CelMap).keys());
  if (isCelList(range)) return range as CelList;
  throw celError(`type mismatch: iterable vs ${celType(range as CelValue)}`, id);
}

export function itemCount(items: Items): number {
  return Array.isArray(items) ? items.length : (items as CelList).size;
}

/** The item at a position: what the list's iterator yields there. */
export function itemAt(items: Items, index: number): unknown {
  return Array.isArray(items) ? items[index] : (items as CelList).get(index);
}
