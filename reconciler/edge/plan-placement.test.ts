// Placement in a load balancer pool (plan-placement.ts), with synthetic needs
// so each limit kind is exercised on its own.
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import type { EdgeCapacity } from "../../core/config/platform-config.ts";
import type { Placement, PlacementMember, PlacementRoute, PoolGrowths } from "./plan-placement.ts";
import { planPlacement } from "./plan-placement.ts";
import type { RouteNeeds } from "./route-needs.ts";
import { NO_NEEDS } from "./route-needs.ts";

const CAPACITY: EdgeCapacity = { certificates: 2, rules: 100, targetGroups: 100, listeners: 64 };
const member = (name: string, capacity: Partial<EdgeCapacity> = {}, lbClass: "alb-out" | "alb-in" = "alb-out"): PlacementMember => ({
  lbClass,
  name,
  capacity: { ...CAPACITY, ...capacity },
});
const POOL = [member("public-1"), member("public-2"), member("internal-1", {}, "alb-in")];

/** A certificate of its own (`*.<name>.example.com`) unless `needs` says otherwise. */
function r(
  name: string,
  minute: number,
  extra: Partial<Omit<PlacementRoute, "routeRef" | "createdAt" | "needs">> & { needs?: Partial<RouteNeeds> } = {},
): PlacementRoute {
  const { needs, ...rest } = extra;
  return {
    routeRef: `team-a/${name}`,
    lbClass: "alb-out",
    createdAt: `2026-01-01T00:${String(minute).padStart(2, "0")}:00Z`,
    needs: { ...NO_NEEDS, certificates: [`*.${name}.example.com`], ...needs },
    ...rest,
  };
}
const on = (member: string, lbClass = "alb-out") => ({ loadBalancer: lbClass, member });

/** `member` or `member (refused: why)` or `full: limits`, per route. */
function summary(placements: ReadonlyMap<string, Placement>): Record<string, string> {
  return Object.fromEntries(
    [...placements].map(([ref, p]) => [
      ref.slice("team-a/".length),
      p.kind === "full" ? `full: ${p.limits}` : p.refusedMove === undefined ? p.member : `${p.member} (refused ${p.refusedMove.member}: ${p.refusedMove.why})`,
    ]),
  );
}

/** Each route as the status the route controller writes from its placement: what the next pass reads. */
function persisted(routes: readonly PlacementRoute[], placements: ReadonlyMap<string, Placement>): PlacementRoute[] {
  return routes.map((route) => {
    const p = placements.get(route.routeRef);
    return p?.kind === "placed" ? { ...route, current: on(p.member, p.lbClass) } : route;
  });
}

