import { describe, test } from "node:test";
import assert from "node:assert/strict";
import type { KubeObject } from "../../core/kube/object-key.ts";
import { aConfig } from "../domainroute/render/testing/platform-config.ts";
import { DOMAIN_ROUTES, REGION_POLICIES } from "../resources.ts";
import type { ObjectReader } from "../cluster/object-reader.ts";
import { gatewayApiConfig } from "../edge/gateways/testing/gateway-api-config.ts";
import { cachedResources, controllerReader, serviceType } from "./caches.ts";

describe("what the reconciler caches for regions and gateways", () => {
  const regions = [{ name: "weu", dnsControllerLabels: { "router.io/region": "weu" } }];
  const policyCases = [
    {
      name: "on a platform with regions every namespace's RegionPolicies are cached, under their own role",
      config: aConfig({ cluster: { name: "aks01-weu", region: "weu" }, regions }),
      expected: [["hostgate.dev", "regionpolicies", undefined, undefined]],
    },
    {
      name: "without regions RegionPolicies are not cached: nothing reads them, and their CRD may not be installed",
      config: aConfig(),
      expected: [],
    },
  ];
  for (const c of policyCases) {
    test(c.name, () => {
      const cached = cachedResources(c.config).filter((x) => x.role === "regionPolicies" || x.resource.resource === "regionpolicies");
      assert.deepEqual(
        cached.map((x) => [x.resource.group, x.resource.resource, x.resource.namespace, x.resource.labelSelector]),
        c.expected,
      );
    });
  }

  const gatewayCases = [
    {
      name: "with gateway.provider gateway-api the pooled Gateways are cached in the gateway namespace by hostgate's label, status kept",
      config: gatewayApiConfig(),
      expected: [["gateway.networking.k8s.io", "gateways", "edge", "app.kubernetes.io/managed-by=hostgate", "gateways", true]],
    },
    {
      name: "with gateway.provider istio no Gateway API Gateway is watched (its CRDs may not be installed)",
      config: aConfig(),
      expected: [],
    },
  ];
  for (const c of gatewayCases) {
    test(c.name, () => {
      const cached = cachedResources(c.config).filter(
        (x) => x.role === "gateways" || (x.resource.group === "gateway.networking.k8s.io" && x.resource.resource === "gateways"),
      );
      assert.deepEqual(
        cached.map((x) => [x.resource.group, x.resource.resource, x.resource.namespace, x.resource.labelSelector, x.role, x.transform === undefined]),
        c.expected,
      );
    });
  }

  const appIdTableCases = [
    { name: "with gateway.provider istio the appId table's EnvoyFilter and ConfigMap are cached in the gateway namespace", config: aConfig(), cached: true },
    {
      name: "with the Gateway API on Istio's implementation the appId table's objects are cached (its EnvoyFilter selects the pooled Gateways' pods)",
      config: gatewayApiConfig({ implementation: "istio" }),
      cached: true,
    },
    {
      name: "with the Gateway API on Envoy Gateway no EnvoyFilter or ConfigMap is watched (Istio's CRDs may not be installed)",
      config: gatewayApiConfig({ implementation: "envoy-gateway" }),
      cached: false,
    },
    {
      name: "with the Gateway API on the AWS Load Balancer Controller no EnvoyFilter or ConfigMap is watched",
      config: gatewayApiConfig({ implementation: "aws-load-balancer-controller" }),
      cached: false,
    },
  ];
  for (const c of appIdTableCases) {
    test(c.name, () => {
      const cached = cachedResources(c.config).filter(
        (x) => x.role === "appIdTable" || x.resource.resource === "envoyfilters" || x.resource.resource === "configmaps",
      );
      const namespace = c.config.gateway.namespace;
      const expected = c.cached
        ? [
            ["networking.istio.io", "envoyfilters", namespace, "app.kubernetes.io/managed-by=hostgate", "appIdTable"],
            ["", "configmaps", namespace, "app.kubernetes.io/managed-by=hostgate", "appIdTable"],
          ]
        : [];
      assert.deepEqual(
        cached.map((x) => [x.resource.group, x.resource.resource, x.resource.namespace, x.resource.labelSelector, x.role]),
        expected,
      );
    });
  }

  const clientTrafficPolicyCases = [
    {
      name: "with the Gateway API on Envoy Gateway the pooled Gateways' ClientTrafficPolicies are cached in the gateway namespace by hostgate's label",
      config: gatewayApiConfig({ implementation: "envoy-gateway" }),
      expected: [["gateway.envoyproxy.io", "clienttrafficpolicies", "edge", "app.kubernetes.io/managed-by=hostgate", "gatewayPolicies"]],
    },
    { name: "with the Gateway API on Istio no ClientTrafficPolicy is watched", config: gatewayApiConfig({ implementation: "istio" }), expected: [] },
    {
      name: "with the Gateway API on the AWS Load Balancer Controller no ClientTrafficPolicy is watched",
      config: gatewayApiConfig({ implementation: "aws-load-balancer-controller" }),
      expected: [],
    },
    { name: "with gateway.provider istio no ClientTrafficPolicy is watched (Envoy Gateway's CRDs may not be installed)", config: aConfig(), expected: [] },
  ];
  for (const c of clientTrafficPolicyCases) {
    test(c.name, () => {
      const cached = cachedResources(c.config).filter((x) => x.role === "gatewayPolicies" || x.resource.resource === "clienttrafficpolicies");
      assert.deepEqual(
        cached.map((x) => [x.resource.group, x.resource.resource, x.resource.namespace, x.resource.labelSelector, x.role]),
        c.expected,
      );
    });
  }

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

describe("the caches as the controllers read them", () => {
  const policy = { apiVersion: "hostgate.dev/v1alpha1", kind: "RegionPolicy", metadata: { namespace: "team-a", name: "default" } } as KubeObject;
  const route = { apiVersion: "hostgate.dev/v1alpha1", kind: "DomainRoute", metadata: { namespace: "team-a", name: "shop" } } as KubeObject;
  // As the informer reader does: a read of a resource no informer holds fails.
  const cachedOnly = (cached: string[]): ObjectReader => {
    const objects = (resource: { resource: string }) => {
      if (!cached.includes(resource.resource)) throw new Error(`${resource.resource} is not cached`);
      return resource.resource === "regionpolicies" ? [policy] : [route];
    };
    return { get: (resource) => objects(resource)[0], list: (resource) => objects(resource) };
  };
  const regions = [{ name: "weu", dnsControllerLabels: { "router.io/region": "weu" } }];

  test("without regions a read of RegionPolicies finds none (they are not cached, and none applies); other reads go to the caches", () => {
    const reader = controllerReader(cachedOnly(["domainroutes"]), aConfig());
    assert.deepEqual(reader.list(REGION_POLICIES), []);
    assert.equal(reader.get(REGION_POLICIES, { namespace: "team-a", name: "default" }), undefined);
    assert.deepEqual(reader.list(DOMAIN_ROUTES), [route]);
  });

  test("with regions RegionPolicies are read from their cache", () => {
    const reader = controllerReader(cachedOnly(["domainroutes", "regionpolicies"]), aConfig({ cluster: { name: "aks01-weu", region: "weu" }, regions }));
    assert.deepEqual(reader.list(REGION_POLICIES), [policy]);
  });
});
