// IP address parsing and formatting, hand-written so that exactly the inputs
// the Kubernetes CEL IP library accepts are accepted here. The Kubernetes
// library is Go's netip.ParseAddr plus two extra refusals (zones and
// IPv4-mapped IPv6). Being exact matters: an admission policy that compares
// addresses must not see two spellings of one address as different, and must
// not accept a spelling (like `010.0.0.1`, octal in some resolvers) that other
// software would read as a different address.

export interface IPAddress {
  readonly family: 4 | 6;
  /** 4 bytes for IPv4, 16 for IPv6, network byte order. */
  readonly bytes: Uint8Array;
}

/** Parses an IP address, or returns undefined when Kubernetes would reject it. */
export function parseIP(text: string): IPAddress | undefined {
  const ip = parseIPSyntax(text);
  // IPv4-mapped IPv6 (::ffff:a.b.c.d, in any spelling) is refused because
  // it is an IPv4 address in disguise and would slip past IPv4 range checks.
  return ip === undefined || (ip.family === 6 && isIPv4Mapped(ip.bytes)) ? undefined : ip;
}

/**
 * Parses any address Go's netip.ParseAddr accepts, zones excepted, including
 * IPv4-mapped IPv6: what a certificate's subjectAltName may hold. Policies
 * use parseIP, which also refuses the mapped form.
 */
export function parseIPSyntax(text: string): IPAddress | undefined {
  if (text.includes(":")) {
    const bytes = parseIPv6(text);
    return bytes === undefined ? undefined : { family: 6, bytes };
  }
  const bytes = parseIPv4(text);
  return bytes === undefined ? undefined : { family: 4, bytes };
}

/** Formats an address canonically: dotted decimal, or RFC 5952 for IPv6. */
export function formatIP(ip: IPAddress): string {
  return ip.family === 4 ? ip.bytes.join(".") : formatIPv6(ip.bytes);
}

function isIPv4Mapped(bytes: Uint8Array): boolean {
  for (let i = 0; i < 10; i++) if (bytes[i] !== 0) return false;
  return bytes[10] === 0xff && bytes[11] === 0xff;
}

const DECIMAL_FIELD = /^(?:0|[1-9][0-9]{0,2})$/;
const HEX_GROUP = /^[0-9a-fA-F]{1,4}$/;

/** Four decimal octets, no leading zeros (Go refuses them as ambiguous octal). */
function parseIPv4(text: string): Uint8Array | undefined {
  const fields = text.split(".");
  if (fields.length !== 4) return undefined;
  const bytes = new Uint8Array(4);
  for (let i = 0; i < 4; i++) {
    const field = fields[i] as string;
    if (!DECIMAL_FIELD.test(field)) return undefined;
    const value = Number(field);
    if (value > 255) return undefined;
    bytes[i] = value;
  }
  return bytes;
}

function parseIPv6(text: string): Uint8Array | undefined {
  // Zones (fe80::1%eth0) are refused: they name a host interface, which
  // means nothing in a cluster-wide policy.
  if (text.includes("%")) return undefined;
  const halves = text.split("::");
  if (halves.length > 2) return undefined;
  const hasEllipsis = halves.length === 2;
  const head = parseGroups(halves[0] as string, !hasEllipsis);
  const tail = hasEllipsis ? parseGroups(halves[1] as string, true) : [];
  if (head === undefined || tail === undefined) return undefined;
  const total = head.length + tail.length;
  // Without "::" all 8 groups must be present; with it, "::" must stand for
  // at least one group of zeros (Go's rule).
  if (hasEllipsis ? total > 7 : total !== 8) return undefined;
  const groups = [...head, ...new Array<number>(8 - total).fill(0), ...tail];
  const bytes = new Uint8Array(16);
  groups.forEach((group, i) => {
    bytes[2 * i] = group >> 8;
    bytes[2 * i + 1] = group & 0xff;
  });
  return bytes;
}

/**
 * Parses colon-separated 16-bit groups. An empty string is zero groups. When
 * `mayEndInIPv4`, the last field may be dotted IPv4 and counts as two groups.
 */
function parseGroups(text: string, mayEndInIPv4: boolean): number[] | undefined {
  if (text === "") return [];
  const fields = text.split(":");
  const groups: number[] = [];
  for (let i = 0; i < fields.length; i++) {
    const field = fields[i] as string;
    const isLast = i === fields.length - 1;
    if (isLast && mayEndInIPv4 && field.includes(".")) {
      const v4 = parseIPv4(field);
      if (v4 === undefined) return undefined;
      groups.push(((v4[0] as number) << 8) | (v4[1] as number));
      groups.push(((v4[2] as number) << 8) | (v4[3] as number));
      continue;
    }
    if (!HEX_GROUP.test(field)) return undefined;
    groups.push(parseInt(field, 16));
  }
  return groups;
}

/**
 * RFC 5952: lowercase hex without leading zeros; the longest run of two or
 * more zero groups (the first, on a tie) becomes "::"; a lone zero group is
 * written as "0". This is also what Go prints.
 */
function formatIPv6(bytes: Uint8Array): string {
  const groups: number[] = [];
  for (let i = 0; i < 16; i += 2) {
    groups.push(((bytes[i] as number) << 8) | (bytes[i + 1] as number));
  }
  let bestStart = -1;
  let bestLength = 1;
  for (let i = 0; i < 8; ) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLength) {
      bestStart = i;
      bestLength = j - i;
    }
    i = j;
  }
  const hex = (g: number[]) => g.map((group) => group.toString(16)).join(":");
  if (bestStart < 0) return hex(groups);
  return `${hex(groups.slice(0, bestStart))}::${hex(groups.slice(bestStart + bestLength))}`;
}
