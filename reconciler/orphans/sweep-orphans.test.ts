import { beforeEach, describe, test } from "node:test";
import assert from "node:assert/strict";
import { ManualClock } from "../../core/clock.ts";
import { silentLogger } from "../../core/logger.ts";
import { loadPlatformConfig } from "../../core/config/index.ts";
import { DEFAULT_CONFIG } from "../../core/cli/paths.ts";
import { FakeKubeApi } from "../../core/kube/testing/fake-kube-api.ts";
import { KubeApiError } from "../../core/kube/api-error.ts";
import type { KubeObject } from "../../core/kube/object-key.ts";
import type { ObjectReader } from "../cluster/object-reader.ts";
import { reconcileRoute } from "../domainroute/reconcile-route.ts";
import type { RouteReconcilerDeps } from "../domainroute/reconcile-route.ts";
import { AppIdOutcomes } from "../app-id-table/app-id-outcomes.ts";
import { ALL_PRODUCED_RESOURCES, DNS_ENDPOINT_RESOURCE, PRODUCED_RESOURCES } from "../domainroute/render/produced-resources.ts";
import { DOMAIN_CLAIMS, DOMAIN_ROUTES, FIELD_MANAGER } from "../resources.ts";
import { sweepOrphans } from "./sweep-orphans.ts";

const config = loadPlatformConfig(DEFAULT_CONFIG);

function route(name: string, domain: string): KubeObject {
  return {
    apiVersion: "hostgate.dev/v1alpha1",
    kind: "DomainRoute",
    metadata: { name, namespace: "team-a" },
    spec: {
      domain,
      lb: "alb-in",
      routing: { mode: "Managed" },
      backend: { external: { ip: "203.0.113.10", port: 443, protocol: "HTTPS" } },
      protection: { provider: "sso", appId: name },
    },
  };
}

