// Hostname rules for DomainRoutes and HostnameGrants. Every function here is
// total: a malformed input is answered with false / -1 / "", never an error,
// because these feed allow-decisions and "does not match" is the safe answer.
// Names are compared case-insensitively (DNS is), by lowercasing first.

const MAX_NAME_LENGTH = 253;
const MAX_LABEL_LENGTH = 63;

function isLabelChar(c: number): boolean {
  return (c >= 0x61 && c <= 0x7a) || (c >= 0x30 && c <= 0x39) || c === 0x2d; // a-z 0-9 -
}

function isDigits(label: string): boolean {
  for (let i = 0; i < label.length; i++) {
    const c = label.charCodeAt(i);
    if (c < 0x30 || c > 0x39) return false;
  }
  return true;
}

/**
 * A lowercase RFC 1123 host name: dot-separated labels (1-63 chars of
 * [a-z0-9-], not starting or ending with '-'), at most 253 chars, no
 * trailing dot, no wildcard. Single-label names (`localhost`) are valid.
 * The last label may not be all digits (RFC 1123 section 2.1), so that a
 * dotted-decimal address like `10.0.0.1` is never taken for a host name.
 */
export function isHostname(name: string): boolean {
  return isHostnameFrom(name, 0);
}

/**
 * isHostname(name.slice(from)), without the slice. One pass over the
 * characters, label by label: policies call these functions several times
 * per admission request, and splitting allocated an array each time.
 */
function isHostnameFrom(name: string, from: number): boolean {
  const length = name.length;
  if (length - from <= 0 || length - from > MAX_NAME_LENGTH) return false;
  let start = from;
  let digitsOnly = true;
  for (let i = from; i <= length; i++) {
    const c = i === length ? 0x2e : name.charCodeAt(i);
    if (c !== 0x2e) {
      if (!isLabelChar(c)) return false;
      if (c < 0x30 || c > 0x39) digitsOnly = false;
      continue;
    }
    // A label ends at [start, i): 1-63 characters, no '-' at either end.
    if (i === start || i - start > MAX_LABEL_LENGTH) return false;
    if (name.charCodeAt(start) === 0x2d || name.charCodeAt(i - 1) === 0x2d) return false;
    if (i === length) return !digitsOnly;
    start = i + 1;
    digitsOnly = true;
  }
  return false;
}

/** `*.` followed by a host name: `*.example.com`, `*.com`; not `*`, `a.*.com`, `*.*.com`. */
export function isWildcardHostname(name: string): boolean {
  return name.length <= MAX_NAME_LENGTH && name.startsWith("*.") && isHostnameFrom(name, 2);
}

/** `text.slice(from).endsWith("." + suffix.slice(suffixFrom))`, without building either string. */
function endsWithDotted(text: string, from: number, suffix: string, suffixFrom: number): boolean {
  const n = suffix.length - suffixFrom;
  const at = text.length - n;
  if (at - 1 < from || text.charCodeAt(at - 1) !== 0x2e) return false;
  for (let i = 0; i < n; i++) if (text.charCodeAt(at + i) !== suffix.charCodeAt(suffixFrom + i)) return false;
  return true;
}

/**
 * The HostnameGrant rule. An exact pattern covers only that name. `*.S`
 * covers any name strictly below S at any depth (`a.S`, `a.b.S`, not `S`),
 * and a wildcard `*.T` when T is S or below S. An exact pattern never covers
 * a wildcard, since the wildcard claims names the grant does not name.
 */
export function grantCovers(pattern: string, name: string): boolean {
  pattern = pattern.toLowerCase();
  name = name.toLowerCase();
  if (isHostname(pattern)) return isHostname(name) && name === pattern;
  if (!isWildcardHostname(pattern)) return false;
  // The pattern is `*.` + suffix; a wildcard name is `*.` + target.
  if (isHostname(name)) return endsWithDotted(name, 0, pattern, 2);
  if (!isWildcardHostname(name)) return false;
  return name === pattern || endsWithDotted(name, 2, pattern, 2);
}

/**
 * How many labels `name` has below `apex` (0 when equal), or -1 when it is
 * not under it. `name` may be a wildcard (its `*` counts as a label); `apex`
 * must be a plain host name.
 */
export function labelsBelow(name: string, apex: string): number {
  name = name.toLowerCase();
  apex = apex.toLowerCase();
  if (!isHostname(apex) || !(isHostname(name) || isWildcardHostname(name))) return -1;
  if (name === apex) return 0;
  if (!endsWithDotted(name, 0, apex, 0)) return -1;
  // The labels of the part before `.apex`: its dots, plus one.
  let labels = 1;
  for (let i = name.length - apex.length - 2; i >= 0; i--) if (name.charCodeAt(i) === 0x2e) labels++;
  return labels;
}

/** `name` is `apex` or ends with `.apex`. */
export function hostnameUnder(name: string, apex: string): boolean {
  return labelsBelow(name, apex) >= 0;
}

/** The longest apex `name` is under, as written in `apexes`, or "" when none. */
export function apexOf(name: string, apexes: Iterable<string>): string {
  // hostnameUnder(name, apex) for each apex, with `name` lowered and checked once.
  const lower = name.toLowerCase();
  if (!isHostname(lower) && !isWildcardHostname(lower)) return "";
  let best = "";
  for (const apex of apexes) {
    if (apex.length <= best.length) continue;
    const lowerApex = apex.toLowerCase();
    if (isHostname(lowerApex) && (lower === lowerApex || endsWithDotted(lower, 0, lowerApex, 0))) best = apex;
  }
  return best;
}

function isOptionalPort(text: string): boolean {
  return text.startsWith(":") && isDigits(text.slice(1));
}

/**
 * The host part of a Host header or authority: a trailing `:port` and IPv6
 * brackets removed, lowercased. A bare IPv6 address (`::1`) is left whole,
 * since its last group cannot be told from a port.
 */
export function hostnameWithoutPort(hostPort: string): string {
  let host = hostPort.toLowerCase();
  if (host.startsWith("[")) {
    const close = host.indexOf("]");
    if (close > 0 && (close === host.length - 1 || isOptionalPort(host.slice(close + 1)))) {
      return host.slice(1, close);
    }
    return host;
  }
  const colon = host.indexOf(":");
  if (colon >= 0 && colon === host.lastIndexOf(":") && isOptionalPort(host.slice(colon))) {
    host = host.slice(0, colon);
  }
  return host;
}
