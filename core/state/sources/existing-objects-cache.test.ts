import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { ManualClock } from "../../clock.ts";
import { KubeApiError } from "../../kube/api-error.ts";
import type { ListWatchClient } from "../../kube/list-watch-client.ts";
import type { KubeObject } from "../../kube/object-key.ts";
import { FakeListWatchClient } from "../../kube/testing/fake-list-watch.ts";
import { ServedVersionsClient } from "../../kube/testing/served-versions.ts";
import { manualHeapGuard } from "../../memory/testing/manual-heap-guard.ts";
import { RecordingLogger } from "../../testing/recording-logger.ts";
import { AUDITED_RESOURCES, auditedResourceRef } from "../audited-resources.ts";
import type { AuditedResource } from "../audited-resources.ts";
import type { ExistingObjectsSnapshot } from "../existing-objects.ts";
import { route } from "../state-fixtures.ts";
import { LAST_APPLIED_ANNOTATION } from "../trim-for-audit.ts";
import { ExistingObjectsCache } from "./existing-objects-cache.ts";
import type { ExistingObjectsCacheOptions } from "./existing-objects-cache.ts";

const audited = (kind: string, group?: string): AuditedResource =>
  AUDITED_RESOURCES.find((r) => r.kind === kind && (group === undefined || r.group === group))!;
const DOMAIN_ROUTE = audited("DomainRoute");
const HTTP_ROUTE = audited("HTTPRoute");
const GRANT = audited("HostnameGrant");
const DOMAIN_ROUTES_V1 = auditedResourceRef(DOMAIN_ROUTE, "v1alpha1");
const HTTP_ROUTES_V1 = auditedResourceRef(HTTP_ROUTE, "v1");

async function settle(): Promise<void> {
  for (let i = 0; i < 8; i++) await new Promise((resolve) => setImmediate(resolve));
}

function httpRoute(namespace: string, name: string, hostnames: string[]): KubeObject {
  return { apiVersion: "gateway.networking.k8s.io/v1", kind: "HTTPRoute", metadata: { namespace, name }, spec: { hostnames } };
}

/** A fake cluster with hostgate's CRDs installed (Gateway API only when asked) and a cache over it. */
function harness(options: Partial<ExistingObjectsCacheOptions> & { gatewayApi?: boolean } = {}) {
  const server = new FakeListWatchClient();
  const cluster = new ServedVersionsClient(server).install(DOMAIN_ROUTE, "v1alpha1").install(GRANT, "v1alpha1").install(audited("RegionPolicy"), "v1alpha1");
  if (options.gatewayApi === true) cluster.install(HTTP_ROUTE, "v1", "v1beta1");
  const clock = new ManualClock();
  const logger = new RecordingLogger();
  const { gatewayApi: _g, ...rest } = options;
  const cache = new ExistingObjectsCache({ client: cluster, clock, logger, random: () => 0.5, ...rest });
  let changes = 0;
  cache.onChange(() => changes++);
  return { server, cluster, clock, logger, cache, changes: () => changes };
}

const states = (snapshot: ExistingObjectsSnapshot) =>
  Object.fromEntries(
    snapshot.kinds.map((k) => [`${k.resource.kind}.${k.resource.group}`, k.state.kind === "synced" ? `synced ${k.state.version}` : k.state.kind]),
  );
const names = (snapshot: ExistingObjectsSnapshot) => snapshot.objects.map((o) => `${o.metadata?.namespace}/${o.kind}/${o.metadata?.name}`).sort();

