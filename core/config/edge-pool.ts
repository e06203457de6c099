// The one reading of a load balancer class as a pool of members
// (platform-config.ts): an entry with `members` is that list, in config order
// (first-fit placement walks it in this order); an entry without is one
// member named after the class, with the capacity the config gives a single
// load balancer (certificates.listenerCertificateLimit, ALB's default rule and
// target group quotas), so a config written before pools means what it did.
import type { EdgeCapacity, LoadBalancerConfig, LoadBalancerName, PlatformConfig } from "./platform-config.ts";

/** AWS's default quotas per Application Load Balancer (ALB quotas page). */
export const DEFAULT_EDGE_CAPACITY: EdgeCapacity = { certificates: 25, rules: 100, targetGroups: 100 };

export interface PoolMember {
  /** The class (`alb-out`, `alb-in`) the member serves. */
  readonly lbClass: LoadBalancerName;
  readonly name: string;
  /** The member's own load balancer entry: read its target with loadBalancerTarget(). */
  readonly entry: LoadBalancerConfig;
  readonly capacity: EdgeCapacity;
}

/** The class's members in config order. */
export function poolMembers(config: PlatformConfig, lbClass: LoadBalancerName): readonly PoolMember[] {
  const entry = config.loadBalancers[lbClass];
  if (entry.members !== undefined && entry.members.length > 0) {
    return entry.members.map(({ name, capacity, ...rest }) => ({ lbClass, name, entry: rest, capacity }));
  }
  const capacity = { ...DEFAULT_EDGE_CAPACITY, certificates: config.certificates.listenerCertificateLimit };
  return [{ lbClass, name: lbClass, entry, capacity }];
}

/** Every member of every class, classes in LOAD_BALANCERS order. */
export function allPoolMembers(config: PlatformConfig): readonly PoolMember[] {
  return (["alb-out", "alb-in"] as const).flatMap((lbClass) => poolMembers(config, lbClass));
}
