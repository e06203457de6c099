// Where each route goes in its load balancer's pool (pure, deterministic).
// The routes' status.edge is the pool's memory: recomputing from it places
// nothing differently, so a restart changes nothing. In order:
//   1. a route whose status.edge names a member of its class that still exists
//      keeps it, even over capacity (nothing is ever rebalanced on its own);
//      these are counted first;
//   2. a placed route whose move annotation (hostgate.dev/edge-member) names
//      another member moves there when that member has room for what the route
//      adds to it, else it stays and the refusal says which limit is hit (or
//      that the class has no such member);
//   3. every other route (new, its member gone from the config, or its spec.lb
//      changed), oldest first (creationTimestamp, then namespace/name): the
//      member its annotation names when that has room, else the first member
//      in config order with room; none has room → the pool is full, and the
//      message names for each member the limit that is hit.
// Room is per kind (route-needs.ts): the keys a route adds that the member
// does not hold yet must fit under its capacity. A route adding nothing new
// of a kind (a wildcard the member already holds) always fits that kind, so
// a new placement never takes a member over its capacity.
import type { EdgeCapacity, LoadBalancerName } from "../../core/config/platform-config.ts";
import { compareStrings } from "../../core/compare-strings.ts";
import type { EdgeKind, RouteNeeds } from "./route-needs.ts";
import { EDGE_KIND_LABEL, EDGE_KINDS } from "./route-needs.ts";

export interface PlacementMember {
  readonly lbClass: LoadBalancerName;
  readonly name: string;
  readonly capacity: EdgeCapacity;
}

export interface PlacementRoute {
  /** `namespace/name` */
  readonly routeRef: string;
  /** spec.lb */
  readonly lbClass: LoadBalancerName;
  /** metadata.creationTimestamp (RFC 3339); absent or unparseable sorts first (then by routeRef). */
  readonly createdAt?: string;
  /** status.edge as the route holds it. */
  readonly current?: { readonly loadBalancer: string; readonly member: string };
  /** The member the move annotation names. */
  readonly requested?: string;
  readonly needs: RouteNeeds;
}

export type Placement =
  /** `refusedMove`: the annotation asks for another member, which cannot take the route (`why` names the limit or the unknown member). */
  | {
      readonly kind: "placed";
      readonly lbClass: LoadBalancerName;
      readonly member: string;
      readonly refusedMove?: { readonly member: string; readonly why: string };
    }
  /** No member of the class has room: `limits` names, per member, the limits the route would pass (`public-1: certificates 25/25`). */
  | { readonly kind: "full"; readonly lbClass: LoadBalancerName; readonly limits: string };

/** Each route's placement, keyed by routeRef, in placement order. */
export function planPlacement(routes: readonly PlacementRoute[], members: readonly PlacementMember[]): Map<string, Placement> {
  const pool = new Pool(members);
  const ordered = [...routes].sort(byAge);
  const placements = new Map<string, Placement>();
  const kept = ordered.filter((r) => r.current !== undefined && r.current.loadBalancer === r.lbClass && pool.has(r.lbClass, r.current.member));
  for (const route of kept) {
    pool.add(route.lbClass, route.current!.member, route.needs);
    placements.set(route.routeRef, { kind: "placed", lbClass: route.lbClass, member: route.current!.member });
  }
  // Moves, oldest first, in rounds until none happens: a move can make room for one refused before it (an older route asking
  // for the member a younger one leaves), and deciding it in this pass keeps the next pass from changing anything.
  // Each route moves at most once, so the rounds end.
  let waiting = kept.filter((r) => r.requested !== undefined && r.requested !== r.current!.member);
  for (let moved = true; moved; ) {
    moved = false;
    const movedNow = new Set<string>();
    for (const route of waiting) {
      if (pool.refusal(route.lbClass, route.requested!, route.needs) !== undefined) continue;
      pool.remove(route.lbClass, route.current!.member, route.needs);
      pool.add(route.lbClass, route.requested!, route.needs);
      placements.set(route.routeRef, { kind: "placed", lbClass: route.lbClass, member: route.requested! });
      movedNow.add(route.routeRef);
      moved = true;
    }
    waiting = waiting.filter((r) => !movedNow.has(r.routeRef));
  }
  for (const route of waiting) {
    const refusedMove = { member: route.requested!, why: pool.refusal(route.lbClass, route.requested!, route.needs)! };
    placements.set(route.routeRef, { kind: "placed", lbClass: route.lbClass, member: route.current!.member, refusedMove });
  }
  for (const route of ordered) {
    if (placements.has(route.routeRef)) continue;
    const requested = route.requested === undefined ? undefined : { member: route.requested, why: pool.refusal(route.lbClass, route.requested, route.needs) };
    const member = requested?.why === undefined && requested !== undefined ? requested.member : pool.firstFit(route.lbClass, route.needs);
    if (member === undefined) {
      placements.set(route.routeRef, { kind: "full", lbClass: route.lbClass, limits: pool.limitsHit(route.lbClass, route.needs) });
      continue;
    }
    pool.add(route.lbClass, member, route.needs);
    const refusedMove = requested?.why === undefined ? undefined : { member: requested.member, why: requested.why };
    placements.set(route.routeRef, { kind: "placed", lbClass: route.lbClass, member, ...(refusedMove === undefined ? {} : { refusedMove }) });
  }
  return placements;
}

