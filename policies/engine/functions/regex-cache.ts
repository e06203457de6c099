// Compiled-regex cache. Policy expressions pass the same literal pattern on
// every admission request; compiling RE2 each time would dominate the cost of
// evaluation. Failures are cached too, so a broken pattern in a policy is not
// re-parsed on every request either.

import { celError } from "@bufbuild/cel";
import { LruCache } from "./lru.ts";
import { RegexSearcher } from "./regex-search.ts";

export const REGEX_CACHE_SIZE = 256;

const cache = new LruCache<string, RegexSearcher | string>(REGEX_CACHE_SIZE);

/** The compiled pattern, or a CEL error naming the pattern when it is not valid RE2. */
export function compileRegex(pattern: string): RegexSearcher {
  let entry = cache.get(pattern);
  if (entry === undefined) {
    try {
      entry = new RegexSearcher(pattern);
    } catch (error) {
      entry = `invalid regex pattern ${JSON.stringify(pattern)}: ${error instanceof Error ? error.message : String(error)}`;
    }
    cache.set(pattern, entry);
  }
  if (typeof entry === "string") throw celError(entry);
  return entry;
}
