import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { ANCIENT_CHANGES, FakeKubeApi, MAX_UPDATE_MANAGERS } from "./fake-kube-api.ts";
import type { ResourceRef } from "../resource.ts";
import type { KubeObject } from "../object-key.ts";
import type { WatchEvent } from "../list-watch-client.ts";

const CONFIGMAPS: ResourceRef = { group: "", version: "v1", resource: "configmaps", kind: "ConfigMap", namespaced: true };
const ROUTES: ResourceRef = { group: "hostgate.dev", version: "v1alpha1", resource: "domainroutes", kind: "DomainRoute", namespaced: true };
const CLAIMS: ResourceRef = { group: "hostgate.dev", version: "v1alpha1", resource: "domainclaims", kind: "DomainClaim", namespaced: false };

const configMap = (name: string, data: Record<string, string>, labels: Record<string, string> = {}): KubeObject => ({
  apiVersion: "v1",
  kind: "ConfigMap",
  metadata: { name, namespace: "ns", labels },
  data,
});
const route = (name: string, extra: Partial<KubeObject> = {}): KubeObject => ({
  apiVersion: "hostgate.dev/v1alpha1",
  kind: "DomainRoute",
  metadata: { name, namespace: "team" },
  spec: { domain: `${name}.example.com` },
  ...extra,
});