const cases: { name: string; routes: PlacementRoute[]; members?: PlacementMember[]; expected: Record<string, string> }[] = [
  {
    name: "first fit: new routes fill the first member in config order, oldest first, then the next",
    routes: [r("c", 3), r("a", 1), r("b", 2)],
    expected: { a: "public-1", b: "public-1", c: "public-2" },
  },
  {
    name: "routes created at the same time are ordered by namespace/name",
    routes: [r("b", 1), r("a", 1), r("c", 1)],
    expected: { a: "public-1", b: "public-1", c: "public-2" },
  },
  {
    name: "each class places on its own members only",
    routes: [r("a", 1, { lbClass: "alb-in" }), r("b", 2)],
    expected: { a: "internal-1", b: "public-1" },
  },
  {
    name: "an existing placement is kept even when its member is over capacity, and new routes go elsewhere",
    routes: [r("a", 1, { current: on("public-1") }), r("b", 2, { current: on("public-1") }), r("c", 3, { current: on("public-1") }), r("d", 4)],
    expected: { a: "public-1", b: "public-1", c: "public-1", d: "public-2" },
  },
  {
    name: "an existing placement on a later member stays there though the first member has room",
    routes: [r("a", 1, { current: on("public-2") }), r("b", 2)],
    expected: { a: "public-2", b: "public-1" },
  },
  {
    name: "a deleted route frees room but nobody moves: a new route takes it",
    // c sat on public-2 because a and x filled public-1; x is gone now.
    routes: [r("a", 1, { current: on("public-1") }), r("c", 3, { current: on("public-2") }), r("d", 4)],
    expected: { a: "public-1", c: "public-2", d: "public-1" },
  },
  {
    name: "a shared wildcard counts once per member: routes on a wildcard the member holds fit a full member",
    routes: [
      r("a", 1, { needs: { certificates: ["*.example.com"] } }),
      r("b", 2, { needs: { certificates: ["*.team.example.com"] } }),
      r("c", 3, { needs: { certificates: ["*.example.com"] } }),
      r("d", 4, { needs: { certificates: ["*.team.example.com"] } }),
      r("e", 5),
    ],
    expected: { a: "public-1", b: "public-1", c: "public-1", d: "public-1", e: "public-2" },
  },
  {
    name: "the certificate limit: a member holding its capacity of certificates takes no route with a new one",
    members: [member("public-1", { certificates: 1 }), member("public-2")],
    routes: [r("a", 1), r("b", 2)],
    expected: { a: "public-1", b: "public-2" },
  },
  {
    name: "the rule limit: counted per route, whatever the certificates",
    members: [member("public-1", { rules: 3 }), member("public-2", { rules: 3 })],
    routes: [
      r("a", 1, { needs: { certificates: [], rules: ["a/1", "a/2"] } }),
      r("b", 2, { needs: { certificates: [], rules: ["b/1", "b/2"] } }),
      r("c", 3, { needs: { certificates: [], rules: ["c/1"] } }),
    ],
    expected: { a: "public-1", b: "public-2", c: "public-1" },
  },
  {
    name: "the target group limit: counted per route",
    members: [member("public-1", { targetGroups: 1 }), member("public-2", { targetGroups: 1 })],
    routes: [
      r("a", 1, { needs: { certificates: [], targetGroups: ["a/tg"] } }),
      r("b", 2, { needs: { certificates: [], targetGroups: ["b/tg"] } }),
      r("c", 3, { needs: { certificates: [], targetGroups: ["c/tg"] } }),
    ],
    expected: { a: "public-1", b: "public-2", c: "full: public-1: target groups 1/1; public-2: target groups 1/1" },
  },
  {
    name: "a route needing nothing fits any member, even a full one",
    members: [member("public-1", { certificates: 1 })],
    routes: [r("a", 1, { current: on("public-1") }), r("b", 2, { current: on("public-1") }), r("c", 3, { needs: NO_NEEDS })],
    expected: { a: "public-1", b: "public-1", c: "public-1" },
  },
  {
    name: "pool full: no member has room, and the limits hit are named per member",
    members: [member("public-1", { certificates: 1, rules: 1 }), member("public-2", { certificates: 1 })],
    routes: [r("a", 1, { needs: { rules: ["a/1"] } }), r("b", 2), r("c", 3, { needs: { rules: ["c/1"] } })],
    expected: { a: "public-1", b: "public-2", c: "full: public-1: certificates 1/1, rules 1/1; public-2: certificates 1/1" },
  },
  {
    name: "a full pool places later routes that still fit (first fit per route, not a queue)",
    members: [member("public-1", { certificates: 1 })],
    routes: [r("a", 1, { needs: { certificates: ["*.example.com"] } }), r("b", 2), r("c", 3, { needs: { certificates: ["*.example.com"] } })],
    expected: { a: "public-1", b: "full: public-1: certificates 1/1", c: "public-1" },
  },
  {
    name: "move accepted: the annotation names a member with room, and the route moves there",
    routes: [r("a", 1, { current: on("public-1"), requested: "public-2" }), r("b", 2, { current: on("public-1") })],
    expected: { a: "public-2", b: "public-1" },
  },
  {
    name: "move accepted onto a member already holding the route's wildcard, though it is at capacity",
    members: [member("public-1"), member("public-2", { certificates: 1 })],
    routes: [
      r("a", 1, { current: on("public-2"), needs: { certificates: ["*.example.com"] } }),
      r("b", 2, { current: on("public-1"), requested: "public-2", needs: { certificates: ["*.example.com"] } }),
    ],
    expected: { a: "public-2", b: "public-2" },
  },
  {
    name: "move refused: the member named has no room; the route stays and the limit is named",
    routes: [r("a", 1, { current: on("public-2") }), r("b", 2, { current: on("public-2") }), r("c", 3, { current: on("public-1"), requested: "public-2" })],
    expected: { a: "public-2", b: "public-2", c: "public-1 (refused public-2: public-2: certificates 2/2)" },
  },
  {
    name: "move refused: the annotation names no member of the route's class",
    routes: [r("a", 1, { current: on("public-1"), requested: "internal-1" })],
    expected: { a: "public-1 (refused internal-1: alb-out has no member internal-1 (its members: public-1, public-2))" },
  },
  {
    name: "an annotation naming the route's own member is simply satisfied",
    routes: [r("a", 1, { current: on("public-2"), requested: "public-2" })],
    expected: { a: "public-2" },
  },
  {
    name: "a new route with the annotation goes to the member it names when that has room",
    routes: [r("a", 1, { requested: "public-2" })],
    expected: { a: "public-2" },
  },
  {
    name: "a new route whose annotated member has no room is placed first fit, its request refused",
    members: [member("public-1"), member("public-2", { certificates: 0 })],
    routes: [r("a", 1, { requested: "public-2" })],
    expected: { a: "public-1 (refused public-2: public-2: certificates 0/0)" },
  },
  {
    name: "a moved route frees its old member for new routes",
    members: [member("public-1", { certificates: 1 }), member("public-2", { certificates: 1 })],
    routes: [r("a", 1, { current: on("public-1"), requested: "public-2" }), r("b", 2)],
    expected: { a: "public-2", b: "public-1" },
  },
  {
    name: "a moved route frees nothing of a wildcard another route on its old member still uses",
    members: [member("public-1", { certificates: 1 }), member("public-2", { certificates: 2 })],
    routes: [
      r("a", 1, { current: on("public-1"), requested: "public-2", needs: { certificates: ["*.shared.example.com"] } }),
      r("b", 2, { current: on("public-1"), needs: { certificates: ["*.shared.example.com"] } }),
      r("c", 3),
    ],
    expected: { a: "public-2", b: "public-1", c: "public-2" },
  },
  {
    name: "member removed from the config: its routes are placed again, first fit",
    routes: [r("a", 1, { current: on("public-3") }), r("b", 2, { current: on("public-1") })],
    expected: { a: "public-1", b: "public-1" },
  },
  {
    name: "spec.lb changed: the route is placed again in its new class",
    routes: [r("a", 1, { current: on("public-1"), lbClass: "alb-in" })],
    expected: { a: "internal-1" },
  },
];

