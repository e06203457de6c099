import { beforeEach, describe, test } from "node:test";
import assert from "node:assert/strict";
import { ManualClock } from "../../core/clock.ts";
import { silentLogger } from "../../core/logger.ts";
import { loadPlatformConfig } from "../../core/config/index.ts";
import { DEFAULT_CONFIG } from "../../core/cli/paths.ts";
import { FakeKubeApi } from "../../core/kube/testing/fake-kube-api.ts";
import type { KubeObject } from "../../core/kube/object-key.ts";
import type { DomainRoute } from "../../crds/types.ts";
import type { ObjectReader } from "../cluster/object-reader.ts";
import { CONFIG_MAPS, DOMAIN_ROUTES, ENVOY_FILTERS } from "../resources.ts";
import { reconcileRoute } from "../domainroute/reconcile-route.ts";
import type { RouteReconcilerDeps } from "../domainroute/reconcile-route.ts";
import { AppIdOutcomes } from "./app-id-outcomes.ts";
import { reconcileAppIdTable } from "./reconcile-app-id-table.ts";
import type { AppIdTableReconcilerDeps } from "./reconcile-app-id-table.ts";
import { APP_ID_TABLE_CONFIG_MAP_NAME, APP_ID_TABLE_ENVOY_FILTER_NAME } from "./app-id-table-objects.ts";

const config = loadPlatformConfig(DEFAULT_CONFIG);
const ns = config.gateway.namespace;

function protectedRoute(name: string, domain: string, appId: string, provider = "sso"): KubeObject {
  const spec = { domain, lb: "alb-in", routing: { mode: "Managed" }, backend: { service: { name: "web", port: 8080 } }, protection: { provider, appId } };
  return { apiVersion: "hostgate.dev/v1alpha1", kind: "DomainRoute", metadata: { name, namespace: "team-a" }, spec };
}

