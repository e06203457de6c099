// The whole reconciler against the in-memory API server: informers, event
// routing, the three controllers and leader election, on the real clock with
// short timings. Each test waits for a state to be reached (never for a
// fixed time), then checks what was written.
import { afterEach, describe, test } from "node:test";
import assert from "node:assert/strict";
import { silentLogger } from "../../core/logger.ts";
import { loadPlatformConfig } from "../../core/config/index.ts";
import { DEFAULT_CONFIG } from "../../core/cli/paths.ts";
import { FakeKubeApi } from "../../core/kube/testing/fake-kube-api.ts";
import { networkError } from "../../core/kube/testing/fake-list-watch.ts";
import type { KubeObject } from "../../core/kube/object-key.ts";
import type { KubeApi } from "../../core/kube/object-api.ts";
import type { DomainClaim, DomainRoute } from "../../crds/types.ts";
import { PRODUCED_RESOURCES } from "../domainroute/render/produced-resources.ts";
import { APP_ID_TABLE_CONFIG_MAP_NAME, APP_ID_TABLE_ENVOY_FILTER_NAME } from "../app-id-table/app-id-table-objects.ts";
import { CONFIG_MAPS, DOMAIN_CLAIMS, DOMAIN_ROUTES, ENVOY_FILTERS, LEASES, SERVICES } from "../resources.ts";
import { KubeApiError } from "../../core/kube/api-error.ts";
import { ReconcilerManager } from "./reconciler-manager.ts";
import type { ReconcilerManagerOptions } from "./reconciler-manager.ts";
import { eventually } from "./testing/eventually.ts";

const config = loadPlatformConfig(DEFAULT_CONFIG);
const gatewayNs = config.gateway.namespace;
const FAST = { appIdTableDebounceMs: 10, sweepDebounceMs: 10, stopTimeoutMs: 1000 } as const;
const ELECTION = { namespace: "hostgate-system", name: "hostgate-reconciler", leaseDurationMs: 1000, renewDeadlineMs: 600, retryPeriodMs: 50 } as const;

function route(name: string, domain: string, appId = name): KubeObject {
  return {
    apiVersion: "hostgate.dev/v1alpha1",
    kind: "DomainRoute",
    metadata: { name, namespace: "team-a" },
    spec: { domain, lb: "alb-in", routing: { mode: "Managed" }, backend: { service: { name: "web", port: 8080 } }, protection: { provider: "sso", appId } },
  };
}

const running: ReconcilerManager[] = [];
function manager(api: FakeKubeApi, options: Partial<ReconcilerManagerOptions> = {}): ReconcilerManager {
  const m = new ReconcilerManager({ api, config, logger: silentLogger, ...FAST, ...options });
  running.push(m);
  m.start();
  return m;
}

const get = (api: FakeKubeApi, name: string) => api.server.get(DOMAIN_ROUTES, { namespace: "team-a", name }) as unknown as DomainRoute | undefined;
const condition = (api: FakeKubeApi, name: string, type: string) => {
  const c = get(api, name)?.status?.conditions?.find((x) => x.type === type);
  return c === undefined ? undefined : `${c.status} ${c.reason}`;
};
const producedFor = (api: FakeKubeApi, uid: string) =>
  PRODUCED_RESOURCES.flatMap((r) => api.objects(r)).filter((o) => (o.metadata!.labels as Record<string, string>)["hostgate.dev/route-uid"] === uid);
const ready = (api: FakeKubeApi, name: string) => condition(api, name, "Ready") === "True Ready";
const table = (api: FakeKubeApi) => {
  const cm = api.server.get(CONFIG_MAPS, { namespace: gatewayNs, name: APP_ID_TABLE_CONFIG_MAP_NAME }) as { data?: Record<string, string> } | undefined;
  return cm?.data?.["table.json"] === undefined ? undefined : JSON.parse(cm.data["table.json"]);
};

/** The in-memory API server's KubeApi, with some calls replaced. */
function through(api: FakeKubeApi, overrides: Partial<KubeApi>): KubeApi {
  return {
    describe: () => api.describe(),
    list: (r, q) => api.list(r, q),
    watch: (r, q, c) => api.watch(r, q, c),
    get: (r, k) => api.get(r, k),
    create: (r, o, options) => api.create(r, o, options),
    apply: (r, o, options) => api.apply(r, o, options),
    update: (r, o, options) => api.update(r, o, options),
    updateStatus: (r, o) => api.updateStatus(r, o),
    delete: (r, k, p) => api.delete(r, k, p),
    ...overrides,
  };
}

