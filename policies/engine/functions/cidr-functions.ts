// CEL bindings for CIDR prefixes, as strings (see ip-functions.ts for why).
// Both the receiver and any argument must parse; a malformed value is an
// error, never a silent "not contained", so a typo cannot widen a policy.

import { CelScalar, celError, celFunc, celMethod } from "@bufbuild/cel";
import type { CelFunc } from "@bufbuild/cel";
import { cidrContainsCIDR, cidrContainsIP, formatCIDR, maskCIDR, parseCIDR } from "./cidr.ts";
import type { CIDR } from "./cidr.ts";
import { requireIP } from "./ip-functions.ts";
import { cachedParser } from "./parse-cache.ts";

const { BOOL, INT, STRING } = CelScalar;

/** parseCIDR, kept by text (see parse-cache.ts): literal and configured prefixes are parsed once, not on every request. */
const parseCIDROnce = cachedParser(parseCIDR);

export function requireCIDR(text: string): CIDR {
  const cidr = parseCIDROnce(text);
  if (cidr === undefined) throw celError(`invalid CIDR: ${JSON.stringify(text)}`);
  return cidr;
}

export const cidrFunctions: CelFunc[] = [
  celFunc("isCIDR", [STRING], BOOL, (text) => parseCIDROnce(text) !== undefined),
  celFunc("cidr", [STRING], STRING, (text) => formatCIDR(requireCIDR(text))),
  celMethod("containsIP", STRING, [STRING], BOOL, function (ip) {
    return cidrContainsIP(requireCIDR(this), requireIP(ip));
  }),
  celMethod("containsCIDR", STRING, [STRING], BOOL, function (other) {
    return cidrContainsCIDR(requireCIDR(this), requireCIDR(other));
  }),
  celMethod("prefixLength", STRING, [], INT, function () {
    return BigInt(requireCIDR(this).bits);
  }),
  celMethod("masked", STRING, [], STRING, function () {
    return formatCIDR(maskCIDR(requireCIDR(this)));
  }),
];
