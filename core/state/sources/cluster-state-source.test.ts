import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { ManualClock } from "../../clock.ts";
import { FakeListWatchClient, networkError } from "../../kube/testing/fake-list-watch.ts";
import type { HeapGuard } from "../../memory/heap-guard.ts";
import { manualHeapGuard } from "../../memory/testing/manual-heap-guard.ts";
import { RecordingLogger } from "../../testing/recording-logger.ts";
import { grant, grantNames, route, routeNames } from "../state-fixtures.ts";
import { ClusterStateSource } from "./cluster-state-source.ts";
import { DOMAIN_ROUTES, HOSTNAME_GRANTS } from "./indexed-resources.ts";

async function settle(): Promise<void> {
  for (let i = 0; i < 5; i++) await new Promise((resolve) => setImmediate(resolve));
}

/** A heap guard whose full collections the test causes, with the live bytes it says. */
const manualHeap = () => {
  const heap = manualHeapGuard({ limitBytes: 240_000_000 });
  heap.guard.start();
  return heap;
};

function harness(options: { heapGuard?: HeapGuard } = {}) {
  const server = new FakeListWatchClient();
  const clock = new ManualClock();
  const logger = new RecordingLogger();
  const source = new ClusterStateSource({ client: server, clock, logger, random: () => 0.5, description: "https://10.0.0.1:443 (test)", ...options });
  let changes = 0;
  source.onChange(() => changes++);
  return { server, clock, logger, source, changes: () => changes };
}

