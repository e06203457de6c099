import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { ConfigData } from "./config-fixtures.ts";
import { configYaml, fixedMember as fixed } from "./config-fixtures.ts";
import { allPoolMembers, DEFAULT_EDGE_CAPACITY, poolMembers } from "./edge-pool.ts";
import { loadBalancerTarget } from "./load-balancer-target.ts";
import { parsePlatformConfig } from "./load.ts";

const load = (edit: (c: ConfigData) => void = () => {}) => parsePlatformConfig(configYaml(edit), "platform.yaml");
const lbs = (c: ConfigData) => c.loadBalancers as Record<string, Record<string, unknown>>;
describe("poolMembers", () => {
  it("reads a class without members as one member named after it, with the listener limit and ALB's rule and target group quotas", () => {
    const config = load((c) => (c.certificates = { listenerCertificateLimit: 40 }));
    const [member, ...rest] = poolMembers(config, "alb-out");
    assert.deepEqual(rest, []);
    assert.equal(member!.lbClass, "alb-out");
    assert.equal(member!.name, "alb-out");
    assert.deepEqual(member!.capacity, { certificates: 40, rules: 100, targetGroups: 100 });
    assert.deepEqual(loadBalancerTarget(member!.entry), { kind: "fixed", dnsName: "public-1.us-east-1.elb.amazonaws.com", hostedZoneId: "Z35SXDOTRQ7X7K" });
  });

  it("reads a pool as its members in config order, each with its own entry and the capacity the config gave or AWS's defaults", () => {
    const config = load((c) => {
      lbs(c)["alb-out"] = {
        members: [
          fixed("public-2", { capacity: { rules: 7 }, ipAddressType: "dualstack" }),
          fixed("public-1", { listenerArn: "arn:aws:elasticloadbalancing:us-east-1:123456789012:listener/app/public-1/50dc6c495c0c9188/f2f7dc8efc522ab2" }),
        ],
      };
    });
    const members = poolMembers(config, "alb-out");
    assert.deepEqual(
      members.map((m) => [m.lbClass, m.name, m.capacity]),
      [
        ["alb-out", "public-2", { ...DEFAULT_EDGE_CAPACITY, rules: 7 }],
        ["alb-out", "public-1", DEFAULT_EDGE_CAPACITY],
      ],
    );
    assert.equal(members[0]!.entry.ipAddressType, "dualstack");
    assert.equal(members[1]!.entry.ipAddressType, "ipv4", "each member's ipAddressType defaults as a single entry's");
    assert.match(members[1]!.entry.listenerArn ?? "", /listener\/app\/public-1\//);
    assert.deepEqual(Object.keys(members[0]!.entry).sort(), ["dnsName", "hostedZoneId", "ipAddressType"], "the entry is the load balancer's keys alone");
  });

  it("takes the defaults from AWS's default ALB quotas: 25 certificates, 100 rules, 100 target groups", () => {
    assert.deepEqual(DEFAULT_EDGE_CAPACITY, { certificates: 25, rules: 100, targetGroups: 100 });
  });
});

describe("allPoolMembers", () => {
  it("lists alb-out's members then alb-in's", () => {
    const config = load((c) => (lbs(c)["alb-in"] = { members: [fixed("internal-1"), fixed("internal-2")] }));
    assert.deepEqual(
      allPoolMembers(config).map((m) => `${m.lbClass}/${m.name}`),
      ["alb-out/alb-out", "alb-in/internal-1", "alb-in/internal-2"],
    );
  });
});
