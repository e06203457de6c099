// The route plan's executor against the in-memory API server: the order of
// its writes, where it stops, and that a plan computed from the state its own
// execution produced is empty (a second reconcile writes nothing).
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { KubeApiError } from "../../core/kube/api-error.ts";
import type { KubeObject } from "../../core/kube/object-key.ts";
import type { DomainRoute } from "../../crds/types.ts";
import { DOMAIN_CLAIMS, DOMAIN_ROUTES, SERVICES } from "../resources.ts";
import { executeRoutePlan } from "./execute-route-plan.ts";
import { planRoute } from "./plan-route.ts";
import type { RoutePlan } from "./plan-route.ts";
import { renderClaim } from "./render/claim.ts";
import { orphanedClaim, personsGateway, route, sso, world } from "./testing/route-world.ts";
import type { World } from "./testing/route-world.ts";

const writes = (w: World) => w.api.takeWrites().map((x) => `${x.verb} ${x.resource.split(".")[0]}`);

/** gather, plan, execute: one reconcile, and its plan. */
async function reconcileOnce(w: World, name = "shop"): Promise<{ plan: RoutePlan; requeueAfterMs?: number }> {
  const input = await w.gather(name);
  const plan = planRoute(input);
  const result = await executeRoutePlan(w.deps, input, plan, planRoute);
  return { plan, ...result };
}

function isEmpty(plan: RoutePlan): boolean {
  return (
    plan.finalizer === undefined &&
    plan.claim === undefined &&
    plan.objects.apply.length === 0 &&
    plan.objects.prune.length === 0 &&
    plan.status === undefined &&
    plan.events.length === 0
  );
}

describe("executing a route plan", () => {
  test("writes in a safe order: the finalizer, the claim, the objects in apply order, then the status", async () => {
    const w = world();
    await w.api.create(DOMAIN_ROUTES, route("shop", "shop.example.com", sso));
    w.api.takeWrites();
    await reconcileOnce(w);
    assert.deepEqual(writes(w), [
      "update domainroutes",
      "create domainclaims",
      "create authorizationpolicies",
      "create gateways",
      "create virtualservices",
      "updateStatus domainroutes",
    ]);
  });

  test("stops at the first failure: a claim that cannot be created leaves no object and no status", async () => {
    const w = world();
    await w.api.create(DOMAIN_ROUTES, route("shop", "shop.example.com"));
    w.api.failNext("create", new KubeApiError("500 InternalError: etcd timeout", 500, "InternalError"), "DomainClaim");
    w.api.takeWrites();
    await assert.rejects(reconcileOnce(w), /etcd timeout/);
    assert.deepEqual(writes(w), ["update domainroutes"], "only the finalizer, written before the claim");
    assert.deepEqual(w.produced(), []);
    assert.equal(w.get("shop")!.status, undefined);
  });

  test("a claim someone took since the cache was read writes nothing more and looks again shortly", async () => {
    const w = world();
    await w.api.create(DOMAIN_ROUTES, route("shop", "shop.example.com"));
    const input = await w.gather("shop");
    await w.api.create(
      DOMAIN_CLAIMS,
      renderClaim({ ...(route("other", "shop.example.com") as unknown as DomainRoute), metadata: { name: "other", namespace: "team-b", uid: "uid-other" } }),
    );
    const result = await executeRoutePlan(w.deps, input, planRoute(input), planRoute);
    assert.deepEqual(result, { requeueAfterMs: 1000 });
    assert.deepEqual(w.produced(), []);
  });

  test("a deleting route's objects go first, then its claim, then the finalizer", async () => {
    const w = world();
    await w.api.create(DOMAIN_ROUTES, route("shop", "shop.example.com"));
    await reconcileOnce(w);
    await w.api.delete(DOMAIN_ROUTES, { namespace: "team-a", name: "shop" });
    w.api.takeWrites();
    await reconcileOnce(w);
    assert.deepEqual(writes(w), ["delete virtualservices", "delete gateways", "delete domainclaims", "update domainroutes"]);
    assert.equal(w.get("shop"), undefined);
  });
});

describe("a plan computed from the state its own execution produced", () => {
  const scenarios: { name: string; setup: (w: World) => Promise<void>; route?: string }[] = [
    { name: "a new route", setup: async (w) => void (await w.api.create(DOMAIN_ROUTES, route("shop", "shop.example.com"))) },
    {
      name: "a protected route whose appId is published",
      setup: async (w) => {
        await w.api.create(DOMAIN_ROUTES, route("shop", "shop.example.com", sso));
        const uid = w.api.server.get(DOMAIN_ROUTES, { namespace: "team-a", name: "shop" })!.metadata!.uid!;
        w.appIds.publish(new Map([["team-a/shop", { kind: "published", uid, appId: "shop-app" }]]));
      },
    },
    {
      name: "a route for a domain another route holds",
      route: "copy",
      setup: async (w) => {
        await w.api.create(DOMAIN_ROUTES, route("shop", "shop.example.com"));
        await reconcileOnce(w);
        await w.api.create(DOMAIN_ROUTES, route("copy", "shop.example.com"));
      },
    },
    {
      name: "a route whose claim was left by a route that is gone",
      setup: async (w) => {
        await w.api.create(DOMAIN_CLAIMS, orphanedClaim);
        await w.api.create(DOMAIN_ROUTES, route("shop", "shop.example.com"));
      },
    },
    {
      name: "a route refused a name a person's object holds",
      setup: async (w) => {
        await personsGateway(w, "shop.example.com");
        await w.api.create(DOMAIN_ROUTES, route("shop", "shop.example.com"));
      },
    },
    {
      name: "a route whose backend became an ExternalName Service",
      setup: async (w) => {
        await w.api.create(DOMAIN_ROUTES, route("shop", "shop.example.com"));
        await reconcileOnce(w);
        await w.api.create(SERVICES, {
          apiVersion: "v1",
          kind: "Service",
          metadata: { name: "web", namespace: "team-a" },
          spec: { type: "ExternalName", externalName: "169.254.169.254" },
        });
      },
    },
    {
      name: "a route switched to External mode",
      setup: async (w) => {
        await w.api.create(DOMAIN_ROUTES, route("shop", "shop.example.com"));
        await reconcileOnce(w);
        const shop = w.get("shop")!;
        await w.api.update(DOMAIN_ROUTES, { ...(shop as unknown as KubeObject), spec: { ...shop.spec, routing: { mode: "External" }, backend: undefined } });
      },
    },
  ];
  for (const s of scenarios) {
    test(`is empty, and its execution writes nothing: ${s.name}`, async () => {
      const w = world();
      await s.setup(w);
      // A released claim asks to look again: reconcile until nothing is asked sooner than a recheck.
      for (let i = 0; i < 3; i++) if ((await reconcileOnce(w, s.route)).requeueAfterMs !== 1000) break;
      w.api.takeWrites();
      const again = await reconcileOnce(w, s.route);
      assert.ok(isEmpty(again.plan), JSON.stringify(again.plan));
      assert.deepEqual(writes(w), []);
    });
  }
});
