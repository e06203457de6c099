// Every object the Gateway API data plane renders, against the schema the API
// server holds it to: the Gateway API's own CRDs (test/fixtures/gateway-api/)
// through the API server's schema step (nothing pruned, no OpenAPI violation,
// no x-kubernetes-validations rule broken), Envoy Gateway's SecurityPolicy and
// ClientTrafficPolicy CRDs (test/fixtures/envoy-gateway/: without them this
// file fails), Istio's schema (validate-istio.ts), and the core Service and
// EndpointSlice schemas (kubernetes-models).
//
// The Envoy Gateway CRDs at hand predate SecurityPolicy extAuth.contextExtensions
// (test/fixtures/envoy-gateway/README.md), so the route's appId is checked as
// what such an install does with it: the API server drops the field, which is
// why hostgate writes Envoy Gateway's kinds with fieldValidation Strict
// (reconciler/apply/apply-object.ts) and such a write is refused instead.
import assert from "node:assert/strict";
import { join } from "node:path";
import { describe, it } from "node:test";
import { EndpointSlice } from "kubernetes-models/discovery.k8s.io/v1/EndpointSlice";
import { Service } from "kubernetes-models/v1/Service";
import type { GatewayApiImplementation } from "../../../../core/config/platform-config.ts";
import type { KubeObject } from "../../../../core/kube/object-key.ts";
import { loadCrdCatalog } from "../../../../crds/catalog.ts";
import { checkCustomResource } from "../../../../policies/schema/check.ts";
import { contains, withAppliedHash } from "../../../apply/plan-apply.ts";
import { validateIstioObject } from "../validate-istio.ts";
import { aRoute, type RouteBuilder } from "../testing/route-builder.ts";
import { renderIdentityHeaderStrip, KIND_CLIENT_TRAFFIC_POLICY } from "./identity-header-strip.ts";
import { KIND_AUTHORIZATION_POLICY, KIND_ENDPOINT_SLICE, KIND_HTTP_ROUTE, KIND_REFERENCE_GRANT, KIND_SECURITY_POLICY, KIND_SERVICE } from "./kinds.ts";
import { renderGatewayApiObjects } from "./render-gateway-api-route.ts";
import { aGatewayApiConfig, aMember } from "./testing/gateway-api-config.ts";

const FIXTURES = join(import.meta.dirname, "..", "..", "..", "..", "test", "fixtures");
const gatewayApiCrds = loadCrdCatalog(join(FIXTURES, "gateway-api"));
const envoyGatewayCrds = loadCrdCatalog(join(FIXTURES, "envoy-gateway"));
/** What Envoy Gateway's SecurityPolicy CRD at hand does not declare: the route's appId as a context extension. */
const PREDATES_CONTEXT_EXTENSIONS = "spec.extAuth.contextExtensions";

/** What the API server would say to a create of `object`: violations and pruned fields, as text; and the object as it would store it (defaults applied). */
function storeCustomResource(catalogName: string, catalog: ReturnType<typeof loadCrdCatalog>, object: KubeObject): { problems: string[]; stored: unknown } {
  const entry = catalog.lookup(object.apiVersion!, object.kind!);
  assert.ok(entry, `no CRD for ${object.apiVersion} ${object.kind} in ${catalogName}`);
  const result = checkCustomResource(entry, object, { operation: "CREATE" });
  return { problems: [...result.violations.map((v) => `${v.message}`), ...result.prunedFields.map((f) => `pruned ${f}`)], stored: result.object };
}

function admitCustomResource(catalogName: string, catalog: ReturnType<typeof loadCrdCatalog>, object: KubeObject): string[] {
  return storeCustomResource(catalogName, catalog, object).problems;
}

/** Problems with the object against its kind's schema; empty when it is accepted whole. */
function admit(object: KubeObject): string[] {
  switch (object.kind) {
    case KIND_HTTP_ROUTE:
    case KIND_REFERENCE_GRANT:
      return admitCustomResource("test/fixtures/gateway-api", gatewayApiCrds, object);
    case KIND_SECURITY_POLICY:
    case KIND_CLIENT_TRAFFIC_POLICY:
      return admitCustomResource("test/fixtures/envoy-gateway", envoyGatewayCrds, object);
    case KIND_AUTHORIZATION_POLICY:
      validateIstioObject(object);
      return [];
    case KIND_SERVICE:
      new Service(object as never).validate();
      return [];
    case KIND_ENDPOINT_SLICE:
      new EndpointSlice(object as never).validate();
      return [];
    default:
      return [`no schema check for ${object.apiVersion} ${object.kind}`];
  }
}