describe("the in-memory API server", () => {
  test("create assigns a uid, generation 1 and a resourceVersion, and a second create is AlreadyExists", async () => {
    const api = new FakeKubeApi();
    const created = await api.create(CLAIMS, { apiVersion: "hostgate.dev/v1alpha1", kind: "DomainClaim", metadata: { name: "shop.example.com" }, spec: {} });
    assert.equal(created.metadata?.uid, "uid-1");
    assert.equal(created.metadata?.generation, 1);
    assert.match(String(created.metadata?.resourceVersion), /^\d+$/);
    await assert.rejects(api.create(CLAIMS, { apiVersion: "hostgate.dev/v1alpha1", kind: "DomainClaim", metadata: { name: "shop.example.com" } }), {
      status: 409,
      reason: "AlreadyExists",
      statusMessage: 'domainclaims.hostgate.dev "shop.example.com" already exists',
    });
  });

  test("AlreadyExists names a core resource without a group, as the API server does", async () => {
    const api = new FakeKubeApi();
    const services = { group: "", version: "v1", resource: "services", kind: "Service", namespaced: true };
    const service = { apiVersion: "v1", kind: "Service", metadata: { name: "web", namespace: "team-a" } };
    await api.create(services, service);
    await assert.rejects(api.create(services, service), { status: 409, reason: "AlreadyExists", statusMessage: 'services "web" already exists' });
  });

  test("an update from a stale resourceVersion is a 409 Conflict and changes nothing", async () => {
    const api = new FakeKubeApi();
    const first = await api.create(ROUTES, route("shop"));
    await api.update(ROUTES, { ...first, spec: { domain: "a.example.com" } });
    await assert.rejects(api.update(ROUTES, { ...first, spec: { domain: "b.example.com" } }), { status: 409, reason: "Conflict" });
    assert.deepEqual((await api.get(ROUTES, { namespace: "team", name: "shop" }))?.spec, { domain: "a.example.com" });
  });

  test("an update naming another uid (the object was re-created since) is a 409 Conflict and changes nothing", async () => {
    const api = new FakeKubeApi();
    const first = await api.create(ROUTES, route("shop"));
    await api.delete(ROUTES, { namespace: "team", name: "shop" });
    const second = await api.create(ROUTES, route("shop"));
    await assert.rejects(
      api.update(ROUTES, { ...first, metadata: { ...first.metadata, resourceVersion: second.metadata?.resourceVersion }, spec: { domain: "b.example.com" } }),
      {
        status: 409,
        reason: "Conflict",
        message: /Precondition failed: UID in precondition/,
      },
    );
    assert.deepEqual((await api.get(ROUTES, { namespace: "team", name: "shop" }))?.spec, { domain: "shop.example.com" });
  });

  test("every write that changes an object records its writer in managedFields; a no-op records nothing", async () => {
    const api = new FakeKubeApi();
    const managers = async () => {
      const entries = (await api.get(ROUTES, { namespace: "team", name: "shop" }))?.metadata?.managedFields as { manager: string; operation: string }[];
      return entries.map((e) => `${e.manager} ${e.operation}`);
    };
    // hostgate's label stays its field when others change the spec, so its entry stays (an entry left owning nothing is dropped).
    const created = await api.create(ROUTES, route("shop", { metadata: { name: "shop", namespace: "team", labels: { app: "hostgate" } } }), {
      fieldManager: "hostgate-reconciler",
    });
    assert.deepEqual(await managers(), ["hostgate-reconciler Update"]);
    const edited = await api.update(
      ROUTES,
      { ...created, metadata: { ...created.metadata, labels: { app: "hostgate", edited: "yes" } }, spec: { domain: "x.example.com" } },
      { fieldManager: "kubectl-edit" },
    );
    assert.deepEqual(await managers(), ["hostgate-reconciler Update", "kubectl-edit Update"]);
    await api.update(ROUTES, edited);
    assert.deepEqual(await managers(), ["hostgate-reconciler Update", "kubectl-edit Update"], "an unchanged object records no writer");
    const current = (await api.get(ROUTES, { namespace: "team", name: "shop" }))!;
    await api.update(ROUTES, { ...current, spec: { domain: "y.example.com" } }, { fieldManager: "hostgate-reconciler" });
    assert.deepEqual(await managers(), ["kubectl-edit Update", "hostgate-reconciler Update"], "a manager's next write replaces its entry, latest last");
    await api.create(ROUTES, route("blog"));
    const blog = await api.get(ROUTES, { namespace: "team", name: "blog" });
    assert.ok(blog?.metadata, "blog was created");
    assert.equal(
      (blog.metadata.managedFields as { manager: string }[])[0]!.manager,
      "unknown-client",
      "without a fieldManager, the API server names some client",
    );
  });

  test("keeps at most ten Update entries: past them, the oldest writers are merged into one named ancient-changes", async () => {
    const api = new FakeKubeApi();
    let current = await api.create(ROUTES, route("shop"), { fieldManager: "hostgate-reconciler" });
    for (let i = 1; i <= MAX_UPDATE_MANAGERS; i++) {
      current = await api.update(
        ROUTES,
        { ...current, metadata: { ...current.metadata, labels: { ...(current.metadata?.labels as Record<string, string>), [`tool-${i}`]: "x" } } },
        { fieldManager: `tool-${i}` },
      );
    }
    assert.ok(current.metadata, "the route has its metadata");
    const managers = (current.metadata.managedFields as { manager: string }[]).map((e) => e.manager);
    assert.equal(managers.length, MAX_UPDATE_MANAGERS);
    assert.deepEqual(managers.slice(0, 2), [ANCIENT_CHANGES, "tool-2"], "hostgate-reconciler and tool-1, the oldest, were merged");
    assert.ok(!managers.includes("hostgate-reconciler"));
  });

  test("a spec change bumps the generation; a status update does not, and keeps the spec", async () => {
    const api = new FakeKubeApi();
    const first = await api.create(ROUTES, route("shop"));
    const second = await api.update(ROUTES, { ...first, spec: { domain: "x.example.com" } });
    assert.equal(second.metadata?.generation, 2);
    const third = await api.updateStatus(ROUTES, { ...second, spec: { domain: "ignored.example.com" }, status: { observedGeneration: 2 } });
    assert.equal(third.metadata?.generation, 2);
    assert.deepEqual(third.spec, { domain: "x.example.com" });
    assert.deepEqual(third.status, { observedGeneration: 2 });
    const fourth = await api.update(ROUTES, { ...third, status: { observedGeneration: 99 } });
    assert.deepEqual(fourth.status, { observedGeneration: 2 }, "update does not write the status subresource");
  });

  test("deleting an object with finalizers only marks it; dropping the last finalizer removes it", async () => {
    const api = new FakeKubeApi();
    await api.create(ROUTES, route("shop", { metadata: { name: "shop", namespace: "team", finalizers: ["hostgate.dev/cleanup"] } }));
    assert.equal(await api.delete(ROUTES, { namespace: "team", name: "shop" }), true);
    const marked = (await api.get(ROUTES, { namespace: "team", name: "shop" }))!;
    assert.equal(marked.metadata?.deletionTimestamp, "2030-01-01T00:00:00Z");
    await api.update(ROUTES, { ...marked, metadata: { ...marked.metadata, finalizers: [] } });
    assert.equal(await api.get(ROUTES, { namespace: "team", name: "shop" }), undefined);
    assert.equal(await api.delete(ROUTES, { namespace: "team", name: "shop" }), false);
  });

  test("a delete with a uid precondition leaves a newer incarnation alone", async () => {
    const api = new FakeKubeApi();
    await api.create(CLAIMS, { apiVersion: "hostgate.dev/v1alpha1", kind: "DomainClaim", metadata: { name: "d.example.com" } });
    await assert.rejects(api.delete(CLAIMS, { name: "d.example.com" }, { uid: "uid-old" }), { status: 409 });
    assert.notEqual(await api.get(CLAIMS, { name: "d.example.com" }), undefined);
  });

  test("watches see every write, and a label-selected watch sees objects enter and leave the selection", async () => {
    const api = new FakeKubeApi();
    const selected: ResourceRef = { ...CONFIGMAPS, labelSelector: "app=hostgate" };
    const events: string[] = [];
    api.watch(
      selected,
      { resourceVersion: api.server.resourceVersion, allowWatchBookmarks: false, timeoutSeconds: 60 },
      { onEvent: (e: WatchEvent) => events.push(`${e.type} ${(e.object as KubeObject).metadata?.name}`), onEnd: () => {} },
    );
    await Promise.resolve();
    const a = await api.create(CONFIGMAPS, configMap("a", {}, { app: "hostgate" }));
    await api.create(CONFIGMAPS, configMap("b", {}, {}));
    await api.update(CONFIGMAPS, { ...a, metadata: { ...a.metadata, labels: {} }, data: { k: "v" } });
    assert.deepEqual(events, ["ADDED a", "DELETED a"]);
    assert.deepEqual(api.objects({ ...CONFIGMAPS, labelSelector: "app=hostgate" }), []);
    assert.deepEqual(
      api.takeWrites().map((w) => `${w.verb} ${w.key}`),
      ["create ns/a", "create ns/b", "update ns/a"],
    );
  });

  test("a scripted failure fails the next matching call only", async () => {
    const api = new FakeKubeApi();
    const { KubeApiError } = await import("../api-error.ts");
    api.failNext("create", new KubeApiError("503 ServiceUnavailable", 503, "ServiceUnavailable"), "DomainClaim");
    await api.create(ROUTES, route("shop"));
    await assert.rejects(api.create(CLAIMS, { apiVersion: "hostgate.dev/v1alpha1", kind: "DomainClaim", metadata: { name: "x.example.com" } }), {
      status: 503,
    });
    await api.create(CLAIMS, { apiVersion: "hostgate.dev/v1alpha1", kind: "DomainClaim", metadata: { name: "x.example.com" } });
  });
});
