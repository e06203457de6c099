// CIDR prefixes with Go netip.Prefix semantics (as the Kubernetes CEL CIDR
// library has them): the address keeps its host bits (`10.1.2.3/8` is a valid
// prefix and prints as such); masked() clears them; containment masks first.

import { formatIP, parseIP } from "./ip-address.ts";
import type { IPAddress } from "./ip-address.ts";

export interface CIDR {
  readonly ip: IPAddress;
  readonly bits: number;
}

const PREFIX_LENGTH = /^(?:0|[1-9][0-9]{0,2})$/;

/** Parses `address/length`, or returns undefined when Kubernetes would reject it. */
export function parseCIDR(text: string): CIDR | undefined {
  const slash = text.lastIndexOf("/");
  if (slash < 0) return undefined;
  const ip = parseIP(text.slice(0, slash));
  const lengthText = text.slice(slash + 1);
  // Go refuses signs and leading zeros in the length ("/08", "/+8").
  if (ip === undefined || !PREFIX_LENGTH.test(lengthText)) return undefined;
  const bits = Number(lengthText);
  if (bits > ip.bytes.length * 8) return undefined;
  return { ip, bits };
}

export function formatCIDR(cidr: CIDR): string {
  return `${formatIP(cidr.ip)}/${cidr.bits}`;
}

/** The prefix with every bit past the prefix length cleared. */
export function maskCIDR(cidr: CIDR): CIDR {
  return { ip: { family: cidr.ip.family, bytes: maskBytes(cidr.ip.bytes, cidr.bits) }, bits: cidr.bits };
}

/** True when `ip` is inside the prefix. Families never mix. */
export function cidrContainsIP(cidr: CIDR, ip: IPAddress): boolean {
  return ip.family === cidr.ip.family && samePrefix(cidr.ip.bytes, ip.bytes, cidr.bits);
}

/** True when every address of `inner` is also in `outer`. */
export function cidrContainsCIDR(outer: CIDR, inner: CIDR): boolean {
  return inner.ip.family === outer.ip.family && inner.bits >= outer.bits && samePrefix(outer.ip.bytes, inner.ip.bytes, outer.bits);
}

function maskBytes(bytes: Uint8Array, bits: number): Uint8Array {
  const out = new Uint8Array(bytes.length);
  for (let i = 0; i < bytes.length; i++) {
    const keep = Math.max(0, Math.min(8, bits - 8 * i));
    out[i] = (bytes[i] as number) & ((0xff << (8 - keep)) & 0xff);
  }
  return out;
}

/** True when the first `bits` bits of `a` and `b` are equal. Compared in place: containment runs on every request, so it builds no masked copies. */
function samePrefix(a: Uint8Array, b: Uint8Array, bits: number): boolean {
  for (let i = 0; bits > 0; i++, bits -= 8) {
    const mask = bits >= 8 ? 0xff : (0xff << (8 - bits)) & 0xff;
    if ((((a[i] as number) ^ (b[i] as number)) & mask) !== 0) return false;
  }
  return true;
}
