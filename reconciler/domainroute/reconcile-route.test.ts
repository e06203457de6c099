import { beforeEach, describe, test } from "node:test";
import assert from "node:assert/strict";
import { ManualClock } from "../../core/clock.ts";
import { KubeApiError } from "../../core/kube/api-error.ts";
import { parseKey } from "../../core/kube/object-key.ts";
import { Controller } from "../runtime/controller.ts";
import type { KubeObject } from "../../core/kube/object-key.ts";
import { DOMAIN_CLAIMS, DOMAIN_ROUTES } from "../resources.ts";
import { PRODUCED_RESOURCES } from "./render/produced-resources.ts";
import { reconcileRoute, RELEASED_CLAIM_RETRY_MS, ROUTE_FINALIZER } from "./reconcile-route.ts";
import { route, world } from "./testing/route-world.ts";
import type { World } from "./testing/route-world.ts";

describe("reconciling a DomainRoute", () => {
  let w: World;
  beforeEach(async () => {
    w = world();
    await w.api.create(DOMAIN_ROUTES, route("shop", "shop.example.com"));
  });

  test("the first reconcile adds the finalizer, claims the domain, applies the Istio objects and reports Ready", async () => {
    await w.reconcile("shop");
    const shop = w.get("shop")!;
    assert.deepEqual(shop.metadata.finalizers, [ROUTE_FINALIZER]);
    const claim = w.api.server.get(DOMAIN_CLAIMS, { name: "shop.example.com" }) as { spec: { owner: { uid: string } } };
    assert.equal(claim.spec.owner.uid, shop.metadata.uid);
    assert.equal(w.produced().length, 2, w.produced().join());
    assert.ok(w.produced().some((p) => p.startsWith("Gateway istio-system/")));
    assert.ok(w.produced().some((p) => p.startsWith("VirtualService team-a/")));
    assert.equal(w.condition("shop", "Ready"), "True Ready");
    assert.equal(w.condition("shop", "Claimed"), "True Claimed");
    assert.equal(shop.status?.observedGeneration, shop.metadata.generation);
  });

  test("a second reconcile of an unchanged route writes nothing", async () => {
    await w.reconcile("shop");
    w.api.takeWrites();
    await w.reconcile("shop");
    assert.deepEqual(w.api.takeWrites(), []);
  });

  test("a second route for a taken domain gets DomainTaken naming the owner and creates nothing", async () => {
    await w.reconcile("shop");
    await w.api.create(DOMAIN_ROUTES, route("copy", "shop.example.com"));
    const before = w.produced();
    await w.reconcile("copy");
    assert.equal(w.condition("copy", "Claimed"), "False DomainTaken");
    assert.match(w.get("copy")!.status!.conditions!.find((c) => c.type === "Claimed")!.message, /team-a\/shop/);
    assert.equal(w.condition("copy", "Ready"), "False DomainTaken");
    assert.deepEqual(w.produced(), before);
  });

  test("deleting the owner removes its objects and releases the claim; the next in line takes the domain", async () => {
    await w.reconcile("shop");
    await w.api.create(DOMAIN_ROUTES, route("copy", "shop.example.com"));
    await w.reconcile("copy");
    await w.api.delete(DOMAIN_ROUTES, { namespace: "team-a", name: "shop" });
    await w.reconcile("shop");
    assert.equal(w.get("shop"), undefined, "the finalizer was dropped and the route is gone");
    assert.deepEqual(w.produced(), []);
    assert.equal(w.api.server.get(DOMAIN_CLAIMS, { name: "shop.example.com" }), undefined);
    await w.reconcile("copy");
    assert.equal(w.condition("copy", "Ready"), "True Ready");
    assert.equal(w.produced().length, 2);
  });

  test("a claim whose owner is gone is released and then taken", async () => {
    await w.api.create(DOMAIN_CLAIMS, {
      apiVersion: "hostgate.dev/v1alpha1",
      kind: "DomainClaim",
      metadata: { name: "shop.example.com" },
      spec: { domain: "shop.example.com", owner: { namespace: "old", name: "gone", uid: "uid-gone" } },
    });
    assert.deepEqual(await w.reconcile("shop"), { requeueAfterMs: RELEASED_CLAIM_RETRY_MS });
    await w.reconcile("shop");
    assert.equal(w.condition("shop", "Claimed"), "True Claimed");
  });

  test("a hand edit of a produced object is reverted, and a deleted one re-created", async () => {
    await w.reconcile("shop");
    const gatewayRef = PRODUCED_RESOURCES.find((r) => r.kind === "Gateway")!;
    const vsRef = PRODUCED_RESOURCES.find((r) => r.kind === "VirtualService")!;
    const gateway = w.api.server.objects(gatewayRef)[0]!;
    await w.api.update(gatewayRef, { ...gateway, spec: { ...(gateway.spec as object), servers: [] } });
    const vs = w.api.server.objects(vsRef)[0]!;
    await w.api.delete(vsRef, { namespace: vs.metadata!.namespace!, name: vs.metadata!.name! });
    w.api.takeWrites();
    await w.reconcile("shop");
    // The Gateway: its create's fields move to hostgate's apply entry (update), then the apply reverts the edit.
    const expected = ["apply gateways.networking.istio.io", "create virtualservices.networking.istio.io", "update gateways.networking.istio.io"];
    assert.deepEqual(
      w.api
        .takeWrites()
        .map((x) => `${x.verb} ${x.resource}`)
        .sort(),
      expected,
    );
    assert.notDeepEqual((w.api.server.objects(gatewayRef)[0]!.spec as { servers: unknown[] }).servers, []);
  });

  test("switching to External mode prunes the VirtualService it no longer renders", async () => {
    await w.reconcile("shop");
    const shop = w.get("shop")!;
    await w.api.update(DOMAIN_ROUTES, { ...(shop as unknown as KubeObject), spec: { ...shop.spec, routing: { mode: "External" }, backend: undefined } });
    await w.reconcile("shop");
    assert.deepEqual(
      w.produced().map((p) => p.split(" ")[0]),
      ["Gateway"],
    );
  });

  test("protection adds an AuthorizationPolicy and waits for the appId table before Ready", async () => {
    await w.api.create(DOMAIN_ROUTES, route("secure", "secure.example.com", { protection: { provider: "sso", appId: "app-1" } }));
    await w.reconcile("secure");
    assert.ok(w.produced().some((p) => p.startsWith("AuthorizationPolicy istio-system/")));
    assert.equal(w.condition("secure", "ProtectionReady"), "Unknown ProtectionPending");
    assert.equal(w.condition("secure", "Ready"), "False ProtectionPending");
  });

  test("a write failure is reported in the status and retried", async () => {
    w.api.failNext("create", new KubeApiError("500 InternalError: etcd timeout", 500, "InternalError"), "Gateway");
    await assert.rejects(w.reconcile("shop"), /etcd timeout/);
    assert.equal(w.condition("shop", "GatewayReady"), "False ApplyFailed");
    await w.reconcile("shop");
    assert.equal(w.condition("shop", "Ready"), "True Ready");
  });

  const statusFailures = [
    new KubeApiError("500 InternalError: etcd timed out", 500, "InternalError"),
    // The route changed since the cache read it: no longer settled silently by waiting for its event.
    new KubeApiError("409 Conflict: the object has been modified", 409, "Conflict"),
  ];
  for (const failure of statusFailures) {
    test(`a status write that fails (${failure.status} ${failure.reason}) is retried by the route controller with backoff until written, with no other event`, async () => {
      const clock = new ManualClock();
      const controller = new Controller({ name: "domainroute", workers: 1, clock, reconcile: (key) => reconcileRoute({ ...w.deps, clock }, parseKey(key)) });
      const settle = async () => {
        for (let i = 0; i < 30; i++) await new Promise(setImmediate);
      };
      w.api.failNext("updateStatus", failure, "DomainRoute");
      controller.start();
      controller.enqueue("team-a/shop");
      await settle();
      assert.equal(w.get("shop")!.status, undefined, "the first status write failed");
      assert.deepEqual(
        { errors: controller.stats().errors, delayed: controller.queue.delayedLen() },
        { errors: 1, delayed: 1 },
        "the failure was put back with a delay",
      );
      clock.advance(clock.pendingDelays()[0]!);
      await settle();
      assert.equal(w.condition("shop", "Ready"), "True Ready", "the retry wrote it");
      await controller.stop(1000);
    });
  }

  test("lastTransitionTime moves only when a condition's status changes, and observedGeneration follows the spec", async () => {
    await w.reconcile("shop");
    const first = w.get("shop")!.status!.conditions!.find((c) => c.type === "Ready")!;
    (w.deps.clock as ManualClock).advance(60_000);
    const shop = w.get("shop")!;
    await w.api.update(DOMAIN_ROUTES, { ...(shop as unknown as KubeObject), spec: { ...shop.spec, lb: "alb-out" } });
    await w.reconcile("shop");
    const after = w.get("shop")!;
    assert.equal(after.status!.observedGeneration, after.metadata.generation);
    assert.equal(after.status!.conditions!.find((c) => c.type === "Ready")!.lastTransitionTime, first.lastTransitionTime, "still Ready: no transition");
  });

  test("status transitions are recorded as Events, and a steady state records none", async () => {
    await w.reconcile("shop");
    assert.ok(w.events.some((e) => e.startsWith("Normal Ready ")));
    w.events.length = 0;
    await w.reconcile("shop");
    assert.deepEqual(w.events, []);
  });
});
