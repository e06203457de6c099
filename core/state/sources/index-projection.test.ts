import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { describe, it } from "node:test";
import type { KubeObject } from "../../kube/object-key.ts";
import { readManifests } from "../../objects/read-manifests.ts";
import { ClusterStateIndex } from "../cluster-state-index.ts";
import { grant, plain, route } from "../state-fixtures.ts";
import { projectForIndex } from "./index-projection.ts";

const examples = fileURLToPath(new URL("../../../examples/", import.meta.url));

/** Objects as the API server serves them: what the index ignores included. */
function served(object: Record<string, unknown>): KubeObject {
  const o = structuredClone(object) as KubeObject;
  o.metadata = {
    ...o.metadata,
    resourceVersion: "123",
    generation: 4,
    labels: { team: "a" },
    annotations: { "kubectl.kubernetes.io/last-applied-configuration": JSON.stringify(object) },
    managedFields: [{ manager: "kubectl", operation: "Apply", fieldsV1: { "f:spec": {} } }],
  };
  o.status = { conditions: [{ type: "Ready", status: "True" }] };
  return o;
}

describe("projectForIndex", () => {
  it("indexes projected objects exactly as the full objects, for the examples, fixtures and malformed objects", async () => {
    const objects: KubeObject[] = [
      ...(await readManifests([examples])).map((m) => served(m.object)),
      served(
        grant({
          name: "all",
          namespaces: ["team-a", "team-b"],
          hostnames: ["Shop.Example.com.", "*.x.example.com"],
          kinds: ["DomainRoute"],
          allowPublicWithoutProtection: true,
        }),
      ),
      served(route({ namespace: "team-b", name: "web", domain: "Web.Example.COM.", appId: "Shop-Web", lb: "alb-in" })),
      served(route({ namespace: "team-b", name: "gone", domain: "shop.example.com", appId: "shop-web", deletionTimestamp: "2030-01-01T00:00:00Z" })),
      {
        apiVersion: "hostgate.dev/v1alpha1",
        kind: "HostnameGrant",
        metadata: { name: "bad" },
        spec: { namespaces: "team-a", kinds: "DomainRoute", hostnames: [1, null] },
      },
      { apiVersion: "hostgate.dev/v1alpha1", kind: "DomainRoute", metadata: { name: "odd", namespace: "x" }, spec: { domain: 42, protection: "sso" } },
      { apiVersion: "hostgate.dev/v1alpha1", kind: "DomainRoute", metadata: { name: "no-spec" } },
    ];
    const full = ClusterStateIndex.fromObjects(objects);
    const projected = ClusterStateIndex.fromObjects(objects.map(projectForIndex));
    assert.ok(full.counts().domainRoutes > 5 && full.counts().hostnameGrants > 4, "the comparison covers real content");
    assert.deepEqual(projected.counts(), full.counts());
    assert.deepEqual(plain(projected.celValue()), plain(full.celValue()));
  });

  const cases: { name: string; object: KubeObject; projected: KubeObject }[] = [
    {
      name: "a DomainRoute keeps identity, domain, lb and appId only",
      object: served(route({ name: "web", domain: "web.example.com", appId: "web" })),
      projected: {
        apiVersion: "hostgate.dev/v1alpha1",
        kind: "DomainRoute",
        metadata: { name: "web", namespace: "team-a", uid: "uid-team-a-web" },
        spec: { domain: "web.example.com", lb: "alb-out", protection: { appId: "web" } },
      },
    },
    {
      name: "a Terminating DomainRoute keeps its deletionTimestamp, which takes it out of the domain and appId indexes",
      object: served(route({ name: "web", domain: "web.example.com", appId: "web", deletionTimestamp: "2030-01-01T00:00:00Z" })),
      projected: {
        apiVersion: "hostgate.dev/v1alpha1",
        kind: "DomainRoute",
        metadata: { name: "web", namespace: "team-a", uid: "uid-team-a-web", deletionTimestamp: "2030-01-01T00:00:00Z" },
        spec: { domain: "web.example.com", lb: "alb-out", protection: { appId: "web" } },
      },
    },
    {
      name: "a HostnameGrant keeps the fields a Grant is made of",
      object: served(grant({ name: "g", namespaces: ["a"], hostnames: ["a.example.com"], kinds: ["HTTPRoute"], allowPublicWithoutProtection: false })),
      projected: {
        apiVersion: "hostgate.dev/v1alpha1",
        kind: "HostnameGrant",
        metadata: { name: "g" },
        spec: { namespaces: ["a"], hostnames: ["a.example.com"], kinds: ["HTTPRoute"], allowPublicWithoutProtection: false },
      },
    },
    {
      name: "any other kind keeps only its identity",
      object: { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "c", namespace: "n" }, data: { big: "x".repeat(1000) } },
      projected: { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "c", namespace: "n" } },
    },
  ];
  for (const c of cases) {
    it(c.name, () => assert.deepEqual(projectForIndex(c.object), c.projected));
  }
});
