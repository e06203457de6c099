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
      entry = withEmptyWidthMemo(RE2JS.compile(pattern));
    } catch (error) {
      entry = { error };
    }
    cache.set(pattern, entry);
  }
  if (!(entry instanceof RE2JS)) throw entry.error;
  return entry.test(text);
}

/** The part of @bufbuild/re2's lazy DFA (DFA.js) the memo wraps. */
interface EmptyWidthResolver {
  resolveEmptyWidth(nfaStates: object, context: number): unknown;
}

/** The zero-width assertion bits (Utils.js EMPTY_*) all fit in 6 bits. */
const CONTEXTS = 64;

/**
 * @bufbuild/re2's lazy DFA caches its transitions, but a state that holds a
 * zero-width assertion (`$`, `^`, `\b`) resolves the assertions again before
 * every character it reads: a closure walk and a new Set per character
 * (`^/[a-z]*(/|$)` on a 9-character path: 9 Sets, about 1 µs). The
 * resolution depends only on the DFA state (its instruction list, which the
 * DFA keeps for the state's life) and the assertion bits, never on the text,
 * and its result is only read, so it is kept per state and bits, as the DFA
 * keeps its transitions. Answers are unchanged (regex.test.ts compares them
 * with an unwrapped engine); no text or answer is kept. Where the library
 * has no such method (another version), the pattern runs as it is.
 */
export function withEmptyWidthMemo(regex: RE2JS): RE2JS {
  const dfa = (regex.re2() as unknown as { dfa?: Partial<EmptyWidthResolver> }).dfa;
  if (dfa === undefined || typeof dfa.resolveEmptyWidth !== "function") return regex;
  const resolve = dfa.resolveEmptyWidth.bind(dfa);
  // By state: dropped with the state when the DFA clears its state cache.
  const memo = new WeakMap<object, unknown[]>();
  dfa.resolveEmptyWidth = (nfaStates: object, context: number): unknown => {
    if (!(context >= 0 && context < CONTEXTS && Number.isInteger(context))) return resolve(nfaStates, context);
    let byContext = memo.get(nfaStates);
    if (byContext === undefined) {
      byContext = new Array<unknown>(CONTEXTS);
      memo.set(nfaStates, byContext);
    }
    let resolved = byContext[context];
    if (resolved === undefined) {
      resolved = resolve(nfaStates, context);
      byContext[context] = resolved;
    }
    return resolved;
  };
  return regex;
}
