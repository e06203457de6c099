import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { PlatformConfig, PoolMemberConfig } from "../../core/config/platform-config.ts";
import type { EdgeStatus } from "../../crds/types.ts";
import { aConfig } from "../domainroute/render/testing/platform-config.ts";
import { placedMember } from "./placed-member.ts";

const member = (name: string): PoolMemberConfig => ({
  name,
  dnsName: `${name}.us-east-1.elb.amazonaws.com`,
  hostedZoneId: "Z35SXDOTRQ7X7K",
  ipAddressType: "ipv4",
  capacity: { certificates: 25, rules: 100, targetGroups: 100, listeners: 64 },
});

/** aConfig() with alb-out a pool of public-1 and public-2 (alb-in stays one load balancer). */
function poolConfig(): PlatformConfig {
  const config = aConfig();
  return { ...config, loadBalancers: { ...config.loadBalancers, "alb-out": { ipAddressType: "ipv4", members: [member("public-1"), member("public-2")] } } };
}

const route = (lb: "alb-out" | "alb-in", edge?: EdgeStatus) => ({
  spec: { domain: "shop.example.com", lb },
  ...(edge === undefined ? {} : { status: { edge } }),
});
const edge = (loadBalancer: string, name: string): EdgeStatus => ({ loadBalancer, member: name, target: `${name}.us-east-1.elb.amazonaws.com` });

describe("placedMember", () => {
  const cases: { name: string; config: () => PlatformConfig; route: ReturnType<typeof route>; member: string | undefined }[] = [
    { name: "is the member status.edge names", config: poolConfig, route: route("alb-out", edge("alb-out", "public-2")), member: "public-2" },
    {
      name: "is none yet for a pooled route without status.edge: the pool controller has not placed it",
      config: poolConfig,
      route: route("alb-out"),
      member: undefined,
    },
    {
      name: "is none when status.edge names a member the config no longer has, so nothing points at a removed load balancer",
      config: poolConfig,
      route: route("alb-out", edge("alb-out", "public-3")),
      member: undefined,
    },
    {
      name: "is none when status.edge names a member of the other class (spec.lb changed), until the route is placed again",
      config: poolConfig,
      route: route("alb-out", edge("alb-in", "public-1")),
      member: undefined,
    },
    { name: "is a one-member class's member without status.edge, as before pools", config: poolConfig, route: route("alb-in"), member: "alb-in" },
    {
      name: "is a one-member class's member even when status.edge names another, as there is no choice to wait for",
      config: aConfig,
      route: route("alb-out", edge("alb-out", "public-1")),
      member: "alb-out",
    },
  ];
  for (const c of cases) {
    it(c.name, () => assert.equal(placedMember(c.route, c.config())?.name, c.member));
  }

  it("is none for a one-member class's route the pool controller found no room for (EdgePoolFull), so no record or certificate points at a member it is not placed on", () => {
    const full = {
      spec: { domain: "shop.example.com", lb: "alb-in" as const },
      status: {
        conditions: [
          {
            type: "EdgePlaced",
            status: "False" as const,
            reason: "EdgePoolFull",
            message: "alb-in: certificates 25/25",
            lastTransitionTime: "2026-01-01T00:00:00Z",
          },
        ],
      },
    };
    assert.equal(placedMember(full, poolConfig()), undefined);
  });

  /** poolConfig() on the Gateway API data plane, alb-in growing `gw-in-NN` members up to 3. */
  function autoscaling(): PlatformConfig {
    const config = poolConfig();
    const capacity = { certificates: 25, rules: 100, targetGroups: 100, listeners: 64 };
    const autoscale = { prefix: "gw-in", maxMembers: 3, gatewayDomain: "gw.example.com", capacity };
    return {
      ...config,
      gateway: { ...config.gateway, provider: "gateway-api", gatewayApi: { implementation: "envoy-gateway", gatewayClassName: "edge", authServices: {} } },
      loadBalancers: { ...config.loadBalancers, "alb-in": { ...config.loadBalancers["alb-in"], autoscale } },
    };
  }
  const gatewayApi = (): PlatformConfig => ({
    ...autoscaling(),
    loadBalancers: { ...autoscaling().loadBalancers, "alb-in": poolConfig().loadBalancers["alb-in"] },
  });
  const growthCases: { name: string; config: () => PlatformConfig; route: ReturnType<typeof route>; member: string | undefined }[] = [
    { name: "is the autoscaled member status.edge names", config: autoscaling, route: route("alb-in", edge("alb-in", "gw-in-02")), member: "gw-in-02" },
    {
      name: "is the autoscaled member status.edge names past maxMembers (lowered since): maxMembers limits growth only",
      config: autoscaling,
      route: route("alb-in", edge("alb-in", "gw-in-04")),
      member: "gw-in-04",
    },
    {
      name: "is none when status.edge names an autoscaled member and the class no longer autoscales",
      config: gatewayApi,
      route: route("alb-in", edge("alb-in", "gw-in-01")),
      member: undefined,
    },
    {
      name: "is none for a route without status.edge in a one-member class that autoscales: there is a choice to wait for",
      config: autoscaling,
      route: route("alb-in"),
      member: undefined,
    },
    {
      name: "is none for a route without status.edge in a one-member class on the Gateway API data plane: only the pool controller adds a listener",
      config: gatewayApi,
      route: route("alb-in"),
      member: undefined,
    },
    {
      name: "is a one-member class's member on the Gateway API data plane once status.edge names it",
      config: gatewayApi,
      route: route("alb-in", edge("alb-in", "alb-in")),
      member: "alb-in",
    },
  ];
  for (const c of growthCases) {
    it(c.name, () => assert.equal(placedMember(c.route, c.config())?.name, c.member));
  }

  it("gives an autoscaled member its two-step entry to its own Gateway, for its DNS target", () => {
    const placed = placedMember(route("alb-in", edge("alb-in", "gw-in-01")), autoscaling());
    assert.deepEqual(placed?.entry, { ipAddressType: "ipv4", gateway: "gw-in-01", gatewayHostname: "gw-in-01.gw.example.com" });
  });

  it("gives the member with its class and entry, for its DNS target and listener", () => {
    const placed = placedMember(route("alb-out", edge("alb-out", "public-1")), poolConfig());
    assert.equal(placed?.lbClass, "alb-out");
    assert.equal(placed?.entry.dnsName, "public-1.us-east-1.elb.amazonaws.com");
  });
});
