import { beforeEach, describe, test } from "node:test";
import assert from "node:assert/strict";
import { ManualClock } from "../../core/clock.ts";
import { silentLogger } from "../../core/logger.ts";
import { loadPlatformConfig } from "../../core/config/index.ts";
import { DEFAULT_CONFIG } from "../../core/cli/paths.ts";
import { FakeKubeApi } from "../../core/kube/testing/fake-kube-api.ts";
import { KubeApiError } from "../../core/kube/api-error.ts";
import { Controller } from "../runtime/controller.ts";
import type { KubeObject } from "../../core/kube/object-key.ts";
import type { DomainRoute } from "../../crds/types.ts";
import type { ObjectReader } from "../cluster/object-reader.ts";
import { CONFIG_MAPS, DOMAIN_ROUTES, ENVOY_FILTERS } from "../resources.ts";
import { reconcileRoute } from "../domainroute/reconcile-route.ts";
import { IDENTITY_KEY, reconcileIdentity } from "./reconcile-identity.ts";
import type { IdentityReconcilerDeps } from "./reconcile-identity.ts";
import { IDENTITY_CONFIG_MAP_NAME, IDENTITY_ENVOY_FILTER_NAME } from "./identity-objects.ts";

const config = loadPlatformConfig(DEFAULT_CONFIG);
const ns = config.gateway.namespace;

function protectedRoute(name: string, domain: string, appId: string, provider = "sso"): KubeObject {
  return { apiVersion: "hostgate.dev/v1alpha1", kind: "DomainRoute", metadata: { name, namespace: "team-a" }, spec: { domain, lb: "alb-in", routing: { mode: "Managed" }, backend: { service: { name: "web", port: 8080 } }, protection: { provider, appId } } };
}

