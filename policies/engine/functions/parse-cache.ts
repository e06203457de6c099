// Parsed IP addresses and CIDR prefixes, kept by their text. A policy parses
// the same strings over and over: safe-external-backend reads one address
// with isIP(), family(), ip() and five classifiers, and checks it against
// every CIDR of config.externalBackends.deniedCidrs and two literal ones, on
// every request. Parsing is a pure function of the text, so a parse kept
// from an earlier request gives exactly the answer a new parse would; only
// parses are kept, never a verdict or any answer that depends on a request.
// The bound keeps a stream of distinct request-supplied strings from growing
// memory, and texts longer than any valid address or prefix are not kept.
//
// A full cache starts over rather than evicting the least recently used
// text: the texts worth keeping (a policy's literal and configured prefixes)
// are few and parsed again at once, and a hit is then one Map read, where
// the LRU's reordering on every hit (lru.ts) took a tenth of the CPU time of
// a safe-external-backend evaluation.

export const PARSE_CACHE_SIZE = 512;
/** The longest IPv6 text (45 characters, `ffff:...:255.255.255.255`) plus `/128`, rounded up. */
export const MAX_CACHED_TEXT = 64;

/**
 * `parse`, remembering its answers (failures too) for up to PARSE_CACHE_SIZE
 * texts at a time. The parsed values are shared between callers: they must be treated
 * as immutable (the IP and CIDR functions only read them).
 */
export function cachedParser<T extends object>(parse: (text: string) => T | undefined): (text: string) => T | undefined {
  // null marks a text known not to parse, since the cache answers undefined for a text it does not hold.
  const cache = new Map<string, T | null>();
  return (text) => {
    if (text.length > MAX_CACHED_TEXT) return parse(text);
    const known = cache.get(text);
    if (known !== undefined) return known ?? undefined;
    const parsed = parse(text);
    if (cache.size >= PARSE_CACHE_SIZE) cache.clear();
    cache.set(text, parsed ?? null);
    return parsed;
  };
}
