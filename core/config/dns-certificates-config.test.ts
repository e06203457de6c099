// The platform config's dns and certificates sections: defaults, and the
// settings that only make sense together (semantic-checks.ts providerIssues).
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { ConfigData } from "./config-fixtures.ts";
import { configYaml, problemsOf } from "./config-fixtures.ts";
import { parsePlatformConfig } from "./load.ts";

const LISTENER_OUT = "arn:aws:elasticloadbalancing:us-east-1:123456789012:listener/app/public-1/50dc6c495c0c9188/f2f7dc8efc522ab2";
const LISTENER_IN = "arn:aws:elasticloadbalancing:us-east-1:123456789012:listener/app/internal-1/60dc6c495c0c9188/a2f7dc8efc522ab3";

function withAcm(c: ConfigData): void {
  c.dns = { provider: "route53", ownerId: "hostgate-prod" };
  c.certificates = { provider: "acm" };
  const lbs = c.loadBalancers as Record<string, Record<string, unknown>>;
  lbs["alb-out"]!.listenerArn = LISTENER_OUT;
  lbs["alb-in"]!.listenerArn = LISTENER_IN;
}

describe("the dns and certificates sections", () => {
  it("default to no DNS and no certificates, with the documented defaults", () => {
    const config = parsePlatformConfig(configYaml(), "platform.yaml");
    assert.deepEqual(config.dns, { provider: "none", recordType: "alias", resyncInterval: "5m", externalDns: { labels: {} }, regionMode: { mode: "Active" } });
    assert.deepEqual(config.certificates, { provider: "none", listenerCertificateLimit: 25 });
    assert.equal(config.loadBalancers["alb-out"].ipAddressType, "ipv4");
    assert.deepEqual(config.domains[0].additionalZoneIds, []);
  });

  it("accept Route53 with ACM when every needed setting is there", () => {
    const config = parsePlatformConfig(configYaml(withAcm), "platform.yaml");
    assert.equal(config.dns.ownerId, "hostgate-prod");
    assert.equal(config.loadBalancers["alb-in"].listenerArn, LISTENER_IN);
  });

  it("accept the zone ids of Route53-compatible endpoints, which need not start with Z (moto draws them at random)", () => {
    const config = parsePlatformConfig(
      configYaml((c) => ((c.domains as Record<string, unknown>[])[0]!.zoneId = "5F7ZXK7GE5BXZBN89QNA9W")),
      "platform.yaml",
    );
    assert.equal(config.domains[0].zoneId, "5F7ZXK7GE5BXZBN89QNA9W");
  });

  it("fill cert-manager's defaults", () => {
    const config = parsePlatformConfig(
      configYaml((c) => (c.certificates = { provider: "cert-manager", certManager: { issuerRef: { name: "letsencrypt-dns" } } })),
      "platform.yaml",
    );
    assert.deepEqual(config.certificates.certManager, {
      issuerRef: { name: "letsencrypt-dns", kind: "ClusterIssuer", group: "cert-manager.io" },
      namespace: "hostgate-system",
      importToAcm: false,
    });
  });

  const invalid: { name: string; edit: (c: ConfigData) => void; problems: RegExp[] }[] = [
    {
      name: "route53 without an owner id says to set one",
      edit: (c) => (c.dns = { provider: "route53" }),
      problems: [/dns: needs ownerId because dns\.provider is route53: set dns\.ownerId/],
    },
    {
      name: "ACM without an owner id says to set one",
      edit: (c) => {
        withAcm(c);
        delete (c.dns as Record<string, unknown>).ownerId;
      },
      problems: [/dns: needs ownerId because dns\.provider is route53/],
    },
    {
      name: "an owner id with a comma is refused, since it is written inside the TXT record's value",
      edit: (c) => (c.dns = { provider: "route53", ownerId: "a,b" }),
      problems: [/dns\.ownerId: "a,b" is not valid\. This installation's owner id/],
    },
    {
      name: "a resync interval that is not a duration is refused",
      edit: (c) => (c.dns = { resyncInterval: "5 minutes" }),
      problems: [/dns\.resyncInterval: "5 minutes" is not valid\. How often Route53 is read again/],
    },
    {
      name: "a resync interval shorter than 30s is refused with the reason",
      edit: (c) => (c.dns = { resyncInterval: "10s" }),
      problems: [/dns\.resyncInterval: "10s" is outside 30s\.\.24h: shorter spends Route53's request quota/],
    },
    {
      name: "an unknown DNS provider is refused",
      edit: (c) => (c.dns = { provider: "cloudflare" }),
      problems: [/dns\.provider: /],
    },
    {
      name: "ACM without Route53 says how to fix it",
      edit: (c) => {
        withAcm(c);
        c.dns = { provider: "external-dns", ownerId: "hostgate-prod" };
      },
      problems: [/certificates\.provider: is acm, but dns\.provider is external-dns: hostgate validates ACM certificates with records it writes in Route53/],
    },
    {
      name: "ACM without a listener ARN names the load balancer",
      edit: (c) => {
        withAcm(c);
        delete (c.loadBalancers as Record<string, Record<string, unknown>>)["alb-in"]!.listenerArn;
      },
      problems: [/loadBalancers\.alb-in: needs listenerArn because certificates go to ACM/],
    },
    {
      name: "one listener for both load balancers is refused",
      edit: (c) => {
        withAcm(c);
        (c.loadBalancers as Record<string, Record<string, unknown>>)["alb-in"]!.listenerArn = LISTENER_OUT;
      },
      problems: [/loadBalancers\.alb-in\.listenerArn: is the same listener as loadBalancers\.alb-out\.listenerArn/],
    },
    {
      name: "listeners in two regions are refused, since an ACM certificate serves its own region only",
      edit: (c) => {
        withAcm(c);
        (c.loadBalancers as Record<string, Record<string, unknown>>)["alb-in"]!.listenerArn = LISTENER_IN.replace("us-east-1", "eu-west-1");
      },
      problems: [/loadBalancers\.alb-in\.listenerArn: is in region eu-west-1 but loadBalancers\.alb-out\.listenerArn is in us-east-1/],
    },
    {
      name: "a listener ARN that is not an ALB listener's is refused",
      edit: (c) => {
        withAcm(c);
        (c.loadBalancers as Record<string, Record<string, unknown>>)["alb-out"]!.listenerArn = "arn:aws:acm:us-east-1:123456789012:certificate/x";
      },
      problems: [/loadBalancers\.alb-out\.listenerArn: "arn:aws:acm:[^"]*" is not valid\. ARN of the load balancer's HTTPS listener/],
    },
    {
      name: "cert-manager without its settings says what to add",
      edit: (c) => (c.certificates = { provider: "cert-manager" }),
      problems: [/certificates: needs certManager because provider is cert-manager/],
    },
    {
      name: "cert-manager settings with another provider are refused as unused",
      edit: (c) => (c.certificates = { provider: "none", certManager: { issuerRef: { name: "x" } } }),
      problems: [/certificates\.certManager: is only used with certificates\.provider cert-manager \(it is none\)/],
    },
    {
      name: "importing into ACM needs an owner id and the listeners",
      edit: (c) => (c.certificates = { provider: "cert-manager", certManager: { issuerRef: { name: "x" }, importToAcm: true } }),
      problems: [/dns: needs ownerId because certificates go to ACM/, /loadBalancers\.alb-out: needs listenerArn/, /loadBalancers\.alb-in: needs listenerArn/],
    },
    {
      name: "an additional zone that is already an apex's zone is refused",
      edit: (c) => ((c.domains as Record<string, unknown>[])[0]!.additionalZoneIds = ["Z0INTERNAL42XYZ"]),
      problems: [/domains\[0\]\.additionalZoneIds\[0\]: "Z0INTERNAL42XYZ" is already listed as domains\[1\]\.zoneId/],
    },
    {
      name: "a listener certificate limit of 0 is refused",
      edit: (c) => (c.certificates = { listenerCertificateLimit: 0 }),
      problems: [/certificates\.listenerCertificateLimit: /],
    },
    {
      name: "a misspelt key in the dns section is refused",
      edit: (c) => (c.dns = { ownerID: "x" }),
      problems: [/dns\.ownerID: unknown key; did you mean "ownerId"\?/],
    },
  ];

  for (const { name, edit, problems } of invalid) {
    it(name, () => {
      const found = problemsOf(edit);
      assert.equal(found.length, problems.length, found.join("\n"));
      for (const [i, pattern] of problems.entries()) assert.match(found[i]!, pattern, found.join("\n"));
    });
  }
});
