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
//      message names for each member the limit that is hit, as the pass
//      leaves it (younger routes placed after it counted: the next pass
//      counts them first, so it writes the same message).
// Growth (autoscale, the Gateway API data plane): a class given a PoolGrowth
// has, after its configured members, its autoscaled members in use: those any
// route's current placement in the class names. When no member has room for a
// route of step 3 and fewer than maxMembers are in use, the next one
// (`<prefix>-NN` after the highest in use; once that passes maxMembers, the
// lowest free number) is added with its capacity and the route placed there.
// A recompute from the written status finds the grown members in use and adds
// nothing; a member whose routes all left is simply no longer in use (nothing
// is renumbered), and a later growth may add that name again. maxMembers
// limits growth only: lowered below a member in use, that member stays in use
// and keeps its routes (step 1), and the class grows again only once fewer
// than maxMembers are in use.
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

/** How a class grows (its autoscale config): its autoscaled members by their 1-based number. */
export interface PoolGrowth {
  /** At most this many autoscaled members in use. */
  readonly maxMembers: number;
  /** The autoscaled member number `index` (any a route may hold, past maxMembers too), or undefined when there is none. */
  readonly member: (index: number) => PlacementMember | undefined;
  /** The number of an autoscaled member's name, or undefined when `name` is not one. */
  readonly indexOf: (name: string) => number | undefined;
}

/** Per class, how it grows; a class without one has its configured members only. */
export type PoolGrowths = Partial<Readonly<Record<LoadBalancerName, PoolGrowth>>>;

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

/**
 * Each route's placement, keyed by routeRef, in placement order; a route may
 * be placed on an autoscaled member (`growth`).
 *
 * Without growth one pass is its own fixed point: placing its output again
 * changes nothing. A member grown in a pass can make the next pass act: a
 * route whose move annotation names it (refused while it did not exist yet)
 * moves there, and a route whose move leaves an autoscaled member empty
 * frees it for growth (and changes what a full route's message says of the
 * class). So a pass that grows, or moves a route in a class that grows, is
 * repeated on its own output until nothing changes, and that is what the status gets: the next pass
 * (or a restarted reconciler) changes nothing. Each repetition moves a route
 * to the member its annotation names (it never leaves that) or places one the
 * pool had no room for, so the repetitions end.
 */
export function planPlacement(routes: readonly PlacementRoute[], members: readonly PlacementMember[], growth: PoolGrowths = {}): Map<string, Placement> {
  let input = routes;
  for (let pass = 0; ; pass++) {
    const { placements, grew, moved } = planOnce(input, members, growth);
    if (!(grew || (moved && Object.keys(growth).length > 0)) || pass > 2 * routes.length) return placements;
    const next = placedAs(input, placements);
    if (next.every((route, i) => sameCurrent(route, input[i]!))) return placements;
    input = next;
  }
}

/** Each route with its placement as status.edge, as the next pass reads it. */
function placedAs(routes: readonly PlacementRoute[], placements: ReadonlyMap<string, Placement>): PlacementRoute[] {
  return routes.map((route) => {
    const p = placements.get(route.routeRef);
    return p?.kind === "placed" ? { ...route, current: { loadBalancer: p.lbClass, member: p.member } } : route;
  });
}

function sameCurrent(a: PlacementRoute, b: PlacementRoute): boolean {
  return a.current?.loadBalancer === b.current?.loadBalancer && a.current?.member === b.current?.member;
}

