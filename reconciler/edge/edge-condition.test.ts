// EdgePlaced and status.edge as the route controller reads them from the pool
// controller's outcome (edge-condition.ts).
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import type { PlatformConfig } from "../../core/config/platform-config.ts";
import type { DomainRoute } from "../../crds/types.ts";
import type { OutcomeLookup } from "../status/outcomes.ts";
import { defaultConfig } from "../domainroute/testing/route-world.ts";
import type { EdgeOutcome } from "./edge-outcomes.ts";
import { placementStatus } from "./edge-condition.ts";
import { autoscalingPoolConfig, gatewayApiPoolConfig, poolConfig, poolRoute } from "./testing/pool-config.ts";

const PUBLIC_2 = { loadBalancer: "alb-out", member: "public-2", target: "public-2.us-east-1.elb.amazonaws.com" };
const placedOn2: EdgeOutcome = { kind: "placed", uid: "uid-shop", edge: PUBLIC_2 };
const withCondition = (route: DomainRoute, status: "True" | "False" | "Unknown", reason: string): DomainRoute => ({
  ...route,
  status: { ...route.status, conditions: [{ type: "EdgePlaced", status, reason, message: "as written before", lastTransitionTime: "2026-01-01T00:00:00Z" }] },
});

const cases: {
  name: string;
  route?: DomainRoute;
  lookup: OutcomeLookup<EdgeOutcome>;
  config?: PlatformConfig;
  claimed?: boolean;
  expected: string;
  edge?: string;
  message?: RegExp;
}[] = [
  {
    name: "placed: True Placed, status.edge names the member and its target",
    lookup: { known: true, outcome: placedOn2 },
    expected: "True Placed",
    edge: "public-2",
  },
  {
    name: "a refused move: True MoveRefused naming the limit, status.edge unchanged",
    lookup: { known: true, outcome: { ...placedOn2, refusedMove: { member: "public-1", why: "public-1: certificates 25/25" } } },
    expected: "True MoveRefused",
    edge: "public-2",
    message: /the move to public-1 that annotation hostgate\.dev\/edge-member asks for is refused \(public-1: certificates 25\/25\)/,
  },
  {
    name: "pool full: False EdgePoolFull naming each member's limit, no status.edge",
    route: poolRoute("shop", "shop.example.com", 1, { edge: "gone" }),
    lookup: {
      known: true,
      outcome: { kind: "full", uid: "uid-shop", loadBalancer: "alb-out", limits: "public-1: certificates 25/25; public-2: certificates 25/25" },
    },
    expected: "False EdgePoolFull",
    message: /no member of alb-out has room for the route \(public-1: certificates 25\/25; public-2: certificates 25\/25\).*loadBalancers\.alb-out\.members/,
  },
  {
    name: "full on a class of one entry (no members): the message names certificates.listenerCertificateLimit, the limit it has",
    route: (() => {
      const route = poolRoute("shop", "shop.example.com", 1);
      return { ...route, spec: { ...route.spec, lb: "alb-in" as const } };
    })(),
    lookup: { known: true, outcome: { kind: "full", uid: "uid-shop", loadBalancer: "alb-in", limits: "alb-in: certificates 25/25" } },
    expected: "False EdgePoolFull",
    message: /Raise certificates\.listenerCertificateLimit .*or make loadBalancers\.alb-in a pool of members/,
  },
  {
    name: "an outcome for another incarnation (uid) is not taken: Unknown PlacementPending, status.edge kept",
    route: poolRoute("shop", "shop.example.com", 1, { edge: "public-1" }),
    lookup: { known: true, outcome: { ...placedOn2, uid: "uid-before" } },
    expected: "Unknown PlacementPending",
    edge: "public-1",
  },
  { name: "no outcome yet (its claim is newer than the last pass): Unknown PlacementPending", lookup: { known: true }, expected: "Unknown PlacementPending" },
  {
    name: "before the board publishes in this term (a restart), EdgePlaced and status.edge stay as they are",
    route: withCondition(poolRoute("shop", "shop.example.com", 1, { edge: "public-1" }), "True", "MoveRefused"),
    lookup: { known: false },
    expected: "True MoveRefused",
    edge: "public-1",
    message: /as written before/,
  },
  {
    name: "before the board publishes, a route never placed is PlacementPending",
    lookup: { known: false },
    expected: "Unknown PlacementPending",
  },
  {
    name: "a route without its claim is placed nowhere: False NotClaimed, no status.edge",
    route: poolRoute("shop", "shop.example.com", 1, { edge: "public-1" }),
    lookup: { known: true, outcome: placedOn2 },
    claimed: false,
    expected: "False NotClaimed",
  },
  {
    name: "a class of one member with nothing counted (no certificates on listeners) is placed without waiting for a pass",
    route: { ...poolRoute("shop", "shop.example.com", 1), spec: { ...poolRoute("shop", "shop.example.com", 1).spec, lb: "alb-in" } },
    config: defaultConfig,
    lookup: { known: false },
    expected: "True Placed",
    edge: "alb-in",
  },
  {
    name: "a class of one member waits for the pass when certificates count (it may be full)",
    route: { ...poolRoute("shop", "shop.example.com", 1), spec: { ...poolRoute("shop", "shop.example.com", 1).spec, lb: "alb-in" } },
    lookup: { known: true },
    expected: "Unknown PlacementPending",
  },
  {
    name: "a class of one member on the Gateway API data plane waits for the pass: every route takes one of its Gateway's listeners",
    route: { ...poolRoute("shop", "shop.example.com", 1), spec: { ...poolRoute("shop", "shop.example.com", 1).spec, lb: "alb-in" } },
    config: gatewayApiPoolConfig("envoy-gateway", "none"),
    lookup: { known: true },
    expected: "Unknown PlacementPending",
  },
  {
    name: "placed on an autoscaled member: True Placed, status.edge names it and its gateway hostname",
    lookup: { known: true, outcome: { kind: "placed", uid: "uid-shop", edge: { loadBalancer: "alb-out", member: "gw-01", target: "gw-01.gw.example.com" } } },
    config: autoscalingPoolConfig(2),
    expected: "True Placed",
    edge: "gw-01",
    message: /^on gw-01 of alb-out \(gw-01\.gw\.example\.com\)$/,
  },
  {
    name: "full on a class that autoscales: the message names maxMembers reached and says to raise it",
    lookup: {
      known: true,
      outcome: {
        kind: "full",
        uid: "uid-shop",
        loadBalancer: "alb-out",
        limits: "public-1: listeners 64/64; public-2: listeners 64/64; gw-01: listeners 64/64; autoscale: maxMembers reached (1/1 autoscaled members in use)",
      },
    },
    config: autoscalingPoolConfig(1),
    expected: "False EdgePoolFull",
    message: /autoscale: maxMembers reached \(1\/1 autoscaled members in use\)\).*Raise loadBalancers\.alb-out\.autoscale\.maxMembers/,
  },
];

describe("EdgePlaced and status.edge", () => {
  for (const c of cases) {
    test(c.name, () => {
      const route = c.route ?? poolRoute("shop", "shop.example.com", 1);
      const { condition, edge } = placementStatus(route, c.lookup, c.config ?? poolConfig(), c.claimed ?? true);
      assert.equal(`${condition.status} ${condition.reason}`, c.expected);
      assert.equal(edge?.member, c.edge);
      if (c.message !== undefined) assert.match(condition.message, c.message);
    });
  }
});