function byAge(a: PlacementRoute, b: PlacementRoute): number {
  const ta = age(a.createdAt);
  const tb = age(b.createdAt);
  if (ta !== tb) return ta < tb ? -1 : 1;
  return compareStrings(a.routeRef, b.routeRef);
}

/** Milliseconds since the epoch; absent or unparseable (a rendered file's route) sorts first, as NaN would make the order depend on the input's. */
function age(createdAt: string | undefined): number {
  const time = createdAt === undefined ? Number.NaN : Date.parse(createdAt);
  return Number.isNaN(time) ? Number.NEGATIVE_INFINITY : time;
}

/** What each member holds: per kind, each key with the number of routes holding it (a shared key counts once). */
class Pool {
  readonly #members: readonly PlacementMember[];
  readonly #held = new Map<string, Record<EdgeKind, Map<string, number>>>();

  constructor(members: readonly PlacementMember[]) {
    this.#members = members;
    for (const m of members) this.#held.set(memberKey(m.lbClass, m.name), { certificates: new Map(), rules: new Map(), targetGroups: new Map() });
  }

  has(lbClass: LoadBalancerName, member: string): boolean {
    return this.#held.has(memberKey(lbClass, member));
  }

  add(lbClass: LoadBalancerName, member: string, needs: RouteNeeds): void {
    const held = this.#held.get(memberKey(lbClass, member))!;
    for (const kind of EDGE_KINDS) for (const key of new Set(needs[kind])) held[kind].set(key, (held[kind].get(key) ?? 0) + 1);
  }

  remove(lbClass: LoadBalancerName, member: string, needs: RouteNeeds): void {
    const held = this.#held.get(memberKey(lbClass, member))!;
    for (const kind of EDGE_KINDS) {
      for (const key of new Set(needs[kind])) {
        const count = (held[kind].get(key) ?? 0) - 1;
        if (count > 0) held[kind].set(key, count);
        else held[kind].delete(key);
      }
    }
  }

  /** The first member of the class, in config order, with room for `needs`. */
  firstFit(lbClass: LoadBalancerName, needs: RouteNeeds): string | undefined {
    return this.#of(lbClass).find((m) => this.#limits(m, needs).length === 0)?.name;
  }

  /** Why `member` cannot take `needs` (the limits hit, or no such member), or undefined when it can. */
  refusal(lbClass: LoadBalancerName, member: string, needs: RouteNeeds): string | undefined {
    const found = this.#of(lbClass).find((m) => m.name === member);
    if (found === undefined)
      return `${lbClass} has no member ${member} (its members: ${this.#of(lbClass)
        .map((m) => m.name)
        .join(", ")})`;
    const limits = this.#limits(found, needs);
    return limits.length === 0 ? undefined : `${member}: ${limits.join(", ")}`;
  }

  /** `public-1: certificates 25/25; public-2: rules 100/100`, every member of the class in config order. */
  limitsHit(lbClass: LoadBalancerName, needs: RouteNeeds): string {
    return this.#of(lbClass)
      .map((m) => `${m.name}: ${this.#limits(m, needs).join(", ")}`)
      .join("; ");
  }

  #of(lbClass: LoadBalancerName): readonly PlacementMember[] {
    return this.#members.filter((m) => m.lbClass === lbClass);
  }

  /** `certificates 25/25` for each kind where what `needs` adds to the member passes its capacity. */
  #limits(member: PlacementMember, needs: RouteNeeds): string[] {
    const held = this.#held.get(memberKey(member.lbClass, member.name))!;
    return EDGE_KINDS.flatMap((kind) => {
      const adds = new Set(needs[kind].filter((key) => !held[kind].has(key))).size;
      const used = held[kind].size;
      return adds > 0 && used + adds > member.capacity[kind] ? [`${EDGE_KIND_LABEL[kind]} ${used}/${member.capacity[kind]}`] : [];
    });
  }
}

function memberKey(lbClass: string, member: string): string {
  return `${lbClass}/${member}`;
}