describe("reconciling the identity table", () => {
  let api: FakeKubeApi;
  let deps: IdentityReconcilerDeps;
  const routeDeps = () => ({ ...deps, events: { record: async () => {} } });
  const condition = (name: string, type: string) => {
    const c = (api.server.get(DOMAIN_ROUTES, { namespace: "team-a", name }) as unknown as DomainRoute).status?.conditions?.find((x) => x.type === type);
    return c === undefined ? undefined : `${c.status} ${c.reason}`;
  };
  /** Creates the route (the webhook bypassed, as when it was down) and lets the route controller take it. */
  const addRoute = async (name: string, domain: string, appId: string, provider = "sso") => {
    await api.create(DOMAIN_ROUTES, protectedRoute(name, domain, appId, provider));
    await reconcileRoute(routeDeps(), { namespace: "team-a", name });
  };
  const stored = (name: string) => api.server.get(DOMAIN_ROUTES, { namespace: "team-a", name }) as unknown as DomainRoute;
  const message = (name: string, type: string) => stored(name).status?.conditions?.find((c) => c.type === type)?.message;
  const table = () => JSON.parse(((api.server.get(CONFIG_MAPS, { namespace: ns, name: IDENTITY_CONFIG_MAP_NAME }) as { data: Record<string, string> }).data)["table.json"]!);

  beforeEach(async () => {
    api = new FakeKubeApi();
    const reader: ObjectReader = { get: (r, k) => api.server.get(r, k), list: (r) => api.server.objects(r) };
    deps = { api, reader, config, clock: new ManualClock(), logger: silentLogger };
    for (const [name, domain, appId] of [["shop", "shop.example.com", "shop-app"], ["blog", "blog.example.com", "blog-app"]] as const) await addRoute(name, domain, appId);
  });

  test("the first pass writes the EnvoyFilter and the ConfigMap and marks published routes ProtectionReady", async () => {
    assert.deepEqual(await reconcileIdentity(deps), { writes: 2, statusWrites: 2 });
    assert.deepEqual(table(), { "blog.example.com": "blog-app", "shop.example.com": "shop-app" });
    assert.equal(condition("shop", "ProtectionReady"), "True Published");
    await reconcileRoute(routeDeps(), { namespace: "team-a", name: "shop" });
    assert.equal(condition("shop", "Ready"), "True Ready");
  });

  test("a pass over unchanged routes writes nothing", async () => {
    await reconcileIdentity(deps);
    api.takeWrites();
    assert.deepEqual(await reconcileIdentity(deps), { writes: 0, statusWrites: 0 });
    assert.deepEqual(api.takeWrites(), []);
  });

  test("a hand edit of the EnvoyFilter and a deleted ConfigMap are both restored", async () => {
    await reconcileIdentity(deps);
    const filter = api.server.get(ENVOY_FILTERS, { namespace: ns, name: IDENTITY_ENVOY_FILTER_NAME })!;
    await api.update(ENVOY_FILTERS, { ...filter, spec: { configPatches: [] } });
    await api.delete(CONFIG_MAPS, { namespace: ns, name: IDENTITY_CONFIG_MAP_NAME });
    assert.equal((await reconcileIdentity(deps)).writes, 2);
    assert.notDeepEqual((api.server.get(ENVOY_FILTERS, { namespace: ns, name: IDENTITY_ENVOY_FILTER_NAME })!.spec as { configPatches: unknown[] }).configPatches, []);
    assert.deepEqual(table(), { "blog.example.com": "blog-app", "shop.example.com": "shop-app" });
  });

  test("an EnvoyFilter whose managed-by label was removed (so a label-selected cache misses it) is replaced, label restored", async () => {
    await reconcileIdentity(deps);
    const filter = api.server.get(ENVOY_FILTERS, { namespace: ns, name: IDENTITY_ENVOY_FILTER_NAME })!;
    await api.update(ENVOY_FILTERS, { ...filter, metadata: { ...filter.metadata, labels: {} }, spec: { configPatches: [] } });
    // The reconciler's cache selects app.kubernetes.io/managed-by=hostgate: the stripped object is not in it.
    const labelled = (r: Parameters<ObjectReader["get"]>[0], k: Parameters<ObjectReader["get"]>[1]) => {
      const object = api.server.get(r, k);
      return (object?.metadata?.labels as Record<string, string> | undefined)?.["app.kubernetes.io/managed-by"] === "hostgate" || r.kind === "DomainRoute" ? object : undefined;
    };
    const outcome = await reconcileIdentity({ ...deps, reader: { ...deps.reader, get: labelled } });
    assert.equal(outcome.writes, 1, "the EnvoyFilter only: the ConfigMap is unchanged");
    const restored = api.server.get(ENVOY_FILTERS, { namespace: ns, name: IDENTITY_ENVOY_FILTER_NAME })!;
    assert.equal((restored.metadata!.labels as Record<string, string>)["app.kubernetes.io/managed-by"], "hostgate");
    assert.notDeepEqual((restored.spec as { configPatches: unknown[] }).configPatches, []);
  });

  test("an appId claimed by two domains is given to neither, and both routes say who else claims it", async () => {
    await addRoute("copycat", "copy.example.com", "shop-app");
    await reconcileIdentity(deps);
    assert.deepEqual(table(), { "blog.example.com": "blog-app" });
    assert.equal(condition("shop", "ProtectionReady"), "False AppIDConflict");
    assert.equal(condition("copycat", "ProtectionReady"), "False AppIDConflict");
    const message = (api.server.get(DOMAIN_ROUTES, { namespace: "team-a", name: "shop" }) as unknown as DomainRoute).status!.conditions!.find((c) => c.type === "ProtectionReady")!.message;
    assert.match(message, /team-a\/copycat \(copy\.example\.com\)/);
    await reconcileRoute(routeDeps(), { namespace: "team-a", name: "shop" });
    assert.equal(condition("shop", "Ready"), "False AppIDConflict");
  });

  const statusFailures: { name: string; error: KubeApiError; retried: boolean }[] = [
    { name: "a 500 from the API server fails the pass, so the controller retries it", error: new KubeApiError("500 InternalError: etcd timed out", 500, "InternalError"), retried: true },
    { name: "a 503 fails the pass", error: new KubeApiError("503 ServiceUnavailable: try later", 503, "ServiceUnavailable"), retried: true },
    { name: "no answer at all (a network error) fails the pass", error: new KubeApiError("connect ECONNREFUSED", 0, "NetworkError"), retried: true },
    { name: "a 403 (RBAC lost the status subresource) fails the pass", error: new KubeApiError("403 Forbidden: cannot update domainroutes/status", 403, "Forbidden"), retried: true },
    { name: "a 409 conflict does not fail the pass: the route's own change queues the next one", error: new KubeApiError("409 Conflict: the object has been modified", 409, "Conflict"), retried: false },
    { name: "a 404 does not fail the pass: the route's deletion queues the next one", error: new KubeApiError("404 NotFound: gone", 404, "NotFound"), retried: false },
  ];
  for (const { name, error, retried } of statusFailures) {
    test(`a status write that fails: ${name}, and the other routes still get their condition`, async () => {
      api.failNext("updateStatus", error, "DomainRoute");
      const pass = reconcileIdentity(deps);
      if (retried) await assert.rejects(pass, (e: Error) => e.message === `could not write ProtectionReady on 1 route(s): team-a/blog: ${error.message}`);
      else assert.deepEqual(await pass, { writes: 2, statusWrites: 1 });
      // Routes are taken in key order: blog failed, shop was still written.
      assert.equal(condition("blog", "ProtectionReady"), "Unknown ProtectionPending", "as the route controller left it");
      assert.equal(condition("shop", "ProtectionReady"), "True Published");
    });
  }

  test("the identity controller retries a pass whose status write got a 500, with backoff, until the condition is written", async () => {
    const clock = new ManualClock();
    const controller = new Controller({ name: "identity-table", workers: 1, clock, reconcile: async () => void (await reconcileIdentity({ ...deps, clock })) });
    const settle = async () => {
      for (let i = 0; i < 20; i++) await new Promise(setImmediate);
    };
    api.failNext("updateStatus", new KubeApiError("500 InternalError: etcd timed out", 500, "InternalError"), "DomainRoute");
    controller.start();
    controller.enqueue(IDENTITY_KEY);
    await settle();
    assert.equal(condition("blog", "ProtectionReady"), "Unknown ProtectionPending", "the first pass failed on blog");
    assert.deepEqual({ errors: controller.stats().errors, delayed: controller.queue.delayedLen() }, { errors: 1, delayed: 1 }, "the failure was put back with a delay");
    clock.advance(clock.pendingDelays()[0]!);
    await settle();
    assert.equal(condition("blog", "ProtectionReady"), "True Published", "the retry wrote it, with no other event");
    assert.deepEqual({ reconciles: controller.stats().reconciles, errors: controller.stats().errors }, { reconciles: 2, errors: 1 });
    await controller.stop(1000);
  });

  // A route created while the webhook was down, or before its provider left the config.
  test("a route whose provider the platform does not list gets ProtectionReady=False UnknownProvider naming it and the listed ones, and no entry", async () => {
    await addRoute("stale", "stale.example.com", "stale-app", "retired-sso");
    await reconcileIdentity(deps);
    assert.deepEqual(table(), { "blog.example.com": "blog-app", "shop.example.com": "shop-app" });
    assert.equal(condition("stale", "ProtectionReady"), "False UnknownProvider");
    assert.match(message("stale", "ProtectionReady")!, /"retired-sso", which the platform does not list \(it lists sso\)/);
    assert.equal(stored("stale").status?.effectiveAppId, undefined);
  });

  test("a route with an unknown provider sharing a valid route's appId takes nothing from it: no conflict, the valid route stays published", async () => {
    await addRoute("stale", "stale.example.com", "shop-app", "retired-sso");
    await reconcileIdentity(deps);
    assert.deepEqual(table(), { "blog.example.com": "blog-app", "shop.example.com": "shop-app" });
    assert.equal(condition("shop", "ProtectionReady"), "True Published");
    assert.equal(condition("stale", "ProtectionReady"), "False UnknownProvider");
  });

  test("a provider removed from the config unpublishes its routes on the next pass and clears their effectiveAppId", async () => {
    await reconcileIdentity(deps);
    assert.equal(stored("shop").status?.effectiveAppId, "shop-app");
    const withoutSso = { ...config, protection: { ...config.protection, providers: ["okta"] } };
    assert.deepEqual(await reconcileIdentity({ ...deps, config: withoutSso }), { writes: 2, statusWrites: 2 });
    assert.deepEqual(table(), {});
    assert.equal(condition("shop", "ProtectionReady"), "False UnknownProvider");
    assert.match(message("shop", "ProtectionReady")!, /"sso", which the platform does not list \(it lists okta\)/);
    assert.equal(stored("shop").status?.effectiveAppId, undefined);
  });
});
