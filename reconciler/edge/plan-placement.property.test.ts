// Properties of pool placement (plan-placement.ts) over random pools and
// routes: new placements never take a member over its capacity, an existing
// placement changes only when its annotation asks, and the input order does
// not matter; with growth (autoscale) as well: grown members are never over
// their capacity, no more than maxMembers are in use, and placing the placed
// again changes nothing (a restart adds no member).
import { test } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import type { LoadBalancerName } from "../../core/config/platform-config.ts";
import type { Placement, PlacementMember, PlacementRoute, PoolGrowth, PoolGrowths } from "./plan-placement.ts";
import { planPlacement } from "./plan-placement.ts";
import { EDGE_KINDS } from "./route-needs.ts";
import type { EdgeKind } from "./route-needs.ts";

const NAMES = ["m1", "m2", "m3", "i1", "i2", "gone", "g-01", "g-02", "g-03", "g-04"];
const CLASSES: readonly LoadBalancerName[] = ["alb-out", "alb-in"];

const capacity = fc.record({ certificates: fc.nat(3), rules: fc.nat(4), targetGroups: fc.nat(4), listeners: fc.nat(4) });
const members: fc.Arbitrary<PlacementMember[]> = fc
  .tuple(fc.array(capacity, { minLength: 1, maxLength: 3 }), fc.array(capacity, { minLength: 1, maxLength: 2 }))
  .map(([out, inn]) => [
    ...out.map((c, i) => ({ lbClass: "alb-out" as const, name: `m${i + 1}`, capacity: c })),
    ...inn.map((c, i) => ({ lbClass: "alb-in" as const, name: `i${i + 1}`, capacity: c })),
  ]);

const route = (index: number) =>
  fc
    .record({
      lbClass: fc.constantFrom(...CLASSES),
      minute: fc.nat(5),
      current: fc.option(fc.record({ loadBalancer: fc.constantFrom(...CLASSES), member: fc.constantFrom(...NAMES) }), { nil: undefined }),
      requested: fc.option(fc.constantFrom(...NAMES), { nil: undefined, freq: 3 }),
      certificates: fc.subarray(["*.a.example.com", "*.b.example.com", "*.c.example.com", "*.example.com"]),
      rules: fc.nat(2),
      targetGroups: fc.nat(2),
      listeners: fc.nat(1),
    })
    .map(({ lbClass, minute, current, requested, certificates, rules, targetGroups, listeners }): PlacementRoute => {
      const routeRef = `team-a/r${index}`;
      const keys = (n: number, kind: string) => Array.from({ length: n }, (_, i) => `${routeRef}/${kind}/${i}`);
      return {
        routeRef,
        lbClass,
        createdAt: `2026-01-01T00:0${minute}:00Z`,
        needs: { certificates, rules: keys(rules, "rule"), targetGroups: keys(targetGroups, "tg"), listeners: keys(listeners, "listener") },
        ...(current === undefined ? {} : { current }),
        ...(requested === undefined ? {} : { requested }),
      };
    });
const routes = fc.integer({ min: 0, max: 14 }).chain((n) => fc.tuple(...Array.from({ length: n }, (_, i) => route(i))));

const memberOf = (p: Placement | undefined) => (p?.kind === "placed" ? p.member : undefined);
const keptOn = (r: PlacementRoute, pool: readonly PlacementMember[]) =>
  r.current !== undefined && r.current.loadBalancer === r.lbClass && pool.some((m) => m.lbClass === r.lbClass && m.name === r.current!.member)
    ? r.current.member
    : undefined;

function size(rs: readonly PlacementRoute[], kind: EdgeKind): number {
  return new Set(rs.flatMap((r) => r.needs[kind])).size;
}

test("no member is taken over its capacity by a new placement or a move", () => {
  fc.assert(
    fc.property(members, routes, (pool, rs) => {
      const placements = planPlacement(rs, pool);
      for (const m of pool) {
        const before = rs.filter((r) => r.lbClass === m.lbClass && keptOn(r, pool) === m.name);
        const after = rs.filter((r) => r.lbClass === m.lbClass && memberOf(placements.get(r.routeRef)) === m.name);
        for (const kind of EDGE_KINDS) assert.ok(size(after, kind) <= Math.max(m.capacity[kind], size(before, kind)), `${m.name} ${kind}`);
      }
    }),
    { numRuns: 400 },
  );
});