describe("reconciling the appId table", () => {
  let api: FakeKubeApi;
  let deps: AppIdTableReconcilerDeps;
  const routeDeps = (): RouteReconcilerDeps => ({ ...deps, clock: new ManualClock(), appIds: deps.outcomes, events: { record: async () => {} } });
  const reconcile = (name: string) => reconcileRoute(routeDeps(), { namespace: "team-a", name });
  const condition = (name: string, type: string) => {
    const c = (api.server.get(DOMAIN_ROUTES, { namespace: "team-a", name }) as unknown as DomainRoute).status?.conditions?.find((x) => x.type === type);
    return c === undefined ? undefined : `${c.status} ${c.reason}`;
  };
  /** Creates the route (the webhook bypassed, as when it was down) and lets the route controller take it. */
  const addRoute = async (name: string, domain: string, appId: string, provider = "sso") => {
    await api.create(DOMAIN_ROUTES, protectedRoute(name, domain, appId, provider));
    await reconcile(name);
  };
  /** A pass of the table controller, then (as the route controller is told) a reconcile of every route whose outcome changed. */
  const pass = async (extra: Partial<AppIdTableReconcilerDeps> = {}) => {
    const outcome = await reconcileAppIdTable({ ...deps, ...extra });
    for (const routeRef of outcome.changed) await reconcile(routeRef.split("/")[1]!);
    return outcome;
  };
  const stored = (name: string) => api.server.get(DOMAIN_ROUTES, { namespace: "team-a", name }) as unknown as DomainRoute;
  const message = (name: string, type: string) => stored(name).status?.conditions?.find((c) => c.type === type)?.message;
  const table = () =>
    JSON.parse((api.server.get(CONFIG_MAPS, { namespace: ns, name: APP_ID_TABLE_CONFIG_MAP_NAME }) as { data: Record<string, string> }).data["table.json"]!);
  const routeWrites = () => api.takeWrites().filter((w) => w.resource === "domainroutes.hostgate.dev");

  beforeEach(async () => {
    api = new FakeKubeApi();
    const reader: ObjectReader = { get: (r, k) => api.server.get(r, k), list: (r) => api.server.objects(r) };
    deps = { api, reader, config, logger: silentLogger, outcomes: new AppIdOutcomes() };
    for (const [name, domain, appId] of [
      ["shop", "shop.example.com", "shop-app"],
      ["blog", "blog.example.com", "blog-app"],
    ] as const)
      await addRoute(name, domain, appId);
  });

  test("the first pass writes the EnvoyFilter and the ConfigMap and publishes both routes, writing no route", async () => {
    api.takeWrites();
    assert.deepEqual(await reconcileAppIdTable(deps), { writes: 2, changed: ["team-a/blog", "team-a/shop"] });
    assert.deepEqual(routeWrites(), [], "the table controller writes no DomainRoute");
    assert.deepEqual(table(), { "blog.example.com": "blog-app", "shop.example.com": "shop-app" });
    assert.equal(condition("shop", "ProtectionReady"), "Unknown ProtectionPending", "until the route controller takes the outcome");
    await reconcile("shop");
    assert.equal(condition("shop", "ProtectionReady"), "True Published");
    assert.equal(condition("shop", "Ready"), "True Ready");
    assert.equal(stored("shop").status?.effectiveAppId, "shop-app");
  });

  test("a pass over unchanged routes writes nothing and changes no outcome", async () => {
    await pass();
    api.takeWrites();
    assert.deepEqual(await reconcileAppIdTable(deps), { writes: 0, changed: [] });
    assert.deepEqual(api.takeWrites(), []);
  });

  test("a hand edit of the EnvoyFilter and a deleted ConfigMap are both restored", async () => {
    await pass();
    const filter = api.server.get(ENVOY_FILTERS, { namespace: ns, name: APP_ID_TABLE_ENVOY_FILTER_NAME })!;
    await api.update(ENVOY_FILTERS, { ...filter, spec: { configPatches: [] } });
    await api.delete(CONFIG_MAPS, { namespace: ns, name: APP_ID_TABLE_CONFIG_MAP_NAME });
    assert.equal((await reconcileAppIdTable(deps)).writes, 2);
    assert.notDeepEqual(
      (api.server.get(ENVOY_FILTERS, { namespace: ns, name: APP_ID_TABLE_ENVOY_FILTER_NAME })!.spec as { configPatches: unknown[] }).configPatches,
      [],
    );
    assert.deepEqual(table(), { "blog.example.com": "blog-app", "shop.example.com": "shop-app" });
  });

  test("an EnvoyFilter whose managed-by label was removed (so a label-selected cache misses it) is replaced, label restored", async () => {
    await pass();
    const filter = api.server.get(ENVOY_FILTERS, { namespace: ns, name: APP_ID_TABLE_ENVOY_FILTER_NAME })!;
    await api.update(ENVOY_FILTERS, { ...filter, metadata: { ...filter.metadata, labels: {} }, spec: { configPatches: [] } });
    // The reconciler's cache selects app.kubernetes.io/managed-by=hostgate: the stripped object is not in it.
    const labelled = (r: Parameters<ObjectReader["get"]>[0], k: Parameters<ObjectReader["get"]>[1]) => {
      const object = api.server.get(r, k);
      return (object?.metadata?.labels as Record<string, string> | undefined)?.["app.kubernetes.io/managed-by"] === "hostgate" || r.kind === "DomainRoute"
        ? object
        : undefined;
    };
    const outcome = await reconcileAppIdTable({ ...deps, reader: { ...deps.reader, get: labelled } });
    assert.equal(outcome.writes, 1, "the EnvoyFilter only: the ConfigMap is unchanged");
    const restored = api.server.get(ENVOY_FILTERS, { namespace: ns, name: APP_ID_TABLE_ENVOY_FILTER_NAME })!;
    assert.equal((restored.metadata!.labels as Record<string, string>)["app.kubernetes.io/managed-by"], "hostgate");
    assert.notDeepEqual((restored.spec as { configPatches: unknown[] }).configPatches, []);
  });

  test("an appId claimed by two domains is given to neither, and both routes say who else claims it", async () => {
    await addRoute("copycat", "copy.example.com", "shop-app");
    await pass();
    assert.deepEqual(table(), { "blog.example.com": "blog-app" });
    assert.equal(condition("shop", "ProtectionReady"), "False AppIDConflict");
    assert.equal(condition("copycat", "ProtectionReady"), "False AppIDConflict");
    assert.match(message("shop", "ProtectionReady")!, /team-a\/copycat \(copy\.example\.com\)/);
    assert.equal(condition("shop", "Ready"), "False AppIDConflict");
    assert.equal(stored("shop").status?.effectiveAppId, undefined);
  });

  test("a conflict appearing and clearing moves ProtectionReady and Ready, and the table controller writes no route", async () => {
    await pass();
    assert.equal(condition("shop", "Ready"), "True Ready");
    await addRoute("copycat", "copy.example.com", "shop-app");
    api.takeWrites();
    const appeared = await reconcileAppIdTable(deps);
    assert.deepEqual(routeWrites(), [], "the table controller wrote no route");
    assert.deepEqual(appeared.changed, ["team-a/copycat", "team-a/shop"], "the routes whose outcome changed, for the route controller to reconcile");
    for (const routeRef of appeared.changed) await reconcile(routeRef.split("/")[1]!);
    assert.deepEqual([condition("shop", "ProtectionReady"), condition("shop", "Ready")], ["False AppIDConflict", "False AppIDConflict"]);
    await api.delete(DOMAIN_ROUTES, { namespace: "team-a", name: "copycat" });
    await reconcile("copycat");
    api.takeWrites();
    const cleared = await reconcileAppIdTable(deps);
    assert.deepEqual(routeWrites(), [], "the table controller wrote no route");
    assert.deepEqual(cleared.changed, ["team-a/copycat", "team-a/shop"]);
    await reconcile("shop");
    assert.deepEqual([condition("shop", "ProtectionReady"), condition("shop", "Ready")], ["True Published", "True Ready"]);
  });

  // A route created while the webhook was down, or before its provider left the config.
  test("a route whose provider the platform does not list gets ProtectionReady=False UnknownProvider naming it and the listed ones, and no entry", async () => {
    await addRoute("stale", "stale.example.com", "stale-app", "retired-sso");
    await pass();
    assert.deepEqual(table(), { "blog.example.com": "blog-app", "shop.example.com": "shop-app" });
    assert.equal(condition("stale", "ProtectionReady"), "False UnknownProvider");
    assert.match(message("stale", "ProtectionReady")!, /"retired-sso", which the platform does not list \(it lists sso\)/);
    assert.equal(stored("stale").status?.effectiveAppId, undefined);
  });

  test("a route with an unknown provider sharing a valid route's appId takes nothing from it: no conflict, the valid route stays published", async () => {
    await addRoute("stale", "stale.example.com", "shop-app", "retired-sso");
    await pass();
    assert.deepEqual(table(), { "blog.example.com": "blog-app", "shop.example.com": "shop-app" });
    assert.equal(condition("shop", "ProtectionReady"), "True Published");
    assert.equal(condition("stale", "ProtectionReady"), "False UnknownProvider");
  });

  test("a provider removed from the config unpublishes its routes on the next pass and clears their effectiveAppId", async () => {
    await pass();
    assert.equal(stored("shop").status?.effectiveAppId, "shop-app");
    const withoutSso = { ...config, protection: { ...config.protection, providers: ["okta"] } };
    deps = { ...deps, config: withoutSso };
    assert.deepEqual(await pass(), { writes: 2, changed: ["team-a/blog", "team-a/shop"] });
    assert.deepEqual(table(), {});
    assert.equal(condition("shop", "ProtectionReady"), "False UnknownProvider");
    assert.match(message("shop", "ProtectionReady")!, /"sso", which the platform does not list \(it lists okta\)/);
    assert.equal(stored("shop").status?.effectiveAppId, undefined);
  });
});
