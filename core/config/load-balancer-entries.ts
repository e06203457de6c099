// The load balancers a config's data names, each with where it is written,
// for the semantic checks: a single entry (`loadBalancers.alb-out`) is one,
// a pool (`loadBalancers.alb-out.members`) one per member, as poolMembers()
// reads a loaded config. Written defensively: the checks run on data the
// schema may have refused, so every problem shows in one report.
import { asRecord } from "../json.ts";
import type { ConfigPath } from "./config-path.ts";
import { formatPath } from "./config-path.ts";
import type { LoadBalancerTarget } from "./load-balancer-target.ts";
import { loadBalancerTarget } from "./load-balancer-target.ts";
import type { LoadBalancerConfig, LoadBalancerName } from "./platform-config.ts";

export const LOAD_BALANCER_CLASSES: readonly LoadBalancerName[] = ["alb-out", "alb-in"];

export interface WrittenLoadBalancer {
  readonly lbClass: LoadBalancerName;
  /** The member's name (a single entry's is its class's, as poolMembers() names it); undefined while missing or mistyped. */
  readonly name: string | undefined;
  /** Where it is written: `["loadBalancers", "alb-out"]` or `["loadBalancers", "alb-out", "members", 1]`. */
  readonly path: ConfigPath;
  readonly entry: Record<string, unknown>;
  /** Whether it is a pool member rather than a class's single entry. */
  readonly member: boolean;
}

/** `loadBalancers.alb-out`, `loadBalancers.alb-out.members[1]`: how messages name one. */
export const where = (lb: WrittenLoadBalancer) => formatPath(lb.path);

/** Every load balancer written in the config, classes in order, members in list order. */
export function writtenLoadBalancers(config: Record<string, unknown>): WrittenLoadBalancer[] {
  const loadBalancers = asRecord(config.loadBalancers) ?? {};
  return LOAD_BALANCER_CLASSES.flatMap((lbClass): WrittenLoadBalancer[] => {
    const entry = asRecord(loadBalancers[lbClass]);
    if (entry === undefined) return [];
    if (!("members" in entry)) return [{ lbClass, name: lbClass, path: ["loadBalancers", lbClass], entry, member: false }];
    const members = Array.isArray(entry.members) ? entry.members : [];
    return members.flatMap((value, i) => {
      const member = asRecord(value);
      if (member === undefined) return [];
      const name = typeof member.name === "string" ? member.name : undefined;
      return [{ lbClass, name, path: ["loadBalancers", lbClass, "members", i], entry: member, member: true }];
    });
  });
}

/** The load balancer's target, or undefined while its keys are missing or mistyped (the schema reports those). */
export function writtenTarget(entry: Record<string, unknown>): LoadBalancerTarget | undefined {
  const service = asRecord(entry.service);
  const typed: LoadBalancerConfig = {
    ipAddressType: "ipv4",
    ...(typeof entry.dnsName === "string" ? { dnsName: entry.dnsName } : {}),
    ...(typeof entry.hostedZoneId === "string" ? { hostedZoneId: entry.hostedZoneId } : {}),
    ...(typeof entry.gatewayHostname === "string" ? { gatewayHostname: entry.gatewayHostname } : {}),
    // Derived when the config loads (pooled-gateways.ts), so the checks see a pooled Gateway as the kind "gateway" target it is.
    ...(typeof entry.gateway === "string" ? { gateway: entry.gateway } : {}),
    ...(typeof service?.namespace === "string" && typeof service.name === "string" ? { service: { namespace: service.namespace, name: service.name } } : {}),
  };
  try {
    return loadBalancerTarget(typed);
  } catch {
    return undefined;
  }
}
