// The Kubernetes CEL regex library: find and findAll on strings. Patterns
// are RE2 (linear time), never JavaScript RegExp, because patterns can come
// from policy authors and subject strings from any API client.

import { CelScalar, celMethod, listType } from "@bufbuild/cel";
import type { CelFunc } from "@bufbuild/cel";
import { compileRegex } from "./regex-cache.ts";

const { INT, STRING } = CelScalar;
const LIST_STRING = listType(STRING);

function findAll(text: string, pattern: string, limit: number): string[] {
  return compileRegex(pattern)
    .searchAll(text, limit)
    .map(([start, end]) => text.slice(start, end));
}

/** CEL ints are 64-bit; clamp so that huge limits behave as "all" instead of failing. */
function toLimit(n: bigint): number {
  return n < 0n ? -1 : n > BigInt(Number.MAX_SAFE_INTEGER) ? Number.MAX_SAFE_INTEGER : Number(n);
}

export const regexFunctions: CelFunc[] = [
  celMethod("find", STRING, [STRING], STRING, function (pattern) {
    const match = compileRegex(pattern).search(this, 0);
    return match === null ? "" : this.slice(match[0], match[1]);
  }),
  celMethod("findAll", STRING, [STRING], LIST_STRING, function (pattern) {
    return findAll(this, pattern, -1);
  }),
  celMethod("findAll", STRING, [STRING, INT], LIST_STRING, function (pattern, n) {
    return findAll(this, pattern, toLimit(n));
  }),
];