const longLabel = "a".repeat(63);
const LONGEST_DOMAIN = `${[longLabel, longLabel, longLabel, "a".repeat(253 - 3 * 64 - ".example.com".length)].join(".")}.example.com`;
const cases: { name: string; route: RouteBuilder; implementation: GatewayApiImplementation; kinds: string[] }[] = [
  { name: "a Service backend", route: aRoute(), implementation: "aws-load-balancer-controller", kinds: [KIND_HTTP_ROUTE] },
  {
    name: "a Service backend in another namespace",
    route: aRoute().service("web", 8080, "team-b"),
    implementation: "envoy-gateway",
    kinds: [KIND_REFERENCE_GRANT, KIND_HTTP_ROUTE],
  },
  {
    name: "an external backend",
    route: aRoute().external("10.20.30.40", 65535),
    implementation: "istio",
    kinds: [KIND_SERVICE, KIND_ENDPOINT_SLICE, KIND_HTTP_ROUTE],
  },
  {
    name: "a protected route on Envoy Gateway with an external backend and Authenticate paths",
    route: aRoute()
      .protected("sso", "shop", [{ action: "Authenticate", paths: ["/admin*"] }])
      .external("10.0.0.1", 80),
    implementation: "envoy-gateway",
    kinds: [KIND_SERVICE, KIND_ENDPOINT_SLICE, KIND_REFERENCE_GRANT, KIND_SECURITY_POLICY, KIND_HTTP_ROUTE],
  },
  {
    name: "a protected route in External mode on Envoy Gateway",
    route: aRoute().mode("External").protected("sso", "shop"),
    implementation: "envoy-gateway",
    kinds: [KIND_REFERENCE_GRANT, KIND_SECURITY_POLICY],
  },
  {
    name: "a protected route on Istio with Allow and Authenticate paths",
    route: aRoute().protected("sso", "shop", [
      { action: "Allow", paths: ["/public*"] },
      { action: "Authenticate", paths: ["/public/admin*"] },
    ]),
    implementation: "istio",
    kinds: [KIND_AUTHORIZATION_POLICY, KIND_HTTP_ROUTE],
  },
  {
    name: "a wildcard domain",
    route: aRoute().domain("*.team.example.com").protected("sso", "shop"),
    implementation: "envoy-gateway",
    kinds: [KIND_REFERENCE_GRANT, KIND_SECURITY_POLICY, KIND_HTTP_ROUTE],
  },
  {
    name: "a 253-character domain",
    route: aRoute().domain(LONGEST_DOMAIN).protected("sso", "shop").service("web", 80, "team-b"),
    implementation: "envoy-gateway",
    kinds: [KIND_REFERENCE_GRANT, KIND_REFERENCE_GRANT, KIND_SECURITY_POLICY, KIND_HTTP_ROUTE],
  },
  {
    name: "a 253-character domain with an external backend on Istio",
    route: aRoute().domain(LONGEST_DOMAIN).protected("sso", "shop").external("192.168.0.1", 1),
    implementation: "istio",
    kinds: [KIND_SERVICE, KIND_ENDPOINT_SLICE, KIND_AUTHORIZATION_POLICY, KIND_HTTP_ROUTE],
  },
];

