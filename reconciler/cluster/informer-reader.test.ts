import { test } from "node:test";
import assert from "node:assert/strict";
import { FakeKubeApi } from "../../core/kube/testing/fake-kube-api.ts";
import type { KubeObject } from "../../core/kube/object-key.ts";
import type { ResourceRef } from "../../core/kube/resource.ts";
import { SharedInformer } from "../runtime/informer.ts";
import { resourceName } from "../../core/kube/resource.ts";
import { InformerReader } from "./informer-reader.ts";

const GATEWAYS: ResourceRef = { group: "networking.istio.io", version: "v1", resource: "gateways", kind: "Gateway", namespaced: true };
const CONFIG_MAPS: ResourceRef = { group: "", version: "v1", resource: "configmaps", kind: "ConfigMap", namespaced: true };
const gateway = (namespace: string, name: string, uid: string): KubeObject => ({
  apiVersion: "networking.istio.io/v1",
  kind: "Gateway",
  metadata: { namespace, name, labels: { "hostgate.dev/route-uid": uid, tier: "edge" } },
  spec: {},
});
const names = (objects: KubeObject[]) => objects.map((o) => `${o.metadata!.namespace}/${o.metadata!.name}`).sort();

async function cached(api: FakeKubeApi) {
  const informer = new SharedInformer<KubeObject>({ resource: GATEWAYS, client: api, transform: (o) => o });
  const reader = new InformerReader();
  reader.add(GATEWAYS, informer, ["hostgate.dev/route-uid"]);
  informer.start();
  await informer.whenSynced();
  return { informer, reader };
}

const settle = async (check: () => boolean) => {
  for (let i = 0; i < 100 && !check(); i++) await new Promise(setImmediate);
  assert.ok(check());
};

test("lists by an indexed label through the index, and follows objects whose label changes or that go", async () => {
  const api = new FakeKubeApi();
  await api.create(GATEWAYS, gateway("istio-system", "a", "uid-1"));
  await api.create(GATEWAYS, gateway("istio-system", "b", "uid-1"));
  await api.create(GATEWAYS, gateway("istio-system", "c", "uid-2"));
  const { informer, reader } = await cached(api);
  try {
    assert.deepEqual(names(reader.list({ ...GATEWAYS, labelSelector: "hostgate.dev/route-uid=uid-1" })), ["istio-system/a", "istio-system/b"]);
    const b = api.server.get(GATEWAYS, { namespace: "istio-system", name: "b" })!;
    await api.update(GATEWAYS, { ...b, metadata: { ...b.metadata, labels: { "hostgate.dev/route-uid": "uid-2" } } });
    await api.delete(GATEWAYS, { namespace: "istio-system", name: "a" });
    await settle(() => reader.list({ ...GATEWAYS, labelSelector: "hostgate.dev/route-uid=uid-1" }).length === 0);
    assert.deepEqual(names(reader.list({ ...GATEWAYS, labelSelector: "hostgate.dev/route-uid=uid-2" })), ["istio-system/b", "istio-system/c"]);
    // The rest of the selector still applies to what the index found.
    assert.deepEqual(names(reader.list({ ...GATEWAYS, labelSelector: "hostgate.dev/route-uid=uid-2,tier=edge" })), ["istio-system/c"]);
  } finally {
    await informer.stop();
  }
});

test("narrows to the namespace asked for, reads one object by key, and selects by labels it does not index", async () => {
  const api = new FakeKubeApi();
  await api.create(GATEWAYS, gateway("istio-system", "a", "uid-1"));
  await api.create(GATEWAYS, gateway("other", "b", "uid-1"));
  const { informer, reader } = await cached(api);
  try {
    assert.deepEqual(names(reader.list({ ...GATEWAYS, namespace: "other" })), ["other/b"]);
    assert.deepEqual(names(reader.list({ ...GATEWAYS, labelSelector: "tier=edge" })), ["istio-system/a", "other/b"]);
    assert.equal(reader.get(GATEWAYS, { namespace: "other", name: "b" })?.metadata?.name, "b");
    assert.equal(reader.get(GATEWAYS, { namespace: "other", name: "zzz" }), undefined);
    assert.equal(reader.synced(), true);
  } finally {
    await informer.stop();
  }
});

test("refuses to read a resource it does not cache, saying where caches are added", () => {
  assert.throws(() => new InformerReader().list(CONFIG_MAPS), /configmaps.* is not cached: .*reconciler\/manager\/caches\.ts/);
});

test("names core-group resources without a trailing dot", () => {
  assert.equal(resourceName(CONFIG_MAPS), "configmaps");
  assert.equal(resourceName(GATEWAYS), "gateways.networking.istio.io");
});