describe("the orphan sweep", () => {
  let api: FakeKubeApi;
  let reader: ObjectReader;
  let deps: RouteReconcilerDeps;
  const everything = () =>
    [...PRODUCED_RESOURCES.flatMap((r) => api.objects(r)), ...api.objects(DOMAIN_CLAIMS)].map((o) => `${o.kind} ${o.metadata!.name}`).sort();
  const ownedBy = (uid: string) =>
    [...PRODUCED_RESOURCES.flatMap((r) => api.objects(r)), ...api.objects(DOMAIN_CLAIMS)].filter(
      (o) =>
        (o.metadata!.labels as Record<string, string> | undefined)?.["hostgate.dev/route-uid"] === uid ||
        (o.spec as { owner?: { uid: string } }).owner?.uid === uid,
    );

  beforeEach(async () => {
    api = new FakeKubeApi();
    reader = { get: (r, k) => api.server.get(r, k), list: (r) => api.server.objects(r) };
    deps = { api, reader, config, clock: new ManualClock(), logger: silentLogger, events: { record: async () => {} }, appIds: new AppIdOutcomes() };
    for (const [name, domain] of [
      ["shop", "shop.example.com"],
      ["blog", "blog.example.com"],
    ]) {
      await api.create(DOMAIN_ROUTES, route(name!, domain!));
      await reconcileRoute(deps, { namespace: "team-a", name: name! });
    }
  });

  test("with every route alive, finds nothing and writes nothing", async () => {
    api.takeWrites();
    assert.deepEqual(await sweepOrphans({ api, reader, logger: silentLogger }), { deleted: [], kept: [] });
    assert.deepEqual(api.takeWrites(), []);
  });

  test("removes every object and the claim of a route that vanished without its finalizer, and nothing of the others", async () => {
    const shop = api.server.get(DOMAIN_ROUTES, { namespace: "team-a", name: "shop" })!;
    const blogBefore = ownedBy(api.server.get(DOMAIN_ROUTES, { namespace: "team-a", name: "blog" })!.metadata!.uid!).length;
    const shopObjects = ownedBy(shop.metadata!.uid!).length;
    assert.equal(shopObjects, 6, "shop produced a ServiceEntry, DestinationRule, AuthorizationPolicy, Gateway, VirtualService and a claim");
    api.server.delete(DOMAIN_ROUTES, { namespace: "team-a", name: "shop" });
    const outcome = await sweepOrphans({ api, reader, logger: silentLogger });
    assert.equal(outcome.deleted.length, shopObjects);
    assert.deepEqual(ownedBy(shop.metadata!.uid!), [], "nothing of shop is left");
    assert.ok(outcome.deleted.includes("DomainClaim shop.example.com"));
    assert.equal(
      ownedBy(api.server.get(DOMAIN_ROUTES, { namespace: "team-a", name: "blog" })!.metadata!.uid!).length,
      blogBefore,
      "blog keeps all of its objects",
    );
  });

  test("deletes in the reverse of the apply order, the claim last: never a Gateway serving without its AuthorizationPolicy", async () => {
    api.server.delete(DOMAIN_ROUTES, { namespace: "team-a", name: "shop" });
    api.takeWrites();
    await sweepOrphans({ api, reader, logger: silentLogger });
    const kinds = api
      .takeWrites()
      .filter((w) => w.verb === "delete")
      .map((w) => w.resource.split(".")[0]);
    assert.deepEqual(kinds, ["virtualservices", "gateways", "authorizationpolicies", "destinationrules", "serviceentries", "domainclaims"]);
  });

  test("leaves an object changed since the cache saw it (another route applied to the same name), and removes the rest", async () => {
    const shop = api.server.get(DOMAIN_ROUTES, { namespace: "team-a", name: "shop" })!;
    const snapshot = (r: Parameters<ObjectReader["list"]>[0]) => reader.list(r).map((o) => structuredClone(o));
    const cached = new Map<string, KubeObject[]>(
      PRODUCED_RESOURCES.map((r) => [r.kind, snapshot({ ...r, labelSelector: "app.kubernetes.io/managed-by=hostgate" })]),
    );
    const gatewayResource = PRODUCED_RESOURCES.find((r) => r.kind === "Gateway")!;
    const gateway = ownedBy(shop.metadata!.uid!).find((o) => o.kind === "Gateway")!;
    api.server.delete(DOMAIN_ROUTES, { namespace: "team-a", name: "shop" });
    // The live Gateway moves on (a new resourceVersion); the cache still holds the old copy.
    const live = api.server.get(gatewayResource, { namespace: gateway.metadata!.namespace!, name: gateway.metadata!.name! })!;
    await api.update(
      gatewayResource,
      { ...live, metadata: { ...live.metadata, labels: { ...(live.metadata!.labels as Record<string, string>), adopted: "yes" } } },
      { fieldManager: "someone-else" },
    );
    const staleReader: ObjectReader = {
      get: reader.get,
      list: (r) => (r.kind === "DomainRoute" || r.kind === "DomainClaim" ? reader.list(r) : (cached.get(r.kind) ?? [])),
    };
    const outcome = await sweepOrphans({ api, reader: staleReader, logger: silentLogger });
    assert.ok(api.server.get(gatewayResource, { namespace: gateway.metadata!.namespace!, name: gateway.metadata!.name! }), "the changed Gateway is left alone");
    assert.ok(!outcome.deleted.some((d) => d.startsWith("Gateway ")));
    assert.ok(outcome.deleted.includes("DomainClaim shop.example.com"));
  });

  test("goes on past a failed delete and fails the sweep at the end, naming it", async () => {
    api.server.delete(DOMAIN_ROUTES, { namespace: "team-a", name: "shop" });
    api.failNext("delete", new KubeApiError("500 InternalError: etcd timeout", 500, "InternalError"), "VirtualService");
    const expected = /could not remove 1 orphaned object\(s\): VirtualService team-a\/shop-example-com-[a-z2-7]+: 500 InternalError: etcd timeout/;
    await assert.rejects(sweepOrphans({ api, reader, logger: silentLogger }), expected);
    const shopLeft = [...PRODUCED_RESOURCES.flatMap((r) => api.objects(r)), ...api.objects(DOMAIN_CLAIMS)].filter(
      (o) =>
        (o.metadata!.annotations as Record<string, string> | undefined)?.["hostgate.dev/route"] === "team-a/shop" || o.metadata!.name === "shop.example.com",
    );
    assert.deepEqual(
      shopLeft.map((o) => o.kind),
      ["VirtualService"],
      "everything else went",
    );
  });

  test("keeps the objects of a route a stale cache misses but the API server still has", async () => {
    const before = everything();
    const staleReader: ObjectReader = { get: reader.get, list: (r) => (r.kind === "DomainRoute" ? [] : reader.list(r)) };
    const outcome = await sweepOrphans({ api, reader: staleReader, logger: silentLogger });
    assert.deepEqual(outcome.deleted, []);
    assert.ok(outcome.kept.length >= 10, "every object was suspected, and every one kept");
    assert.deepEqual(everything(), before);
  });

  test("removes the objects of an earlier incarnation of a route re-created under the same name", async () => {
    const old = api.server.get(DOMAIN_ROUTES, { namespace: "team-a", name: "shop" })!;
    const oldUid = old.metadata!.uid!;
    api.server.delete(DOMAIN_ROUTES, { namespace: "team-a", name: "shop" });
    await api.create(DOMAIN_ROUTES, route("shop", "shop.example.com"));
    assert.notEqual(api.server.get(DOMAIN_ROUTES, { namespace: "team-a", name: "shop" })!.metadata!.uid, oldUid);
    await sweepOrphans({ api, reader, logger: silentLogger });
    assert.deepEqual(ownedBy(oldUid), []);
    // The new incarnation then claims the freed domain and produces its own objects.
    await reconcileRoute(deps, { namespace: "team-a", name: "shop" });
    await reconcileRoute(deps, { namespace: "team-a", name: "shop" });
    assert.ok(ownedBy(api.server.get(DOMAIN_ROUTES, { namespace: "team-a", name: "shop" })!.metadata!.uid!).length >= 5);
  });

  test("never deletes an object hostgate did not write, even with hostgate's labels and annotation copied onto it", async () => {
    const resource = PRODUCED_RESOURCES.find((r) => r.kind === "Gateway")!;
    const labels = { "app.kubernetes.io/managed-by": "hostgate", "hostgate.dev/route-uid": "uid-of-no-route" };
    const metadata = { name: "intranet", namespace: "istio-system", labels, annotations: { "hostgate.dev/route": "team-x/gone" } };
    const forged: KubeObject = {
      apiVersion: "networking.istio.io/v1",
      kind: "Gateway",
      metadata,
      spec: { selector: { istio: "ingressgateway" }, servers: [] },
    };
    await api.create(resource, forged, { fieldManager: "kubectl-create" });
    const outcome = await sweepOrphans({ api, reader, logger: silentLogger });
    assert.ok(api.server.get(resource, { namespace: "istio-system", name: "intranet" }), "the person's Gateway stays");
    assert.deepEqual(outcome, { deleted: [], kept: [] }, "it is not even a suspect");
  });

  test("never deletes an object that lacks the route annotation (its owner cannot be confirmed gone)", async () => {
    const shop = api.server.get(DOMAIN_ROUTES, { namespace: "team-a", name: "shop" })!;
    const gateway = ownedBy(shop.metadata!.uid!).find((o) => o.kind === "Gateway")!;
    const resource = PRODUCED_RESOURCES.find((r) => r.kind === "Gateway")!;
    api.server.put(resource, { ...gateway, metadata: { ...gateway.metadata, annotations: {} } });
    api.server.delete(DOMAIN_ROUTES, { namespace: "team-a", name: "shop" });
    const outcome = await sweepOrphans({ api, reader, logger: silentLogger });
    assert.deepEqual(
      ownedBy(shop.metadata!.uid!).map((o) => o.kind),
      ["Gateway"],
    );
    assert.ok(outcome.kept.some((k) => k.startsWith("Gateway ")));
  });

  describe("on a platform with regions, never deletes another cluster's DNSEndpoint that this API shows (a hub collecting them)", () => {
    /** A DNSEndpoint the reconciler of cluster aks01-neu wrote for its own team-a/shop (same name, another uid). */
    const otherClusters = (cluster: string | undefined): KubeObject => ({
      apiVersion: "externaldns.k8s.io/v1alpha1",
      kind: "DNSEndpoint",
      metadata: {
        name: "shop-example-com-neu-other",
        namespace: "team-a",
        labels: {
          "app.kubernetes.io/managed-by": "hostgate",
          "hostgate.dev/route-uid": "uid-of-shop-in-aks01-neu",
          ...(cluster === undefined ? {} : { "hostgate.dev/cluster": cluster, "hostgate.dev/region": "neu" }),
        },
        annotations: { "hostgate.dev/route": "team-a/shop" },
      },
      spec: { endpoints: [] },
    });
    const cases = [
      { name: "labelled for another cluster, swept by this one", labelled: "aks01-neu", sweeper: "aks01-weu", deleted: false },
      { name: "labelled for another cluster, swept where no cluster is configured", labelled: "aks01-neu", sweeper: undefined, deleted: false },
      { name: "labelled for this cluster, its route gone", labelled: "aks01-weu", sweeper: "aks01-weu", deleted: true },
      { name: "without a cluster label (a single-region platform), its route gone", labelled: undefined, sweeper: undefined, deleted: true },
    ];
    for (const c of cases) {
      test(`${c.name}: ${c.deleted ? "deleted" : "kept, not even a suspect"}`, async () => {
        await api.create(DNS_ENDPOINT_RESOURCE, otherClusters(c.labelled), { fieldManager: FIELD_MANAGER });
        const outcome = await sweepOrphans({
          api,
          reader,
          logger: silentLogger,
          produced: ALL_PRODUCED_RESOURCES,
          ...(c.sweeper === undefined ? {} : { cluster: c.sweeper }),
        });
        assert.equal(api.server.get(DNS_ENDPOINT_RESOURCE, { namespace: "team-a", name: "shop-example-com-neu-other" }) === undefined, c.deleted);
        if (!c.deleted) assert.deepEqual(outcome, { deleted: [], kept: [] });
      });
    }
  });
});
