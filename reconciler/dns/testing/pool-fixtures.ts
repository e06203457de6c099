// A platform config whose classes are pools (core/config/edge-pool.ts) and
// routes placed on their members (status.edge), for the tests of what DNS and
// certificates read of the placement: alb-out is two fixed load balancers
// (public-1 ipv4, public-2 dualstack, each with its own listener), alb-in
// two gateway Services (two-step) published at gw-1/gw-2.example.com.
import type { PlatformConfig, PoolMemberConfig } from "../../../core/config/platform-config.ts";
import { loadBalancerTarget } from "../../../core/config/load-balancer-target.ts";
import type { DomainRoute } from "../../../crds/types.ts";

export const PUBLIC_1 = "public-1.us-east-1.elb.amazonaws.com";
export const PUBLIC_2 = "public-2.us-east-1.elb.amazonaws.com";
export const PUBLIC_2_ZONE = "Z26RNL4JYFTOTI";
export const LISTENER_1 = "arn:aws:elasticloadbalancing:us-east-1:123456789012:listener/app/public-1/aaaa/1111";
export const LISTENER_2 = "arn:aws:elasticloadbalancing:us-east-1:123456789012:listener/app/public-2/cccc/3333";
export const GW_1 = "gw-1.example.com";
export const GW_2 = "gw-2.example.com";

export interface PoolOptions {
  /** capacity.certificates of public-1 and public-2 (default 25 each). */
  certificates?: [number, number];
}

const capacity = (certificates: number) => ({ certificates, rules: 100, targetGroups: 100, listeners: 64 });

/** `base` with alb-out and alb-in as pools of two members each. */
export function pooled(base: PlatformConfig, options: PoolOptions = {}): PlatformConfig {
  const [c1, c2] = options.certificates ?? [25, 25];
  const out: PoolMemberConfig[] = [
    { name: "public-1", dnsName: PUBLIC_1, hostedZoneId: "Z35SXDOTRQ7X7K", ipAddressType: "ipv4", listenerArn: LISTENER_1, capacity: capacity(c1) },
    { name: "public-2", dnsName: PUBLIC_2, hostedZoneId: PUBLIC_2_ZONE, ipAddressType: "dualstack", listenerArn: LISTENER_2, capacity: capacity(c2) },
  ];
  const inside: PoolMemberConfig[] = [
    { name: "gw-1", service: { namespace: "istio-system", name: "gw-1" }, gatewayHostname: GW_1, ipAddressType: "ipv4", capacity: capacity(25) },
    { name: "gw-2", service: { namespace: "istio-system", name: "gw-2" }, gatewayHostname: GW_2, ipAddressType: "ipv4", capacity: capacity(25) },
  ];
  return { ...base, loadBalancers: { "alb-out": { ipAddressType: "ipv4", members: out }, "alb-in": { ipAddressType: "ipv4", members: inside } } };
}

/** The route with status.edge naming `member` of its class, as the route controller writes it. */
export function placedOn<T extends DomainRoute>(route: T, member: string, config: PlatformConfig): T {
  const entry = config.loadBalancers[route.spec.lb].members?.find((m) => m.name === member);
  if (entry === undefined) throw new Error(`no member ${member} in ${route.spec.lb}`);
  const target = loadBalancerTarget(entry);
  const edge = { loadBalancer: route.spec.lb, member, target: target.kind === "fixed" ? target.dnsName : target.gatewayHostname };
  return { ...route, status: { ...route.status, edge } };
}