describe("ClusterStateSource", () => {
  it("is ready only once every resource has been listed completely", async () => {
    const h = harness();
    h.server.put(HOSTNAME_GRANTS, grant({ name: "team-a", namespaces: ["team-a"], hostnames: ["*.shop.example.com"] }));
    h.server.put(DOMAIN_ROUTES, route({ name: "web", domain: "shop.example.com" }));
    h.server.failLists(DOMAIN_ROUTES, networkError("connect ECONNREFUSED 10.0.0.1:443"));
    await h.source.start();
    await settle();
    assert.equal(h.source.synced(), false, "grants alone are not enough");
    assert.equal(h.source.notReadyReason(), "waiting for the first complete list of domainroutes.hostgate.dev (last error: connect ECONNREFUSED 10.0.0.1:443)");
    h.clock.advance(h.clock.pendingDelays()[0]!);
    await settle();
    assert.equal(h.source.synced(), true);
    assert.equal(h.source.notReadyReason(), undefined);
    assert.deepEqual(h.source.counts(), { hostnameGrants: 1, domainRoutes: 1, domains: 1, appIds: 0, grantedNamespaces: 1 });
    assert.ok(h.logger.messages("info").includes("cluster state synced: every resource listed; ready"));
    await h.source.stop();
  });

  it("stays unready and retrying while the API server is unreachable, never falling back to other state", async () => {
    const h = harness();
    h.server.failLists(HOSTNAME_GRANTS, ...Array.from({ length: 10 }, () => networkError()));
    h.server.failLists(DOMAIN_ROUTES, ...Array.from({ length: 10 }, () => networkError()));
    await h.source.start();
    for (let i = 0; i < 8; i++) {
      await settle();
      h.clock.advance(30_000);
    }
    await settle();
    assert.equal(h.source.synced(), false);
    assert.deepEqual(h.source.counts(), { hostnameGrants: 0, domainRoutes: 0, domains: 0, appIds: 0, grantedNamespaces: 0 });
    assert.equal(h.clock.pendingTimers(), 2, "each resource waits to retry");
    const statuses = h.source.status().resources;
    assert.ok(statuses.every((s) => s.errors >= 8 && s.phase === "waiting"));
    await h.source.stop();
    assert.equal(h.clock.pendingTimers(), 0);
  });

  it("serves list and watch changes through current(), a new snapshot per change, old snapshots unchanged", async () => {
    const h = harness();
    h.server.put(HOSTNAME_GRANTS, grant({ name: "team-a", namespaces: ["team-a"], hostnames: ["*.shop.example.com"] }));
    h.server.put(DOMAIN_ROUTES, route({ name: "web", domain: "shop.example.com", appId: "shop-web" }));
    await h.source.start();
    await settle();
    const before = h.source.current();
    assert.equal(h.source.current(), before, "the same snapshot until something changes");
    h.server.put(DOMAIN_ROUTES, route({ name: "web", domain: "www.shop.example.com", appId: "shop-web" }));
    h.server.put(DOMAIN_ROUTES, route({ namespace: "team-b", name: "api", domain: "api.shop.example.com" }));
    h.server.put(HOSTNAME_GRANTS, grant({ name: "team-b", namespaces: ["team-b"], hostnames: ["api.shop.example.com"] }));
    const after = h.source.current();
    assert.deepEqual(routeNames(before, "domainRoutesByDomain"), { "shop.example.com": ["team-a/web"] });
    assert.deepEqual(routeNames(after, "domainRoutesByDomain"), { "api.shop.example.com": ["team-b/api"], "www.shop.example.com": ["team-a/web"] });
    assert.deepEqual(grantNames(after), { "team-a": ["team-a"], "team-b": ["team-b"] });
    assert.equal(h.changes(), 5, "two initial lists and three events");
    await h.source.stop();
  });

  it("drops from the index what a relist finds deleted while the watch was down", async () => {
    const h = harness();
    h.server.put(HOSTNAME_GRANTS, grant({ name: "team-a", namespaces: ["team-a"] }));
    h.server.put(DOMAIN_ROUTES, route({ name: "web", domain: "shop.example.com", appId: "shop-web" }));
    h.server.put(DOMAIN_ROUTES, route({ name: "old", domain: "old.shop.example.com", appId: "old" }));
    await h.source.start();
    await settle();
    h.server.endWatches(DOMAIN_ROUTES, networkError());
    h.server.delete(DOMAIN_ROUTES, { namespace: "team-a", name: "old" });
    h.server.compact(DOMAIN_ROUTES);
    await settle();
    h.clock.advance(h.clock.pendingDelays()[0]!);
    await settle();
    const cluster = h.source.current();
    assert.deepEqual(routeNames(cluster, "domainRoutesByDomain"), { "shop.example.com": ["team-a/web"] });
    assert.deepEqual(routeNames(cluster, "domainRoutesByAppId"), { "shop-web": ["team-a/web"] });
    assert.equal(h.source.status().resources.find((r) => r.resource === "domainroutes.hostgate.dev")!.relists, 1);
    await h.source.stop();
  });

  it("takes a route out of the domain and appId indexes when a watch event shows it Terminating", async () => {
    const h = harness();
    h.server.put(DOMAIN_ROUTES, route({ name: "web", domain: "shop.example.com", appId: "shop-web" }));
    await h.source.start();
    await settle();
    h.server.put(DOMAIN_ROUTES, route({ name: "web", domain: "shop.example.com", appId: "shop-web", deletionTimestamp: "2030-01-01T00:00:00Z" }));
    const cluster = h.source.current();
    assert.deepEqual(routeNames(cluster, "domainRoutesByDomain"), {});
    assert.deepEqual(routeNames(cluster, "domainRoutesByAppId"), {});
    assert.equal(h.source.counts().domainRoutes, 1, "still held, so the watch's DELETED event finds it");
    await h.source.stop();
  });

  it("watches both resources across all namespaces and says where it is connected", async () => {
    const h = harness();
    await h.source.start();
    await settle();
    assert.deepEqual(
      h.server.watchCalls.map((w) => w.resource),
      ["hostnamegrants.hostgate.dev", "domainroutes.hostgate.dev"],
    );
    assert.equal(h.source.describe(), "cluster https://10.0.0.1:443 (test)");
    assert.equal(h.source.status().mode, "cluster");
    await h.source.stop();
    assert.equal(h.server.openWatches(HOSTNAME_GRANTS) + h.server.openWatches(DOMAIN_ROUTES), 0);
    assert.equal(h.clock.pendingTimers(), 0);
  });

  it("drops its cache and stays unready, naming the limit to raise, when live data outgrows the heap", async () => {
    const heap = manualHeap();
    const h = harness({ heapGuard: heap.guard });
    h.server.put(HOSTNAME_GRANTS, grant({ name: "team-a", namespaces: ["team-a"], hostnames: ["*.shop.example.com"] }));
    h.server.put(DOMAIN_ROUTES, route({ name: "web", domain: "shop.example.com", appId: "shop-web" }));
    await h.source.start();
    await settle();
    heap.collect(150_000_000);
    assert.equal(h.source.synced(), true, "62% of the heap is room enough");
    assert.equal(h.source.heapLimitReached(), undefined);
    const changesBefore = h.changes();

    heap.collect(200_000_000);
    const expected =
      "the cluster cache outgrew the heap and was dropped (200.0 MB of 240.0 MB (83%) in use): raise the webhook's resources.limits.memory and roll the Deployment. " +
      "Until then every review is refused. Listed: 1 hostnamegrants.hostgate.dev, 1 domainroutes.hostgate.dev; " +
      `the heap is sized from the memory limit (see "Memory and scale" in deploy/README.md)`;
    assert.equal(h.source.synced(), false);
    assert.equal(h.source.notReadyReason(), expected);
    assert.equal(h.source.status().mode === "cluster" && h.source.status().heapLimitReached, expected);
    assert.deepEqual(h.source.counts(), { hostnameGrants: 0, domainRoutes: 0, domains: 0, appIds: 0, grantedNamespaces: 0 }, "the cache is gone");
    assert.deepEqual(routeNames(h.source.current(), "domainRoutesByDomain"), {});
    assert.equal(h.changes(), changesBefore + 1, "listeners hear of the drop");
    assert.deepEqual(h.logger.messages("error"), [expected]);
    await settle();
    assert.equal(h.server.openWatches(HOSTNAME_GRANTS) + h.server.openWatches(DOMAIN_ROUTES), 0, "the lists and watches stop");

    // Later events and collections change nothing: the drop is for good, and said once.
    h.server.put(DOMAIN_ROUTES, route({ name: "api", domain: "api.shop.example.com" }));
    heap.collect(20_000_000);
    heap.collect(230_000_000);
    await settle();
    assert.equal(h.source.synced(), false);
    assert.equal(h.source.counts().domainRoutes, 0);
    assert.equal(h.logger.messages("error").length, 1);
    await h.source.stop();
    assert.equal(h.clock.pendingTimers(), 0);
  });

  it("stops applying a list that fills the heap mid-way, without waiting for a collection callback", async () => {
    const heap = manualHeap();
    const h = harness({ heapGuard: heap.guard });
    for (let i = 0; i < 2500; i++) h.server.put(DOMAIN_ROUTES, route({ name: `app-${i}`, domain: `app-${i}.shop.example.com` }));
    heap.collect(229_000_000); // 95.4% in use: a synchronous check trips, and no collection callback comes during the apply
    assert.equal(h.source.heapLimitReached(), undefined, "a reading alone drops nothing before the source starts");
    await h.source.start();
    await settle();
    const reached = h.source.heapLimitReached();
    assert.ok(reached !== undefined);
    assert.equal(reached.counts.domainRoutes, 999, "the apply stopped at the first check");
    assert.match(reached.message, /\(229\.0 MB of 240\.0 MB \(95%\) in use\).* Listed: \d+ hostnamegrants\.hostgate\.dev, 2500 domainroutes\.hostgate\.dev;/);
    assert.equal(h.source.counts().domainRoutes, 0, "the half-applied index is dropped too");
    assert.equal(h.source.synced(), false);
    await h.source.stop();
  });

  it("stops watching the heap on stop()", async () => {
    const heap = manualHeap();
    const h = harness({ heapGuard: heap.guard });
    await h.source.start();
    await settle();
    await h.source.stop();
    heap.collect(239_000_000);
    assert.equal(h.source.heapLimitReached(), undefined);
  });
});
