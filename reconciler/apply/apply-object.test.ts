import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { FakeKubeApi } from "../../core/kube/testing/fake-kube-api.ts";
import type { KubeObject } from "../../core/kube/object-key.ts";
import type { ResourceRef } from "../../core/kube/resource.ts";
import { applyObject, applyOwned } from "./apply-object.ts";

const SERVICES: ResourceRef = { group: "networking.istio.io", version: "v1", resource: "virtualservices", kind: "VirtualService", namespaced: true };
const KEY = { namespace: "team-a", name: "shop" };
const routeRef = { apiVersion: "hostgate.dev/v1alpha1", kind: "DomainRoute", name: "shop", uid: "uid-a", controller: true, blockOwnerDeletion: true };
const othersRef = { apiVersion: "v1", kind: "ConfigMap", name: "other", uid: "uid-other" };

function rendered(spec: Record<string, unknown>, hash: string): KubeObject {
  return {
    apiVersion: "networking.istio.io/v1",
    kind: "VirtualService",
    metadata: { ...KEY, labels: { "hostgate.dev/route-uid": "uid-a" }, annotations: { "hostgate.dev/applied-hash": hash }, ownerReferences: [routeRef] },
    spec,
  };
}

const managers = (object: KubeObject | undefined) =>
  ((object?.metadata?.managedFields ?? []) as { manager: string; operation: string }[]).map((e) => `${e.manager} ${e.operation}`);

/** A VirtualService hostgate created, that others then labelled, annotated and referenced. */
async function createdAndEdited(api: FakeKubeApi): Promise<KubeObject> {
  const created = await api.create(SERVICES, rendered({ hosts: ["shop.example.com"], tls: [{ match: "stale" }] }, "old"), {
    fieldManager: "hostgate-reconciler",
  });
  const labels = { ...(created.metadata?.labels as object), "argocd.argoproj.io/instance": "shop" };
  const metadata = {
    ...created.metadata,
    labels,
    annotations: { ...(created.metadata?.annotations as object), note: "kept" },
    ownerReferences: [routeRef, othersRef],
  };
  return api.update(SERVICES, { ...created, metadata }, { fieldManager: "argocd" });
}

