// What a route counts against its pool member (route-needs.ts).
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import type { PlatformConfig } from "../../core/config/platform-config.ts";
import type { DomainRoute } from "../../crds/types.ts";
import { externalServiceNameFor } from "../domainroute/render/gateway-api/names.ts";
import type { RouteNeeds } from "./route-needs.ts";
import { NO_NEEDS, routeNeeds } from "./route-needs.ts";
import { claimFor, gatewayApiPoolConfig, poolConfig, poolRoute } from "./testing/pool-config.ts";

const shop = poolRoute("shop", "shop.example.com", 1);
const blog = poolRoute("blog", "blog.example.com", 2);
const team = poolRoute("team", "api.team-a.example.com", 3);
const unclaimed = poolRoute("late", "late.example.com", 4);

const cases: { name: string; config: PlatformConfig; routes: DomainRoute[]; expected: Record<string, string[]> }[] = [
  {
    name: "with certificates on the listeners (ACM) a route needs its wildcard, shared wildcards under one key",
    config: poolConfig(),
    routes: [shop, blog, team],
    expected: { "team-a/shop": ["*.example.com"], "team-a/blog": ["*.example.com"], "team-a/team": ["*.team-a.example.com"] },
  },
  {
    name: "cert-manager importing into ACM counts certificates too",
    config: {
      ...poolConfig({}, "cert-manager"),
      certificates: { ...poolConfig({}, "cert-manager").certificates, certManager: { importToAcm: true } },
    } as PlatformConfig,
    routes: [shop],
    expected: { "team-a/shop": ["*.example.com"] },
  },
  {
    name: "a route without its claim needs nothing",
    config: poolConfig(),
    routes: [unclaimed],
    expected: { "team-a/late": [] },
  },
  {
    name: "cert-manager alone puts nothing on the listeners: nothing is counted",
    config: poolConfig({}, "cert-manager"),
    routes: [shop, team],
    expected: { "team-a/shop": [], "team-a/team": [] },
  },
  {
    name: "without certificates nothing is counted",
    config: poolConfig({}, "none"),
    routes: [shop],
    expected: { "team-a/shop": [] },
  },
];

describe("a route's needs on its pool member", () => {
  for (const c of cases) {
    test(c.name, () => {
      const claims = c.routes.filter((r) => r !== unclaimed).map(claimFor);
      const needs = routeNeeds(c.routes, claims, c.config);
      assert.deepEqual(Object.fromEntries([...needs].map(([ref, n]) => [ref, n.certificates])), c.expected);
    });
  }

  test("on the Istio data plane a route adds no listener rule, no target group and no Gateway listener", () => {
    for (const needs of routeNeeds([shop, team], [claimFor(shop), claimFor(team)], poolConfig()).values()) {
      const { rules, targetGroups, listeners } = needs;
      assert.deepEqual({ rules, targetGroups, listeners }, { rules: NO_NEEDS.rules, targetGroups: NO_NEEDS.targetGroups, listeners: NO_NEEDS.listeners });
    }
  });
});

/** `route` with its spec changed by `spec`. */
const withSpec = (route: DomainRoute, spec: Partial<DomainRoute["spec"]>): DomainRoute => ({ ...route, spec: { ...route.spec, ...spec } });
const external = withSpec(poolRoute("legacy", "legacy.example.com", 5), { backend: { external: { ip: "10.0.0.7", port: 8443 } } });
const elsewhere = withSpec(poolRoute("api", "api.example.com", 6), { backend: { service: { name: "api", namespace: "shared", port: 80 } } });
const { backend: _managedBackend, ...externalSpec } = poolRoute("own", "own.example.com", 7).spec;
const teams: DomainRoute = { ...poolRoute("own", "own.example.com", 7), spec: { ...externalSpec, routing: { mode: "External" } } };
const protectedShop = withSpec(poolRoute("secure", "secure.example.com", 8), { protection: { provider: "sso", appId: "shop-app" } });

