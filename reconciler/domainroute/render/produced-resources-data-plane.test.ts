// What the reconciler watches, lists as a route's own and sweeps, by data
// plane: only kinds the cluster is sure to serve (a watch on a resource
// without its CRD never syncs, and the reconciler would never start).
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import type { GatewayApiImplementation, PlatformConfig } from "../../../core/config/platform-config.ts";
import type { KubeObject } from "../../../core/kube/object-key.ts";
import { resourceName } from "../../../core/kube/resource.ts";
import { cachedResources, producedOrServiceType } from "../../manager/caches.ts";
import { describe as describeCandidate, findOrphans } from "../../orphans/find-orphans.ts";
import { DOMAIN_CLAIMS } from "../../resources.ts";
import { MANAGED_SELECTOR } from "../../resources.ts";
import { aGatewayApiConfig, GATEWAY_NAMESPACE } from "./gateway-api/testing/gateway-api-config.ts";
import { PRODUCED_RESOURCES, producedResourceFor, producedResources } from "./produced-resources.ts";
import { aConfig } from "./testing/platform-config.ts";

const withDns = (config: PlatformConfig, provider: "external-dns" | "none"): PlatformConfig => ({ ...config, dns: { ...config.dns, provider } });
const names = (config: PlatformConfig) => producedResources(config).map((r) => `${r.kind}.${r.group || "core"}:${r.scope}`);

describe("producedResources by data plane", () => {
  const cases: { name: string; config: PlatformConfig; expected: string[] }[] = [
    {
      name: "istio: the Istio kinds as before",
      config: aConfig(),
      expected: PRODUCED_RESOURCES.map((r) => `${r.kind}.${r.group}:${r.scope}`),
    },
    {
      name: "gateway-api on Envoy Gateway: the external Service and EndpointSlice, ReferenceGrant, SecurityPolicy, HTTPRoute; no Istio kind",
      config: aGatewayApiConfig("envoy-gateway"),
      expected: [
        "Service.core:route",
        "EndpointSlice.discovery.k8s.io:route",
        "ReferenceGrant.gateway.networking.k8s.io:granted",
        "SecurityPolicy.gateway.envoyproxy.io:gateway",
        "HTTPRoute.gateway.networking.k8s.io:route",
      ],
    },
    {
      name: "gateway-api on Istio: the AuthorizationPolicy in the gateway namespace instead of a SecurityPolicy",
      config: aGatewayApiConfig("istio"),
      expected: [
        "Service.core:route",
        "EndpointSlice.discovery.k8s.io:route",
        "ReferenceGrant.gateway.networking.k8s.io:granted",
        "AuthorizationPolicy.security.istio.io:gateway",
        "HTTPRoute.gateway.networking.k8s.io:route",
      ],
    },
    {
      name: "gateway-api on the AWS Load Balancer Controller: neither Envoy Gateway's nor Istio's kinds",
      config: aGatewayApiConfig("aws-load-balancer-controller"),
      expected: [
        "Service.core:route",
        "EndpointSlice.discovery.k8s.io:route",
        "ReferenceGrant.gateway.networking.k8s.io:granted",
        "HTTPRoute.gateway.networking.k8s.io:route",
      ],
    },
    {
      name: "gateway-api with external-dns: its DNSEndpoints last",
      config: withDns(aGatewayApiConfig("aws-load-balancer-controller"), "external-dns"),
      expected: [
        "Service.core:route",
        "EndpointSlice.discovery.k8s.io:route",
        "ReferenceGrant.gateway.networking.k8s.io:granted",
        "HTTPRoute.gateway.networking.k8s.io:route",
        "DNSEndpoint.externaldns.k8s.io:route",
      ],
    },
  ];
  for (const c of cases) test(c.name, () => assert.deepEqual(names(c.config), c.expected));
});

describe("producedResourceFor", () => {
  const cases: { name: string; object: Pick<KubeObject, "apiVersion" | "kind">; expected?: string }[] = [
    { name: "a core Service (apiVersion v1) is services", object: { apiVersion: "v1", kind: "Service" }, expected: "services" },
    { name: "an EndpointSlice", object: { apiVersion: "discovery.k8s.io/v1", kind: "EndpointSlice" }, expected: "endpointslices.discovery.k8s.io" },
    { name: "an HTTPRoute", object: { apiVersion: "gateway.networking.k8s.io/v1", kind: "HTTPRoute" }, expected: "httproutes.gateway.networking.k8s.io" },
    { name: "an Istio Gateway", object: { apiVersion: "networking.istio.io/v1", kind: "Gateway" }, expected: "gateways.networking.istio.io" },
    { name: "a Gateway API Gateway is no route's (the pool Gateways controller's)", object: { apiVersion: "gateway.networking.k8s.io/v1", kind: "Gateway" } },
    { name: "a Service of another apiVersion is nothing hostgate renders", object: { apiVersion: "serving.knative.dev/v1", kind: "Service" } },
  ];
  for (const c of cases) {
    test(c.name, () => {
      const found = producedResourceFor(c.object);
      assert.equal(found === undefined ? undefined : resourceName(found), c.expected);
    });
  }
});

