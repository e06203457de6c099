// The one reading of a load balancer entry's kind (platform-config.ts):
// fixed (an ALB by DNS name and canonical zone) or two-step (a gateway
// Service, or on the Gateway API data plane a pooled Gateway, published at gatewayHostname). The config schema makes every entry
// exactly one of the two, so the fallthrough cannot happen on a loaded config.
import type { LoadBalancerConfig, ServiceRef } from "./platform-config.ts";

export type LoadBalancerTarget =
  | { readonly kind: "fixed"; readonly dnsName: string; readonly hostedZoneId: string }
  | { readonly kind: "service"; readonly service: ServiceRef; readonly gatewayHostname: string }
  /** Gateway API data plane: the pooled Gateway `gateway` (gateway.namespace) publishes its status.addresses at gatewayHostname. */
  | { readonly kind: "gateway"; readonly gateway: string; readonly gatewayHostname: string };

export function loadBalancerTarget(lb: LoadBalancerConfig): LoadBalancerTarget {
  if (lb.service !== undefined && lb.gatewayHostname !== undefined) {
    return { kind: "service", service: lb.service, gatewayHostname: lb.gatewayHostname };
  }
  if (lb.gateway !== undefined && lb.gatewayHostname !== undefined) {
    return { kind: "gateway", gateway: lb.gateway, gatewayHostname: lb.gatewayHostname };
  }
  if (lb.dnsName !== undefined && lb.hostedZoneId !== undefined) {
    return { kind: "fixed", dnsName: lb.dnsName.toLowerCase().replace(/\.$/, ""), hostedZoneId: lb.hostedZoneId };
  }
  throw new Error("a load balancer entry needs dnsName and hostedZoneId, or service and gatewayHostname (the config schema requires one of the two)");
}
