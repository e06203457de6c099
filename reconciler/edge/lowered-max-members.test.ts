// Lowering loadBalancers.<class>.autoscale.maxMembers limits growth only: a
// route keeps the autoscaled member `<prefix>-NN` it holds whatever NN
// (01..99), that member stays in use (its Gateway, its DNS record), and the
// pool adds no member while as many as maxMembers are in use. Placement is
// read through the real config (edge-pool.ts, reconcile-placement.ts
// poolGrowths), as the reconciler reads it.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import fc from "fast-check";
import { allPoolMembers } from "../../core/config/edge-pool.ts";
import type { PlatformConfig } from "../../core/config/platform-config.ts";
import { publishedTwoStepMembers } from "../dns/pool-member-records.ts";
import { reservedName } from "../dns/reserved-name.ts";
import type { Placement, PlacementRoute } from "./plan-placement.ts";
import { planPlacement } from "./plan-placement.ts";
import { placedMember } from "./placed-member.ts";
import { poolGrowths } from "./reconcile-placement.ts";
import { NO_NEEDS } from "./route-needs.ts";
import { autoscalingPoolConfig, poolRoute } from "./testing/pool-config.ts";

/** public-1 and public-2 take one listener each; alb-out grows gw-NN members of one listener each, up to maxMembers. */
const config = (maxMembers: number): PlatformConfig => autoscalingPoolConfig(maxMembers, { listeners: 1 });
const place = (routes: readonly PlacementRoute[], maxMembers: number) =>
  planPlacement(routes, allPoolMembers(config(maxMembers)), poolGrowths(config(maxMembers)));

/** A route taking one listener (its own), on `member` when given. */
const route = (name: string, minute: number, member?: string): PlacementRoute => ({
  routeRef: `team-a/${name}`,
  lbClass: "alb-out",
  createdAt: `2026-01-01T00:${String(minute).padStart(2, "0")}:00Z`,
  needs: { ...NO_NEEDS, listeners: [`${name}.example.com`] },
  ...(member === undefined ? {} : { current: { loadBalancer: "alb-out", member } }),
});

const shown = (p: Placement | undefined) => (p === undefined ? "none" : p.kind === "placed" ? p.member : `full: ${p.limits}`);
const summary = (placements: ReadonlyMap<string, Placement>) => Object.fromEntries([...placements].map(([ref, p]) => [ref.slice("team-a/".length), shown(p)]));

/** Five served routes: the two configured members full, three autoscaled members grown while maxMembers was 3. */
const SERVED = [route("a", 1, "public-1"), route("b", 2, "public-2"), route("c", 3, "gw-01"), route("d", 4, "gw-02"), route("e", 5, "gw-03")];
const KEPT = { a: "public-1", b: "public-2", c: "gw-01", d: "gw-02", e: "gw-03" };