describe("placing routes in a load balancer pool", () => {
  for (const c of cases) {
    test(c.name, () => {
      assert.deepEqual(summary(planPlacement(c.routes, c.members ?? POOL)), c.expected);
    });
  }

  test("stability across a restart: recomputing from the routes' status gives the same placement", () => {
    const routes = [r("a", 1), r("b", 2), r("c", 3), r("d", 4, { lbClass: "alb-in" }), r("e", 5)];
    const first = planPlacement(routes, POOL);
    const again = planPlacement(persisted(routes, first), POOL);
    assert.deepEqual(summary(again), summary(first));
  });

  test("stability across deletions: the routes left keep their members", () => {
    const routes = [r("a", 1), r("b", 2), r("c", 3), r("e", 5)];
    const placed = persisted(routes, planPlacement(routes, POOL));
    const after = planPlacement(
      placed.filter((route) => route.routeRef !== "team-a/a"),
      POOL,
    );
    assert.deepEqual(summary(after), { b: "public-1", c: "public-2", e: "public-2" });
  });

  test("moves that make room for each other happen in one pass, so the next pass changes nothing (idempotent)", () => {
    // a (older) asks for public-2, full until b (younger) leaves it for public-1.
    const routes = [
      r("a", 1, { current: on("public-1"), requested: "public-2" }),
      r("b", 2, { current: on("public-2"), requested: "public-1" }),
      r("c", 3, { current: on("public-2") }),
    ];
    const members = [member("public-1"), member("public-2")];
    const first = planPlacement(routes, members);
    assert.deepEqual(summary(first), { a: "public-2", b: "public-1", c: "public-2" });
    assert.deepEqual(summary(planPlacement(persisted(routes, first), members)), summary(first));
  });

  test("routes whose creationTimestamp does not parse are placed by name, whatever order they come in (deterministic)", () => {
    const routes = [
      { ...r("b", 1), createdAt: "not a time" },
      { ...r("a", 2), createdAt: "yesterday" },
      { ...r("c", 3), createdAt: "" },
    ];
    const members = [member("public-1", { certificates: 1 }), member("public-2", { certificates: 1 }), member("public-3", { certificates: 1 })];
    const expected = { a: "public-1", b: "public-2", c: "public-3" };
    assert.deepEqual(summary(planPlacement(routes, members)), expected);
    assert.deepEqual(summary(planPlacement([...routes].reverse(), members)), expected);
  });

  test("placing the placed changes nothing (idempotent), whatever order the routes come in", () => {
    const routes = [
      r("a", 1),
      r("b", 2, { current: on("public-2"), requested: "public-1" }),
      r("c", 3, { current: on("public-1"), requested: "internal-1" }),
      r("d", 4, { current: on("gone") }),
      r("e", 5, { lbClass: "alb-in" }),
      r("f", 6),
      r("g", 7),
    ];
    const first = planPlacement(routes, POOL);
    const placed = persisted(routes, first);
    assert.deepEqual(summary(planPlacement(placed, POOL)), summary(first));
    assert.deepEqual(summary(planPlacement([...placed].reverse(), POOL)), summary(first));
  });
});