afterEach(async () => {
  await Promise.all(running.splice(0).map((m) => m.stop()));
});

describe("the reconciler, end to end on the in-memory API server", () => {
  test("brings a new route to Ready: finalizer, claim, Istio objects, appId table, then writes nothing more", async () => {
    const api = new FakeKubeApi();
    await api.create(DOMAIN_ROUTES, route("shop", "shop.example.com"));
    const m = manager(api);
    await eventually("shop is Ready", () => ready(api, "shop"));
    const shop = get(api, "shop")!;
    assert.deepEqual(shop.metadata.finalizers, ["hostgate.dev/cleanup"]);
    assert.equal((api.server.get(DOMAIN_CLAIMS, { name: "shop.example.com" }) as unknown as DomainClaim).spec.owner.uid, shop.metadata.uid);
    assert.deepEqual(
      producedFor(api, shop.metadata.uid!)
        .map((o) => o.kind)
        .sort(),
      ["AuthorizationPolicy", "Gateway", "VirtualService"],
    );
    assert.deepEqual(table(api), { "shop.example.com": "shop" });
    assert.ok(api.server.get(ENVOY_FILTERS, { namespace: gatewayNs, name: APP_ID_TABLE_ENVOY_FILTER_NAME }));
    assert.equal(m.isLeader(), true);

    // Quiet: the status writes above came back as watch events and were reconciled again; none wrote.
    await eventually("the queues are empty", () => Object.values(m.stats()).every((s) => s.queued === 0 && s.inFlight === 0));
    await new Promise((resolve) => setTimeout(resolve, 100));
    api.takeWrites();
    await new Promise((resolve) => setTimeout(resolve, 150));
    assert.deepEqual(api.takeWrites(), [], "a settled reconciler writes nothing");
  });

  test("reverts drift: a deleted VirtualService is re-created and a hand-edited EnvoyFilter restored", async () => {
    const api = new FakeKubeApi();
    await api.create(DOMAIN_ROUTES, route("shop", "shop.example.com"));
    manager(api);
    await eventually("shop is Ready", () => ready(api, "shop"));
    const uid = get(api, "shop")!.metadata.uid!;
    const vs = producedFor(api, uid).find((o) => o.kind === "VirtualService")!;
    const vsResource = PRODUCED_RESOURCES.find((r) => r.kind === "VirtualService")!;
    await api.delete(vsResource, { namespace: vs.metadata!.namespace!, name: vs.metadata!.name! });
    const filter = api.server.get(ENVOY_FILTERS, { namespace: gatewayNs, name: APP_ID_TABLE_ENVOY_FILTER_NAME })!;
    await api.update(ENVOY_FILTERS, { ...filter, spec: { configPatches: [] } });
    await eventually("the VirtualService is back", () => producedFor(api, uid).some((o) => o.kind === "VirtualService"));
    await eventually(
      "the EnvoyFilter is restored",
      () =>
        (api.server.get(ENVOY_FILTERS, { namespace: gatewayNs, name: APP_ID_TABLE_ENVOY_FILTER_NAME })!.spec as { configPatches: unknown[] }).configPatches
          .length > 0,
    );
  });

  test("deleting a route removes its objects and its table entry, releases its domain to the next route in line, and lets it go", async () => {
    const api = new FakeKubeApi();
    await api.create(DOMAIN_ROUTES, route("first", "shop.example.com", "first-app"));
    manager(api);
    await eventually("first is Ready", () => ready(api, "first"));
    await api.create(DOMAIN_ROUTES, route("second", "shop.example.com", "second-app"));
    await eventually("second is told the domain is taken", () => condition(api, "second", "Claimed") === "False DomainTaken");
    const firstUid = get(api, "first")!.metadata.uid!;
    await api.delete(DOMAIN_ROUTES, { namespace: "team-a", name: "first" });
    await eventually("first is gone", () => get(api, "first") === undefined);
    assert.deepEqual(producedFor(api, firstUid), []);
    await eventually("second holds the domain and is Ready", () => ready(api, "second"));
    assert.equal((api.server.get(DOMAIN_CLAIMS, { name: "shop.example.com" }) as unknown as DomainClaim).spec.owner.name, "second");
    await eventually("the table maps the domain to second's appId", () => table(api)?.["shop.example.com"] === "second-app");
  });

  test("an appId conflict appearing and clearing moves ProtectionReady and Ready, the table controller's outcome reaching the route controller with no route event", async () => {
    const api = new FakeKubeApi();
    await api.create(DOMAIN_ROUTES, route("shop", "shop.example.com", "shared-app"));
    manager(api);
    await eventually("shop is Ready", () => ready(api, "shop"));
    await api.create(DOMAIN_ROUTES, route("copy", "copy.example.com", "shared-app"));
    await eventually(
      "shop reports the conflict",
      () => condition(api, "shop", "ProtectionReady") === "False AppIDConflict" && condition(api, "shop", "Ready") === "False AppIDConflict",
    );
    assert.equal(get(api, "shop")!.status?.effectiveAppId, undefined, "the gateway stamps no appId for it");
    await api.delete(DOMAIN_ROUTES, { namespace: "team-a", name: "copy" });
    await eventually("shop is published and Ready again", () => condition(api, "shop", "ProtectionReady") === "True Published" && ready(api, "shop"));
    assert.equal(get(api, "shop")!.status?.effectiveAppId, "shared-app");
  });

  test("sweeps what a route left behind when it vanished without its finalizer", async () => {
    const api = new FakeKubeApi();
    await api.create(DOMAIN_ROUTES, route("shop", "shop.example.com"));
    manager(api);
    await eventually("shop is Ready", () => ready(api, "shop"));
    const uid = get(api, "shop")!.metadata.uid!;
    api.server.delete(DOMAIN_ROUTES, { namespace: "team-a", name: "shop" });
    await eventually(
      "its objects and claim are gone",
      () => producedFor(api, uid).length === 0 && api.server.get(DOMAIN_CLAIMS, { name: "shop.example.com" }) === undefined,
    );
    await eventually("the table is empty", () => JSON.stringify(table(api)) === "{}");
  });

  test("a backend Service changing type re-queues its route: not served as an ExternalName, served once it is a normal Service", async () => {
    const api = new FakeKubeApi();
    const service = {
      apiVersion: "v1",
      kind: "Service",
      metadata: { name: "web", namespace: "team-a" },
      spec: { type: "ExternalName", externalName: "169.254.169.254" },
    };
    await api.create(SERVICES, service);
    await api.create(DOMAIN_ROUTES, route("shop", "shop.example.com"));
    const m = manager(api);
    await eventually("shop is refused its backend", () => condition(api, "shop", "Ready") === "False BackendRejected");
    assert.deepEqual(producedFor(api, get(api, "shop")!.metadata.uid!), []);
    // Settled (the appId table's status write came back and was reconciled): only the Service's event is left to bring shop back.
    await eventually("the queues are empty", () => Object.values(m.stats()).every((s) => s.queued === 0 && s.inFlight === 0));
    await new Promise((resolve) => setTimeout(resolve, 100));
    const stored = api.server.get(SERVICES, { namespace: "team-a", name: "web" })!;
    await api.update(SERVICES, { ...stored, spec: { type: "ClusterIP", selector: { app: "web" }, ports: [{ port: 8080 }] } });
    await eventually("shop is Ready once its Service is a normal one", () => ready(api, "shop"));
  });

  test("a route refused a name another route's leftover holds is re-queued when that object goes, and is then served", async () => {
    const api = new FakeKubeApi();
    // Deletes of Gateways fail until released: the leftover of the vanished route stays for a while.
    let released = false;
    const held = through(api, {
      delete: async (resource, key, preconditions) => {
        if (resource.kind === "Gateway" && !released) throw new KubeApiError("500 InternalError: etcd timeout", 500, "InternalError");
        return api.delete(resource, key, preconditions);
      },
    });
    await api.create(DOMAIN_ROUTES, route("first", "shop.example.com", "first-app"));
    manager(api, { api: held });
    await eventually("first is Ready", () => ready(api, "first"));
    // first vanishes without its finalizer: the sweep removes its claim and all but its Gateway.
    api.server.delete(DOMAIN_ROUTES, { namespace: "team-a", name: "first" });
    await eventually("the claim is released", () => api.server.get(DOMAIN_CLAIMS, { name: "shop.example.com" }) === undefined);
    await api.create(DOMAIN_ROUTES, route("second", "shop.example.com", "second-app"));
    await eventually("second is refused the Gateway's name", () => condition(api, "second", "Ready") === "False ObjectOwnedByAnotherRoute");
    released = true;
    // Only the Gateway's deletion event can bring second back this soon (its own recheck is 30 s away).
    await eventually("second is Ready", () => ready(api, "second"), 10_000);
  });

  test("with two replicas only the leader reconciles, and the standby takes over when the leader stops", async () => {
    const api = new FakeKubeApi();
    await api.create(DOMAIN_ROUTES, route("shop", "shop.example.com"));
    const a = manager(api, { leaderElection: { ...ELECTION, holderId: "pod-a" } });
    const b = manager(api, { leaderElection: { ...ELECTION, holderId: "pod-b" } });
    await eventually("shop is Ready", () => ready(api, "shop"));
    await eventually("exactly one leads", () => [a, b].filter((m) => m.isLeader()).length === 1);
    const [leader, standby] = a.isLeader() ? [a, b] : [b, a];
    assert.equal(standby.terms(), 0, "the standby never reconciled");
    assert.equal(standby.notReadyReason(), undefined, "the standby's caches are warm");

    await leader.stop();
    const released = api.server.get(LEASES, { namespace: "hostgate-system", name: "hostgate-reconciler" })!.spec as { holderIdentity?: string };
    assert.ok(
      released.holderIdentity === undefined || released.holderIdentity === "" || released.holderIdentity === (standby === a ? "pod-a" : "pod-b"),
      "the lease was released (or already taken by the standby)",
    );
    await eventually("the standby leads", () => standby.isLeader());
    await api.create(DOMAIN_ROUTES, route("blog", "blog.example.com"));
    await eventually("the new leader brings a new route to Ready", () => ready(api, "blog"));
  });

  test("a term that ends in the middle of a reconcile sends none of that reconcile's later writes", async () => {
    const api = new FakeKubeApi();
    await api.create(DOMAIN_ROUTES, route("shop", "shop.example.com"));
    // The first write of the route's AuthorizationPolicy (its first Istio object) waits at a gate: the term ends while the reconcile is inside it.
    let opened!: () => void;
    const gate = new Promise<void>((resolve) => (opened = resolve));
    let held = false;
    const gated = through(api, {
      create: async (resource, object, options) => {
        if (!held && resource.kind === "AuthorizationPolicy") {
          held = true;
          await gate;
        }
        return api.create(resource, object, options);
      },
    });
    const m = new ReconcilerManager({ api: gated, config, logger: silentLogger, ...FAST });
    running.push(m);
    m.start();
    await eventually("a reconcile is inside its first write of an Istio object", () => held);
    api.takeWrites();
    const stopped = m.stop();
    opened();
    await stopped;
    const after = api.takeWrites().filter((w) => w.verb !== "create" || w.resource !== "authorizationpolicies.security.istio.io");
    assert.deepEqual(after, [], "after the gated write, nothing more was written");
  });

  test("stands for leader only once its caches have synced", async () => {
    const api = new FakeKubeApi();
    api.server.failLists(DOMAIN_CLAIMS, networkError());
    const m = manager(api, { leaderElection: { ...ELECTION, holderId: "pod-a" } });
    await new Promise((resolve) => setTimeout(resolve, 50));
    assert.equal(api.server.get(LEASES, { namespace: "hostgate-system", name: "hostgate-reconciler" }), undefined, "a cold replica does not take the Lease");
    await eventually("leading once synced", () => m.isLeader());
  });

  test("is unready until its caches have synced, and ready after", async () => {
    const api = new FakeKubeApi();
    // The first list of claims fails (an API server not answering yet); the reflector retries after a backoff.
    api.server.failLists(DOMAIN_CLAIMS, networkError());
    const m = manager(api);
    await new Promise((resolve) => setTimeout(resolve, 20));
    assert.match(m.notReadyReason() ?? "", /not synced yet: domainclaims\.hostgate\.dev/);
    assert.equal(m.terms(), 0, "no reconcile before every cache has synced");
    await eventually("ready", () => m.notReadyReason() === undefined);
    await eventually("reconciling", () => m.terms() === 1);
  });
});