test("an existing placement never changes without an annotation asking for another member", () => {
  fc.assert(
    fc.property(members, routes, (pool, rs) => {
      const placements = planPlacement(rs, pool);
      for (const r of rs) {
        const kept = keptOn(r, pool);
        if (kept === undefined) continue;
        const p = placements.get(r.routeRef)!;
        assert.equal(p.kind, "placed");
        if (r.requested === undefined || r.requested === kept) assert.equal(memberOf(p), kept);
        else assert.ok(memberOf(p) === r.requested || (memberOf(p) === kept && p.kind === "placed" && p.refusedMove?.member === r.requested));
      }
    }),
    { numRuns: 400 },
  );
});

test("every route gets a placement in its own class, whatever order the routes come in", () => {
  fc.assert(
    fc.property(members, routes, (pool, rs) => {
      const placements = planPlacement(rs, pool);
      assert.deepEqual([...planPlacement([...rs].reverse(), pool)].sort(), [...placements].sort());
      for (const r of rs) {
        const p = placements.get(r.routeRef)!;
        assert.equal(p.lbClass, r.lbClass);
        if (p.kind === "placed") assert.ok(pool.some((m) => m.lbClass === r.lbClass && m.name === p.member));
      }
    }),
    { numRuns: 300 },
  );
});

/** alb-out grows `g-NN` members (each class's own names would do; one class is enough to exercise it) up to maxMembers. */
const growth: fc.Arbitrary<{ pool: PlacementMember[]; growths: PoolGrowths; autoscaled: PlacementMember[] }> = fc
  .tuple(members, capacity, fc.nat(4))
  .map(([pool, grown, maxMembers]) => {
    const autoscaled = Array.from({ length: maxMembers }, (_, i) => ({ lbClass: "alb-out" as const, name: `g-0${i + 1}`, capacity: grown }));
    const alb: PoolGrowth = {
      maxMembers,
      member: (index) => autoscaled[index - 1],
      indexOf: (name) => {
        const index = autoscaled.findIndex((m) => m.name === name);
        return index < 0 ? undefined : index + 1;
      },
    };
    return { pool, growths: { "alb-out": alb }, autoscaled };
  });

/** Each route as the status written from its placement: what the next pass (or a restarted reconciler) reads. */
const persisted = (rs: readonly PlacementRoute[], placements: ReadonlyMap<string, Placement>): PlacementRoute[] =>
  rs.map((r) => {
    const p = placements.get(r.routeRef);
    return p?.kind === "placed" ? { ...r, current: { loadBalancer: p.lbClass, member: p.member } } : r;
  });

test("growing, no member (configured or autoscaled) is taken over its capacity, and at most maxMembers autoscaled ones are in use", () => {
  fc.assert(
    fc.property(growth, routes, ({ pool, growths, autoscaled }, rs) => {
      const placements = planPlacement(rs, pool, growths);
      const inUseBefore = new Set(rs.filter((r) => r.current?.loadBalancer === "alb-out").map((r) => r.current!.member));
      for (const m of [...pool, ...autoscaled]) {
        const before = rs.filter((r) => r.lbClass === m.lbClass && r.current?.loadBalancer === m.lbClass && r.current.member === m.name);
        const after = rs.filter((r) => r.lbClass === m.lbClass && memberOf(placements.get(r.routeRef)) === m.name);
        for (const kind of EDGE_KINDS) assert.ok(size(after, kind) <= Math.max(m.capacity[kind], size(before, kind)), `${m.name} ${kind}`);
      }
      const inUseAfter = new Set(
        [...placements.values()].flatMap((p) => (p.kind === "placed" && autoscaled.some((m) => m.name === p.member) ? [p.member] : [])),
      );
      const named = autoscaled.filter((m) => inUseBefore.has(m.name)).length;
      assert.ok(inUseAfter.size <= Math.max(growths["alb-out"]!.maxMembers, named));
    }),
    { numRuns: 400 },
  );
});

test("growing is deterministic and idempotent: any input order gives the same placement, and placing the placed again changes nothing", () => {
  fc.assert(
    fc.property(growth, routes, ({ pool, growths }, rs) => {
      const placements = planPlacement(rs, pool, growths);
      assert.deepEqual([...planPlacement([...rs].reverse(), pool, growths)].sort(), [...placements].sort());
      const placed = persisted(rs, placements);
      const again = planPlacement(placed, pool, growths);
      // Moves already made and refused ones stay as they were; every placed route keeps its member, full ones stay full
      // with the same message (the limits of the pool the whole pass left).
      for (const r of placed) {
        const first = placements.get(r.routeRef)!;
        const second = again.get(r.routeRef)!;
        if (first.kind === "placed") assert.equal(memberOf(second), first.member, r.routeRef);
        else assert.deepEqual(second, first, r.routeRef);
      }
    }),
    { numRuns: 400 },
  );
});
