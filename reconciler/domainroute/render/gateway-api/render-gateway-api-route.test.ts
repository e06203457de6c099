import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { GatewayApiImplementation } from "../../../../core/config/platform-config.ts";
import type { KubeObject } from "../../../../core/kube/object-key.ts";
import { aConfig } from "../testing/platform-config.ts";
import { aRoute, DEFAULT_UID } from "../testing/route-builder.ts";
import { LABEL_ENDPOINT_SLICE_MANAGED_BY, LABEL_SERVICE_NAME } from "./external-service.ts";
import { externalServiceNameFor, listenerNameFor, routeObjectNameFor } from "./names.ts";
import { referenceGrantNameFor } from "./reference-grant.ts";
import { renderGatewayApiObjects } from "./render-gateway-api-route.ts";
import { aGatewayApiConfig, aMember, AUTH_SERVICE, GATEWAY_NAMESPACE } from "./testing/gateway-api-config.ts";

const DOMAIN = "shop.example.com";
const NAME = routeObjectNameFor(DOMAIN);
const ALL: GatewayApiImplementation[] = ["envoy-gateway", "istio", "aws-load-balancer-controller"];

/** `Kind namespace/name` of each object, in order. */
function keys(objects: KubeObject[]): string[] {
  return objects.map((o) => `${o.kind} ${o.metadata!.namespace}/${o.metadata!.name}`);
}

function spec(object: KubeObject | undefined): Record<string, unknown> {
  assert.ok(object, "object rendered");
  return object.spec as Record<string, unknown>;
}

