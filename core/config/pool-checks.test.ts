// The rules about pool members the schema cannot express (load-balancer-checks.ts,
// listener-checks.ts): names, distinct load balancers, ACM listeners, two-step members.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { listenerArns } from "./acm-settings.ts";
import type { ConfigData } from "./config-fixtures.ts";
import { configYaml, fixedMember as fixed, problemsOf, twoStepMember as twoStep } from "./config-fixtures.ts";
import { parsePlatformConfig } from "./load.ts";

type Edit = (config: ConfigData) => void;
type Entry = Record<string, unknown>;

const listener = (lb: string, region = "us-east-1") =>
  `arn:aws:elasticloadbalancing:${region}:123456789012:listener/app/${lb}/50dc6c495c0c9188/${lb === "public-1" ? "f2f7dc8efc522ab2" : "a2f7dc8efc522ab3"}`;
const lbs = (c: ConfigData) => c.loadBalancers as Record<string, Entry>;
const pool =
  (lbClass: string, ...members: Entry[]): Edit =>
  (c) => {
    lbs(c)[lbClass] = { members };
  };
const all =
  (...edits: Edit[]): Edit =>
  (c) => {
    for (const edit of edits) edit(c);
  };
/** Certificates in ACM on Route53, and the single alb-in entry on its own listener. */
const acm: Edit = (c) => {
  c.dns = { provider: "route53", ownerId: "hostgate-prod" };
  c.certificates = { provider: "acm" };
  lbs(c)["alb-in"]!.listenerArn = listener("internal-1");
};