describe("lowering autoscale.maxMembers", () => {
  const cases: { name: string; routes: PlacementRoute[]; maxMembers: number; expected: Record<string, string> }[] = [
    { name: "keeps a route on an autoscaled member numbered above the new maxMembers", routes: SERVED, maxMembers: 2, expected: KEPT },
    { name: "keeps every autoscaled member in use when maxMembers is lowered to 1", routes: SERVED, maxMembers: 1, expected: KEPT },
    {
      name: "does not move a route off gw-03 to a configured member that has room again (no unasked rebalance)",
      routes: SERVED.filter((r) => r.routeRef !== "team-a/a"),
      maxMembers: 2,
      expected: { b: "public-2", c: "gw-01", d: "gw-02", e: "gw-03" },
    },
    {
      name: "adds no member while as many as maxMembers are in use: a new route is EdgePoolFull, counting the members held above it",
      routes: [...SERVED, route("f", 6)],
      maxMembers: 2,
      expected: {
        ...KEPT,
        f: "full: public-1: listeners 1/1; public-2: listeners 1/1; gw-01: listeners 1/1; gw-02: listeners 1/1; gw-03: listeners 1/1; autoscale: maxMembers reached (3/2 autoscaled members in use)",
      },
    },
    {
      name: "grows again within maxMembers once fewer are in use, taking the lowest free number",
      routes: [route("a", 1, "public-1"), route("b", 2, "public-2"), route("e", 5, "gw-03"), route("f", 6)],
      maxMembers: 2,
      expected: { a: "public-1", b: "public-2", e: "gw-03", f: "gw-01" },
    },
  ];
  for (const c of cases) {
    test(c.name, () => {
      assert.deepEqual(summary(place(c.routes, c.maxMembers)), c.expected);
    });
  }

  test("the route's member stays its member for DNS and certificates, and the member's gateway record stays published", () => {
    const lowered = config(2);
    const served = poolRoute("e", "e.example.com", 5, { edge: "gw-03" });
    assert.equal(placedMember(served, lowered)?.name, "gw-03");
    assert.deepEqual(
      publishedTwoStepMembers(lowered, [served]).map((t) => t.gatewayHostname),
      ["gw-03.gw.example.com"],
    );
  });

  test("a member's gateway name above maxMembers stays reserved: no route may publish a record there", () => {
    assert.equal(reservedName("gw-03.gw.example.com", config(2))?.member, "gw-03");
  });

  test("a changed prefix is a member gone from the config: its routes are placed again, as for a removed member", () => {
    const renamed = config(3);
    const autoscale = { ...renamed.loadBalancers["alb-out"].autoscale!, prefix: "edge" };
    const edgePrefix: PlatformConfig = {
      ...renamed,
      loadBalancers: { ...renamed.loadBalancers, "alb-out": { ...renamed.loadBalancers["alb-out"], autoscale } },
    };
    assert.equal(placedMember(poolRoute("e", "e.example.com", 5, { edge: "gw-03" }), edgePrefix), undefined);
    assert.deepEqual(summary(planPlacement([route("e", 5, "gw-03")], allPoolMembers(edgePrefix), poolGrowths(edgePrefix))), { e: "public-1" });
  });
});

/** Each route as the status its placement is written to: what the next pass reads. */
const persisted = (routes: readonly PlacementRoute[], placements: ReadonlyMap<string, Placement>): PlacementRoute[] =>
  routes.map((r) => {
    const p = placements.get(r.routeRef);
    return p?.kind === "placed" ? { ...r, current: { loadBalancer: p.lbClass, member: p.member } } : r;
  });

const autoscaledInUse = (placements: ReadonlyMap<string, Placement>) =>
  new Set([...placements.values()].flatMap((p) => (p.kind === "placed" && /^gw-[0-9]{2}$/.test(p.member) ? [p.member] : [])));

test("over passes with maxMembers lowered, a placed route keeps its member, growth stops at maxMembers, and each pass is a fixed point", () => {
  const arbitrary = fc.record({
    routes: fc.integer({ min: 1, max: 12 }),
    deleted: fc.array(fc.nat(11), { maxLength: 4 }),
    added: fc.integer({ min: 0, max: 4 }),
    before: fc.integer({ min: 1, max: 8 }),
    after: fc.integer({ min: 1, max: 8 }),
  });
  fc.assert(
    fc.property(arbitrary, ({ routes, deleted, added, before, after }) => {
      const lowered = Math.min(before, after);
      const first = Array.from({ length: routes }, (_, i) => route(`r${String(i).padStart(2, "0")}`, i));
      const placed = persisted(first, place(first, before));
      // Some routes leave, new ones arrive, and maxMembers is lowered (or kept).
      const kept = placed.filter((_, i) => !deleted.includes(i));
      const next = [...kept, ...Array.from({ length: added }, (_, i) => route(`new${i}`, 30 + i))];
      const inUseBefore = new Set(kept.flatMap((r) => (r.current?.member.startsWith("gw-") ? [r.current.member] : [])));
      const placements = place(next, lowered);
      for (const r of kept) if (r.current !== undefined) assert.equal(shown(placements.get(r.routeRef)), r.current.member, r.routeRef);
      assert.ok(autoscaledInUse(placements).size <= Math.max(lowered, inUseBefore.size), "growth past maxMembers");
      const again = place(persisted(next, placements), lowered);
      assert.deepEqual(summary(again), summary(placements), "placing the placed again changes nothing");
    }),
    { numRuns: 300 },
  );
});