describe("what the caches watch on the Gateway API data plane", () => {
  const implementations: GatewayApiImplementation[] = ["envoy-gateway", "istio", "aws-load-balancer-controller"];
  for (const implementation of implementations) {
    test(`${implementation}: one informer per resource, the produced kinds by hostgate's label only, Services once`, () => {
      const cached = cachedResources(withDns(aGatewayApiConfig(implementation), "external-dns"));
      const ids = cached.map((c) => resourceName(c.resource));
      assert.deepEqual(
        ids.filter((id, i) => ids.indexOf(id) !== i),
        [],
        "the reader holds one informer per resource",
      );
      for (const c of cached.filter((x) => x.role === "produced")) {
        assert.equal(c.resource.labelSelector, MANAGED_SELECTOR, `${resourceName(c.resource)} is watched by hostgate's label only`);
        // The login's policies live beside the Gateways; the rest in every namespace a route may have.
        const inGatewayNamespace = ["authorizationpolicies", "securitypolicies"].includes(c.resource.resource);
        assert.equal(c.resource.namespace, inGatewayNamespace ? GATEWAY_NAMESPACE : undefined);
      }
      assert.ok(cached.some((c) => c.role === "produced" && c.resource.resource === "endpointslices"));
      assert.ok(!cached.some((c) => c.role === "produced" && c.resource.group === "networking.istio.io"), "no Istio networking kind is watched as produced");
      const services = cached.filter((c) => c.resource.resource === "services" && c.resource.group === "");
      assert.deepEqual(
        services.map((c) => [c.role, c.transform, c.indexedLabels]),
        [["services", producedOrServiceType, ["hostgate.dev/route-uid"]]],
      );
    });
  }

  const service = (labels: Record<string, string>): KubeObject => ({
    apiVersion: "v1",
    kind: "Service",
    metadata: { name: "hg-shop", namespace: "team-a", labels, managedFields: [{ manager: "hostgate-reconciler", operation: "Apply", fieldsV1: { f: {} } }] },
    spec: { type: "ClusterIP", ports: [{ name: "http", port: 8080 }] },
  });
  test("a Service hostgate wrote is cached whole (its labels, writer and ports are judged), but for the field sets", () => {
    const cached = producedOrServiceType(service({ "app.kubernetes.io/managed-by": "hostgate" }));
    assert.deepEqual(cached.metadata?.managedFields, [{ manager: "hostgate-reconciler", operation: "Apply" }]);
    assert.deepEqual((cached.spec as { ports: unknown }).ports, [{ name: "http", port: 8080 }]);
  });
  test("any other Service is cut down to its type as before", () => {
    const cached = producedOrServiceType(service({ app: "web" }));
    assert.deepEqual([cached.metadata?.labels, cached.spec], [undefined, { type: "ClusterIP" }]);
  });
});

describe("the orphan sweep's order on the Gateway API data plane", () => {
  const orphan = (kind: string, namespace: string): KubeObject => ({
    apiVersion: "x",
    kind,
    metadata: {
      name: "shop",
      namespace,
      labels: { "app.kubernetes.io/managed-by": "hostgate", "hostgate.dev/route-uid": "uid-gone" },
      annotations: { "hostgate.dev/route": "team-a/shop" },
      managedFields: [{ manager: "hostgate-reconciler", operation: "Apply" }],
    },
  });
  test("what routes traffic goes before the login, the login before what it refers to, the claim last", () => {
    const config = withDns(aGatewayApiConfig("istio"), "external-dns");
    const produced = producedResources(config).map((resource) => ({
      resource,
      objects: [orphan(resource.kind, resource.scope === "gateway" ? GATEWAY_NAMESPACE : "team-a")],
    }));
    const claim = {
      apiVersion: "hostgate.dev/v1alpha1",
      kind: "DomainClaim",
      metadata: { name: "shop.example.com" },
      spec: { domain: "shop.example.com", owner: { namespace: "team-a", name: "shop", uid: "uid-gone" } },
    };
    const order = findOrphans({ routes: [], claims: [claim as never], claimResource: DOMAIN_CLAIMS, produced }).map(describeCandidate);
    assert.deepEqual(order, [
      "DNSEndpoint team-a/shop",
      "HTTPRoute team-a/shop",
      `AuthorizationPolicy ${GATEWAY_NAMESPACE}/shop`,
      "ReferenceGrant team-a/shop",
      "EndpointSlice team-a/shop",
      "Service team-a/shop",
      "DomainClaim shop.example.com",
    ]);
  });
});
