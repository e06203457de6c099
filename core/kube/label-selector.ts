// The API server's equality-based label selectors (`k=v`, `k==v`, `k!=v`,
// `k`, `!k`, comma-joined), evaluated locally: the in-memory API server
// filters lists and watches with it exactly as the real one does, and code
// holding a cache can ask the same question of the objects it holds.

type Requirement = { key: string; op: "=" | "!=" | "exists" | "absent"; value?: string };

/** Parsed selectors; bounded, because per-object selectors (a uid each) would otherwise pile up forever. */
const cache = new Map<string, Requirement[]>();
const CACHE_LIMIT = 1024;

/** Parses a selector; throws a RangeError naming the bad term (set-based `in (...)` is not supported). */
export function parseLabelSelector(selector: string): Requirement[] {
  const cached = cache.get(selector);
  if (cached !== undefined) return cached;
  const requirements: Requirement[] = [];
  for (const raw of selector.split(",")) {
    const term = raw.trim();
    if (term === "") continue;
    const requirement = parseTerm(term);
    if (requirement === undefined) {
      throw new RangeError(`label selector ${JSON.stringify(selector)}: cannot read ${JSON.stringify(term)}; use key=value, key!=value, key or !key`);
    }
    requirements.push(requirement);
  }
  if (cache.size >= CACHE_LIMIT) cache.clear();
  cache.set(selector, requirements);
  return requirements;
}

/** One trimmed, non-empty term; undefined when it is none of the supported forms. `!=` is tried before `=`, so `k!=v` is not read as key `k!`. */
function parseTerm(term: string): Requirement | undefined {
  let match = /^([^=!\s]+)\s*!=\s*(\S*)$/.exec(term);
  if (match !== null) return { key: match[1]!, op: "!=", value: match[2]! };
  match = /^([^=!\s]+)\s*==?\s*(\S*)$/.exec(term);
  if (match !== null) return { key: match[1]!, op: "=", value: match[2]! };
  match = /^!\s*([^=!\s]+)$/.exec(term);
  if (match !== null) return { key: match[1]!, op: "absent" };
  match = /^([^=!\s]+)$/.exec(term);
  if (match !== null) return { key: match[1]!, op: "exists" };
  return undefined;
}

export function matchesLabelSelector(labels: Readonly<Record<string, string>> | undefined, selector: string): boolean {
  const have = labels ?? {};
  return parseLabelSelector(selector).every((r) => meets(have, r));
}

/** Whether `labels` meet one requirement; a named function so that the compiler checks the switch covers every op. */
function meets(labels: Readonly<Record<string, string>>, r: Requirement): boolean {
  const present = Object.hasOwn(labels, r.key);
  switch (r.op) {
    case "=":
      return present && labels[r.key] === r.value;
    case "!=":
      return !present || labels[r.key] !== r.value;
    case "exists":
      return present;
    case "absent":
      return !present;
  }
}
