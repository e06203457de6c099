// IP addresses as they appear in a certificate's subjectAltName: raw bytes
// (4 for IPv4, 16 for IPv6). Comparing the names a certificate holds with
// the ones it should hold needs one canonical text per address, so "::1",
// "0:0::1" and the 16 bytes all become "::1" (RFC 5952 form). Parsing and
// formatting are the policy library's (one implementation of Go's rules);
// IPv4-mapped addresses, which policies refuse, are valid names here.
import { formatIP, parseIPSyntax } from "../policies/engine/functions/ip-address.ts";

/** The address's bytes, or undefined when the text is not an IPv4/IPv6 address (zones like %eth0 are refused). */
export function ipToBytes(text: string): Uint8Array | undefined {
  return parseIPSyntax(text)?.bytes;
}

/** The canonical text of 4 or 16 address bytes; undefined for any other length. */
export function bytesToIp(bytes: Uint8Array): string | undefined {
  if (bytes.length !== 4 && bytes.length !== 16) return undefined;
  return formatIP({ family: bytes.length === 4 ? 4 : 6, bytes });
}

/** The canonical text of an address, or undefined when it is not one. */
export function canonicalIp(text: string): string | undefined {
  const bytes = ipToBytes(text);
  return bytes === undefined ? undefined : bytesToIp(bytes);
}