describe("the objects of the Gateway API data plane, against their schemas", () => {
  it("includes a domain of the greatest length a DomainRoute allows", () => {
    assert.equal(LONGEST_DOMAIN.length, 253);
  });

  for (const c of cases) {
    it(`${c.name} (${c.implementation}) is accepted whole, as the reconciler applies it`, () => {
      const { objects, problems } = renderGatewayApiObjects(c.route.build(), aGatewayApiConfig(c.implementation), aMember());
      assert.deepEqual(problems, []);
      assert.deepEqual(
        objects.map((o) => o.kind),
        c.kinds,
      );
      for (const object of objects)
        assert.deepEqual(admit(withAppliedHash(object)), [], `${object.kind} ${object.metadata!.namespace}/${object.metadata!.name}`);
    });

    it(`${c.name} (${c.implementation}): the custom resources as stored, their CRD's defaults applied, still contain the render, so a pass re-applies nothing`, () => {
      const { objects } = renderGatewayApiObjects(c.route.build(), aGatewayApiConfig(c.implementation), aMember());
      const custom = objects.filter((o) => o.kind === KIND_HTTP_ROUTE || o.kind === KIND_REFERENCE_GRANT || o.kind === KIND_SECURITY_POLICY);
      for (const object of custom.map(withAppliedHash)) {
        const [name, catalog] =
          object.kind === KIND_SECURITY_POLICY ? ["test/fixtures/envoy-gateway", envoyGatewayCrds] : ["test/fixtures/gateway-api", gatewayApiCrds];
        const { stored } = storeCustomResource(name, catalog, object);
        assert.ok(contains(stored, object), `${object.kind} ${object.metadata!.namespace}/${object.metadata!.name} as stored: ${JSON.stringify(stored)}`);
      }
    });
  }

  it("a pooled Gateway's identity-header ClientTrafficPolicy is accepted whole by Envoy Gateway's CRD, and as stored still contains the render", () => {
    const object = withAppliedHash(renderIdentityHeaderStrip("public-1", aGatewayApiConfig("envoy-gateway")));
    const { problems, stored } = storeCustomResource("test/fixtures/envoy-gateway", envoyGatewayCrds, object);
    assert.deepEqual(problems, []);
    assert.ok(contains(stored, object), `as stored: ${JSON.stringify(stored)}`);
  });

  it("a SecurityPolicy carrying the route's appId loses only its context extension on an Envoy Gateway that predates it, which Strict field validation refuses", () => {
    const { objects } = renderGatewayApiObjects(aRoute().protected("sso", "shop").build(), aGatewayApiConfig("envoy-gateway"), aMember(), "shop");
    const policy = withAppliedHash(objects.find((o) => o.kind === KIND_SECURITY_POLICY)!);
    const { problems, stored } = storeCustomResource("test/fixtures/envoy-gateway", envoyGatewayCrds, policy);
    assert.deepEqual(problems, [`pruned ${PREDATES_CONTEXT_EXTENSIONS}`]);
    const withoutAppId = structuredClone(policy) as unknown as { spec: { extAuth: { contextExtensions?: unknown } } };
    delete withoutAppId.spec.extAuth.contextExtensions;
    assert.ok(contains(stored, withoutAppId), `as stored: ${JSON.stringify(stored)}`);
    assert.equal(contains(stored, policy), false, "under the default field validation every pass would write it again");
  });

  it("is checked by a comparison that notices what Envoy Gateway's CRD refuses (a SecurityPolicy on a Gateway of another group)", () => {
    const { objects } = renderGatewayApiObjects(aRoute().protected("sso", "shop").build(), aGatewayApiConfig("envoy-gateway"), aMember());
    const broken = structuredClone(objects.find((o) => o.kind === KIND_SECURITY_POLICY)!) as { spec: { targetRefs: { group: string }[] } };
    broken.spec.targetRefs[0]!.group = "example.com";
    assert.notDeepEqual(admit(broken as unknown as KubeObject), []);
  });

  it("is checked by a comparison that notices a default a SecurityPolicy render leaves out (a backendRef's kind: lists are compared whole)", () => {
    const { objects } = renderGatewayApiObjects(aRoute().protected("sso", "shop").build(), aGatewayApiConfig("envoy-gateway"), aMember());
    type Sparse = { spec: { extAuth: { grpc: { backendRefs: { kind?: string }[] } } } };
    const sparse = withAppliedHash(structuredClone(objects.find((o) => o.kind === KIND_SECURITY_POLICY)!)) as unknown as Sparse;
    delete sparse.spec.extAuth.grpc.backendRefs[0]!.kind;
    const { stored } = storeCustomResource("test/fixtures/envoy-gateway", envoyGatewayCrds, sparse as unknown as KubeObject);
    assert.equal(contains(stored, sparse), false, "without the defaults written out, every pass would re-apply");
  });

  it("is checked by a comparison that notices a default the render leaves out (an HTTPRoute's rules are compared whole)", () => {
    const { objects } = renderGatewayApiObjects(aRoute().build(), aGatewayApiConfig("istio"), aMember());
    const sparse = withAppliedHash(structuredClone(objects[0]!)) as unknown as { spec: { rules: { backendRefs: { weight?: number }[] }[] } };
    delete sparse.spec.rules[0]!.backendRefs[0]!.weight;
    const { stored } = storeCustomResource("test/fixtures/gateway-api", gatewayApiCrds, sparse as unknown as KubeObject);
    assert.equal(contains(stored, sparse), false, "without the defaults written out, every pass would re-apply");
  });

  it("is checked by a comparison that notices what the Gateway API's CRD refuses", () => {
    const { objects } = renderGatewayApiObjects(aRoute().build(), aGatewayApiConfig("istio"), aMember());
    const broken = structuredClone(objects[0]!) as { spec: { rules: { matches: { path: { type: string; value: string } }[] }[] } };
    broken.spec.rules[0]!.matches[0]!.path = { type: "Exact", value: "/a//b" };
    assert.notDeepEqual(admit(broken), []);
  });

  it("is checked by a comparison that notices a ReferenceGrant the Gateway API's CRD refuses", () => {
    const { objects } = renderGatewayApiObjects(aRoute().service("web", 8080, "team-b").build(), aGatewayApiConfig("istio"), aMember());
    const broken = structuredClone(objects[0]!) as { spec: { from: { namespace: string }[] } };
    broken.spec.from[0]!.namespace = "";
    assert.notDeepEqual(admit(broken), []);
  });
});
