// CEL bindings for the hostname rules in hostname.ts.

import { CelScalar, celError, celFunc, listType } from "@bufbuild/cel";
import type { CelFunc, CelList } from "@bufbuild/cel";
import { apexOf, grantCovers, hostnameUnder, hostnameWithoutPort, isHostname, isWildcardHostname, labelsBelow } from "./hostname.ts";

const { BOOL, INT, STRING } = CelScalar;
const LIST_STRING = listType(STRING);

/** Lists are untyped at run time: a non-string apex is a type error, not a non-match. */
function strings(list: CelList): string[] {
  // By position rather than through the list's iterator (a generator): the
  // same elements, without the generator's cost on every admission request.
  const items = new Array<string>(list.size);
  for (let i = 0; i < items.length; i++) {
    const item = list.get(i);
    if (typeof item !== "string") throw celError("apexOf: apexes must be a list of strings");
    items[i] = item;
  }
  return items;
}

export const hostnameFunctions: CelFunc[] = [
  celFunc("isHostname", [STRING], BOOL, isHostname),
  celFunc("isWildcardHostname", [STRING], BOOL, isWildcardHostname),
  celFunc("grantCovers", [STRING, STRING], BOOL, grantCovers),
  celFunc("hostnameUnder", [STRING, STRING], BOOL, hostnameUnder),
  celFunc("labelsBelow", [STRING, STRING], INT, (name, apex) => BigInt(labelsBelow(name, apex))),
  celFunc("apexOf", [STRING, LIST_STRING], STRING, (name, apexes) => apexOf(name, strings(apexes))),
  celFunc("hostnameWithoutPort", [STRING], STRING, hostnameWithoutPort),
];
