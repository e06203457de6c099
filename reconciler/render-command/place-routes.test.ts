// `hostgate render`'s placement (place-routes.ts) on the Gateway API data
// plane: routes are placed, and the pool grows, as the pool controller would.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { autoscalingPoolConfig, claimFor, gatewayApiPoolConfig, poolConfig, poolRoute } from "../edge/testing/pool-config.ts";
import { defaultConfig } from "../domainroute/testing/route-world.ts";
import { hasPool, placementLines, placeRoutes } from "./place-routes.ts";

describe("render's pool placement", () => {
  it("grows the pool as the pool controller would: a route no member has room for goes to the next autoscaled member, listed after the members", () => {
    const config = autoscalingPoolConfig(2, { listeners: 1 });
    const routes = [1, 2, 3].map((n) => poolRoute(`r${n}`, `r${n}.example.com`, n));
    const { routes: placed, placements } = placeRoutes(routes, routes.map(claimFor), config);
    assert.deepEqual(
      placements.map((p) => [p.route, p.member]),
      [
        ["team-a/r1", "public-1"],
        ["team-a/r2", "public-2"],
        ["team-a/r3", "gw-01"],
      ],
    );
    assert.deepEqual(placed[2]?.status?.edge, { loadBalancer: "alb-out", member: "gw-01", target: "gw-01.gw.example.com" });
    assert.deepEqual(placementLines(placements, config).slice(1, 5), [
      "  member alb-out: public-1 (capacity certificates 25, listeners 1)",
      "  member alb-out: public-2 (capacity certificates 25, listeners 1)",
      "  member alb-in: alb-in (capacity certificates 25, listeners 64)",
      "  member alb-out: gw-01 (autoscaled; capacity certificates 25, listeners 1)",
    ]);
  });

  it("names maxMembers reached when the pool can grow no more", () => {
    const config = autoscalingPoolConfig(1, { listeners: 1 });
    const routes = [1, 2, 3, 4].map((n) => poolRoute(`r${n}`, `r${n}.example.com`, n));
    const { placements } = placeRoutes(routes, routes.map(claimFor), config);
    assert.match(placements[3]?.full ?? "", /autoscale: maxMembers reached \(1\/1 autoscaled members in use\)$/);
  });

  const onGatewayApi = { ...defaultConfig, gateway: gatewayApiPoolConfig("istio", "none").gateway };
  const pooled: { name: string; config: typeof defaultConfig; expected: boolean }[] = [
    { name: "a config without pools on the Istio data plane places nothing (renders as before)", config: defaultConfig, expected: false },
    { name: "a class with members places", config: poolConfig(), expected: true },
    { name: "the Gateway API data plane places even one-member classes: every route takes a listener", config: onGatewayApi, expected: true },
  ];
  for (const c of pooled) it(c.name, () => assert.equal(hasPool(c.config), c.expected));
});
