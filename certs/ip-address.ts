// IP addresses as they appear in a certificate's subjectAltName: raw bytes
// (4 for IPv4, 16 for IPv6). Comparing the names a certificate holds with
// the ones it should hold needs one canonical text per address, so "::1",
// "0:0::1" and the 16 bytes all become "::1" (RFC 5952 form).
import { isIPv4, isIPv6 } from "node:net";

/** The address's bytes, or undefined when the text is not an IPv4/IPv6 address (zones like %eth0 are refused). */
export function ipToBytes(text: string): Uint8Array | undefined {
  if (isIPv4(text)) return Uint8Array.from(text.split(".").map(Number));
  if (!isIPv6(text) || text.includes("%")) return undefined;
  let head = text;
  let tail: number[] = [];
  // An embedded IPv4 tail (::ffff:10.0.0.1) fills the last two groups.
  const lastColon = text.lastIndexOf(":");
  const last = text.slice(lastColon + 1);
  if (isIPv4(last)) {
    const [a, b, c, d] = last.split(".").map(Number) as [number, number, number, number];
    tail = [(a << 8) | b, (c << 8) | d];
    head = text.slice(0, lastColon);
    // "1::10.0.0.1" leaves "1:": the colon before the tail was half of a "::".
    if (head.endsWith(":")) head += ":";
  }
  const groupsOf = (part: string) => (part === "" ? [] : part.split(":").map((g) => Number.parseInt(g, 16)));
  const halves = head.split("::");
  let groups: number[];
  const needed = 8 - tail.length;
  if (halves.length === 2) {
    const left = groupsOf(halves[0] as string);
    const right = groupsOf(halves[1] as string);
    groups = [...left, ...new Array<number>(needed - left.length - right.length).fill(0), ...right];
  } else {
    groups = groupsOf(head);
  }
  groups = [...groups, ...tail];
  const bytes = new Uint8Array(16);
  groups.forEach((g, i) => {
    bytes[i * 2] = g >> 8;
    bytes[i * 2 + 1] = g & 0xff;
  });
  return bytes;
}

/** The canonical text of 4 or 16 address bytes; undefined for any other length. */
export function bytesToIp(bytes: Uint8Array): string | undefined {
  if (bytes.length === 4) return [...bytes].join(".");
  if (bytes.length !== 16) return undefined;
  const groups: number[] = [];
  for (let i = 0; i < 16; i += 2) groups.push(((bytes[i] as number) << 8) | (bytes[i + 1] as number));
  // RFC 5952: compress the longest run (the first if tied) of two or more zero groups.
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
  const hex = (gs: number[]) => gs.map((g) => g.toString(16)).join(":");
  if (bestStart === -1) return hex(groups);
  return `${hex(groups.slice(0, bestStart))}::${hex(groups.slice(bestStart + bestLength))}`;
}

/** The canonical text of an address, or undefined when it is not one. */
export function canonicalIp(text: string): string | undefined {
  const bytes = ipToBytes(text);
  return bytes === undefined ? undefined : bytesToIp(bytes);
}
