// Address classes, with the meaning Go's net/netip gives them (the Kubernetes
// CEL IP library is a thin layer over netip), plus broadcast and private.
// Policies use these to keep routes away from cloud metadata endpoints
// (169.254.169.254), loopback and other non-routable destinations.

import type { IPAddress } from "./ip-address.ts";

/** True when the first `bits` bits of `bytes` equal those of `prefix`. */
function hasPrefix(bytes: Uint8Array, prefix: readonly number[], bits: number): boolean {
  for (let i = 0; bits > 0; i++, bits -= 8) {
    const mask = bits >= 8 ? 0xff : (0xff << (8 - bits)) & 0xff;
    if (((bytes[i] as number) & mask) !== ((prefix[i] ?? 0) & mask)) return false;
  }
  return true;
}

function isAllZero(bytes: Uint8Array): boolean {
  return bytes.every((b) => b === 0);
}

export function isUnspecified(ip: IPAddress): boolean {
  return isAllZero(ip.bytes);
}

/** 127.0.0.0/8 or ::1. */
export function isLoopback(ip: IPAddress): boolean {
  if (ip.family === 4) return ip.bytes[0] === 127;
  return isAllZero(ip.bytes.subarray(0, 15)) && ip.bytes[15] === 1;
}

/** 224.0.0.0/4 or ff00::/8. */
export function isMulticast(ip: IPAddress): boolean {
  return ip.family === 4 ? hasPrefix(ip.bytes, [224], 4) : ip.bytes[0] === 0xff;
}

/** 169.254.0.0/16 or fe80::/10. */
export function isLinkLocalUnicast(ip: IPAddress): boolean {
  return ip.family === 4 ? hasPrefix(ip.bytes, [169, 254], 16) : hasPrefix(ip.bytes, [0xfe, 0x80], 10);
}

/** 224.0.0.0/24 or ff02::/16. */
export function isLinkLocalMulticast(ip: IPAddress): boolean {
  return ip.family === 4 ? hasPrefix(ip.bytes, [224, 0, 0], 24) : hasPrefix(ip.bytes, [0xff, 0x02], 16);
}

/** 255.255.255.255 (the limited broadcast address); IPv6 has no broadcast. */
export function isBroadcast(ip: IPAddress): boolean {
  return ip.family === 4 && ip.bytes.every((b) => b === 255);
}

/** RFC 1918 (10/8, 172.16/12, 192.168/16) or RFC 4193 unique local (fc00::/7). */
export function isPrivate(ip: IPAddress): boolean {
  if (ip.family === 6) return hasPrefix(ip.bytes, [0xfc], 7);
  return hasPrefix(ip.bytes, [10], 8) || hasPrefix(ip.bytes, [172, 16], 12) || hasPrefix(ip.bytes, [192, 168], 16);
}

/**
 * Go's IsGlobalUnicast: anything that is not unspecified, broadcast,
 * loopback, multicast or link-local unicast. Note that, as in Go, private
 * addresses ARE global unicast; combine with isPrivate() to exclude them.
 */
export function isGlobalUnicast(ip: IPAddress): boolean {
  return !(isUnspecified(ip) || isBroadcast(ip) || isLoopback(ip) || isMulticast(ip) || isLinkLocalUnicast(ip));
}
