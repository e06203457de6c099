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

/** 1-63 chars of [a-z0-9-], not starting or ending with '-'. */
function isLabel(label: string): boolean {
  if (label.length === 0 || label.length > MAX_LABEL_LENGTH) return false;
  if (label.startsWith("-") || label.endsWith("-")) return false;
  for (let i = 0; i < label.length; i++) if (!isLabelChar(label.charCodeAt(i))) return false;
  return true;
}

/**
 * A lowercase RFC 1123 host name: dot-separated labels, at most 253 chars,
 * no trailing dot, no wildcard. Single-label names (`localhost`) are valid.
 * The last label may not be all digits (RFC 1123 section 2.1), so that a
 * dotted-decimal address like `10.0.0.1` is never taken for a host name.
 */
export function isHostname(name: string): boolean {
  if (name.length === 0 || name.length > MAX_NAME_LENGTH) return false;
  const labels = name.split(".");
  if (!labels.every(isLabel)) return false;
  return !isDigits(labels[labels.length - 1] as string);
}

/** `*.` followed by a host name: `*.example.com`, `*.com`; not `*`, `a.*.com`, `*.*.com`. */
export function isWildcardHostname(name: string): boolean {
  return name.length <= MAX_NAME_LENGTH && name.startsWith("*.") && isHostname(name.slice(2));
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
  const suffix = pattern.slice(2);
  if (isHostname(name)) return name.endsWith(`.${suffix}`);
  if (!isWildcardHostname(name)) return false;
  const target = name.slice(2);
  return target === suffix || target.endsWith(`.${suffix}`);
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
  if (!name.endsWith(`.${apex}`)) return -1;
  return name.slice(0, name.length - apex.length - 1).split(".").length;
}

/** `name` is `apex` or ends with `.apex`. */
export function hostnameUnder(name: string, apex: string): boolean {
  return labelsBelow(name, apex) >= 0;
}

/** The longest apex `name` is under, as written in `apexes`, or "" when none. */
export function apexOf(name: string, apexes: Iterable<string>): string {
  let best = "";
  for (const apex of apexes) {
    if (apex.length > best.length && hostnameUnder(name, apex)) best = apex;
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