describe("renderGatewayApiObjects", () => {
  for (const implementation of ALL) {
    it(`gives a Managed route to a Service in its namespace one HTTPRoute on its member's listener, with ${implementation}`, () => {
      const { objects, problems } = renderGatewayApiObjects(aRoute().build(), aGatewayApiConfig(implementation), aMember());
      assert.deepEqual(problems, []);
      assert.deepEqual(keys(objects), [`HTTPRoute team-a/${NAME}`]);
      assert.equal(objects[0]!.apiVersion, "gateway.networking.k8s.io/v1");
      assert.deepEqual(spec(objects[0]), {
        parentRefs: [
          { group: "gateway.networking.k8s.io", kind: "Gateway", namespace: GATEWAY_NAMESPACE, name: "edge-01", sectionName: listenerNameFor(DOMAIN) },
        ],
        hostnames: [DOMAIN],
        rules: [
          {
            matches: [{ path: { type: "PathPrefix", value: "/" } }],
            backendRefs: [{ group: "", kind: "Service", name: "web", port: 8080, weight: 1 }],
          },
        ],
      });
      const metadata = objects[0]!.metadata as { labels: Record<string, string>; ownerReferences: { uid: string }[] };
      assert.equal(metadata.labels["hostgate.dev/route-uid"], DEFAULT_UID, "pruned by the route's uid like every produced object");
      assert.equal(metadata.ownerReferences[0]!.uid, DEFAULT_UID);
    });
  }

  const cases: {
    name: string;
    route: ReturnType<typeof aRoute>;
    implementation: GatewayApiImplementation;
    allowCrossNamespace?: boolean;
    keys: string[];
    problem?: RegExp;
  }[] = [
    {
      name: "a Service in another namespace gets a ReferenceGrant there, before the HTTPRoute",
      route: aRoute().service("web", 8080, "team-b"),
      implementation: "envoy-gateway",
      keys: [`ReferenceGrant team-b/${referenceGrantNameFor(DOMAIN, "backend")}`, `HTTPRoute team-a/${NAME}`],
    },
    {
      name: "a Service in another namespace with cross-namespace backends off is a problem and gets no HTTPRoute",
      route: aRoute().service("web", 8080, "team-b"),
      implementation: "istio",
      allowCrossNamespace: false,
      keys: [],
      problem: /spec\.backend\.service\.namespace is "team-b".*allowCrossNamespace false/,
    },
    {
      name: "a Service named in the route's own namespace needs no ReferenceGrant",
      route: aRoute().service("web", 8080, "team-a"),
      implementation: "istio",
      keys: [`HTTPRoute team-a/${NAME}`],
    },
    {
      name: "an HTTP external backend gets a selectorless Service, its EndpointSlice, then the HTTPRoute",
      route: aRoute().external("10.20.30.40", 8443),
      implementation: "envoy-gateway",
      keys: [`Service team-a/${externalServiceNameFor(DOMAIN)}`, `EndpointSlice team-a/${externalServiceNameFor(DOMAIN)}`, `HTTPRoute team-a/${NAME}`],
    },
    {
      name: "an HTTPS external backend is a problem and gets nothing that routes, never plain HTTP",
      route: aRoute().external("10.20.30.40", 443, "HTTPS"),
      implementation: "envoy-gateway",
      keys: [],
      problem: /spec\.backend\.external\.protocol is HTTPS: .*BackendTLSPolicy/,
    },
    {
      name: "a protected route on Envoy Gateway gets the auth service's ReferenceGrant, its SecurityPolicy in the gateway namespace, then its HTTPRoute",
      route: aRoute().protected("sso", "shop"),
      implementation: "envoy-gateway",
      keys: [`ReferenceGrant auth/${referenceGrantNameFor(DOMAIN, "auth")}`, `SecurityPolicy ${GATEWAY_NAMESPACE}/${NAME}`, `HTTPRoute team-a/${NAME}`],
    },
    {
      name: "a protected route on Envoy Gateway with an exact Allow path is refused whole: a listener-level login cannot exempt a path",
      route: aRoute().protected("sso", "shop", [{ action: "Allow", paths: ["/healthz"] }]),
      implementation: "envoy-gateway",
      keys: [],
      problem: /protected with Allow paths \("\/healthz"\)/,
    },
    {
      name: "a protected route on Envoy Gateway with a wildcard Allow path is refused whole",
      route: aRoute().protected("sso", "shop", [{ action: "Allow", paths: ["/static*"] }]),
      implementation: "envoy-gateway",
      keys: [],
      problem: /protected with Allow paths \("\/static\*"\)/,
    },
    {
      name: "a protected route in External mode on Envoy Gateway gets its login on the listener and no HTTPRoute",
      route: aRoute().mode("External").protected("sso", "shop"),
      implementation: "envoy-gateway",
      keys: [`ReferenceGrant auth/${referenceGrantNameFor(DOMAIN, "auth")}`, `SecurityPolicy ${GATEWAY_NAMESPACE}/${NAME}`],
    },
    {
      name: "a protected route on Istio gets an AuthorizationPolicy in the gateway namespace, then its HTTPRoute",
      route: aRoute().protected("sso", "shop"),
      implementation: "istio",
      keys: [`AuthorizationPolicy ${GATEWAY_NAMESPACE}/${NAME}`, `HTTPRoute team-a/${NAME}`],
    },
    {
      name: "a protected route in External mode on Istio gets its AuthorizationPolicy and no HTTPRoute",
      route: aRoute().mode("External").protected("sso", "shop"),
      implementation: "istio",
      keys: [`AuthorizationPolicy ${GATEWAY_NAMESPACE}/${NAME}`],
    },
    {
      name: "an unprotected route in External mode gets nothing",
      route: aRoute().mode("External"),
      implementation: "envoy-gateway",
      keys: [],
    },
    {
      name: "a protected route on the AWS Load Balancer Controller is refused whole",
      route: aRoute().protected("sso", "shop"),
      implementation: "aws-load-balancer-controller",
      keys: [],
      problem: /AWS Load Balancer Controller's Gateway API has no external authorization/,
    },
    {
      name: "a route whose protection is invalid gets nothing that serves, as on the Istio data plane",
      route: aRoute().protected("", "shop"),
      implementation: "istio",
      keys: [],
      problem: /spec\.protection\.provider is empty/,
    },
    {
      name: "a protected route without a backend keeps its login and reports the backend",
      route: aRoute().protected("sso", "shop").withoutBackend(),
      implementation: "istio",
      keys: [`AuthorizationPolicy ${GATEWAY_NAMESPACE}/${NAME}`],
      problem: /spec\.backend sets neither service nor external/,
    },
    {
      name: "a route without its uid gets nothing, as on the Istio data plane",
      route: aRoute().uid(undefined),
      implementation: "istio",
      keys: [],
      problem: /metadata\.uid is empty/,
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const options = c.allowCrossNamespace === undefined ? {} : { allowCrossNamespace: c.allowCrossNamespace };
      const { objects, problems } = renderGatewayApiObjects(c.route.build(), aGatewayApiConfig(c.implementation, options), aMember());
      assert.deepEqual(keys(objects), c.keys);
      if (c.problem === undefined) assert.deepEqual(problems, []);
      else assert.match(problems.join("\n"), c.problem);
    });
  }

  it("refers to a cross-namespace Service in the HTTPRoute and grants only that Service to the route's namespace's HTTPRoutes", () => {
    const { objects } = renderGatewayApiObjects(aRoute().service("web", 8080, "team-b").build(), aGatewayApiConfig("istio"), aMember());
    assert.deepEqual(spec(objects[0]), {
      from: [{ group: "gateway.networking.k8s.io", kind: "HTTPRoute", namespace: "team-a" }],
      to: [{ group: "", kind: "Service", name: "web" }],
    });
    assert.equal(objects[0]!.apiVersion, "gateway.networking.k8s.io/v1beta1");
    assert.equal((objects[0]!.metadata as Record<string, unknown>).ownerReferences, undefined, "an owner reference must not cross namespaces");
    const rules = spec(objects[1]).rules as { backendRefs: unknown[] }[];
    assert.deepEqual(rules[0]!.backendRefs, [{ group: "", kind: "Service", name: "web", namespace: "team-b", port: 8080, weight: 1 }]);
  });

  it("gives an external backend's Service no selector and its EndpointSlice the address, port name and labels that tie them", () => {
    const { objects } = renderGatewayApiObjects(aRoute().external("10.20.30.40", 8443).build(), aGatewayApiConfig("envoy-gateway"), aMember());
    const [service, slice, httpRoute] = objects;
    const name = externalServiceNameFor(DOMAIN);
    assert.deepEqual(spec(service), { ports: [{ name: "http", port: 8443, protocol: "TCP", targetPort: 8443 }] });
    assert.equal(slice!.addressType, "IPv4");
    assert.deepEqual(slice!.endpoints, [{ addresses: ["10.20.30.40"], conditions: { ready: true } }]);
    assert.deepEqual(slice!.ports, [{ name: "http", port: 8443, protocol: "TCP" }]);
    const labels = (slice!.metadata as { labels: Record<string, string> }).labels;
    assert.equal(labels[LABEL_SERVICE_NAME], name);
    assert.equal(labels[LABEL_ENDPOINT_SLICE_MANAGED_BY], "hostgate.dev");
    assert.equal(labels["hostgate.dev/route-uid"], DEFAULT_UID);
    assert.deepEqual(Object.keys(labels), [...Object.keys(labels)].sort(), "labels in sorted order");
    const rules = spec(httpRoute).rules as { backendRefs: unknown[] }[];
    assert.deepEqual(rules[0]!.backendRefs, [{ group: "", kind: "Service", name, port: 8443, weight: 1 }]);
  });

  it("attaches Envoy Gateway's SecurityPolicy to the route's listener on its member's Gateway, so every HTTPRoute there goes through the login", () => {
    const { objects } = renderGatewayApiObjects(aRoute().protected("sso", "shop").build(), aGatewayApiConfig("envoy-gateway"), aMember("edge-02"));
    const [grant, policy] = objects;
    assert.equal(policy!.apiVersion, "gateway.envoyproxy.io/v1alpha1");
    assert.equal(policy!.metadata!.namespace, GATEWAY_NAMESPACE);
    assert.equal((policy!.metadata as Record<string, unknown>).ownerReferences, undefined, "an owner reference must not cross namespaces");
    assert.deepEqual(spec(policy), {
      targetRefs: [{ group: "gateway.networking.k8s.io", kind: "Gateway", name: "edge-02", sectionName: listenerNameFor(DOMAIN) }],
      extAuth: { failOpen: false, grpc: { backendRefs: [{ group: "", kind: "Service", name: "ext-authz", namespace: "auth", port: 9001 }] } },
    });
    assert.deepEqual(spec(grant), {
      from: [{ group: "gateway.envoyproxy.io", kind: "SecurityPolicy", namespace: GATEWAY_NAMESPACE }],
      to: [{ group: "", kind: "Service", name: AUTH_SERVICE.name }],
    });
  });

  it("gives the auth server the route's effective appId as a context extension named after the identity header", () => {
    const { objects } = renderGatewayApiObjects(aRoute().protected("sso", "shop").build(), aGatewayApiConfig("envoy-gateway"), aMember(), "shop");
    const extAuth = spec(objects.find((o) => o.kind === "SecurityPolicy")).extAuth as Record<string, unknown>;
    assert.deepEqual(extAuth.contextExtensions, [{ name: "x-app-id", type: "Value", value: "shop" }]);
  });

  it("gives the auth server no appId when the route has none in effect (an appId two routes claim is given to neither)", () => {
    const { objects } = renderGatewayApiObjects(aRoute().protected("sso", "shop").build(), aGatewayApiConfig("envoy-gateway"), aMember(), undefined);
    const extAuth = spec(objects.find((o) => o.kind === "SecurityPolicy")).extAuth as Record<string, unknown>;
    assert.equal("contextExtensions" in extAuth, false);
  });

  it("needs no ReferenceGrant for an auth service in the gateway namespace, where the SecurityPolicy lives", () => {
    const config = aGatewayApiConfig("envoy-gateway", { authServices: { sso: { namespace: GATEWAY_NAMESPACE, name: "authz", port: 9001 } } });
    const { objects } = renderGatewayApiObjects(aRoute().protected("sso", "shop").build(), config, aMember());
    assert.deepEqual(keys(objects), [`SecurityPolicy ${GATEWAY_NAMESPACE}/${NAME}`, `HTTPRoute team-a/${NAME}`]);
  });

  it("grants an auth service in the route's own namespace to the gateway namespace's SecurityPolicies", () => {
    const config = aGatewayApiConfig("envoy-gateway", { authServices: { sso: { namespace: "team-a", name: "authz", port: 9001 } } });
    const { objects } = renderGatewayApiObjects(aRoute().protected("sso", "shop").build(), config, aMember());
    assert.deepEqual(keys(objects), [
      `ReferenceGrant team-a/${referenceGrantNameFor(DOMAIN, "auth")}`,
      `SecurityPolicy ${GATEWAY_NAMESPACE}/${NAME}`,
      `HTTPRoute team-a/${NAME}`,
    ]);
    assert.deepEqual(spec(objects[0]).from, [{ group: "gateway.envoyproxy.io", kind: "SecurityPolicy", namespace: GATEWAY_NAMESPACE }]);
  });

  it("attaches Istio's AuthorizationPolicy to the member's Gateway by targetRefs, without a selector, keeping the host rules", () => {
    const route = aRoute()
      .protected("sso", "shop", [{ action: "Allow", paths: ["/static*"] }])
      .build();
    const { objects } = renderGatewayApiObjects(route, aGatewayApiConfig("istio"), aMember("edge-02"));
    const policy = spec(objects[0]);
    assert.deepEqual(policy.targetRefs, [{ group: "gateway.networking.k8s.io", kind: "Gateway", name: "edge-02" }]);
    assert.equal(policy.selector, undefined, "Istio refuses a policy with both a selector and targetRefs");
    assert.equal(policy.action, "CUSTOM");
    assert.deepEqual(policy.rules, [{ to: [{ operation: { hosts: [DOMAIN, `${DOMAIN}:*`], notPaths: ["/static*"] } }] }]);
  });

  it("renders nothing, with a problem, for a config on the Istio data plane", () => {
    const { objects, problems } = renderGatewayApiObjects(aRoute().build(), aConfig(), aMember());
    assert.deepEqual(objects, []);
    assert.match(problems.join("\n"), /gateway\.provider is not gateway-api/);
  });

  for (const implementation of ["envoy-gateway", "istio"] as const) {
    it(`gives identical objects and JSON twice for a protected route with an appId, with ${implementation}`, () => {
      const config = aGatewayApiConfig(implementation);
      const render = () => renderGatewayApiObjects(aRoute().protected("sso", "shop").service("web", 80, "team-b").build(), config, aMember(), "shop");
      const a = render();
      assert.deepEqual(a.problems, []);
      assert.equal(JSON.stringify(render()), JSON.stringify(a));
      assert.deepEqual(JSON.parse(JSON.stringify(a)), a, "nothing undefined hides in the objects");
    });
  }
});
