import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { GatewayProvider } from "../../core/config/platform-config.ts";
import type { DomainRoute, EdgeStatus } from "../../crds/types.ts";
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
const many = (count: number, dataPlane: GatewayProvider) => Array.from({ length: count }, (_, i) => route(`team/r${String(i).padStart(2, "0")}`, dataPlane));

describe("dataPlaneMismatch", () => {
  const allowed: { name: string; provider: GatewayProvider; routes: DomainRoute[] }[] = [
    { name: "no routes at all", provider: "gateway-api", routes: [] },
    { name: "routes not placed yet, which nothing serves", provider: "gateway-api", routes: [route("a/x"), route("b/y")] },
    { name: "routes served by the configured gateway-api data plane", provider: "gateway-api", routes: [route("a/x", "gateway-api")] },
    { name: "routes served by the configured istio data plane", provider: "istio", routes: [route("a/x", "istio")] },
    { name: "routes placed before there was a choice, under istio", provider: "istio", routes: [route("a/x", "unset"), route("a/y", "istio")] },
  ];
  for (const c of allowed) {
    it(`lets the reconciler start with ${c.name} (provider ${c.provider})`, () => assert.equal(dataPlaneMismatch(c.routes, config(c.provider)), undefined));
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
