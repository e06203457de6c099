import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { PlatformConfig } from "../../../../core/config/platform-config.ts";
import { aConfig } from "../testing/platform-config.ts";
import { aRoute, type RouteBuilder } from "../testing/route-builder.ts";
import { gatewayApiRefusal } from "./data-plane-refusal.ts";
import { aGatewayApiConfig } from "./testing/gateway-api-config.ts";

/** `config` with `provider` listed in protection.providers too. */
function listing(provider: string, config: PlatformConfig): PlatformConfig {
  return { ...config, protection: { ...config.protection, providers: [...config.protection.providers, provider] } };
}

describe("gatewayApiRefusal", () => {
  const cases: { name: string; route: RouteBuilder; config: PlatformConfig; reason?: string; message?: RegExp }[] = [
    {
      name: "lets an unprotected route be served on the AWS Load Balancer Controller",
      route: aRoute(),
      config: aGatewayApiConfig("aws-load-balancer-controller"),
    },
    {
      name: "refuses a protected route on the AWS Load Balancer Controller, saying how to fix it",
      route: aRoute().protected("sso", "shop"),
      config: aGatewayApiConfig("aws-load-balancer-controller"),
      reason: "ProtectionUnsupported",
      message:
        /shop\.example\.com is protected.*AWS Load Balancer Controller.*remove spec\.protection, or run the platform with gateway\.gatewayApi\.implementation envoy-gateway or istio/,
    },
    {
      name: "lets a protected route be served on Envoy Gateway when its provider has an auth service",
      route: aRoute().protected("sso", "shop"),
      config: aGatewayApiConfig("envoy-gateway"),
    },
    {
      name: "refuses a protected route on Envoy Gateway whose provider has no auth service, naming those that have one",
      route: aRoute().protected("github", "shop"),
      config: listing("github", aGatewayApiConfig("envoy-gateway")),
      reason: "ProtectionUnsupported",
      message: /"github", which has no entry in gateway\.gatewayApi\.authServices.*add authServices\.github \{namespace, name, port\}.*\(sso\)/,
    },
    {
      name: "lets a protected route in External mode be served on Envoy Gateway, whose login is on the listener every HTTPRoute there goes through",
      route: aRoute().mode("External").protected("sso", "shop"),
      config: aGatewayApiConfig("envoy-gateway"),
    },
    {
      name: "refuses a protected route on Envoy Gateway with a wildcard Allow path, saying what to do",
      route: aRoute().protected("sso", "shop", [{ action: "Allow", paths: ["/static*"] }]),
      config: aGatewayApiConfig("envoy-gateway"),
      reason: "ProtectionUnsupported",
      message:
        /shop\.example\.com is protected with Allow paths \("\/static\*"\).*listener.*remove the Allow rules from spec\.protection\.rules, or run .*implementation istio/,
    },
    {
      name: "refuses a protected route on Envoy Gateway with exact Allow paths too, since only a route-level policy could open them",
      route: aRoute().protected("sso", "shop", [
        { action: "Allow", paths: ["/ready", "/healthz"] },
        { action: "Authenticate", paths: ["/admin*"] },
      ]),
      config: aGatewayApiConfig("envoy-gateway"),
      reason: "ProtectionUnsupported",
      message: /Allow paths \("\/healthz", "\/ready"\)/,
    },
    {
      name: "refuses a protected route in External mode on Envoy Gateway with Allow paths",
      route: aRoute()
        .mode("External")
        .protected("sso", "shop", [{ action: "Allow", paths: ["/healthz"] }]),
      config: aGatewayApiConfig("envoy-gateway"),
      reason: "ProtectionUnsupported",
      message: /Allow paths \("\/healthz"\)/,
    },
    {
      name: "lets a protected route with only Authenticate rules be served on Envoy Gateway",
      route: aRoute().protected("sso", "shop", [{ action: "Authenticate", paths: ["/admin*"] }]),
      config: aGatewayApiConfig("envoy-gateway"),
    },
    {
      name: "lets an unprotected route in External mode be served on Envoy Gateway",
      route: aRoute().mode("External"),
      config: aGatewayApiConfig("envoy-gateway"),
    },
    {
      name: "lets a protected route in External mode be served on Istio",
      route: aRoute().mode("External").protected("sso", "shop"),
      config: aGatewayApiConfig("istio"),
    },
    {
      name: "lets a protected route with wildcard Allow paths be served on Istio, whose AuthorizationPolicy matches them as today",
      route: aRoute().protected("sso", "shop", [{ action: "Allow", paths: ["/static*"] }]),
      config: aGatewayApiConfig("istio"),
    },
    {
      name: "refuses a route whose protection is invalid on every implementation, so no listener serves a team's own HTTPRoute unprotected",
      route: aRoute()
        .mode("External")
        .protected("sso", "shop", [{ action: "Allow", paths: ["/a/{x}"] }]),
      config: aGatewayApiConfig("istio"),
      reason: "InvalidSpec",
      message: /is not served until its protection is fixed: spec\.protection\.rules\[0\]\.paths\[0\]/,
    },
    {
      name: "refuses a protected route on Istio whose provider the platform does not list, as the route controller prunes its login (UnknownProvider)",
      route: aRoute().mode("External").protected("nosuch", "shop"),
      config: aGatewayApiConfig("istio"),
      reason: "UnknownProvider",
      message: /spec\.protection\.provider is "nosuch", which the platform does not list \(it lists sso\)/,
    },
    {
      name: "refuses a protected route on Envoy Gateway whose provider the platform does not list, before asking for its auth service",
      route: aRoute().protected("nosuch", "shop"),
      config: aGatewayApiConfig("envoy-gateway"),
      reason: "UnknownProvider",
      message: /"nosuch", which the platform does not list/,
    },
    {
      name: "never refuses on the Istio data plane, whose own renderer fails closed",
      route: aRoute().protected("sso", "shop"),
      config: { ...aConfig(), gateway: { ...aConfig().gateway } },
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const refusal = gatewayApiRefusal(c.route.build(), c.config);
      if (c.reason === undefined) {
        assert.equal(refusal, undefined);
        return;
      }
      assert.equal(refusal?.reason, c.reason);
      assert.match(refusal.message, c.message!);
    });
  }
});