describe("ExistingObjectsCache", () => {
  it("lists every audited kind at its first served version, trimmed, and reports kinds whose CRD is not installed as not served", async () => {
    const h = harness({ gatewayApi: true });
    const shop = route({ name: "shop", domain: "shop.example.com" }) as KubeObject;
    shop.metadata!.managedFields = [{ manager: "kubectl", fieldsV1: {} }];
    shop.metadata!.annotations = { [LAST_APPLIED_ANNOTATION]: "{…}", team: "a" };
    shop.status = { conditions: [{ type: "Ready", status: "True" }] };
    h.server.put(DOMAIN_ROUTES_V1, shop);
    h.server.put(HTTP_ROUTES_V1, httpRoute("team-a", "x", ["x.example.com"]));
    h.cache.start();
    await settle();
    const snapshot = h.cache.snapshot();
    assert.deepEqual(states(snapshot), {
      "DomainRoute.hostgate.dev": "synced v1alpha1",
      "RegionPolicy.hostgate.dev": "synced v1alpha1",
      "HostnameGrant.hostgate.dev": "synced v1alpha1",
      "HTTPRoute.gateway.networking.k8s.io": "synced v1",
      "GRPCRoute.gateway.networking.k8s.io": "not-served",
      "TLSRoute.gateway.networking.k8s.io": "not-served",
      "Gateway.gateway.networking.k8s.io": "not-served",
      "VirtualService.networking.istio.io": "not-served",
      "Gateway.networking.istio.io": "not-served",
    });
    assert.deepEqual(names(snapshot), ["team-a/DomainRoute/shop", "team-a/HTTPRoute/x"]);
    const held = snapshot.objects.find((o) => o.kind === "DomainRoute")!;
    assert.equal(held.metadata?.managedFields, undefined);
    assert.deepEqual(held.metadata?.annotations, { team: "a" });
    assert.deepEqual(held.status, shop.status, "status stays: admission sees the stored status on UPDATE");
    assert.equal(h.cache.size(), 2);
    await h.cache.stop();
    assert.equal(h.clock.pendingTimers(), 0, "no recheck or retry is left behind");
  });

  it("follows watch changes and relists, handing out the same objects array until something changes and never mutating an old one", async () => {
    const h = harness();
    h.server.put(DOMAIN_ROUTES_V1, route({ name: "a", domain: "a.example.com" }));
    h.server.put(DOMAIN_ROUTES_V1, route({ name: "b", domain: "b.example.com" }));
    h.cache.start();
    await settle();
    const first = h.cache.snapshot();
    assert.equal(h.cache.snapshot().objects, first.objects, "no change, no rebuild");
    h.server.put(DOMAIN_ROUTES_V1, route({ name: "c", domain: "c.example.com" }));
    await settle();
    const second = h.cache.snapshot();
    assert.deepEqual(names(second), ["team-a/DomainRoute/a", "team-a/DomainRoute/b", "team-a/DomainRoute/c"]);
    assert.deepEqual(names(first), ["team-a/DomainRoute/a", "team-a/DomainRoute/b"], "an old snapshot is never mutated");

    // The watch history is compacted while a deletion and a change happen: the 410 forces a relist.
    h.server.endWatches(DOMAIN_ROUTES_V1);
    h.server.delete(DOMAIN_ROUTES_V1, { namespace: "team-a", name: "a" });
    h.server.put(DOMAIN_ROUTES_V1, route({ name: "b", domain: "b2.example.com" }));
    h.server.compact(DOMAIN_ROUTES_V1);
    await settle();
    h.clock.advance(60_000);
    await settle();
    const relisted = h.cache.snapshot();
    assert.deepEqual(names(relisted), ["team-a/DomainRoute/b", "team-a/DomainRoute/c"]);
    assert.equal((relisted.objects.find((o) => o.metadata?.name === "b")!.spec as { domain: string }).domain, "b2.example.com");
    assert.ok(h.changes() >= 3);
    await h.cache.stop();
  });

  it("looks for a kind that is not served again after the recheck interval, so installing Gateway API later is picked up", async () => {
    const h = harness({ notServedRecheckMs: 120_000 });
    h.server.put(HTTP_ROUTES_V1, httpRoute("team-a", "x", ["x.example.com"]));
    h.cache.start();
    await settle();
    assert.equal(states(h.cache.snapshot())["HTTPRoute.gateway.networking.k8s.io"], "not-served");
    assert.deepEqual(names(h.cache.snapshot()), []);
    h.cluster.install(HTTP_ROUTE, "v1beta1");
    h.clock.advance(119_000);
    await settle();
    assert.equal(states(h.cache.snapshot())["HTTPRoute.gateway.networking.k8s.io"], "not-served", "not before the interval");
    h.clock.advance(1_000);
    await settle();
    assert.equal(states(h.cache.snapshot())["HTTPRoute.gateway.networking.k8s.io"], "synced v1beta1", "the first served candidate");
    assert.deepEqual(names(h.cache.snapshot()), ["team-a/HTTPRoute/x"]);
    await h.cache.stop();
    assert.equal(h.clock.pendingTimers(), 0);
  });

  it("notices that the version it reads is no longer served (a CRD upgrade dropped it) and reads the kind again at one that is", async () => {
    const h = harness({ notServedRecheckMs: 120_000 });
    h.server.put(HTTP_ROUTES_V1, httpRoute("team-a", "x", ["x.example.com"]));
    // The cluster serves HTTPRoutes at v1beta1 only, until the upgrade below removes it and serves v1.
    let upgraded = false;
    const removed = (r: { group: string; version: string }) => upgraded && r.group === HTTP_ROUTE.group && r.version === "v1beta1";
    const gone = () => new KubeApiError("404 NotFound: the server could not find the requested resource", 404, "NotFound");
    h.cluster.install(HTTP_ROUTE, "v1beta1");
    const cluster: ListWatchClient = {
      describe: () => h.cluster.describe(),
      list: (r, request) => (removed(r) ? Promise.reject(gone()) : h.cluster.list(r, request)),
      watch: (r, request, callbacks) => {
        if (!removed(r)) return h.cluster.watch(r, request, callbacks);
        queueMicrotask(() => callbacks.onEnd(gone()));
        return { abort: () => {} };
      },
    };
    const cache = new ExistingObjectsCache({ client: cluster, clock: h.clock, random: () => 0.5, notServedRecheckMs: 120_000, resources: [HTTP_ROUTE] });
    cache.start();
    await settle();
    assert.deepEqual(cache.snapshot().kinds[0]!.state, { kind: "synced", version: "v1beta1" });

    upgraded = true;
    h.cluster.install(HTTP_ROUTE, "v1");
    h.server.put(HTTP_ROUTES_V1, httpRoute("team-a", "y", ["y.example.com"]));
    h.server.endWatches(HTTP_ROUTES_V1);
    await settle();
    h.clock.advance(60_000);
    await settle();
    assert.deepEqual(cache.snapshot().kinds[0]!.state, { kind: "synced", version: "v1beta1" }, "a 404 alone is retried until the recheck");
    h.clock.advance(60_000);
    await settle();
    assert.deepEqual(cache.snapshot().kinds[0]!.state, { kind: "synced", version: "v1" });
    assert.deepEqual(names(cache.snapshot()), ["team-a/HTTPRoute/x", "team-a/HTTPRoute/y"]);
    assert.equal(cache.size(), 2);
    await cache.stop();
    assert.equal(h.clock.pendingTimers(), 0);
  });

  const forbidden = () =>
    new KubeApiError(
      '403 Forbidden: httproutes.gateway.networking.k8s.io is forbidden: User "system:serviceaccount:hostgate:webhook" cannot list',
      403,
      "Forbidden",
    );
  const cases: { name: string; failures: (KubeApiError | undefined)[] }[] = [
    { name: "when looking up its served version", failures: [forbidden()] },
    { name: "when its reflector lists it", failures: [undefined, forbidden()] },
  ];
  for (const c of cases) {
    it(`reports a kind RBAC forbids as pending with the rule to add (${c.name}), then syncs once allowed`, async () => {
      const h = harness({ gatewayApi: true });
      h.server.put(HTTP_ROUTES_V1, httpRoute("team-a", "x", ["x.example.com"]));
      h.server.failLists(HTTP_ROUTES_V1, ...c.failures);
      h.cache.start();
      await settle();
      const pending = h.cache.snapshot().kinds.find((k) => k.resource === HTTP_ROUTE)!.state;
      assert.deepEqual(pending, { kind: "pending", reason: "RBAC must allow list/watch on httproutes.gateway.networking.k8s.io" });
      assert.equal(states(h.cache.snapshot())["DomainRoute.hostgate.dev"], "synced v1alpha1", "other kinds are unaffected");
      h.clock.advance(h.clock.pendingDelays()[0]!);
      await settle();
      assert.equal(states(h.cache.snapshot())["HTTPRoute.gateway.networking.k8s.io"], "synced v1");
      assert.deepEqual(names(h.cache.snapshot()), ["team-a/HTTPRoute/x"]);
      await h.cache.stop();
    });
  }

  it("says a kind is pending until its served version is known and its first list is complete", async () => {
    const h = harness();
    h.server.put(DOMAIN_ROUTES_V1, route({ name: "a", domain: "a.example.com" }));
    h.cache.start();
    assert.deepEqual(h.cache.snapshot().kinds[0]!.state, { kind: "pending", reason: "looking up the served version of domainroutes.hostgate.dev" });
    assert.deepEqual(h.cache.snapshot().objects, []);
    await settle();
    assert.deepEqual(h.cache.snapshot().kinds[0]!.state, { kind: "synced", version: "v1alpha1" });
    await h.cache.stop();
  });

  it("drops every object and stops every reflector when the objects outgrow maxObjects, naming the limit and the flag that raises it", async () => {
    const h = harness({ maxObjects: 3, gatewayApi: true });
    h.server.put(DOMAIN_ROUTES_V1, route({ name: "a", domain: "a.example.com" }));
    h.server.put(HTTP_ROUTES_V1, httpRoute("team-a", "x", ["x.example.com"]));
    h.cache.start();
    await settle();
    assert.equal(h.cache.size(), 2);
    h.server.put(DOMAIN_ROUTES_V1, route({ name: "b", domain: "b.example.com" }));
    await settle();
    assert.equal(h.cache.size(), 3, "at the limit is within it");
    h.server.put(HTTP_ROUTES_V1, httpRoute("team-a", "y", ["y.example.com"]));
    await settle();
    const snapshot = h.cache.snapshot();
    assert.equal(h.cache.size(), 0);
    assert.deepEqual(snapshot.objects, []);
    const reason = "over the limit of 3 existing objects (--impact-objects-max), so none are kept; raise --impact-objects-max to keep them";
    assert.ok(snapshot.kinds.every((k) => k.state.kind === "dropped" && k.state.reason === reason));
    assert.equal(h.server.openWatches(DOMAIN_ROUTES_V1) + h.server.openWatches(HTTP_ROUTES_V1), 0, "every reflector stopped");
    h.server.put(DOMAIN_ROUTES_V1, route({ name: "c", domain: "c.example.com" }));
    h.clock.advance(10 * 60_000);
    await settle();
    assert.equal(h.cache.size(), 0, "never refilled");
    assert.equal(h.logger.at("error").length, 1);
    await h.cache.stop();
    assert.equal(h.clock.pendingTimers(), 0);
  });

  it("cuts a first list that would exceed maxObjects short at the page that crosses it, before holding it", async () => {
    const h = harness({ maxObjects: 3, pageSize: 2, resources: [DOMAIN_ROUTE], maxObjectsSetting: "--audit-objects-max" });
    for (const name of ["a", "b", "c", "d", "e", "f", "g"]) h.server.put(DOMAIN_ROUTES_V1, route({ name, domain: `${name}.example.com` }));
    h.cache.start();
    await settle();
    const pages = h.server.listCalls.filter((c) => c.limit === 2).length;
    assert.equal(pages, 2, "the third page is never asked for");
    assert.deepEqual(h.cache.snapshot().kinds[0]!.state, {
      kind: "dropped",
      reason: "over the limit of 3 existing objects (--audit-objects-max), so none are kept; raise --audit-objects-max to keep them",
    });
    await h.cache.stop();
  });

  it("drops everything when its heap guard trips after a full collection, so the admission cache (guarded higher) is never pushed out", async () => {
    const heap = manualHeapGuard({ limitBytes: 200_000_000, fraction: 0.6 });
    heap.guard.start();
    const h = harness({ heapGuard: heap.guard, gatewayApi: true });
    h.server.put(DOMAIN_ROUTES_V1, route({ name: "a", domain: "a.example.com" }));
    h.cache.start();
    await settle();
    heap.collect(110_000_000);
    assert.equal(h.cache.size(), 1, "55% is within the guard's 60%");
    heap.collect(130_000_000);
    const snapshot = h.cache.snapshot();
    assert.equal(h.cache.size(), 0);
    const reason = "the heap passed 60% of its limit, so none are kept; raise the memory limit or lower --impact-objects-max";
    assert.ok(snapshot.kinds.every((k) => k.state.kind === "dropped" && k.state.reason === reason));
    assert.equal(h.server.openWatches(DOMAIN_ROUTES_V1), 0);
    assert.match(h.logger.messages("error")[0]!, /^existing objects cache dropped: the heap passed 60% of its limit \(130\.0 MB of 200\.0 MB \(65%\)\)/);
    await h.cache.stop();
    heap.guard.stop();
  });

  it("does not take a list in while its heap guard's last reading is over the line", async () => {
    const heap = manualHeapGuard({ limitBytes: 200_000_000, fraction: 0.6 });
    heap.guard.start();
    heap.collect(150_000_000);
    const h = harness({ heapGuard: heap.guard, resources: [DOMAIN_ROUTE] });
    h.server.put(DOMAIN_ROUTES_V1, route({ name: "a", domain: "a.example.com" }));
    h.cache.start();
    await settle();
    assert.equal(h.cache.size(), 0);
    assert.equal(h.cache.snapshot().kinds[0]!.state.kind, "dropped");
    await h.cache.stop();
    heap.guard.stop();
  });

  it("refuses a maxObjects that is not a positive integer", () => {
    for (const maxObjects of [0, -1, 1.5, Number.NaN]) {
      assert.throws(() => harness({ maxObjects }), {
        name: "RangeError",
        message: `existing objects cache: maxObjects must be a positive integer (got ${maxObjects})`,
      });
    }
  });
});
