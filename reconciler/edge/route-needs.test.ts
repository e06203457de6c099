// What a route counts against its pool member (route-needs.ts).
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import type { PlatformConfig } from "../../core/config/platform-config.ts";
import type { DomainRoute } from "../../crds/types.ts";
import { NO_NEEDS, routeNeeds } from "./route-needs.ts";
import { claimFor, poolConfig, poolRoute } from "./testing/pool-config.ts";

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

  test("on the Istio data plane a route adds no listener rule and no target group", () => {
    for (const needs of routeNeeds([shop, team], [claimFor(shop), claimFor(team)], poolConfig()).values()) {
      assert.deepEqual({ rules: needs.rules, targetGroups: needs.targetGroups }, { rules: NO_NEEDS.rules, targetGroups: NO_NEEDS.targetGroups });
    }
  });
});
