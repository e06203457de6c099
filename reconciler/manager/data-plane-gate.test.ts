import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { GatewayApiImplementation, GatewayProvider } from "../../core/config/platform-config.ts";
import type { Condition, DomainRoute, EdgeStatus } from "../../crds/types.ts";
import { API_VERSION, KIND_DOMAIN_ROUTE } from "../../crds/types.ts";
import { dataPlaneMismatch } from "./data-plane-gate.ts";

/** A route `namespace/name`, placed when `dataPlane` is given ("unset": placed before there was a choice), not placed otherwise. */
function route(key: string, dataPlane?: GatewayProvider | "unset"): DomainRoute {
  const [namespace, name] = key.split("/");
  const edge: EdgeStatus = { loadBalancer: "alb-out", member: "public-1", target: "public-1.example.com" };
  return {
    apiVersion: API_VERSION,
    kind: KIND_DOMAIN_ROUTE,
    metadata: { namespace, name },
    spec: { domain: `${name}.example.com`, lb: "alb-out" } as DomainRoute["spec"],
    ...(dataPlane === undefined ? {} : { status: { edge: dataPlane === "unset" ? edge : { ...edge, dataPlane } } }),
  };
}
const config = (provider: GatewayProvider) => ({ gateway: { provider, namespace: "istio-system", selector: { istio: "ingressgateway" } } });
/** gateway-api on `implementation` with GatewayClass `className`. */
const onGatewayApi = (implementation: GatewayApiImplementation, className: string) => ({
  gateway: { ...config("gateway-api").gateway, gatewayApi: { implementation, gatewayClassName: className, authServices: {} } },
});
/** A route placed on the Gateway API data plane, recording `recorded` (implementation, gatewayClassName) as a hostgate that records them does. */
function onGatewayApiRoute(key: string, recorded: Pick<EdgeStatus, "implementation" | "gatewayClassName">): DomainRoute {
  const placed = route(key, "gateway-api");
  return { ...placed, status: { edge: { ...placed.status!.edge!, ...recorded } } };
}
/** A route a hostgate from before status.edge served (or began to): its status.gateway and/or the cleanup finalizer, no EdgePlaced. */
function servedBeforeStatusEdge(key: string, marks: { gateway?: boolean; finalizer?: boolean }): DomainRoute {
  const unplaced = route(key);
  return {
    ...unplaced,
    metadata: { ...unplaced.metadata, ...(marks.finalizer === true ? { finalizers: ["hostgate.dev/cleanup"] } : {}) },
    ...(marks.gateway === true ? { status: { gateway: "istio-system/hg-shop-example-com" } } : {}),
  };
}
/** A route a later hostgate has not placed yet: the finalizer and EdgePlaced False, no status.edge. */
function notPlacedYet(key: string): DomainRoute {
  const unplaced = route(key);
  const pending: Condition = { type: "EdgePlaced", status: "False", reason: "EdgePoolFull", message: "full", lastTransitionTime: "2026-12-05T00:00:00Z" };
  return { ...unplaced, metadata: { ...unplaced.metadata, finalizers: ["hostgate.dev/cleanup"] }, status: { conditions: [pending] } };
}
const many = (count: number, dataPlane: GatewayProvider) => Array.from({ length: count }, (_, i) => route(`team/r${String(i).padStart(2, "0")}`, dataPlane));

