// CEL bindings for IP addresses. Kubernetes has an opaque `net.IP` CEL type;
// here addresses stay plain strings (a custom opaque type would need a
// protobuf message in @bufbuild/cel), so every method parses its receiver
// (a parse kept by text, parse-cache.ts) and fails on a string that is not an
// address rather than guessing.

import { CelScalar, celError, celFunc, celMethod } from "@bufbuild/cel";
import type { CelFunc } from "@bufbuild/cel";
import { formatIP, parseIP } from "./ip-address.ts";
import type { IPAddress } from "./ip-address.ts";
import { cachedParser } from "./parse-cache.ts";
import { isBroadcast, isGlobalUnicast, isLinkLocalMulticast, isLinkLocalUnicast, isLoopback, isMulticast, isPrivate, isUnspecified } from "./ip-classify.ts";

const { BOOL, INT, STRING } = CelScalar;

/** parseIP, kept by text (see parse-cache.ts): one address is parsed once, not by every call that reads it. */
const parseIPOnce = cachedParser(parseIP);

/** Parses or throws the CEL error policies see for a bad address. */
export function requireIP(text: string): IPAddress {
  const ip = parseIPOnce(text);
  if (ip === undefined) throw celError(`invalid IP address: ${JSON.stringify(text)}`);
  return ip;
}

function predicate(name: string, test: (ip: IPAddress) => boolean): CelFunc {
  return celMethod(name, STRING, [], BOOL, function () {
    return test(requireIP(this));
  });
}

export const ipFunctions: CelFunc[] = [
  celFunc("isIP", [STRING], BOOL, (text) => parseIPOnce(text) !== undefined),
  celFunc("ip", [STRING], STRING, (text) => formatIP(requireIP(text))),
  celMethod("family", STRING, [], INT, function () {
    return BigInt(requireIP(this).family);
  }),
  predicate("isLoopback", isLoopback),
  predicate("isUnspecified", isUnspecified),
  predicate("isLinkLocalUnicast", isLinkLocalUnicast),
  predicate("isLinkLocalMulticast", isLinkLocalMulticast),
  predicate("isMulticast", isMulticast),
  predicate("isGlobalUnicast", isGlobalUnicast),
  predicate("isBroadcast", isBroadcast),
  predicate("isPrivate", isPrivate),
];
