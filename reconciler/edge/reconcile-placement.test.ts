// The pool controller's pass (reconcile-placement.ts): from the routes and
// claims in the cache to the outcome board the route controller reads.
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { silentLogger } from "../../core/logger.ts";
import type { KubeObject } from "../../core/kube/object-key.ts";
import type { DomainClaim, DomainRoute } from "../../crds/types.ts";
import type { ObjectReader } from "../cluster/object-reader.ts";
import { DOMAIN_CLAIMS, DOMAIN_ROUTES } from "../resources.ts";
import { EdgeOutcomes } from "./edge-outcomes.ts";
import type { EdgeOutcome } from "./edge-outcomes.ts";
import { placementOutcomes, reconcilePlacement } from "./reconcile-placement.ts";
import { autoscalingPoolConfig, claimFor, gatewayApiPoolConfig, poolConfig, poolRoute } from "./testing/pool-config.ts";

function reader(routes: readonly DomainRoute[], claims: readonly DomainClaim[]): ObjectReader {
  const lists = new Map<string, KubeObject[]>([
    [DOMAIN_ROUTES.resource, routes as unknown as KubeObject[]],
    [DOMAIN_CLAIMS.resource, claims as unknown as KubeObject[]],
  ]);
  return { get: () => undefined, list: (resource) => lists.get(resource.resource) ?? [] };
}

/** `member`, `member refused X`, or `full: limits` per route name. */
function summary(outcomes: ReadonlyMap<string, EdgeOutcome>): Record<string, string> {
  return Object.fromEntries(
    [...outcomes].map(([ref, o]) => [
      ref.slice("team-a/".length),
      o.kind === "full" ? `full: ${o.limits}` : `${o.edge.member}${o.refusedMove === undefined ? "" : ` refused ${o.refusedMove.member}`}`,
    ]),
  );
}

