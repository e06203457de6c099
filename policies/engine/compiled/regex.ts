// `matches` compiles its pattern with @bufbuild/re2 on every call in the
// standard library (std/logic.js). The fast path keeps the compiled pattern,
// or the compile error, per pattern text: the same engine and the same
// answers, without recompiling a policy's literal pattern per request. The
// cache is bounded because patterns may come from request data.
import { RE2JS } from "@bufbuild/re2";
import { LruCache } from "../functions/lru.ts";

const cache = new LruCache<string, RE2JS | { error: unknown }>(256);

/** RE2JS.compile(pattern).test(text); throws what the compile throws. */
export function re2Matches(text: string, pattern: string): boolean {
  let entry = cache.get(pattern);
  if (entry === undefined) {
    try {
      entry = RE2JS.compile(pattern);
    } catch (error) {
      entry = { error };
    }
    cache.set(pattern, entry);
  }
  if (!(entry instanceof RE2JS)) throw entry.error;
  return entry.test(text);
}
