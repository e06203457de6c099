// CIDR syntax check for `externalBackends.deniedCidrs`. Only syntax: a range
// with host bits set (10.0.0.1/8) is accepted and means its network, as Go's
// net.ParseCIDR and most firewalls read it.
import { isIPv4, isIPv6 } from "node:net";

export function isCidr(text: string): boolean {
  const slash = text.indexOf("/");
  if (slash < 0 || slash !== text.lastIndexOf("/")) return false;
  const address = text.slice(0, slash);
  const prefix = text.slice(slash + 1);
  if (!/^(0|[1-9][0-9]{0,2})$/.test(prefix)) return false;
  const bits = Number(prefix);
  if (isIPv4(address)) return bits <= 32;
  // A zone index (fe80::1%eth0) names an interface, not a range.
  if (isIPv6(address) && !address.includes("%")) return bits <= 128;
  return false;
}