describe("the pool controller's pass", () => {
  test("routes holding their claim are placed first fit; a shared wildcard takes one certificate slot per member", () => {
    const routes = [poolRoute("a", "a.example.com", 1), poolRoute("b", "b.example.com", 2), poolRoute("c", "api.team-c.example.com", 3)];
    const outcomes = placementOutcomes(routes, routes.map(claimFor), poolConfig({ certificates: 1 }));
    assert.deepEqual(summary(outcomes), { a: "public-1", b: "public-1", c: "public-2" });
    assert.deepEqual(outcomes.get("team-a/a"), {
      kind: "placed",
      uid: "uid-a",
      edge: { loadBalancer: "alb-out", member: "public-1", target: "public-1.us-east-1.elb.amazonaws.com" },
    });
  });

  test("a route without its claim, or being deleted, is not placed and takes no room", () => {
    const deleting = poolRoute("gone", "gone.example.com", 0, { edge: "public-1", deleting: true });
    const unclaimed = poolRoute("late", "late.team-z.example.com", 0);
    const fresh = poolRoute("new", "api.team-n.example.com", 5);
    const outcomes = placementOutcomes([deleting, unclaimed, fresh], [claimFor(deleting), claimFor(fresh)], poolConfig({ certificates: 1 }));
    assert.deepEqual(summary(outcomes), { new: "public-1" });
  });

  test("a full pool is an outcome naming each member's limit", () => {
    const routes = [
      poolRoute("a", "a.team-a.example.com", 1, { edge: "public-1" }),
      poolRoute("b", "b.team-b.example.com", 2, { edge: "public-2" }),
      poolRoute("c", "c.team-c.example.com", 3),
    ];
    const outcomes = placementOutcomes(routes, routes.map(claimFor), poolConfig({ certificates: 1 }));
    assert.deepEqual(outcomes.get("team-a/c"), {
      kind: "full",
      uid: "uid-c",
      loadBalancer: "alb-out",
      limits: "public-1: certificates 1/1; public-2: certificates 1/1",
    });
  });

  test("a move annotation moves a placed route to a member with room, and a refused one says so", () => {
    const routes = [
      poolRoute("a", "a.team-a.example.com", 1, { edge: "public-1", annotation: "public-2" }),
      poolRoute("b", "b.team-b.example.com", 2, { edge: "public-1", annotation: "public-9" }),
    ];
    assert.deepEqual(summary(placementOutcomes(routes, routes.map(claimFor), poolConfig())), { a: "public-2", b: "public-1 refused public-9" });
  });

  test("a restart (a new board) recomputes the same placement from the routes' status", () => {
    const config = poolConfig({ certificates: 1 });
    const fresh = [poolRoute("a", "a.team-a.example.com", 1), poolRoute("b", "b.team-b.example.com", 2), poolRoute("c", "c.example.com", 3)];
    const first = placementOutcomes(fresh, fresh.map(claimFor), config);
    const persisted = fresh.map((r) => {
      const o = first.get(`team-a/${r.metadata.name}`);
      return o?.kind === "placed" ? { ...r, status: { edge: o.edge } } : r;
    });
    const board = new EdgeOutcomes();
    reconcilePlacement({ reader: reader(persisted, persisted.map(claimFor)), config, outcomes: board, logger: silentLogger });
    for (const ref of first.keys()) assert.deepEqual(board.lookup(ref), { known: true, outcome: first.get(ref) });
  });

  test("a pass publishes the outcomes and names the routes whose outcome changed; a second pass changes none", () => {
    const routes = [poolRoute("a", "a.example.com", 1), poolRoute("b", "b.example.com", 2)];
    const board = new EdgeOutcomes();
    const deps = { reader: reader(routes, routes.map(claimFor)), config: poolConfig(), outcomes: board, logger: silentLogger };
    assert.deepEqual(board.lookup("team-a/a"), { known: false });
    assert.deepEqual(reconcilePlacement(deps).changed, ["team-a/a", "team-a/b"]);
    assert.deepEqual(reconcilePlacement(deps).changed, []);
  });

  test("a placement published but not yet in the route's status stands: an older route whose claim comes later does not take its place", () => {
    const config = poolConfig({ certificates: 1 });
    const board = new EdgeOutcomes();
    const young = poolRoute("young", "young.team-y.example.com", 5);
    const old = poolRoute("old", "old.team-o.example.com", 1);
    reconcilePlacement({ reader: reader([young, old], [claimFor(young)]), config, outcomes: board, logger: silentLogger });
    assert.equal((board.lookup("team-a/young") as { outcome: { edge: { member: string } } }).outcome.edge.member, "public-1");
    // The old route's claim arrives before young's status.edge is written (or before the cache shows it).
    const changed = reconcilePlacement({
      reader: reader([young, old], [claimFor(young), claimFor(old)]),
      config,
      outcomes: board,
      logger: silentLogger,
    }).changed;
    assert.deepEqual(changed, ["team-a/old"], "young keeps public-1");
    assert.deepEqual(summary(new Map([["team-a/old", (board.lookup("team-a/old") as { outcome: EdgeOutcome }).outcome]])), { old: "public-2" });
  });
  test("a move published but not yet in the route's status stands when the annotation is removed meanwhile: the route is not moved back unasked", () => {
    const config = poolConfig();
    const board = new EdgeOutcomes();
    const asking = poolRoute("a", "a.team-a.example.com", 1, { edge: "public-1", annotation: "public-2" });
    reconcilePlacement({ reader: reader([asking], [claimFor(asking)]), config, outcomes: board, logger: silentLogger });
    // The annotation goes before the cache shows status.edge public-2 (the route controller may already have written it, and its records).
    const stale = poolRoute("a", "a.team-a.example.com", 1, { edge: "public-1" });
    assert.deepEqual(reconcilePlacement({ reader: reader([stale], [claimFor(stale)]), config, outcomes: board, logger: silentLogger }).changed, []);
    assert.deepEqual(summary(new Map([["team-a/a", (board.lookup("team-a/a") as { outcome: EdgeOutcome }).outcome]])), { a: "public-2" });
  });

  test("the Gateway API data plane: a member Gateway holding 64 listeners takes no more routes, the next member does", () => {
    const config = gatewayApiPoolConfig("envoy-gateway", "none");
    const held = Array.from({ length: 64 }, (_, i) => poolRoute(`r${String(i).padStart(2, "0")}`, `r${i}.example.com`, 1, { edge: "public-1" }));
    const fresh = poolRoute("new", "new.example.com", 2);
    const outcomes = placementOutcomes([...held, fresh], [...held, fresh].map(claimFor), config);
    assert.equal(summary(outcomes).new, "public-2");
  });

  test("growth: a route no member has room for goes to gw-01, published at its own gateway hostname, then gw-02", () => {
    const config = autoscalingPoolConfig(2, { listeners: 1 });
    const routes = [1, 2, 3, 4].map((n) => poolRoute(`r${n}`, `r${n}.example.com`, n));
    const outcomes = placementOutcomes(routes, routes.map(claimFor), config);
    assert.deepEqual(summary(outcomes), { r1: "public-1", r2: "public-2", r3: "gw-01", r4: "gw-02" });
    assert.deepEqual(outcomes.get("team-a/r3"), {
      kind: "placed",
      uid: "uid-r3",
      edge: { loadBalancer: "alb-out", member: "gw-01", target: "gw-01.gw.example.com" },
    });
  });

  test("growth limit reached: EdgePoolFull names maxMembers", () => {
    const config = autoscalingPoolConfig(1, { listeners: 1 });
    const routes = [1, 2, 3, 4].map((n) => poolRoute(`r${n}`, `r${n}.example.com`, n));
    const full = "full: public-1: listeners 1/1; public-2: listeners 1/1; gw-01: listeners 1/1; autoscale: maxMembers reached (1/1 autoscaled members in use)";
    assert.equal(summary(placementOutcomes(routes, routes.map(claimFor), config)).r4, full);
  });

  test("a restart adds no member: the grown members are in use again from the routes' status, and a deletion renumbers nothing", () => {
    const config = autoscalingPoolConfig(3, { listeners: 1 });
    const routes = [1, 2, 3, 4, 5].map((n) => poolRoute(`r${n}`, `r${n}.example.com`, n));
    const first = placementOutcomes(routes, routes.map(claimFor), config);
    const persisted = routes.map((r) => {
      const o = first.get(`team-a/${r.metadata.name}`);
      return o?.kind === "placed" ? { ...r, status: { edge: o.edge } } : r;
    });
    assert.deepEqual(summary(placementOutcomes(persisted, persisted.map(claimFor), config)), summary(first));
    const left = persisted.filter((r) => r.metadata.name !== "r4");
    const fresh = poolRoute("r6", "r6.example.com", 6);
    const after = placementOutcomes([...left, fresh], [...left, fresh].map(claimFor), config);
    assert.deepEqual(summary(after), { r1: "public-1", r2: "public-2", r3: "gw-01", r5: "gw-03", r6: "gw-02" });
  });

  test("a move annotation may name an autoscaled member in use", () => {
    const config = autoscalingPoolConfig(3, { listeners: 2 });
    const routes = [
      poolRoute("a", "a.example.com", 1, { edge: "public-1", annotation: "gw-01" }),
      { ...poolRoute("b", "b.example.com", 2), status: { edge: { loadBalancer: "alb-out", member: "gw-01", target: "gw-01.gw.example.com" } } },
    ];
    assert.deepEqual(summary(placementOutcomes(routes, routes.map(claimFor), config)), { a: "gw-01", b: "gw-01" });
  });

  test("growth is logged once, naming the members added; the next pass logs nothing", () => {
    const config = autoscalingPoolConfig(2, { listeners: 1 });
    const routes = [1, 2, 3].map((n) => poolRoute(`r${n}`, `r${n}.example.com`, n));
    const logged: { fields: Record<string, unknown>; message: string }[] = [];
    const logger = { ...silentLogger, info: (fields: Record<string, unknown>, message: string) => logged.push({ fields, message }) };
    const deps = { reader: reader(routes, routes.map(claimFor)), config, outcomes: new EdgeOutcomes(), logger };
    reconcilePlacement(deps);
    reconcilePlacement(deps);
    assert.deepEqual(logged, [{ fields: { members: ["alb-out/gw-01"] }, message: "load balancer pool grew: autoscaled members added (autoscale)" }]);
  });
});