const gatewayApiCases: { name: string; config: PlatformConfig; routes: DomainRoute[]; expected: Record<string, Partial<RouteNeeds>> }[] = [
  {
    name: "Envoy Gateway with cert-manager: one listener per route, keyed by its domain, and nothing on an ALB",
    config: gatewayApiPoolConfig("envoy-gateway", "cert-manager"),
    routes: [shop, blog],
    expected: { "team-a/shop": { listeners: ["shop.example.com"] }, "team-a/blog": { listeners: ["blog.example.com"] } },
  },
  {
    name: "behind an ALB with ACM certificates (TLS ends before the Gateway): the wildcard on the ALB's listener and the Gateway listener",
    config: gatewayApiPoolConfig("istio", "acm"),
    routes: [shop],
    expected: { "team-a/shop": { certificates: ["*.example.com"], listeners: ["shop.example.com"] } },
  },
  {
    name: "the AWS Load Balancer Controller with ACM: the certificate, the listener, one rule per route and a target group per backend, shared backends once",
    config: gatewayApiPoolConfig("aws-load-balancer-controller", "acm"),
    routes: [shop, blog, elsewhere],
    expected: {
      "team-a/shop": { certificates: ["*.example.com"], listeners: ["shop.example.com"], rules: ["team-a/shop/rule-1"], targetGroups: ["team-a/web:8080"] },
      "team-a/blog": { certificates: ["*.example.com"], listeners: ["blog.example.com"], rules: ["team-a/blog/rule-1"], targetGroups: ["team-a/web:8080"] },
      "team-a/api": { certificates: ["*.example.com"], listeners: ["api.example.com"], rules: ["team-a/api/rule-1"], targetGroups: ["shared/api:80"] },
    },
  },
  {
    name: "the AWS Load Balancer Controller: an external backend's target group is the selectorless Service standing for it",
    config: gatewayApiPoolConfig("aws-load-balancer-controller", "none"),
    routes: [external],
    expected: {
      "team-a/legacy": {
        listeners: ["legacy.example.com"],
        rules: ["team-a/legacy/rule-1"],
        targetGroups: [`team-a/${externalServiceNameFor("legacy.example.com")}:8443`],
      },
    },
  },
  {
    name: "the AWS Load Balancer Controller: an External route counts one rule for the team's HTTPRoute and no backend hostgate knows",
    config: gatewayApiPoolConfig("aws-load-balancer-controller", "none"),
    routes: [teams],
    expected: { "team-a/own": { listeners: ["own.example.com"], rules: ["team-a/own/rule-1"] } },
  },
  {
    name: "a protected route the data plane refuses (no external authorization on the AWS Load Balancer Controller) needs nothing",
    config: gatewayApiPoolConfig("aws-load-balancer-controller", "acm"),
    routes: [protectedShop],
    expected: { "team-a/secure": {} },
  },
  {
    name: "a protected route the data plane serves (Envoy Gateway with the provider's ext_authz) needs its listener",
    config: gatewayApiPoolConfig("envoy-gateway", "none"),
    routes: [protectedShop],
    expected: { "team-a/secure": { listeners: ["secure.example.com"] } },
  },
  {
    name: "a route without its claim needs nothing on the Gateway API data plane either",
    config: gatewayApiPoolConfig("aws-load-balancer-controller", "acm"),
    routes: [unclaimed],
    expected: { "team-a/late": {} },
  },
];

describe("a route's needs on its pool member, on the Gateway API data plane", () => {
  for (const c of gatewayApiCases) {
    test(c.name, () => {
      const claims = c.routes.filter((r) => r !== unclaimed).map(claimFor);
      const needs = routeNeeds(c.routes, claims, c.config);
      assert.deepEqual(Object.fromEntries(needs), Object.fromEntries(Object.entries(c.expected).map(([ref, n]) => [ref, { ...NO_NEEDS, ...n }])));
    });
  }
});