/** alb-out grows `edge-NN` members of `capacity` up to maxMembers (as edge-pool.ts autoscaledMember names them). */
function growing(maxMembers: number, capacity: Partial<EdgeCapacity> = {}): PoolGrowths {
  const member = (index: number): PlacementMember | undefined =>
    index >= 1 && index <= maxMembers
      ? { lbClass: "alb-out", name: `edge-${String(index).padStart(2, "0")}`, capacity: { ...CAPACITY, ...capacity } }
      : undefined;
  const indexOf = (name: string): number | undefined => {
    const match = /^edge-([0-9]{2})$/.exec(name);
    const index = match === null ? undefined : Number(match[1]);
    return index !== undefined && index >= 1 && index <= maxMembers ? index : undefined;
  };
  return { "alb-out": { maxMembers, member, indexOf } };
}

/** Synthetic Gateway API needs: one listener (the domain) and nothing else. */
const listener = (name: string, minute: number, extra: Parameters<typeof r>[2] = {}) =>
  r(name, minute, { ...extra, needs: { certificates: [], listeners: [`${name}.example.com`], ...extra.needs } });

const growthCases: { name: string; routes: PlacementRoute[]; members?: PlacementMember[]; growth: PoolGrowths; expected: Record<string, string> }[] = [
  {
    name: "the listener limit: a member Gateway holding its 64 listeners takes no other route",
    members: [member("public-1"), member("public-2")],
    routes: [...Array.from({ length: 64 }, (_, i) => listener(`r${String(i).padStart(2, "0")}`, 1, { current: on("public-1") })), listener("new", 2)],
    growth: {},
    expected: { ...Object.fromEntries(Array.from({ length: 64 }, (_, i) => [`r${String(i).padStart(2, "0")}`, "public-1"])), new: "public-2" },
  },
  {
    name: "growth: when no member has room, the next autoscaled member (01, then 02) is added and the route placed there",
    members: [member("public-1", { listeners: 1 })],
    routes: [listener("a", 1), listener("b", 2), listener("c", 3), listener("d", 4)],
    growth: growing(3, { listeners: 2 }),
    expected: { a: "public-1", b: "edge-01", c: "edge-01", d: "edge-02" },
  },
  {
    name: "growth comes after the members that have room: configured members first, then autoscaled ones by number",
    members: [member("public-1", { listeners: 1 }), member("public-2", { listeners: 1 })],
    routes: [listener("a", 1, { current: on("edge-01") }), listener("b", 2), listener("c", 3)],
    growth: growing(3, { listeners: 2 }),
    expected: { a: "edge-01", b: "public-1", c: "public-2" },
  },
  {
    name: "the next autoscaled member is numbered after the highest in use: a deleted route's member is not renumbered",
    members: [member("public-1", { listeners: 0 })],
    // edge-01's routes were deleted; edge-02 is full.
    routes: [listener("b", 2, { current: on("edge-02") }), listener("c", 3)],
    growth: growing(5, { listeners: 1 }),
    expected: { b: "edge-02", c: "edge-03" },
  },
  {
    name: "past maxMembers the lowest free number is taken again",
    members: [member("public-1", { listeners: 0 })],
    routes: [listener("b", 2, { current: on("edge-02") }), listener("c", 3)],
    growth: growing(2, { listeners: 1 }),
    expected: { b: "edge-02", c: "edge-01" },
  },
  {
    name: "growth limit reached: maxMembers autoscaled members in use and none with room is EdgePoolFull, naming maxMembers",
    members: [member("public-1", { listeners: 1 })],
    routes: [listener("a", 1), listener("b", 2), listener("c", 3)],
    growth: growing(1, { listeners: 1 }),
    expected: {
      a: "public-1",
      b: "edge-01",
      c: "full: public-1: listeners 1/1; edge-01: listeners 1/1; autoscale: maxMembers reached (1/1 autoscaled members in use)",
    },
  },
  {
    name: "a route a new member could not take either is EdgePoolFull, and no member is added for it",
    members: [member("public-1", { listeners: 0 })],
    routes: [listener("a", 1)],
    growth: growing(2, { listeners: 0 }),
    expected: { a: "full: public-1: listeners 0/0; autoscale: a new member edge-01 could not take it either (listeners 0/0)" },
  },
  {
    name: "a move annotation may name an autoscaled member in use, which takes the route when it has room",
    members: [member("public-1")],
    routes: [listener("a", 1, { current: on("public-1"), requested: "edge-01" }), listener("b", 2, { current: on("edge-01") })],
    growth: growing(2),
    expected: { a: "edge-01", b: "edge-01" },
  },
  {
    name: "a move annotation naming an autoscaled member not in use is refused: a move adds no member",
    members: [member("public-1")],
    routes: [listener("a", 1, { current: on("public-1"), requested: "edge-02" })],
    growth: growing(2),
    expected: {
      a: "public-1 (refused edge-02: alb-out has no member edge-02 in use: an autoscaled member exists only while routes are placed on it (its members: public-1))",
    },
  },
  {
    name: "a route whose spec.lb changed holds nothing in its old class: the autoscaled member it was on there is not in use",
    members: [member("public-1", { listeners: 0 }), member("internal-1", {}, "alb-in")],
    routes: [listener("moved", 1, { lbClass: "alb-in", current: on("edge-01") }), listener("a", 2)],
    growth: growing(1, { listeners: 0 }),
    expected: { moved: "internal-1", a: "full: public-1: listeners 0/0; autoscale: a new member edge-01 could not take it either (listeners 0/0)" },
  },
  {
    name: "a class that does not grow ignores status naming an autoscaled-looking member: the route is placed again",
    members: [member("public-1")],
    routes: [listener("a", 1, { current: on("edge-01") })],
    growth: {},
    expected: { a: "public-1" },
  },
];

