// loadBalancers.<class>.autoscale: its schema and the rules autoscale-checks.ts adds.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { ConfigData } from "./config-fixtures.ts";
import { configYaml, gatewayApiMode, gatewayMember, problemsOf } from "./config-fixtures.ts";
import { DEFAULT_EDGE_CAPACITY } from "./edge-pool.ts";
import { parsePlatformConfig } from "./load.ts";

type Edit = (config: ConfigData) => void;
type Entry = Record<string, any>;

const all =
  (...edits: Edit[]): Edit =>
  (c) => {
    for (const edit of edits) edit(c);
  };
const lbs = (c: ConfigData) => c.loadBalancers as Record<string, Entry>;
const autoscale =
  (lbClass: string, settings: Entry = {}): Edit =>
  (c) => {
    lbs(c)[lbClass]!.autoscale = { prefix: lbClass === "alb-out" ? "public" : "internal", maxMembers: 10, gatewayDomain: "gw.example.com", ...settings };
  };
const route53: Edit = (c) => (c.dns = { provider: "route53", ownerId: "hostgate-prod" });

describe("loadBalancers.<class>.autoscale", () => {
  it("loads on the Gateway API data plane with each autoscaled member's capacity defaulted", () => {
    const config = parsePlatformConfig(
      configYaml(all(gatewayApiMode(), autoscale("alb-out"), autoscale("alb-in", { capacity: { listeners: 16 } }))),
      "platform.yaml",
    );
    assert.deepEqual(config.loadBalancers["alb-out"].autoscale, {
      prefix: "public",
      maxMembers: 10,
      gatewayDomain: "gw.example.com",
      capacity: DEFAULT_EDGE_CAPACITY,
    });
    assert.deepEqual(config.loadBalancers["alb-in"].autoscale?.capacity, { ...DEFAULT_EDGE_CAPACITY, listeners: 16 });
  });

  it("loads beside configured members named otherwise, and beside a single load balancer", () => {
    const edit = all(
      gatewayApiMode(),
      (c) => (lbs(c)["alb-out"] = { members: [gatewayMember("public-1"), gatewayMember("public-100")] }),
      autoscale("alb-out"),
      autoscale("alb-in"),
    );
    assert.deepEqual(problemsOf(edit), []);
  });

  const refused: { name: string; edit: Edit; problems: RegExp[] }[] = [
    {
      name: "autoscale on the Istio data plane, whose load balancers are the ones listed",
      edit: autoscale("alb-out"),
      problems: [
        /loadBalancers\.alb-out\.autoscale: is only used with gateway\.provider gateway-api \(it is istio\), .* remove autoscale, or list more members/,
      ],
    },
    {
      name: "a prefix longer than 60 characters, which leaves no room for -NN in a label",
      edit: all(gatewayApiMode(), autoscale("alb-out", { prefix: "p".repeat(61) })),
      problems: [/loadBalancers\.alb-out\.autoscale\.prefix: must NOT have more than 60 characters\. Start of the autoscaled members' names/],
    },
    {
      name: "a prefix that is no DNS label",
      edit: all(gatewayApiMode(), autoscale("alb-out", { prefix: "Public_" })),
      problems: [/loadBalancers\.alb-out\.autoscale\.prefix: "Public_" is not valid\./],
    },
    {
      name: "no members to add",
      edit: all(gatewayApiMode(), autoscale("alb-out", { maxMembers: 0 })),
      problems: [/loadBalancers\.alb-out\.autoscale\.maxMembers: must be >= 1\. How many members hostgate may add/],
    },
    {
      name: "more members than two digits number",
      edit: all(gatewayApiMode(), autoscale("alb-out", { maxMembers: 100 })),
      problems: [/loadBalancers\.alb-out\.autoscale\.maxMembers: must be <= 99\./],
    },
    {
      name: "autoscale without its gatewayDomain",
      edit: all(gatewayApiMode(), autoscale("alb-out", { gatewayDomain: undefined })),
      problems: [/loadBalancers\.alb-out\.autoscale\.gatewayDomain: required key is missing; add it\. Where the autoscaled members' gateway records go/],
    },
    {
      name: "a listeners capacity above the Gateway API's 64",
      edit: all(gatewayApiMode(), autoscale("alb-out", { capacity: { listeners: 65 } })),
      problems: [/loadBalancers\.alb-out\.autoscale\.capacity\.listeners: must be <= 64\./],
    },
    {
      name: "a configured member of the same class named like an autoscaled one",
      edit: all(gatewayApiMode(), (c) => (lbs(c)["alb-out"] = { members: [gatewayMember("public-1"), gatewayMember("public-03")] }), autoscale("alb-out")),
      problems: [
        /loadBalancers\.alb-out\.members\[1\]\.name: "public-03" has the form of a member alb-out adds itself \(public-01, public-02, … .*\), .* rename this member, or choose another autoscale prefix/,
      ],
    },
    {
      name: "a configured member of the other class named like an autoscaled one, even past maxMembers",
      edit: all(gatewayApiMode(), (c) => (lbs(c)["alb-in"] = { members: [gatewayMember("public-42")] }), autoscale("alb-out")),
      problems: [/loadBalancers\.alb-in\.members\[0\]\.name: "public-42" has the form of a member alb-out adds itself/],
    },
    {
      name: "one prefix for both classes",
      edit: all(gatewayApiMode(), autoscale("alb-out"), autoscale("alb-in", { prefix: "public" })),
      problems: [/loadBalancers\.alb-in\.autoscale\.prefix: "public" is also loadBalancers\.alb-out\.autoscale\.prefix; .* give each class its own prefix/],
    },
    {
      name: "a gatewayDomain at a zone apex",
      edit: all(gatewayApiMode(), autoscale("alb-out", { gatewayDomain: "example.com" })),
      problems: [/loadBalancers\.alb-out\.autoscale\.gatewayDomain: "example\.com" is a zone apex \(domains\[\]\.apex\), .* e\.g\. gw\.example\.com/],
    },
    {
      name: "a gatewayDomain outside the platform's zones",
      edit: all(gatewayApiMode(), autoscale("alb-out", { gatewayDomain: "gw.example.org" })),
      problems: [
        /loadBalancers\.alb-out\.autoscale\.gatewayDomain: "gw\.example\.org" is not under any of domains\[\]\.apex \(example\.com, corp\.example\.net\)/,
      ],
    },
    {
      name: "a configured member published at an autoscaled member's gateway record",
      edit: all(
        gatewayApiMode(),
        (c) => (lbs(c)["alb-out"] = { members: [gatewayMember("edge-1", { gatewayHostname: "public-07.gw.example.com" })] }),
        autoscale("alb-out"),
      ),
      problems: [
        /loadBalancers\.alb-out\.members\[0\]\.gatewayHostname: "public-07\.gw\.example\.com" is the gateway record of public-07, a member alb-out adds itself/,
      ],
    },
    {
      name: "on Route53, a prefix whose records' TXT ownership records would not fit a DNS label",
      edit: all(gatewayApiMode(), route53, autoscale("alb-out", { prefix: "p".repeat(55) })),
      problems: [/loadBalancers\.alb-out\.autoscale\.prefix: "p{55}" is 55 characters, but on Route53 .* use a prefix of at most 54 characters/],
    },
    {
      name: "records longer than a DNS name allows",
      edit: all(gatewayApiMode(), autoscale("alb-out", { prefix: "p".repeat(60), gatewayDomain: `${Array(3).fill("d".repeat(60)).join(".")}.example.com` })),
      problems: [
        /loadBalancers\.alb-out\.autoscale\.gatewayDomain: makes the autoscaled members' gateway records 258 characters long .* a DNS name has 253 at most/,
      ],
    },
  ];
  for (const c of refused) {
    it(`refuses ${c.name}`, () => {
      const problems = problemsOf(c.edit);
      assert.equal(problems.length, c.problems.length, problems.join("\n"));
      for (const [i, pattern] of c.problems.entries()) assert.match(problems[i]!, pattern);
    });
  }

  it("accepts on Route53 a prefix of 54 characters, the longest whose TXT ownership records fit", () => {
    assert.deepEqual(problemsOf(all(gatewayApiMode(), route53, autoscale("alb-out", { prefix: "p".repeat(54) }))), []);
  });
});
