// Properties of pool placement (plan-placement.ts) over random pools and
// routes: new placements never take a member over its capacity, an existing
// placement changes only when its annotation asks, and the input order does
// not matter.
import { test } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import type { LoadBalancerName } from "../../core/config/platform-config.ts";
import type { Placement, PlacementMember, PlacementRoute } from "./plan-placement.ts";
import { planPlacement } from "./plan-placement.ts";
import { EDGE_KINDS } from "./route-needs.ts";
import type { EdgeKind } from "./route-needs.ts";

const NAMES = ["m1", "m2", "m3", "i1", "i2", "gone"];
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
    })
    .map(({ lbClass, minute, current, requested, certificates, rules, targetGroups }): PlacementRoute => {
      const routeRef = `team-a/r${index}`;
      const keys = (n: number, kind: string) => Array.from({ length: n }, (_, i) => `${routeRef}/${kind}/${i}`);
      return {
        routeRef,
        lbClass,
        createdAt: `2026-01-01T00:0${minute}:00Z`,
        needs: { certificates, rules: keys(rules, "rule"), targetGroups: keys(targetGroups, "tg") },
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
