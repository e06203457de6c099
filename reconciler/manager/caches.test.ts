import { describe, test } from "node:test";
import assert from "node:assert/strict";
import type { KubeObject } from "../../core/kube/object-key.ts";
import { aConfig } from "../domainroute/render/testing/platform-config.ts";
import { cachedResources, serviceType } from "./caches.ts";

describe("what the reconciler caches for regions and gateways", () => {
  test("every namespace's RegionPolicies are cached, under their own role", () => {
    const cached = cachedResources(aConfig()).filter((c) => c.role === "regionPolicies");
    assert.deepEqual(
      cached.map((c) => [c.resource.group, c.resource.resource, c.resource.namespace, c.resource.labelSelector]),
      [["hostgate.dev", "regionpolicies", undefined, undefined]],
    );
  });

  const service = (status: unknown): KubeObject =>
    ({
      apiVersion: "v1",
      kind: "Service",
      metadata: { namespace: "istio-system", name: "gw", uid: "u", resourceVersion: "7", labels: { big: "x" }, annotations: { a: "b" } },
      spec: { type: "LoadBalancer", ports: [{ port: 443 }], selector: { istio: "ingressgateway" } },
      status,
    }) as KubeObject;

  const cases: { name: string; status: unknown; expected: unknown }[] = [
    {
      name: "a Service keeps each load balancer ingress entry's ip and hostname, and nothing else of its status",
      status: {
        loadBalancer: { ingress: [{ ip: "203.0.113.7", ipMode: "VIP", ports: [{ port: 443 }] }, { hostname: "a.elb.amazonaws.com" }] },
        conditions: [],
      },
      expected: { loadBalancer: { ingress: [{ ip: "203.0.113.7" }, { hostname: "a.elb.amazonaws.com" }] } },
    },
    { name: "a Service without ingress keeps no status at all", status: { loadBalancer: {} }, expected: undefined },
    { name: "a Service without status keeps none", status: undefined, expected: undefined },
  ];
  for (const c of cases) {
    test(c.name, () => {
      const kept = serviceType(service(c.status));
      assert.deepEqual(kept.status, c.expected);
      assert.deepEqual(kept.spec, { type: "LoadBalancer" });
      assert.deepEqual(kept.metadata, { namespace: "istio-system", name: "gw", uid: "u", resourceVersion: "7" });
    });
  }
});
