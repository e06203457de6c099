import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { ConfigData } from "./config-fixtures.ts";
import { configYaml, fixedMember as fixed, gatewayApiMode, gatewayMember } from "./config-fixtures.ts";
import { allPoolMembers, autoscaledIndex, autoscaledMember, DEFAULT_EDGE_CAPACITY, memberNamed, poolMembers } from "./edge-pool.ts";
import type { LoadBalancerName } from "./platform-config.ts";
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
    assert.deepEqual(member!.capacity, { certificates: 40, rules: 100, targetGroups: 100, listeners: 64 });
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

  it("takes the defaults from AWS's default ALB quotas: 25 certificates, 100 rules, 100 target groups, and the Gateway API's 64 listeners", () => {
    assert.deepEqual(DEFAULT_EDGE_CAPACITY, { certificates: 25, rules: 100, targetGroups: 100, listeners: 64 });
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

/** Gateway API mode: alb-out a pool of public-1 and edge-2 that grows to public-01..public-12; alb-in one Gateway, not autoscaled. */
const autoscaled = () =>
  load((c) => {
    gatewayApiMode()(c);
    lbs(c)["alb-out"] = {
      members: [gatewayMember("public-1"), gatewayMember("edge-2")],
      autoscale: { prefix: "public", maxMembers: 12, gatewayDomain: "gw.example.com", capacity: { listeners: 8 } },
    };
  });

describe("autoscaledMember", () => {
  const cases: { name: string; lbClass: LoadBalancerName; index: number; member?: string }[] = [
    { name: "numbers the first member 01", lbClass: "alb-out", index: 1, member: "public-01" },
    { name: "pads one digit to two", lbClass: "alb-out", index: 9, member: "public-09" },
    { name: "keeps two digits as they are", lbClass: "alb-out", index: 10, member: "public-10" },
    { name: "gives the last member maxMembers allows", lbClass: "alb-out", index: 12, member: "public-12" },
    { name: "gives one past maxMembers, which a route may still hold (maxMembers limits growth only)", lbClass: "alb-out", index: 13, member: "public-13" },
    { name: "gives the last two digits name", lbClass: "alb-out", index: 99, member: "public-99" },
    { name: "gives none past two digits", lbClass: "alb-out", index: 100 },
    { name: "gives none at 0, since members count from 1", lbClass: "alb-out", index: 0 },
    { name: "gives none for a negative index", lbClass: "alb-out", index: -1 },
    { name: "gives none for a fractional index", lbClass: "alb-out", index: 1.5 },
    { name: "gives none for NaN", lbClass: "alb-out", index: Number.NaN },
    { name: "gives none for a class that does not autoscale", lbClass: "alb-in", index: 1 },
  ];
  for (const c of cases) {
    it(`${c.name}: ${c.lbClass} #${c.index} is ${c.member ?? "none"}`, () => {
      assert.equal(autoscaledMember(autoscaled(), c.lbClass, c.index)?.name, c.member);
    });
  }

  it("is a two-step member to its own Gateway, published under gatewayDomain, with the autoscale capacity", () => {
    const member = autoscaledMember(autoscaled(), "alb-out", 3)!;
    assert.equal(member.lbClass, "alb-out");
    assert.deepEqual(loadBalancerTarget(member.entry), { kind: "gateway", gateway: "public-03", gatewayHostname: "public-03.gw.example.com" });
    assert.deepEqual(member.capacity, { ...DEFAULT_EDGE_CAPACITY, listeners: 8 });
  });
});

describe("autoscaledIndex", () => {
  const cases: { name: string; lbClass: LoadBalancerName; member: string; index?: number }[] = [
    { name: "reads the first member", lbClass: "alb-out", member: "public-01", index: 1 },
    { name: "reads the last member maxMembers allows", lbClass: "alb-out", member: "public-12", index: 12 },
    { name: "reads a member past maxMembers, which a route may still hold", lbClass: "alb-out", member: "public-13", index: 13 },
    { name: "reads the last two digits name", lbClass: "alb-out", member: "public-99", index: 99 },
    { name: "reads nothing at 00", lbClass: "alb-out", member: "public-00" },
    { name: "reads nothing from one digit", lbClass: "alb-out", member: "public-1" },
    { name: "reads nothing from three digits", lbClass: "alb-out", member: "public-001" },
    { name: "reads nothing from a longer prefix", lbClass: "alb-out", member: "public-x-01" },
    { name: "reads nothing from another prefix", lbClass: "alb-out", member: "edge-01" },
    { name: "reads nothing from the prefix alone", lbClass: "alb-out", member: "public" },
    { name: "reads nothing from signs or spaces in the digits", lbClass: "alb-out", member: "public-+1" },
    { name: "reads nothing in a class that does not autoscale", lbClass: "alb-in", member: "public-01" },
  ];
  for (const c of cases) {
    it(`${c.name}: ${c.lbClass} ${c.member} is ${c.index ?? "none"}`, () => {
      assert.equal(autoscaledIndex(autoscaled(), c.lbClass, c.member), c.index);
    });
  }

  it("reads back every name autoscaledMember gives", () => {
    const config = autoscaled();
    for (let index = 1; index <= 99; index++) assert.equal(autoscaledIndex(config, "alb-out", autoscaledMember(config, "alb-out", index)!.name), index);
  });
});

describe("memberNamed", () => {
  const cases: { name: string; lbClass: LoadBalancerName; member: string; expected?: { name: string; target: string } }[] = [
    { name: "finds a configured member", lbClass: "alb-out", member: "edge-2", expected: { name: "edge-2", target: "edge-2-gw.example.com" } },
    { name: "finds an autoscaled member", lbClass: "alb-out", member: "public-05", expected: { name: "public-05", target: "public-05.gw.example.com" } },
    {
      name: "finds a class's single load balancer by the class's name",
      lbClass: "alb-in",
      member: "alb-in",
      expected: { name: "alb-in", target: "internal-gw.example.com" },
    },
    {
      name: "finds an autoscaled member past maxMembers (lowered below a member in use)",
      lbClass: "alb-out",
      member: "public-13",
      expected: { name: "public-13", target: "public-13.gw.example.com" },
    },
    { name: "finds no autoscaled member numbered 00", lbClass: "alb-out", member: "public-00" },
    { name: "finds no member of the other class", lbClass: "alb-in", member: "public-1" },
    { name: "finds no autoscaled member of the other class", lbClass: "alb-in", member: "public-01" },
    { name: "finds no member by an unknown name", lbClass: "alb-out", member: "public-2" },
  ];
  for (const c of cases) {
    it(`${c.name}: ${c.lbClass} ${c.member}`, () => {
      const member = memberNamed(autoscaled(), c.lbClass, c.member);
      const target = member === undefined ? undefined : loadBalancerTarget(member.entry);
      assert.deepEqual(
        member === undefined ? undefined : { name: member.name, target: target?.kind === "fixed" ? target.dnsName : target?.gatewayHostname },
        c.expected,
      );
      if (member !== undefined) assert.equal(member.lbClass, c.lbClass);
    });
  }

  it("gives a configured member as poolMembers does, its capacity and pooled Gateway included", () => {
    const config = autoscaled();
    assert.deepEqual(memberNamed(config, "alb-out", "public-1"), poolMembers(config, "alb-out")[0]);
    assert.equal(memberNamed(config, "alb-out", "public-1")!.entry.gateway, "public-1");
  });
});
