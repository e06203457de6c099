import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { FakeKubeApi } from "./fake-kube-api.ts";
import type { ManagedFieldsEntry } from "./fake-kube-api.ts";
import type { ResourceRef } from "../resource.ts";
import type { KubeObject } from "../object-key.ts";

const SERVICES: ResourceRef = { group: "networking.istio.io", version: "v1", resource: "virtualservices", kind: "VirtualService", namespaced: true };
const KEY = { namespace: "team", name: "shop" };
const FORCE = { fieldManager: "hostgate-reconciler", force: true };

function vs(spec: Record<string, unknown>, metadata: Record<string, unknown> = {}): KubeObject {
  return { apiVersion: "networking.istio.io/v1", kind: "VirtualService", metadata: { name: "shop", namespace: "team", ...metadata }, spec };
}

const entries = (object: KubeObject | undefined) => (object?.metadata?.managedFields ?? []) as ManagedFieldsEntry[];
const managers = (object: KubeObject | undefined) => entries(object).map((e) => `${e.manager} ${e.operation}`);

describe("server-side apply on the in-memory API server", () => {
  test("an apply to a name nobody holds creates the object, its fields owned by the applier (operation Apply)", async () => {
    const api = new FakeKubeApi();
    const created = await api.apply(SERVICES, vs({ hosts: ["a.example.com"] }, { labels: { app: "hostgate" } }), FORCE);
    assert.equal(created.metadata?.uid, "uid-1");
    assert.deepEqual(
      entries(created).map((e) => [e.manager, e.operation, e.fieldsV1]),
      [["hostgate-reconciler", "Apply", { "f:metadata": { "f:labels": { "f:app": {} } }, "f:spec": { "f:hosts": {} } }]],
    );
    assert.deepEqual(
      api.takeWrites().map((w) => w.verb),
      ["apply"],
    );
  });

  const preconditions: { name: string; body: (stored: KubeObject) => KubeObject }[] = [
    {
      name: "a uid that is not the stored object's",
      body: (s) => vs({ hosts: ["b.example.com"] }, { uid: "uid-other", resourceVersion: s.metadata?.resourceVersion }),
    },
    { name: "a resourceVersion that is no longer current", body: (s) => vs({ hosts: ["b.example.com"] }, { uid: s.metadata?.uid, resourceVersion: "1" }) },
  ];
  for (const c of preconditions) {
    test(`an apply naming ${c.name} is a 409 Conflict and changes nothing`, async () => {
      const api = new FakeKubeApi();
      await api.create(SERVICES, vs({ hosts: ["a.example.com"] }));
      const stored = await api.update(SERVICES, { ...(await api.get(SERVICES, KEY))!, spec: { hosts: ["a.example.com"], gateways: ["g"] } });
      await assert.rejects(api.apply(SERVICES, c.body(stored), FORCE), { status: 409, reason: "Conflict" });
      assert.deepEqual(await api.get(SERVICES, KEY), stored);
    });
  }

  test("an apply with a uid never creates: 409 Conflict when the name is free (kubernetes' TestCreateOnApplyFailsWithUID)", async () => {
    const api = new FakeKubeApi();
    await assert.rejects(api.apply(SERVICES, vs({ hosts: ["a.example.com"] }, { uid: "uid-gone" }), FORCE), { status: 409, reason: "Conflict" });
    assert.equal(await api.get(SERVICES, KEY), undefined);
    assert.deepEqual(api.takeWrites(), []);
  });

  test("a field the applier set last time and leaves out now is removed; other managers' labels and annotations stay", async () => {
    const api = new FakeKubeApi();
    const first = await api.apply(SERVICES, vs({ hosts: ["a.example.com"], tls: [{ match: "old" }] }, { labels: { app: "hostgate" } }), FORCE);
    const edited = await api.update(
      SERVICES,
      { ...first, metadata: { ...first.metadata, labels: { app: "hostgate", team: "a" }, annotations: { note: "kept" } } },
      { fieldManager: "kubectl-edit" },
    );
    const judged = { uid: edited.metadata?.uid, resourceVersion: edited.metadata?.resourceVersion };
    const next = await api.apply(SERVICES, vs({ hosts: ["a.example.com"], http: [] }, { labels: { app: "hostgate" }, ...judged }), FORCE);
    assert.deepEqual(next.spec, { hosts: ["a.example.com"], http: [] });
    assert.deepEqual(next.metadata?.labels, { app: "hostgate", team: "a" });
    assert.deepEqual(next.metadata?.annotations, { note: "kept" });
    assert.deepEqual(managers(next), ["kubectl-edit Update", "hostgate-reconciler Apply"]);
  });

  test("a field another manager also owns stays when the applier leaves it out", async () => {
    const api = new FakeKubeApi();
    const created = await api.create(SERVICES, vs({ hosts: ["a.example.com"], tls: [{ match: "x" }] }), { fieldManager: "hostgate-reconciler" });
    const applied = await api.apply(SERVICES, vs({ hosts: ["a.example.com"] }, { uid: created.metadata?.uid }), FORCE);
    assert.deepEqual(applied.spec, { hosts: ["a.example.com"], tls: [{ match: "x" }] }, "the create's Update entry still owns tls");
    assert.deepEqual(managers(applied), ["hostgate-reconciler Update", "hostgate-reconciler Apply"]);
  });

  test("managedFields sent with an update replace the stored ones: moving the Update entry's fields to the Apply entry lets the next apply remove them", async () => {
    const api = new FakeKubeApi();
    const created = await api.create(SERVICES, vs({ hosts: ["a.example.com"], tls: [{ match: "x" }] }), { fieldManager: "hostgate-reconciler" });
    const moved = entries(created).map((e) => ({ ...e, operation: "Apply" as const }));
    const migrated = await api.update(
      SERVICES,
      { ...created, metadata: { ...created.metadata, managedFields: moved } },
      { fieldManager: "hostgate-reconciler" },
    );
    assert.deepEqual(managers(migrated), ["hostgate-reconciler Apply"]);
    assert.notEqual(migrated.metadata?.resourceVersion, created.metadata?.resourceVersion, "a change of managedFields alone is a write");
    const applied = await api.apply(
      SERVICES,
      vs({ hosts: ["a.example.com"] }, { uid: migrated.metadata?.uid, resourceVersion: migrated.metadata?.resourceVersion }),
      FORCE,
    );
    assert.deepEqual(applied.spec, { hosts: ["a.example.com"] });
  });

  test("a field another manager holds at another value: 409 Conflict without force, taken over with it", async () => {
    const api = new FakeKubeApi();
    const created = await api.apply(SERVICES, vs({ hosts: ["a.example.com"] }), FORCE);
    await api.update(SERVICES, { ...created, spec: { hosts: ["edited.example.com"] } }, { fieldManager: "kubectl-edit" });
    const unforced = { fieldManager: "hostgate-reconciler", force: false };
    await assert.rejects(api.apply(SERVICES, vs({ hosts: ["a.example.com"] }), unforced), {
      status: 409,
      message: /conflict with "kubectl-edit": \.spec\.hosts/,
    });
    const forced = await api.apply(SERVICES, vs({ hosts: ["a.example.com"] }), FORCE);
    assert.deepEqual(forced.spec, { hosts: ["a.example.com"] });
    assert.deepEqual(managers(forced), ["hostgate-reconciler Apply"], "kubectl-edit lost its only field, and with it its entry");
  });

  test("owner references merge by uid: an apply keeps another writer's reference", async () => {
    const api = new FakeKubeApi();
    const mine = { apiVersion: "hostgate.dev/v1alpha1", kind: "DomainRoute", name: "shop", uid: "uid-route", controller: true };
    const theirs = { apiVersion: "v1", kind: "ConfigMap", name: "x", uid: "uid-cm" };
    const created = await api.apply(SERVICES, vs({ hosts: ["a"] }, { ownerReferences: [mine] }), FORCE);
    const edited = await api.update(SERVICES, { ...created, metadata: { ...created.metadata, ownerReferences: [mine, theirs] } }, { fieldManager: "other" });
    const applied = await api.apply(SERVICES, vs({ hosts: ["b"] }, { ownerReferences: [mine], uid: edited.metadata?.uid }), FORCE);
    assert.deepEqual(applied.metadata?.ownerReferences, [mine, theirs]);
  });

  test("an apply that changes nothing writes nothing: same resourceVersion, same entry time", async () => {
    let now = Date.UTC(2030, 0, 1);
    const api = new FakeKubeApi({ now: () => now });
    const created = await api.apply(SERVICES, vs({ hosts: ["a"] }), FORCE);
    now += 60_000;
    const again = await api.apply(SERVICES, vs({ hosts: ["a"] }), FORCE);
    assert.equal(again.metadata?.resourceVersion, created.metadata?.resourceVersion);
    assert.deepEqual(again.metadata?.managedFields, created.metadata?.managedFields);
  });

  test("the status of a kind with a status subresource is not applied", async () => {
    const api = new FakeKubeApi();
    const created = await api.apply(SERVICES, { ...vs({ hosts: ["a"] }), status: { ready: true } }, FORCE);
    assert.equal(created.status, undefined);
  });
});
