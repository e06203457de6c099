// status.edge and EdgePlaced as the route controller writes them from the pool
// controller's outcomes, and Ready summing them up. The outcomes are published
// by hand here, as the pool controller would (its own tests cover how it places).
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { CONDITION_TYPES } from "../../crds/types.ts";
import type { EdgeOutcome } from "../edge/edge-outcomes.ts";
import { EdgeOutcomes } from "../edge/edge-outcomes.ts";
import { poolConfig } from "../edge/testing/pool-config.ts";
import { DOMAIN_ROUTES } from "../resources.ts";
import { route, world } from "./testing/route-world.ts";
import type { World } from "./testing/route-world.ts";

const PUBLIC_2 = { loadBalancer: "alb-out", member: "public-2", target: "public-2.us-east-1.elb.amazonaws.com" };
/** status.edge as the route controller writes it: the placement, and the data plane serving it (gateway.provider, istio by default). */
const WRITTEN = { ...PUBLIC_2, dataPlane: "istio" };
// Certificates provider none: only the placement keeps the route from Ready.
const config = poolConfig({ certificates: 1 }, "none");

async function shop(): Promise<{ w: World; uid: string }> {
  const w = world({ config });
  await w.api.create(DOMAIN_ROUTES, route("shop", "shop.example.com", { lb: "alb-out" }));
  await w.reconcile("shop");
  return { w, uid: w.get("shop")!.metadata.uid! };
}

function publish(w: World, outcome: EdgeOutcome): void {
  w.edge.publish(new Map([["team-a/shop", outcome]]));
}

describe("a route's place in its load balancer pool, in its status", () => {
  test("a route on a pool is not Ready until the pool controller places it", async () => {
    const { w } = await shop();
    assert.equal(w.condition("shop", "EdgePlaced"), "Unknown PlacementPending");
    assert.equal(w.condition("shop", "Ready"), "False PlacementPending");
    assert.equal(w.get("shop")!.status!.edge, undefined);
  });

  const decided: { name: string; outcome: (uid: string) => EdgeOutcome; placed: string; ready: string; edge?: typeof WRITTEN; message?: RegExp }[] = [
    {
      name: "placed: status.edge names the member and its target, EdgePlaced True, Ready",
      outcome: (uid) => ({ kind: "placed", uid, edge: PUBLIC_2 }),
      placed: "True Placed",
      ready: "True Ready",
      edge: WRITTEN,
    },
    {
      name: "pool full: Ready False EdgePoolFull naming each member's limit, no status.edge",
      outcome: (uid) => ({ kind: "full", uid, loadBalancer: "alb-out", limits: "public-1: certificates 1/1; public-2: certificates 1/1" }),
      placed: "False EdgePoolFull",
      ready: "False EdgePoolFull",
      message: /EdgePlaced: no member of alb-out has room for the route \(public-1: certificates 1\/1; public-2: certificates 1\/1\)/,
    },
    {
      name: "a refused move keeps the route Ready on its member, EdgePlaced True MoveRefused",
      outcome: (uid) => ({ kind: "placed", uid, edge: PUBLIC_2, refusedMove: { member: "public-1", why: "public-1: certificates 1/1" } }),
      placed: "True MoveRefused",
      ready: "True Ready",
      edge: WRITTEN,
    },
  ];
  for (const c of decided) {
    test(c.name, async () => {
      const { w, uid } = await shop();
      publish(w, c.outcome(uid));
      await w.reconcile("shop");
      assert.equal(w.condition("shop", "EdgePlaced"), c.placed);
      assert.equal(w.condition("shop", "Ready"), c.ready);
      assert.deepEqual(w.get("shop")!.status!.edge, c.edge);
      if (c.message !== undefined) assert.match(w.message("shop", "Ready")!, c.message);
    });
  }

  test("a restarted reconciler, before the pool controller publishes, keeps status.edge and EdgePlaced and writes nothing", async () => {
    const { w, uid } = await shop();
    publish(w, { kind: "placed", uid, edge: PUBLIC_2 });
    await w.reconcile("shop");
    const before = w.get("shop")!.metadata.resourceVersion;
    w.deps.edgeOutcomes = new EdgeOutcomes();
    await w.reconcile("shop");
    assert.equal(w.get("shop")!.metadata.resourceVersion, before);
    assert.deepEqual(w.get("shop")!.status!.edge, WRITTEN);
  });

  test("the conditions are written in type order, EdgePlaced among them", async () => {
    const { w, uid } = await shop();
    publish(w, { kind: "placed", uid, edge: PUBLIC_2 });
    await w.reconcile("shop");
    const types = w.get("shop")!.status!.conditions!.map((c) => c.type);
    assert.deepEqual(types, [...CONDITION_TYPES].sort());
  });
});
