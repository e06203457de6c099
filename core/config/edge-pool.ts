// The one reading of a load balancer class as a pool of members
// (platform-config.ts): an entry with `members` is that list, in config order
// (first-fit placement walks it in this order); an entry without is one
// member named after the class, with the capacity the config gives a single
// load balancer (certificates.listenerCertificateLimit, ALB's default rule and
// target group quotas), so a config written before pools means what it did.
import type { EdgeCapacity, LoadBalancerConfig, LoadBalancerName, PlatformConfig } from "./platform-config.ts";

/** The Gateway API's own limit on a Gateway's spec.listeners (its CRD's maxItems). */
export const MAX_GATEWAY_LISTENERS = 64;

/** AWS's default quotas per Application Load Balancer (ALB quotas page). */
export const DEFAULT_EDGE_CAPACITY: EdgeCapacity = { certificates: 25, rules: 100, targetGroups: 100, listeners: MAX_GATEWAY_LISTENERS };

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

/**
 * The highest autoscaled member number: names have two digits (`<prefix>-99`).
 * maxMembers limits how many members the pool grows to, not which a route may
 * hold: lowered below a member in use, that member stays (its routes keep it,
 * nothing is rebalanced on its own) and the pool adds none while as many as
 * maxMembers are in use (reconciler/edge/plan-placement.ts).
 */
export const MAX_AUTOSCALED_INDEX = 99;

/**
 * The class's autoscaled member number `index` (1-based: `<prefix>-01`), or
 * undefined when the class does not autoscale or index is out of 1..99 (any
 * number a route may hold; growth asks only for 1..maxMembers).
 * Its entry is two-step to its own Gateway, published at `<name>.<gatewayDomain>`.
 */
export function autoscaledMember(config: PlatformConfig, lbClass: LoadBalancerName, index: number): PoolMember | undefined {
  const autoscale = config.loadBalancers[lbClass].autoscale;
  if (autoscale === undefined || !Number.isInteger(index) || index < 1 || index > MAX_AUTOSCALED_INDEX) return undefined;
  const name = `${autoscale.prefix}-${String(index).padStart(2, "0")}`;
  const entry: LoadBalancerConfig = { ipAddressType: "ipv4", gateway: name, gatewayHostname: `${name}.${autoscale.gatewayDomain}` };
  return { lbClass, name, entry, capacity: autoscale.capacity };
}

/**
 * The 1-based index of `name` among the class's autoscaled members
 * (`<prefix>-NN`, 01..99 whatever maxMembers is now), or undefined. A changed
 * prefix names other members: those of the old one are gone from the config,
 * and their routes are placed again as for a removed member.
 */
export function autoscaledIndex(config: PlatformConfig, lbClass: LoadBalancerName, name: string): number | undefined {
  const autoscale = config.loadBalancers[lbClass].autoscale;
  if (autoscale === undefined || !name.startsWith(`${autoscale.prefix}-`)) return undefined;
  const digits = name.slice(autoscale.prefix.length + 1);
  if (!/^[0-9]{2}$/.test(digits)) return undefined;
  const index = Number(digits);
  return index >= 1 ? index : undefined;
}

/** The class's member called `name`: a configured one, else an autoscaled one; undefined when the class has none by that name. */
export function memberNamed(config: PlatformConfig, lbClass: LoadBalancerName, name: string): PoolMember | undefined {
  const configured = poolMembers(config, lbClass).find((m) => m.name === name);
  if (configured !== undefined) return configured;
  const index = autoscaledIndex(config, lbClass, name);
  return index === undefined ? undefined : autoscaledMember(config, lbClass, index);
}

/** Every member of every class, classes in LOAD_BALANCERS order. */
export function allPoolMembers(config: PlatformConfig): readonly PoolMember[] {
  return (["alb-out", "alb-in"] as const).flatMap((lbClass) => poolMembers(config, lbClass));
}