describe("applying over one of hostgate's objects", () => {
  test("is hostgate's content in full (a field it no longer renders goes), and keeps other writers' labels, annotations and owner references", async () => {
    const api = new FakeKubeApi();
    const current = await createdAndEdited(api);
    const applied = await applyOwned(api, SERVICES, current, rendered({ hosts: ["shop.example.com"], http: [{ route: [] }] }, "new"));
    assert.deepEqual(applied.spec, { hosts: ["shop.example.com"], http: [{ route: [] }] });
    assert.deepEqual(applied.metadata?.labels, { "hostgate.dev/route-uid": "uid-a", "argocd.argoproj.io/instance": "shop" });
    assert.deepEqual(applied.metadata?.annotations, { "hostgate.dev/applied-hash": "new", note: "kept" });
    assert.deepEqual(applied.metadata?.ownerReferences, [routeRef, othersRef]);
    assert.deepEqual(managers(applied).sort(), ["argocd Update", "hostgate-reconciler Apply"], "the create's Update entry became hostgate's Apply entry");
  });

  test("moves the create's fields to the Apply entry once: from then on one apply is the only write", async () => {
    const api = new FakeKubeApi();
    const current = await createdAndEdited(api);
    api.takeWrites();
    const first = await applyOwned(api, SERVICES, current, rendered({ hosts: ["a.example.com"] }, "a"));
    assert.deepEqual(
      api.takeWrites().map((w) => w.verb),
      ["update", "apply"],
    );
    await applyOwned(api, SERVICES, first, rendered({ hosts: ["b.example.com"] }, "b"));
    assert.deepEqual(
      api.takeWrites().map((w) => w.verb),
      ["apply"],
    );
  });

  test("removes what another writer added outside metadata (their spec field goes), keeping their labels", async () => {
    const api = new FakeKubeApi();
    const created = await api.create(SERVICES, rendered({ hosts: ["a"] }, "a"), { fieldManager: "hostgate-reconciler" });
    const first = await applyOwned(api, SERVICES, created, rendered({ hosts: ["a"] }, "b"));
    const labels = { ...(first.metadata?.labels as object), team: "a" };
    const edited = await api.update(
      SERVICES,
      { ...first, metadata: { ...first.metadata, labels }, spec: { hosts: ["a"], exportTo: ["*"] } },
      { fieldManager: "kubectl-edit" },
    );
    const applied = await applyOwned(api, SERVICES, edited, rendered({ hosts: ["a"] }, "c"));
    assert.deepEqual(applied.spec, { hosts: ["a"] });
    assert.ok(applied.metadata, "the applied object has its metadata");
    assert.equal((applied.metadata.labels as Record<string, string>).team, "a");
    assert.deepEqual(managers(applied).sort(), ["hostgate-reconciler Apply", "kubectl-edit Update"], "kubectl-edit keeps its label, and with it its entry");
  });

  test("reads the live object but writes no managedFields when other writers own only metadata", async () => {
    const api = new FakeKubeApi();
    const current = await createdAndEdited(api);
    const first = await applyOwned(api, SERVICES, current, rendered({ hosts: ["a"] }, "a"));
    api.takeWrites();
    await applyOwned(api, SERVICES, first, rendered({ hosts: ["b"] }, "b"));
    assert.deepEqual(
      api.takeWrites().map((w) => w.verb),
      ["apply"],
    );
  });

  const stale: { name: string; change: (api: FakeKubeApi, judged: KubeObject) => Promise<unknown> }[] = [
    {
      name: "changed since it was judged",
      change: (api, judged) => api.update(SERVICES, { ...judged, spec: { hosts: ["edited.example.com"] } }, { fieldManager: "kubectl-edit" }),
    },
    {
      name: "deleted and re-created by someone else since it was judged",
      change: async (api) => {
        await api.delete(SERVICES, KEY);
        await api.create(SERVICES, { ...rendered({ hosts: ["tenant.example.com"] }, "x") }, { fieldManager: "tenant" });
      },
    },
  ];
  for (const c of stale) {
    for (const upgraded of [false, true]) {
      test(`is refused (409 Conflict) and changes nothing when the object was ${c.name}${upgraded ? ", hostgate already applying it" : ""}`, async () => {
        const api = new FakeKubeApi();
        let judged = await createdAndEdited(api);
        if (upgraded) judged = await applyOwned(api, SERVICES, judged, rendered({ hosts: ["shop.example.com"] }, "h"));
        await c.change(api, judged);
        const before = await api.get(SERVICES, KEY);
        await assert.rejects(applyOwned(api, SERVICES, judged, rendered({ hosts: ["hostgate.example.com"] }, "h2")), { status: 409, reason: "Conflict" });
        assert.deepEqual(await api.get(SERVICES, KEY), before);
      });
    }
  }
});

describe("writing one of hostgate's own objects (applyObject)", () => {
  test("creates it when absent, and applies over it when present", async () => {
    const api = new FakeKubeApi();
    const created = await applyObject(api, SERVICES, rendered({ hosts: ["a"] }, "a"), undefined);
    assert.deepEqual(managers(created), ["hostgate-reconciler Update"]);
    const applied = await applyObject(api, SERVICES, rendered({ hosts: ["b"] }, "b"), created);
    assert.deepEqual(applied.spec, { hosts: ["b"] });
    assert.deepEqual(
      api.takeWrites().map((w) => w.verb),
      ["create", "update", "apply"],
    );
  });

  test("removes a field someone added to its spec by hand (a targetRefs that would re-point it), on the next write", async () => {
    const api = new FakeKubeApi();
    const created = await applyObject(api, SERVICES, rendered({ hosts: ["a"] }, "a"), undefined);
    const edited = await api.update(
      SERVICES,
      { ...created, spec: { hosts: ["a"], targetRefs: [{ kind: "Gateway", name: "other" }] } },
      { fieldManager: "kubectl-edit" },
    );
    const applied = await applyObject(api, SERVICES, rendered({ hosts: ["a"] }, "a"), edited);
    assert.deepEqual(applied.spec, { hosts: ["a"] });
    assert.deepEqual(managers(applied), ["hostgate-reconciler Apply"]);
  });

  test("applies over an object at its name that the cache did not hold (its managed-by label removed), its content and label restored", async () => {
    const api = new FakeKubeApi();
    await api.create(SERVICES, { ...rendered({ hosts: ["edited"], extra: true }, "x"), metadata: { ...KEY, labels: {} } }, { fieldManager: "kubectl-edit" });
    const applied = await applyObject(api, SERVICES, rendered({ hosts: ["a"] }, "a"), undefined);
    assert.deepEqual(applied.metadata?.labels, { "hostgate.dev/route-uid": "uid-a" });
    assert.deepEqual((applied.spec as { hosts: string[] }).hosts, ["a"]);
  });
});