describe("dataPlaneMismatch", () => {
  const allowed: { name: string; provider: GatewayProvider; routes: DomainRoute[] }[] = [
    { name: "no routes at all", provider: "gateway-api", routes: [] },
    { name: "routes not placed yet, which nothing serves", provider: "gateway-api", routes: [route("a/x"), route("b/y")] },
    { name: "routes served by the configured gateway-api data plane", provider: "gateway-api", routes: [route("a/x", "gateway-api")] },
    { name: "routes served by the configured istio data plane", provider: "istio", routes: [route("a/x", "istio")] },
    { name: "routes placed before there was a choice, under istio", provider: "istio", routes: [route("a/x", "unset"), route("a/y", "istio")] },
    {
      name: "routes a hostgate from before status.edge served, under istio",
      provider: "istio",
      routes: [servedBeforeStatusEdge("a/x", { gateway: true, finalizer: true })],
    },
    { name: "a route with the finalizer that a later hostgate has not placed yet (EdgePoolFull)", provider: "gateway-api", routes: [notPlacedYet("a/x")] },
  ];
  for (const c of allowed) {
    it(`lets the reconciler start with ${c.name} (provider ${c.provider})`, () => assert.equal(dataPlaneMismatch(c.routes, config(c.provider)), undefined));
  }

  const sameGatewayApi = [
    {
      name: "routes recording the configured implementation and GatewayClass",
      routes: [onGatewayApiRoute("a/x", { implementation: "istio", gatewayClassName: "istio" })],
    },
    { name: "routes placed before the implementation was recorded (only dataPlane: compared as far as recorded)", routes: [route("a/x", "gateway-api")] },
    { name: "a route recording only the implementation, the configured one", routes: [onGatewayApiRoute("a/x", { implementation: "istio" })] },
  ];
  for (const c of sameGatewayApi) {
    it(`lets the reconciler start on the Gateway API data plane with ${c.name}`, () =>
      assert.equal(dataPlaneMismatch(c.routes, onGatewayApi("istio", "istio")), undefined));
  }

  const changedGatewayApi: { name: string; config: ReturnType<typeof onGatewayApi>; routes: DomainRoute[]; message: RegExp[] }[] = [
    {
      name: "a route served by Istio's implementation when envoy-gateway is configured (its AuthorizationPolicy means nothing to Envoy Gateway)",
      config: onGatewayApi("envoy-gateway", "eg"),
      routes: [
        onGatewayApiRoute("shop/web", { implementation: "istio", gatewayClassName: "istio" }),
        onGatewayApiRoute("shop/api", { implementation: "envoy-gateway", gatewayClassName: "eg" }),
      ],
      message: [
        /^gateway\.gatewayApi\.implementation is envoy-gateway, but 1 DomainRoute is served with istio \(status\.edge\.implementation\): shop\/web\. /,
        /refused, so no controller started/,
        /set gateway\.gatewayApi\.implementation back to istio\. To migrate, .* delete those DomainRoutes .* create them again\.$/,
      ],
    },
    {
      name: "a route whose GatewayClass changed under one implementation",
      config: onGatewayApi("envoy-gateway", "eg-new"),
      routes: [onGatewayApiRoute("shop/web", { implementation: "envoy-gateway", gatewayClassName: "eg" })],
      message: [
        /^gateway\.gatewayApi\.gatewayClassName is eg-new, but 1 DomainRoute is served with eg \(status\.edge\.gatewayClassName\): shop\/web\. /,
        /set gateway\.gatewayApi\.gatewayClassName back to eg\./,
      ],
    },
  ];
  for (const c of changedGatewayApi) {
    it(`refuses to start with ${c.name}`, () => {
      const message = dataPlaneMismatch(c.routes, c.config);
      assert.ok(message !== undefined, "refused");
      for (const pattern of c.message) assert.match(message, pattern);
    });
  }

  const refused: { name: string; provider: GatewayProvider; routes: DomainRoute[]; message: RegExp[] }[] = [
    {
      name: "a route served by istio when gateway-api is configured, saying how to go back or migrate",
      provider: "gateway-api",
      routes: [route("shop/web", "istio"), route("shop/api", "gateway-api")],
      message: [
        /^gateway\.provider is gateway-api, but 1 DomainRoute is served by the istio data plane \(status\.edge\.dataPlane\): shop\/web\. /,
        /Switching the data plane under served routes is refused, so no controller started/,
        /set gateway\.provider back to istio/,
        /with gateway\.provider istio still configured, delete those DomainRoutes .* then set gateway\.provider to gateway-api and create them again\.$/,
      ],
    },
    {
      name: "routes placed before there was a choice (no dataPlane: istio) when gateway-api is configured",
      provider: "gateway-api",
      routes: [route("b/two", "unset"), route("a/one", "unset"), route("c/new")],
      message: [/but 2 DomainRoutes are served by the istio data plane \(status\.edge\.dataPlane\): a\/one, b\/two\. /],
    },
    {
      name: "a route a hostgate from before status.edge served (status.gateway) when gateway-api is configured",
      provider: "gateway-api",
      routes: [servedBeforeStatusEdge("old/web", { gateway: true })],
      message: [/1 DomainRoute is served by the istio data plane .*: old\/web\. /],
    },
    {
      name: "a route a hostgate from before status.edge began to serve (its finalizer only) when gateway-api is configured",
      provider: "gateway-api",
      routes: [servedBeforeStatusEdge("old/web", { finalizer: true }), notPlacedYet("new/web")],
      message: [/1 DomainRoute is served by the istio data plane .*: old\/web\. /],
    },
    {
      name: "routes served by gateway-api when istio is configured",
      provider: "istio",
      routes: [route("shop/web", "gateway-api"), route("shop/old", "unset")],
      message: [
        /^gateway\.provider is istio, but 1 DomainRoute is served by the gateway-api data plane .*: shop\/web\. /,
        /set gateway\.provider back to gateway-api/,
      ],
    },
    {
      name: "ten routes, listing all of them sorted",
      provider: "istio",
      routes: many(10, "gateway-api").reverse(),
      message: [/: team\/r00, team\/r01, team\/r02, team\/r03, team\/r04, team\/r05, team\/r06, team\/r07, team\/r08, team\/r09\. Switching/],
    },
    {
      name: "more than ten routes, listing the first ten sorted and counting the rest",
      provider: "istio",
      routes: many(13, "gateway-api").reverse(),
      message: [/13 DomainRoutes are served .*: team\/r00, team\/r01, .*, team\/r09 and 3 more\. Switching/],
    },
  ];
  for (const c of refused) {
    it(`refuses to start with ${c.name}`, () => {
      const message = dataPlaneMismatch(c.routes, config(c.provider));
      assert.ok(message !== undefined, "refused");
      for (const pattern of c.message) assert.match(message, pattern);
    });
  }
});

describe("dataPlaneMismatch with a GatewayClass per class", () => {
  const perClass = {
    gateway: {
      ...config("gateway-api").gateway,
      gatewayApi: {
        implementation: "aws-load-balancer-controller" as const,
        gatewayClassName: "alb-internal",
        gatewayClassNames: { "alb-out": "alb-public" },
        authServices: {},
      },
    },
  };
  it("accepts each route recorded with its own class's GatewayClass", () => {
    const out = onGatewayApiRoute("a/out", { implementation: "aws-load-balancer-controller", gatewayClassName: "alb-public" });
    const inside = onGatewayApiRoute("a/in", { implementation: "aws-load-balancer-controller", gatewayClassName: "alb-internal" });
    const insideOnAlbIn = { ...inside, spec: { ...inside.spec, lb: "alb-in" as const }, status: { edge: { ...inside.status!.edge!, loadBalancer: "alb-in" } } };
    assert.equal(dataPlaneMismatch([out, insideOnAlbIn], perClass), undefined);
  });
  it("refuses a route recorded with the other class's GatewayClass, naming it", () => {
    const out = onGatewayApiRoute("a/out", { implementation: "aws-load-balancer-controller", gatewayClassName: "alb-internal" });
    assert.match(dataPlaneMismatch([out], perClass) ?? "", /a\/out/);
  });
});