/** One pass; `grew`: it added an autoscaled member; `moved`: a route moved (which may leave an autoscaled member empty, so free). */
function planOnce(
  routes: readonly PlacementRoute[],
  members: readonly PlacementMember[],
  growth: PoolGrowths,
): { placements: Map<string, Placement>; grew: boolean; moved: boolean } {
  const pool = new Pool(members, growth, routes);
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
  let anyMoved = false;
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
      anyMoved = true;
    }
    waiting = waiting.filter((r) => !movedNow.has(r.routeRef));
  }
  for (const route of waiting) {
    const refusedMove = { member: route.requested!, why: pool.refusal(route.lbClass, route.requested!, route.needs)! };
    placements.set(route.routeRef, { kind: "placed", lbClass: route.lbClass, member: route.current!.member, refusedMove });
  }
  const full: PlacementRoute[] = [];
  for (const route of ordered) {
    if (placements.has(route.routeRef)) continue;
    const requested = route.requested === undefined ? undefined : { member: route.requested, why: pool.refusal(route.lbClass, route.requested, route.needs) };
    const member =
      requested?.why === undefined && requested !== undefined
        ? requested.member
        : (pool.firstFit(route.lbClass, route.needs) ?? pool.grow(route.lbClass, route.needs));
    if (member === undefined) {
      // Its place in the order now, its message once the pass is done (below).
      placements.set(route.routeRef, { kind: "full", lbClass: route.lbClass, limits: "" });
      full.push(route);
      continue;
    }
    pool.add(route.lbClass, member, route.needs);
    const refusedMove = requested?.why === undefined ? undefined : { member: requested.member, why: requested.why };
    placements.set(route.routeRef, { kind: "placed", lbClass: route.lbClass, member, ...(refusedMove === undefined ? {} : { refusedMove }) });
  }
  // A full route's limits are those of the pool the whole pass leaves, younger routes placed after it included: that pool
  // is what the next pass counts before it reaches the route, so the next pass writes the same message.
  for (const route of full) placements.set(route.routeRef, { kind: "full", lbClass: route.lbClass, limits: pool.limitsHit(route.lbClass, route.needs) });
  return { placements, grew: pool.grew, moved: anyMoved };
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
  readonly #configured: readonly PlacementMember[];
  readonly #growth: PoolGrowths;
  /** Per class, its autoscaled members in use, by number. */
  readonly #autoscaled = new Map<LoadBalancerName, Map<number, PlacementMember>>();
  readonly #held = new Map<string, Record<EdgeKind, Map<string, number>>>();
  /** An autoscaled member was added in this pass. */
  grew = false;

  /**
   * The autoscaled members in use are those the routes' current placements name (a configured name is never one), in
   * the route's own class: a route whose spec.lb changed is placed again in its new class and holds nothing in its old one.
   */
  constructor(members: readonly PlacementMember[], growth: PoolGrowths, routes: readonly PlacementRoute[]) {
    this.#configured = members;
    this.#growth = growth;
    for (const m of members) this.#hold(m);
    for (const route of routes) {
      if (route.current?.loadBalancer !== route.lbClass) continue;
      const lbClass = route.current?.loadBalancer as LoadBalancerName | undefined;
      const classGrowth = lbClass === undefined ? undefined : growth[lbClass];
      if (classGrowth === undefined || this.has(lbClass!, route.current!.member)) continue;
      const index = classGrowth.indexOf(route.current!.member);
      const member = index === undefined ? undefined : classGrowth.member(index);
      if (member !== undefined) this.#addAutoscaled(index!, member);
    }
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

  /** The first member of the class with room for `needs`: configured ones in config order, then autoscaled ones by number. */
  firstFit(lbClass: LoadBalancerName, needs: RouteNeeds): string | undefined {
    return this.#of(lbClass).find((m) => this.#limits(m, needs).length === 0)?.name;
  }

  /** Adds the class's next autoscaled member when it may grow and that member can take `needs`; its name, else undefined. */
  grow(lbClass: LoadBalancerName, needs: RouteNeeds): string | undefined {
    const next = this.#next(lbClass);
    if (next?.member === undefined || this.#limits(next.member, needs, true).length > 0) return undefined;
    this.#addAutoscaled(next.index, next.member);
    this.grew = true;
    return next.member.name;
  }

  /** Why `member` cannot take `needs` (the limits hit, or no such member), or undefined when it can. */
  refusal(lbClass: LoadBalancerName, member: string, needs: RouteNeeds): string | undefined {
    const found = this.#of(lbClass).find((m) => m.name === member);
    const names = this.#of(lbClass)
      .map((m) => m.name)
      .join(", ");
    if (found === undefined && this.#growth[lbClass]?.indexOf(member) !== undefined)
      return `${lbClass} has no member ${member} in use: an autoscaled member exists only while routes are placed on it (its members: ${names})`;
    if (found === undefined) return `${lbClass} has no member ${member} (its members: ${names})`;
    const limits = this.#limits(found, needs);
    return limits.length === 0 ? undefined : `${member}: ${limits.join(", ")}`;
  }

  /**
   * `public-1: certificates 25/25; public-2: rules 100/100`, every member of
   * the class in order; for a class that grows, why it did not: maxMembers
   * reached, or a new member could not take the route either.
   */
  limitsHit(lbClass: LoadBalancerName, needs: RouteNeeds): string {
    const members = this.#of(lbClass).map((m) => `${m.name}: ${this.#limits(m, needs).join(", ")}`);
    const growth = this.#growth[lbClass];
    if (growth === undefined) return members.join("; ");
    const next = this.#next(lbClass);
    const inUse = this.#autoscaled.get(lbClass)?.size ?? 0;
    const why =
      next?.member === undefined
        ? `autoscale: maxMembers reached (${inUse}/${growth.maxMembers} autoscaled members in use)`
        : `autoscale: a new member ${next.member.name} could not take it either (${this.#limits(next.member, needs, true).join(", ")})`;
    return [...members, why].join("; ");
  }

  /** The class's next autoscaled member, when it grows: `member` is undefined once maxMembers are in use. */
  #next(lbClass: LoadBalancerName): { index: number; member: PlacementMember | undefined } | undefined {
    const growth = this.#growth[lbClass];
    if (growth === undefined) return undefined;
    const used = this.#autoscaled.get(lbClass) ?? new Map<number, PlacementMember>();
    if (used.size >= growth.maxMembers) return { index: 0, member: undefined };
    const highest = Math.max(0, ...used.keys());
    // After the highest in use; past maxMembers, the lowest number free (a member whose routes all left, or below one
    // held past a lowered maxMembers): fewer than maxMembers are in use, so one of 1..maxMembers is free.
    let index = highest + 1;
    if (index > growth.maxMembers) for (index = 1; used.has(index); index++);
    return { index, member: growth.member(index) };
  }

  #addAutoscaled(index: number, member: PlacementMember): void {
    const used = this.#autoscaled.get(member.lbClass) ?? new Map<number, PlacementMember>();
    used.set(index, member);
    this.#autoscaled.set(member.lbClass, new Map([...used].sort(([a], [b]) => a - b)));
    this.#hold(member);
  }

  #hold(member: PlacementMember): void {
    this.#held.set(memberKey(member.lbClass, member.name), { certificates: new Map(), rules: new Map(), targetGroups: new Map(), listeners: new Map() });
  }

  #of(lbClass: LoadBalancerName): readonly PlacementMember[] {
    return [...this.#configured.filter((m) => m.lbClass === lbClass), ...(this.#autoscaled.get(lbClass)?.values() ?? [])];
  }

  /** `certificates 25/25` for each kind where what `needs` adds to the member passes its capacity; `empty`: as if it held nothing (a member not added yet). */
  #limits(member: PlacementMember, needs: RouteNeeds, empty = false): string[] {
    const held = empty ? undefined : this.#held.get(memberKey(member.lbClass, member.name))!;
    return EDGE_KINDS.flatMap((kind) => {
      const adds = new Set(needs[kind].filter((key) => held?.[kind].has(key) !== true)).size;
      const used = held?.[kind].size ?? 0;
      return adds > 0 && used + adds > member.capacity[kind] ? [`${EDGE_KIND_LABEL[kind]} ${used}/${member.capacity[kind]}`] : [];
    });
  }
}

function memberKey(lbClass: string, member: string): string {
  return `${lbClass}/${member}`;
}
