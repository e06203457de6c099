import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { GatewayApiImplementation } from "../../../../core/config/platform-config.ts";
import { aRoute } from "../testing/route-builder.ts";
import { ALL_GATEWAY_API_RESOURCES, GATEWAY_API_KIND_ORDER, gatewayApiApplyRank, gatewayApiResourceFor, gatewayApiResources } from "./kinds.ts";
import { renderGatewayApiObjects } from "./render-gateway-api-route.ts";
import { aGatewayApiConfig, aMember } from "./testing/gateway-api-config.ts";

describe("the Gateway API data plane's kinds", () => {
  it("lists one resource per kind, in apply order", () => {
    assert.deepEqual(
      ALL_GATEWAY_API_RESOURCES.map((r) => r.kind),
      [...GATEWAY_API_KIND_ORDER],
    );
  });

  const byImplementation: [GatewayApiImplementation, string[]][] = [
    ["envoy-gateway", ["Service", "EndpointSlice", "ReferenceGrant", "SecurityPolicy", "HTTPRoute"]],
    ["istio", ["Service", "EndpointSlice", "ReferenceGrant", "AuthorizationPolicy", "HTTPRoute"]],
    ["aws-load-balancer-controller", ["Service", "EndpointSlice", "ReferenceGrant", "HTTPRoute"]],
  ];
  for (const [implementation, kinds] of byImplementation) {
    it(`watches only the kinds ${implementation}'s routes get, so a cluster without the other implementation's CRDs still syncs`, () => {
      assert.deepEqual(
        gatewayApiResources(implementation).map((r) => r.kind),
        kinds,
      );
    });
  }

  it("finds an object's resource by apiVersion and kind, never by kind alone", () => {
    assert.equal(gatewayApiResourceFor({ apiVersion: "v1", kind: "Service" })?.resource, "services");
    assert.equal(gatewayApiResourceFor({ apiVersion: "networking.istio.io/v1", kind: "Gateway" }), undefined);
    assert.equal(gatewayApiResourceFor({ apiVersion: "security.istio.io/v1", kind: "AuthorizationPolicy" })?.scope, "gateway");
    assert.equal(gatewayApiResourceFor({ apiVersion: "gateway.networking.k8s.io/v1beta1", kind: "ReferenceGrant" })?.scope, "granted");
    assert.equal(
      gatewayApiResourceFor({ apiVersion: "gateway.envoyproxy.io/v1alpha1", kind: "SecurityPolicy" })?.scope,
      "gateway",
      "on the listener, beside the Gateway",
    );
  });

  it("sorts objects it does not know after every kind it does", () => {
    assert.equal(gatewayApiApplyRank({ apiVersion: "externaldns.k8s.io/v1alpha1", kind: "DNSEndpoint" }), GATEWAY_API_KIND_ORDER.length);
  });

  for (const implementation of ["envoy-gateway", "istio"] as const) {
    it(`has a resource for every object a route renders with ${implementation}, with the apiVersion it is rendered with`, () => {
      const route = aRoute()
        .protected("sso", "shop", [{ action: "Allow", paths: ["/ok"] }])
        .service("web", 80, "team-b")
        .build();
      const external = aRoute().protected("sso", "shop").external("10.0.0.1", 80).build();
      const objects = [route, external].flatMap((r) => renderGatewayApiObjects(r, aGatewayApiConfig(implementation), aMember()).objects);
      for (const object of objects) {
        const resource = gatewayApiResourceFor(object);
        assert.ok(resource && gatewayApiResources(implementation).includes(resource), `${object.apiVersion} ${object.kind}`);
      }
    });
  }
});
