import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { KubeObject } from "../../core/kube/object-key.ts";
import { computeAppIdTable } from "./app-id-table.ts";
import { renderAppIdTableObjects } from "./app-id-table-objects.ts";
import type { AppIdTableObjects } from "./app-id-table-objects.ts";
import { planAppIdTableWrites } from "./plan-app-id-table-writes.ts";
import type { CurrentAppIdTableObjects } from "./plan-app-id-table-writes.ts";
import { owned } from "./testing/fixtures.ts";

const options = { namespace: "istio-ingress", selector: { istio: "ingressgateway" }, identityHeader: "x-app-id" };

function render(appId = "shop-id"): AppIdTableObjects {
  const parts = [owned("shop", { appId }), owned("api", { appId: "api-id" })];
  return renderAppIdTableObjects(
    computeAppIdTable({ routes: parts.map((p) => p.route), claims: parts.map((p) => p.claim), knownProvider: (provider) => provider === "sso" }),
    options,
  );
}

/** What reading an applied object back from the API server looks like: reordered keys plus server-set metadata. */
function stored(object: KubeObject): KubeObject {
  const copy = structuredClone(object) as Record<string, unknown> & KubeObject;
  const reversed = (value: unknown): unknown => {
    if (Array.isArray(value)) return value.map(reversed);
    if (value === null || typeof value !== "object") return value;
    return Object.fromEntries(
      Object.entries(value)
        .reverse()
        .map(([k, v]) => [k, reversed(v)]),
    );
  };
  const result = reversed(copy) as KubeObject;
  Object.assign(result.metadata!, {
    uid: "0a1b",
    resourceVersion: "42",
    generation: 3,
    creationTimestamp: "2025-01-01T00:00:00Z",
    managedFields: [{ manager: "hostgate" }],
  });
  return result;
}

const applied = (objects: AppIdTableObjects): CurrentAppIdTableObjects => ({ envoyFilter: stored(objects.envoyFilter), configMap: stored(objects.configMap) });

type Edit = (current: { envoyFilter: KubeObject; configMap: KubeObject }) => CurrentAppIdTableObjects;
const spec = (o: KubeObject) => o.spec as Record<string, unknown>;
const data = (o: KubeObject) => o.data as Record<string, string>;
const meta = (o: KubeObject) => o.metadata as { labels: Record<string, string>; annotations: Record<string, string> };

describe("planAppIdTableWrites", () => {
  const desired = render();
  const cases: { name: string; edit: Edit; writes: ("EnvoyFilter" | "ConfigMap")[] }[] = [
    { name: "objects applied as rendered need no write, whatever the server added", edit: (c) => c, writes: [] },
    { name: "nothing in the cluster yet means both are written, the EnvoyFilter first", edit: () => ({}), writes: ["EnvoyFilter", "ConfigMap"] },
    { name: "a deleted EnvoyFilter is written again", edit: (c) => ({ configMap: c.configMap }), writes: ["EnvoyFilter"] },
    { name: "a deleted ConfigMap is written again", edit: (c) => ({ envoyFilter: c.envoyFilter }), writes: ["ConfigMap"] },
    {
      name: "a hand-edited EnvoyFilter spec is reverted",
      edit: (c) => {
        spec(c.envoyFilter).priority = 0;
        return c;
      },
      writes: ["EnvoyFilter"],
    },
    {
      name: "a field added to the EnvoyFilter spec by hand is reverted",
      edit: (c) => {
        spec(c.envoyFilter).targetRefs = [{ kind: "Gateway", name: "other" }];
        return c;
      },
      writes: ["EnvoyFilter"],
    },
    {
      name: "a hand-edited table in the ConfigMap is reverted",
      edit: (c) => {
        data(c.configMap)["table.json"] = '{"shop.example.com": "stolen"}';
        return c;
      },
      writes: ["ConfigMap"],
    },
    {
      name: "an extra key in the ConfigMap data is reverted",
      edit: (c) => {
        data(c.configMap).note = "hi";
        return c;
      },
      writes: ["ConfigMap"],
    },
    {
      name: "a removed managed-by label is put back",
      edit: (c) => {
        delete meta(c.envoyFilter).labels["app.kubernetes.io/managed-by"];
        return c;
      },
      writes: ["EnvoyFilter"],
    },
    {
      name: "a changed audit-copy label is put back",
      edit: (c) => {
        meta(c.configMap).labels["hostgate.dev/audit-copy"] = "false";
        return c;
      },
      writes: ["ConfigMap"],
    },
    {
      name: "a changed entries annotation is put back",
      edit: (c) => {
        meta(c.envoyFilter).annotations["hostgate.dev/entries"] = "0";
        return c;
      },
      writes: ["EnvoyFilter"],
    },
    {
      name: "labels and annotations added by others cause no write",
      edit: (c) => {
        meta(c.envoyFilter).labels.team = "platform";
        meta(c.configMap).annotations["kubectl.kubernetes.io/last-applied-configuration"] = "{}";
        return c;
      },
      writes: [],
    },
    {
      name: "objects without any labels are written again",
      edit: (c) => {
        delete (c.configMap.metadata as Record<string, unknown>).labels;
        return c;
      },
      writes: ["ConfigMap"],
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const current = c.edit(applied(desired) as { envoyFilter: KubeObject; configMap: KubeObject });
      const writes = planAppIdTableWrites(current, desired);
      assert.deepEqual(
        writes.map((w) => w.kind),
        c.writes,
      );
      for (const write of writes) assert.equal(write, write.kind === "EnvoyFilter" ? desired.envoyFilter : desired.configMap);
    });
  }

  it("is idempotent: planning again after applying the planned writes finds nothing to do", () => {
    const before = applied(render("old-id"));
    const next = render("new-id");
    const writes = planAppIdTableWrites(before, next);
    assert.equal(writes.length, 2);
    const after: CurrentAppIdTableObjects = {
      ...before,
      ...Object.fromEntries(writes.map((w) => [w.kind === "EnvoyFilter" ? "envoyFilter" : "configMap", stored(w)])),
    };
    assert.deepEqual(planAppIdTableWrites(after, next), []);
    assert.deepEqual(planAppIdTableWrites(after, render("new-id")), []);
  });
});
