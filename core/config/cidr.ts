// CIDR syntax check for `externalBackends.deniedCidrs`: exactly the syntax the
// policy engine's `cidr()` accepts, so a config that loads can never make
// every external-backend route fail its policy. A range with host bits set
// (10.0.0.1/8) is accepted and means its network, as in Kubernetes CEL.
import { parseCIDR } from "../../policies/engine/functions/cidr.ts";

export function isCidr(text: string): boolean {
  return parseCIDR(text) !== undefined;
}