describe("the rules about pool members", () => {
  it("accept two pools of distinct, named load balancers with ACM listeners in one region", () => {
    const config = parsePlatformConfig(
      configYaml(
        all(
          acm,
          pool("alb-out", fixed("public-1", { listenerArn: listener("public-1") }), fixed("public-2", { listenerArn: listener("public-2") })),
          pool("alb-in", fixed("internal-1", { listenerArn: listener("internal-1") })),
        ),
      ),
      "platform.yaml",
    );
    assert.deepEqual(listenerArns(config), [listener("internal-1"), listener("public-1"), listener("public-2")], "every member's listener, sorted");
  });

  const refused: { name: string; edit: Edit; problems: RegExp[] }[] = [
    {
      name: "a load balancer key beside members, saying to move it into a member",
      edit: (c) => (lbs(c)["alb-out"] = { members: [fixed("public-1")], dnsName: "public-1.us-east-1.elb.amazonaws.com", ipAddressType: "dualstack" }),
      problems: [
        /loadBalancers\.alb-out\.dnsName: is a load balancer's key, but this entry lists members: .* move dnsName into the member it belongs to/,
        /loadBalancers\.alb-out\.ipAddressType: is a load balancer's key, but this entry lists members/,
      ],
    },
    {
      name: "a member with keys of both kinds",
      edit: pool("alb-out", fixed("public-1", { gatewayHostname: "gw.example.com" })),
      problems: [/loadBalancers\.alb-out\.members\[0\]\.dnsName: is a fixed load balancer's key, but this member also has gatewayHostname/],
    },
    {
      name: "one member name in both classes, since status.edge and the move annotation name a member by its name alone",
      edit: all(pool("alb-out", fixed("edge-1")), pool("alb-in", fixed("internal-1"), fixed("edge-1", { dnsName: "edge-1-in.us-east-1.elb.amazonaws.com" }))),
      problems: [
        /loadBalancers\.alb-in\.members\[1\]\.name: "edge-1" is already the name of loadBalancers\.alb-out\.members\[0\]; .* give each member a name of its own/,
      ],
    },
    {
      name: "a member named after the other class while that class is a single load balancer",
      edit: pool("alb-in", fixed("alb-out")),
      problems: [
        /loadBalancers\.alb-in\.members\[0\]\.name: "alb-out" is already the name of loadBalancers\.alb-out \(a class without members is one member named/,
      ],
    },
    {
      name: "one ALB listed twice in a pool",
      edit: pool("alb-out", fixed("public-1"), fixed("public-2", { dnsName: "public-1.us-east-1.elb.amazonaws.com" })),
      problems: [
        /members\[1\]\.dnsName: is the same load balancer as loadBalancers\.alb-out\.members\[0\]\.dnsName; .* whose limits placement would count twice, so list each load balancer once/,
      ],
    },
    {
      name: "a public member that is the internal load balancer",
      edit: pool("alb-out", fixed("public-1"), fixed("public-2", { dnsName: "internal-1.us-east-1.elb.amazonaws.com" })),
      problems: [
        /loadBalancers\.alb-in\.dnsName: is the same load balancer as loadBalancers\.alb-out\.members\[1\]\.dnsName; internal routes would be reachable from the internet/,
      ],
    },
    {
      name: "two two-step members on one Service",
      edit: pool("alb-out", twoStep("public-1"), twoStep("public-2", { service: { namespace: "istio-system", name: "public-1-gateway" } })),
      problems: [
        /loadBalancers\.alb-out\.members\[1\]\.service: is the same Service as loadBalancers\.alb-out\.members\[0\]\.service \(istio-system\/public-1-gateway\)/,
      ],
    },
    {
      name: "two two-step members at one gateway hostname",
      edit: pool("alb-out", twoStep("public-1"), twoStep("public-2", { gatewayHostname: "public-1-gw.example.com" })),
      problems: [
        /loadBalancers\.alb-out\.members\[1\]\.gatewayHostname: is the same name as loadBalancers\.alb-out\.members\[0\]\.gatewayHostname; one name holds one gateway's address/,
      ],
    },
    {
      name: "a two-step member whose gateway hostname is under no apex",
      edit: pool("alb-out", twoStep("public-1", { gatewayHostname: "gw.example.org" })),
      problems: [/loadBalancers\.alb-out\.members\[0\]\.gatewayHostname: "gw\.example\.org" is not under any of domains\[\]\.apex/],
    },
    {
      name: "a two-step member whose gateway hostname is an apex",
      edit: pool("alb-out", twoStep("public-1", { gatewayHostname: "example.com" })),
      problems: [/loadBalancers\.alb-out\.members\[0\]\.gatewayHostname: "example\.com" is a zone apex/],
    },
    {
      name: "on Route53, a two-step member whose first label leaves no room for the TXT ownership record's prefix",
      edit: all(
        (c) => (c.dns = { provider: "route53", ownerId: "hostgate-prod" }),
        pool("alb-out", twoStep("public-1", { gatewayHostname: `${"g".repeat(58)}.example.com` })),
      ),
      problems: [/loadBalancers\.alb-out\.members\[0\]\.gatewayHostname: "g{58}\.example\.com" has a first label of 58 characters/],
    },
    {
      name: "with ACM, a member without its listener",
      edit: all(acm, pool("alb-out", fixed("public-1", { listenerArn: listener("public-1") }), fixed("public-2"))),
      problems: [/loadBalancers\.alb-out\.members\[1\]: needs listenerArn because certificates go to ACM/],
    },
    {
      name: "with ACM, a two-step member",
      edit: all(acm, pool("alb-out", fixed("public-1", { listenerArn: listener("public-1") }), twoStep("public-2"))),
      problems: [/loadBalancers\.alb-out\.members\[1\]\.service: is a two-step member, but certificates go to ACM \(certificates\.provider acm\)/],
    },
    {
      name: "with ACM, a member's listener in another region",
      edit: all(
        acm,
        pool("alb-out", fixed("public-1", { listenerArn: listener("public-1") }), fixed("public-2", { listenerArn: listener("public-2", "eu-west-1") })),
      ),
      problems: [
        /loadBalancers\.alb-out\.members\[1\]\.listenerArn: is in region eu-west-1 but loadBalancers\.alb-out\.members\[0\]\.listenerArn is in us-east-1/,
      ],
    },
    {
      name: "with ACM, two members on one listener",
      edit: all(acm, pool("alb-out", fixed("public-1", { listenerArn: listener("public-1") }), fixed("public-2", { listenerArn: listener("public-1") }))),
      problems: [/loadBalancers\.alb-out\.members\[1\]\.listenerArn: is the same listener as loadBalancers\.alb-out\.members\[0\]\.listenerArn/],
    },
  ];
  for (const c of refused) {
    it(`refuse ${c.name}`, () => {
      const problems = problemsOf(c.edit);
      for (const pattern of c.problems)
        assert.ok(
          problems.some((p) => pattern.test(p)),
          `${pattern} not in:\n${problems.join("\n")}`,
        );
    });
  }
});
