import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { ConfigData } from "./config-fixtures.ts";
import { configYaml, fixedMember, problemsOf, twoStepMember } from "./config-fixtures.ts";
import { parsePlatformConfig } from "./load.ts";

type Edit = (config: ConfigData) => void;
const loadBalancers = (config: ConfigData) => config.loadBalancers as Record<string, Record<string, unknown>>;

/** alb-out as a pool of `members`. */
const outPool =
  (...members: Record<string, unknown>[]): Edit =>
  (config) => {
    loadBalancers(config)["alb-out"] = { members };
  };

const load = (edit: Edit) => parsePlatformConfig(configYaml(edit), "platform.yaml");

describe("a load balancer class written as a pool of members", () => {
  it("loads with each member's capacity filled from AWS's default ALB quotas and ipAddressType ipv4", () => {
    const config = load(outPool(fixedMember("public-1"), twoStepMember("public-2", { capacity: { certificates: 50 } })));
    assert.deepEqual(config.loadBalancers["alb-out"], {
      members: [
        {
          name: "public-1",
          dnsName: "public-1.us-east-1.elb.amazonaws.com",
          hostedZoneId: "Z35SXDOTRQ7X7K",
          ipAddressType: "ipv4",
          capacity: { certificates: 25, rules: 100, targetGroups: 100, listeners: 64 },
        },
        {
          name: "public-2",
          service: { namespace: "istio-system", name: "public-2-gateway" },
          gatewayHostname: "public-2-gw.example.com",
          ipAddressType: "ipv4",
          capacity: { certificates: 50, rules: 100, targetGroups: 100, listeners: 64 },
        },
      ],
    });
  });

  it("keeps the single entry of the other class as it was, its ipAddressType defaulted", () => {
    const config = load(outPool(fixedMember("public-1")));
    assert.deepEqual(config.loadBalancers["alb-in"], {
      dnsName: "internal-1.us-east-1.elb.amazonaws.com",
      hostedZoneId: "Z35SXDOTRQ7X7K",
      ipAddressType: "ipv4",
    });
  });

  const refused: { name: string; edit: Edit; problems: RegExp[] }[] = [
    {
      name: "refuses an empty member list, naming what a pool is",
      edit: outPool(),
      problems: [/loadBalancers\.alb-out\.members: has 0 item\(s\), needs at least 1\. A pool of internet-facing/],
    },
    {
      name: "refuses more than 32 members in a class",
      edit: outPool(...Array.from({ length: 33 }, (_, i) => fixedMember(`public-${i}`))),
      problems: [/loadBalancers\.alb-out\.members: has 33 item\(s\), allows at most 32\./],
    },
    {
      name: "refuses a member without a name, saying what the name is for",
      edit: outPool({ dnsName: "public-1.us-east-1.elb.amazonaws.com", hostedZoneId: "Z35SXDOTRQ7X7K" }),
      problems: [/members\[0\]\.name: required key is missing; add it\. The member's name: a DNS label .*status\.edge\.member/],
    },
    {
      name: "refuses a member name that is not a DNS label",
      edit: outPool(fixedMember("Public_1")),
      problems: [/members\[0\]\.name: "Public_1" is not valid\. The member's name: a DNS label/],
    },
    {
      name: "refuses a member that names no load balancer",
      edit: outPool({ name: "public-1" }),
      problems: [/members\[0\]\.dnsName: required key is missing/, /members\[0\]\.hostedZoneId: required key is missing/],
    },
    {
      name: "refuses a two-step member without its gateway hostname",
      edit: outPool({ name: "public-1", service: { namespace: "istio-system", name: "gw" } }),
      problems: [/members\[0\]\.gatewayHostname: required key is missing; add it\. Two-step entries/],
    },
    {
      name: "refuses a capacity that is not a positive integer",
      edit: outPool(fixedMember("public-1", { capacity: { certificates: 0, rules: 2.5 } })),
      problems: [/capacity\.certificates: must be >= 1\. Certificates on its HTTPS listener/, /capacity\.rules: is 2\.5, must be an integer\. Listener rules/],
    },
    {
      name: "refuses an unknown capacity key, suggesting the one meant",
      edit: outPool(fixedMember("public-1", { capacity: { targetGroup: 5 } })),
      problems: [/capacity\.targetGroup: unknown key; did you mean "targetGroups"\?/],
    },
  ];
  for (const c of refused) {
    it(c.name, () => {
      const problems = problemsOf(c.edit);
      for (const pattern of c.problems)
        assert.ok(
          problems.some((p) => pattern.test(p)),
          `${pattern} not in:\n${problems.join("\n")}`,
        );
    });
  }
});
