// Every DNSEndpoint hostgate renders against external-dns's own CRD
// (test/fixtures/external-dns/), through the API server's schema step:
// nothing pruned (a pruned field would make every reconcile re-apply), no
// OpenAPI violation, no x-kubernetes-validations rule broken.
import assert from "node:assert/strict";
import { join } from "node:path";
import { describe, it } from "node:test";
import { loadCrdCatalog } from "../../../crds/catalog.ts";
import { checkCustomResource } from "../../../policies/schema/check.ts";
import { withAppliedHash } from "../../apply/plan-apply.ts";
import { renderRoute } from "../../domainroute/render/render-route.ts";
import { DNS_ENDPOINT_API_VERSION, renderDnsEndpoint } from "./render-dns-endpoint.ts";
import { renderGatewayEndpoints } from "./render-gateway-endpoints.ts";
import { aDnsRoute, aRegionalConfig, anExternalDnsConfig } from "./testing/external-dns-config.ts";

const FIXTURES = join(import.meta.dirname, "..", "..", "..", "test", "fixtures", "external-dns");
const entry = loadCrdCatalog(FIXTURES).lookup(DNS_ENDPOINT_API_VERSION, "DNSEndpoint");

/** What the API server would say to a create of `object`: violations and pruned fields, as text. */
function admit(object: unknown): string[] {
  assert.ok(entry, `external-dns's DNSEndpoint CRD is missing from ${FIXTURES}`);
  const result = checkCustomResource(entry, object, { operation: "CREATE" });
  return [...result.violations.map((v) => v.message), ...result.prunedFields.map((f) => `pruned ${f}`)];
}

describe("the DNSEndpoints hostgate renders, against external-dns's CRD", () => {
  const longLabel = "a".repeat(63);
  const cases = [
    { name: "an alias record", route: aDnsRoute(), config: anExternalDnsConfig() },
    { name: "an alias record at the zone apex", route: aDnsRoute({ domain: "example.com" }), config: anExternalDnsConfig() },
    { name: "an alias record to a dualstack load balancer", route: aDnsRoute({ lb: "alb-out" }), config: anExternalDnsConfig({ ipAddressType: "dualstack" }) },
    { name: "a cname record with the shortest TTL", route: aDnsRoute({ dns: { ttl: 60 } }), config: anExternalDnsConfig({ dns: { recordType: "cname" } }) },
    { name: "a cname record with the longest TTL", route: aDnsRoute({ dns: { ttl: 86400 } }), config: anExternalDnsConfig({ dns: { recordType: "cname" } }) },
    { name: "a wildcard domain", route: aDnsRoute({ domain: "*.team.example.com" }), config: anExternalDnsConfig() },
    {
      name: "a 253-character domain",
      route: aDnsRoute({ domain: `${[longLabel, longLabel, longLabel, "a".repeat(253 - 3 * 64 - ".example.com".length)].join(".")}.example.com` }),
      config: anExternalDnsConfig(),
    },
    {
      name: "configured labels",
      route: aDnsRoute(),
      config: anExternalDnsConfig({ dns: { externalDns: { labels: { "external-dns.example.com/instance": "public", team: "dns" } } } }),
    },
  ];
  it("includes a domain of the greatest length a DomainRoute allows", () => {
    assert.equal(cases.find((c) => c.name === "a 253-character domain")!.route.spec.domain.length, 253);
  });

  for (const c of cases) {
    it(`${c.name} is accepted whole, as the reconciler applies it`, () => {
      const rendered = renderRoute(c.route, c.config).objects.filter((o) => o.kind === "DNSEndpoint");
      assert.equal(rendered.length, 1, "one DNSEndpoint per route");
      assert.deepEqual(admit(withAppliedHash(rendered[0]!)), []);
    });
  }

  it("is checked by a comparison that notices a record type external-dns does not know", () => {
    const object = renderDnsEndpoint(aDnsRoute(), anExternalDnsConfig())!;
    const broken = structuredClone(object) as { spec: { endpoints: { recordType: string }[] } };
    broken.spec.endpoints[0]!.recordType = "ALIAS";
    assert.match(admit(broken).join("\n"), /spec\.endpoints\[0\]\.recordType: .*"ALIAS"/);
  });

  it("is checked by a comparison that runs the CRD's CEL rules (dnsName at most 253 characters without a trailing dot)", () => {
    const object = renderDnsEndpoint(aDnsRoute(), anExternalDnsConfig())!;
    const broken = structuredClone(object) as { spec: { endpoints: { dnsName: string }[] } };
    broken.spec.endpoints[0]!.dnsName = `${[longLabel, longLabel, longLabel, "a".repeat(60)].join(".")}.a`;
    assert.equal(broken.spec.endpoints[0]!.dnsName.length, 254);
    assert.match(admit(broken).join("\n"), /dnsName must be at most 253 characters/);
  });

  it("is checked by a comparison that notices a field the CRD would prune", () => {
    const object = renderDnsEndpoint(aDnsRoute(), anExternalDnsConfig())!;
    const broken = structuredClone(object) as { spec: { endpoints: Record<string, unknown>[] } };
    broken.spec.endpoints[0]!.aliasTarget = "nope";
    assert.deepEqual(admit(broken), ["pruned spec.endpoints[0].aliasTarget"]);
  });
});

describe("the DNSEndpoints hostgate renders on a platform with regions and for gateways, against external-dns's CRD", () => {
  const bound = aDnsRoute({ dns: { ttl: 300, mode: "RegionBound", sourceRegion: "weu" } });
  const routeCases = [
    { name: "one DNSEndpoint per region, with each region's labels", route: bound, config: aRegionalConfig("aks01-weu", "weu"), count: 2 },
    { name: "a CNAME to a two-step gateway's name", route: bound, config: aRegionalConfig("aks01-weu", "weu", { twoStep: true }), count: 2 },
  ];
  for (const c of routeCases) {
    it(`${c.name} is accepted whole, as the reconciler applies it`, () => {
      const rendered = renderRoute(c.route, c.config).objects.filter((o) => o.kind === "DNSEndpoint");
      assert.equal(rendered.length, c.count);
      for (const object of rendered) assert.deepEqual(admit(withAppliedHash(object)), []);
    });
  }

  const service = (ingress: unknown[]) => () => ({
    apiVersion: "v1",
    kind: "Service",
    metadata: {},
    spec: { type: "LoadBalancer" },
    status: { loadBalancer: { ingress } },
  });
  const gatewayCases = [
    { name: "A and AAAA gateway records", ingress: [{ ip: "20.1.2.3" }, { ip: "2001:db8::1" }] },
    { name: "a CNAME gateway record", ingress: [{ hostname: "a1b2-nlb.elb.eu-west-1.amazonaws.com" }] },
  ];
  for (const c of gatewayCases) {
    it(`${c.name}, one per region, are accepted whole`, () => {
      const { endpoints } = renderGatewayEndpoints(aRegionalConfig("aks01-weu", "weu", { twoStep: true }), service(c.ingress));
      assert.equal(endpoints.length, 2);
      for (const object of endpoints) assert.deepEqual(admit(withAppliedHash(object)), []);
    });
  }
});