describe("growing a load balancer pool (autoscale)", () => {
  for (const c of growthCases) {
    test(c.name, () => {
      assert.deepEqual(summary(planPlacement(c.routes, c.members ?? POOL, c.growth)), c.expected);
    });
  }

  test("a restart adds nothing: recomputing from the status the grown placement was written to places the same", () => {
    const members = [member("public-1", { listeners: 1 })];
    const routes = [listener("a", 1), listener("b", 2), listener("c", 3), listener("d", 4)];
    const first = planPlacement(routes, members, growing(3, { listeners: 2 }));
    const again = planPlacement(persisted(routes, first), members, growing(3, { listeners: 2 }));
    assert.deepEqual(summary(again), { a: "public-1", b: "edge-01", c: "edge-01", d: "edge-02" });
  });

  test("deletions renumber nothing: the routes left keep their autoscaled members", () => {
    const members = [member("public-1", { listeners: 1 })];
    const routes = [listener("a", 1), listener("b", 2), listener("c", 3), listener("d", 4)];
    const placed = persisted(routes, planPlacement(routes, members, growing(3, { listeners: 1 })));
    const left = placed.filter((route) => route.routeRef !== "team-a/b");
    assert.deepEqual(summary(planPlacement(left, members, growing(3, { listeners: 1 }))), { a: "public-1", c: "edge-02", d: "edge-03" });
  });

  test("a full route's message names the limits a younger route placed later in the same pass hits, so the next pass writes the same message", () => {
    // a (oldest) fits nowhere; b, younger, takes public-1's one listener in the same pass.
    const members = [member("public-1", { certificates: 1, listeners: 1 })];
    const routes = [listener("a", 1, { needs: { certificates: ["*.a.example.com", "*.a2.example.com"] } }), listener("b", 2, { needs: { certificates: [] } })];
    const growth = growing(1, { certificates: 1, listeners: 1 });
    const first = planPlacement(routes, members, growth);
    assert.deepEqual(summary(first), {
      a: "full: public-1: certificates 0/1, listeners 1/1; autoscale: a new member edge-01 could not take it either (certificates 0/1)",
      b: "public-1",
    });
    assert.deepEqual(summary(planPlacement(persisted(routes, first), members, growth)), summary(first));
  });

  test("a move that empties an autoscaled member frees it in the same pass, so the next pass writes a full route the same message", () => {
    // b moves off edge-01 (its annotation asks for public-1), leaving edge-01 empty: no longer in use, so free to grow again.
    const members = [member("public-1", { listeners: 1 })];
    const routes = [listener("a", 1), listener("b", 2, { current: on("edge-01"), requested: "public-1" })];
    const growth = growing(1, { listeners: 0 });
    const first = planPlacement(routes, members, growth);
    assert.deepEqual(summary(first), {
      a: "full: public-1: listeners 1/1; autoscale: a new member edge-01 could not take it either (listeners 0/0)",
      b: "public-1",
    });
    assert.deepEqual(summary(planPlacement(persisted(routes, first), members, growth)), summary(first));
  });

  test("a new route's request for a member grown later in the same pass is met in that pass, so the next changes nothing", () => {
    // a (oldest) asks for edge-01, which only b's growth adds.
    const members = [member("public-1", { listeners: 1 })];
    const routes = [listener("a", 1, { requested: "edge-01" }), listener("b", 2)];
    const first = planPlacement(routes, members, growing(2, { listeners: 2 }));
    assert.deepEqual(summary(first), { a: "edge-01", b: "edge-01" });
    assert.deepEqual(summary(planPlacement(persisted(routes, first), members, growing(2, { listeners: 2 }))), summary(first));
  });
});
