import { describe, test } from "node:test";
import assert from "node:assert/strict";
import type { DomainRoute, RegionPolicy } from "../../crds/types.ts";
import type { DesiredDnsInput } from "./desired-records.ts";
import { desiredDns } from "./desired-records.ts";
import type { ServiceLookup } from "./gateway-records.ts";
import { aliasRecord, ALB_OUT, cnameRecord, dnsConfig, dnsRoute, holding, ZONE } from "./testing/dns-fixtures.ts";
import type { RegionConfigOptions } from "./testing/region-fixtures.ts";
import { CLUSTERS, gatewayService, regionConfig, regionPolicy, servicesOf } from "./testing/region-fixtures.ts";

const GATEWAY = servicesOf(gatewayService({ ip: "203.0.113.7" }));

interface Case {
  name: string;
  route: DomainRoute;
  region?: "weu" | "eus";
  options?: RegionConfigOptions;
  policies?: RegionPolicy[];
  services?: ServiceLookup;
  expected: unknown;
}

function intentOf(c: Pick<Case, "route" | "region" | "options" | "policies" | "services">) {
  const input: DesiredDnsInput = {
    ...holding(c.route),
    config: regionConfig(c.region ?? "weu", c.options),
    requests: [],
    regionPolicies: c.policies ?? [],
    services: c.services ?? GATEWAY,
  };
  return desiredDns(input).routes[0]!;
}

function shown(intent: ReturnType<typeof intentOf>): unknown {
  switch (intent.kind) {
    case "records":
      return {
        kind: intent.kind,
        records: intent.records,
        regions: intent.regions,
        ...(intent.gateway === undefined ? {} : { gateway: intent.gateway.hostname }),
      };
    case "refused":
      return { kind: intent.kind, reason: intent.reason };
    case "elsewhere":
      return { kind: intent.kind, sourceRegion: intent.sourceRegion };
    default:
      return { kind: intent.kind };
  }
}

const latencyWeu = { setIdentifier: "aks01-weu", region: "eu-west-1" };

describe("what a cluster publishes for a route across regions (Route53)", () => {
  const cases: Case[] = [
    {
      name: "Active (the default) publishes the route's records as latency records: set identifier the cluster name, region the own route53Region",
      route: dnsRoute("shop"),
      expected: { kind: "records", records: [{ ...aliasRecord("shop.example.com"), ...latencyWeu }], regions: ["weu"] },
    },
    {
      name: "Active in the other region's cluster uses that cluster's name and region",
      route: dnsRoute("shop"),
      region: "eus",
      expected: { kind: "records", records: [{ ...aliasRecord("shop.example.com"), setIdentifier: "aks01-eus", region: "us-east-1" }], regions: ["eus"] },
    },
    {
      name: "Active with recordType cname publishes a latency CNAME",
      route: dnsRoute("shop"),
      options: { recordType: "cname" },
      expected: { kind: "records", records: [{ ...cnameRecord("shop.example.com"), ...latencyWeu }], regions: ["weu"] },
    },
    {
      name: "RegionBound in the source region's cluster publishes one simple record serving every region",
      route: dnsRoute("shop", { dns: { mode: "RegionBound", sourceRegion: "weu" } }),
      expected: { kind: "records", records: [aliasRecord("shop.example.com")], regions: ["eus", "weu"] },
    },
    {
      name: "RegionBound in another region's cluster publishes nothing and names the source region",
      route: dnsRoute("shop", { dns: { mode: "RegionBound", sourceRegion: "weu" } }),
      region: "eus",
      expected: { kind: "elsewhere", sourceRegion: "weu" },
    },
    {
      name: "RegionBound to a region the config does not list is refused with UnknownSourceRegion",
      route: dnsRoute("shop", { dns: { mode: "RegionBound", sourceRegion: "apac" } }),
      expected: { kind: "refused", reason: "UnknownSourceRegion" },
    },
    {
      name: "the namespace's RegionPolicy decides when the route says nothing",
      route: dnsRoute("shop"),
      region: "eus",
      policies: [regionPolicy("team-a", "RegionBound", "weu")],
      expected: { kind: "elsewhere", sourceRegion: "weu" },
    },
    {
      name: "another namespace's RegionPolicy does not count",
      route: dnsRoute("shop"),
      policies: [regionPolicy("team-b", "RegionBound", "eus")],
      expected: { kind: "records", records: [{ ...aliasRecord("shop.example.com"), ...latencyWeu }], regions: ["weu"] },
    },
    {
      name: "the route's spec.dns.mode outranks its namespace's RegionPolicy",
      route: dnsRoute("shop", { dns: { mode: "Active" } }),
      region: "eus",
      policies: [regionPolicy("team-a", "RegionBound", "weu")],
      expected: { kind: "records", records: [{ ...aliasRecord("shop.example.com"), setIdentifier: "aks01-eus", region: "us-east-1" }], regions: ["eus"] },
    },
    {
      name: "the platform's dns.regionMode decides when neither the route nor its namespace does",
      route: dnsRoute("shop"),
      options: { regionMode: { mode: "RegionBound", sourceRegion: "eus" } },
      expected: { kind: "elsewhere", sourceRegion: "eus" },
    },
    {
      name: "a two-step route gets a latency CNAME to its cluster's gateway hostname in Active mode",
      route: dnsRoute("shop", { lb: "alb-in", dns: { ttl: 120 } }),
      expected: {
        kind: "records",
        records: [{ ...cnameRecord("shop.example.com", CLUSTERS.weu.gatewayHostname, 120), ...latencyWeu }],
        regions: ["weu"],
        gateway: CLUSTERS.weu.gatewayHostname,
      },
    },
    {
      name: "a two-step route gets a simple CNAME to the source cluster's gateway hostname in RegionBound mode",
      route: dnsRoute("shop", { lb: "alb-in", dns: { mode: "RegionBound", sourceRegion: "eus" } }),
      region: "eus",
      expected: {
        kind: "records",
        records: [cnameRecord("shop.example.com", CLUSTERS.eus.gatewayHostname)],
        regions: ["eus", "weu"],
        gateway: CLUSTERS.eus.gatewayHostname,
      },
    },
    {
      name: "a two-step route gets its CNAME even while the gateway has no address (only its outcome waits)",
      route: dnsRoute("shop", { lb: "alb-in" }),
      services: servicesOf(),
      expected: {
        kind: "records",
        records: [{ ...cnameRecord("shop.example.com", CLUSTERS.weu.gatewayHostname), ...latencyWeu }],
        regions: ["weu"],
        gateway: CLUSTERS.weu.gatewayHostname,
      },
    },
    {
      name: "a two-step route at the apex is refused with CnameAtApex, whatever dns.recordType says",
      route: dnsRoute("root", { lb: "alb-in", domain: "example.com" }),
      expected: { kind: "refused", reason: "CnameAtApex" },
    },
    {
      name: "a route being deleted wants nothing in any mode",
      route: dnsRoute("shop", { deleting: true, dns: { mode: "RegionBound", sourceRegion: "weu" } }),
      region: "eus",
      expected: { kind: "deleting" },
    },
  ];
  for (const c of cases) test(c.name, () => assert.deepEqual(shown(intentOf(c)), c.expected));

  test("a route published elsewhere says which region publishes, where that was decided, and that this cluster publishes nothing", () => {
    const intent = intentOf({ route: dnsRoute("shop"), region: "eus", policies: [regionPolicy("team-a", "RegionBound", "weu")] });
    assert.equal(
      intent.kind === "elsewhere" ? intent.message : "",
      "the route is RegionBound to region weu (the namespace's RegionPolicy (spec.sourceRegion)): the cluster in weu publishes its DNS records for every region, " +
        "so this cluster publishes none (this cluster, aks01-eus, is in region eus)",
    );
  });

  test("an unknown source region is refused saying which field named it and which regions exist", () => {
    const intent = intentOf({ route: dnsRoute("shop", { dns: { mode: "RegionBound", sourceRegion: "apac" } }) });
    assert.match(
      intent.kind === "refused" ? intent.message : "",
      /^spec\.dns\.sourceRegion names region apac, which is not one of the platform's regions \(weu, eus\)/,
    );
  });

  test("a two-step route at the apex is told why a CNAME is needed there", () => {
    const intent = intentOf({ route: dnsRoute("root", { lb: "alb-in", domain: "example.com" }) });
    assert.match(intent.kind === "refused" ? intent.message : "", /loadBalancers\.alb-in is a gateway Service published at aks01-weu-internal\.example\.com/);
  });

  test("a region without route53Region (a config the checks would refuse) refuses the Active route, saying what to set, instead of stopping the controller", () => {
    const config = regionConfig("weu");
    const { route53Region: _aws, ...weu } = config.regions.find((r) => r.name === "weu")!;
    const unchecked = { ...config, regions: config.regions.map((r) => (r.name === "weu" ? weu : r)) };
    const desired = desiredDns({
      ...holding(dnsRoute("shop"), dnsRoute("bound", { dns: { mode: "RegionBound", sourceRegion: "weu" } })),
      config: unchecked,
      requests: [],
    });
    const [bound, shop] = desired.routes;
    assert.deepEqual(shown(shop!), { kind: "refused", reason: "NoRoute53Region" });
    assert.equal(
      shop?.kind === "refused" ? shop.message : "",
      "the route is Active, so this cluster publishes it as a latency record for its region weu, but regions[weu] in the platform config has no " +
        "route53Region (the AWS region Route53 measures latency to); set it, e.g. route53Region: eu-west-1, and no record is written until then",
    );
    assert.equal(bound?.kind, "records", "a RegionBound route needs no latency region");
  });

  test("a platform without regions publishes exactly as before: simple records, no regions", () => {
    const desired = desiredDns({
      ...holding(dnsRoute("shop")),
      config: dnsConfig(),
      requests: [],
      regionPolicies: [regionPolicy("team-a", "RegionBound", "weu")],
    });
    assert.deepEqual(shown(desired.routes[0]!), { kind: "records", records: [aliasRecord("shop.example.com", "A", ALB_OUT)], regions: [] });
    assert.deepEqual(desired.gateways, []);
  });
});

describe("the gateway record of a two-step load balancer", () => {
  const desiredWith = (services: ServiceLookup, region: "weu" | "eus" = "weu") =>
    desiredDns({ routes: [], claims: [], config: regionConfig(region), requests: [], regionPolicies: [], services });
  const gatewayRecords = (services: ServiceLookup) =>
    desiredWith(services)
      .records.filter((d) => d.resource.startsWith("gateway/"))
      .map((d) => ({ zoneId: d.zoneId, resource: d.resource, record: d.record }));
  const at = CLUSTERS.weu.gatewayHostname;
  const resource = "gateway/istio-system/internal-gateway";

  const cases: { name: string; services: ServiceLookup; expected: unknown }[] = [
    {
      name: "IPv4 addresses become one A record with TTL 60, owned by the gateway Service",
      services: servicesOf(gatewayService({ ip: "203.0.113.9" }, { ip: "203.0.113.7" })),
      expected: [{ zoneId: ZONE, resource, record: { name: at, type: "A", ttl: 60, values: ["203.0.113.7", "203.0.113.9"] } }],
    },
    {
      name: "IPv4 and IPv6 addresses become an A and an AAAA record",
      services: servicesOf(gatewayService({ ip: "203.0.113.7" }, { ip: "2001:DB8::7" })),
      expected: [
        { zoneId: ZONE, resource, record: { name: at, type: "A", ttl: 60, values: ["203.0.113.7"] } },
        { zoneId: ZONE, resource, record: { name: at, type: "AAAA", ttl: 60, values: ["2001:db8::7"] } },
      ],
    },
    {
      name: "a host name (an AWS NLB) becomes a CNAME",
      services: servicesOf(gatewayService({ hostname: "k8s-gw-1234.elb.eu-west-1.amazonaws.com" })),
      expected: [{ zoneId: ZONE, resource, record: { name: at, type: "CNAME", ttl: 60, values: ["k8s-gw-1234.elb.eu-west-1.amazonaws.com"] } }],
    },
    { name: "no address yet: no gateway record is desired", services: servicesOf(gatewayService()), expected: [] },
    { name: "no such Service: no gateway record is desired", services: servicesOf(), expected: [] },
  ];
  for (const c of cases) test(c.name, () => assert.deepEqual(gatewayRecords(c.services), c.expected));

  test("without an address the gateway's records are kept (not deleted) and the reason is kept for the routes", () => {
    const desired = desiredWith(servicesOf(gatewayService()));
    assert.deepEqual([...desired.keep], [resource]);
    const [gateway] = desired.gateways;
    assert.equal(gateway?.state.kind, "no-address");
    assert.match(
      gateway?.state.kind === "no-address" ? gateway.state.message : "",
      /Service istio-system\/internal-gateway has no address in status\.loadBalancer\.ingress yet/,
    );
  });

  test("with an address nothing is kept beyond what is desired", () => assert.deepEqual([...desiredWith(GATEWAY).keep], []));

  test("a gateway record is simple (no set identifier) in every region mode: the hostname is the cluster's own", () => {
    for (const region of ["weu", "eus"] as const) {
      const records = desiredWith(GATEWAY, region).records.filter((d) => d.resource === resource);
      assert.deepEqual(
        records.map((d) => [d.record.name, d.record.setIdentifier]),
        [[CLUSTERS[region].gatewayHostname, undefined]],
      );
    }
  });

  test("a gateway hostname under no configured apex is refused with DomainNotManaged and desires nothing", () => {
    const config = regionConfig("weu");
    const outside = {
      ...config,
      loadBalancers: { ...config.loadBalancers, "alb-in": { ...config.loadBalancers["alb-in"], gatewayHostname: "gw.elsewhere.net" } },
    };
    const desired = desiredDns({ routes: [], claims: [], config: outside, requests: [], services: GATEWAY });
    assert.deepEqual(
      desired.gateways.map((g) => (g.state.kind === "refused" ? g.state.reason : g.state.kind)),
      ["DomainNotManaged"],
    );
    assert.deepEqual(desired.records, []);
  });

  test("two entries naming the same Service and hostname make one gateway record", () => {
    const config = regionConfig("weu");
    const both = { ...config, loadBalancers: { ...config.loadBalancers, "alb-out": config.loadBalancers["alb-in"] } };
    const desired = desiredDns({ routes: [], claims: [], config: both, requests: [], services: GATEWAY });
    assert.deepEqual(
      desired.gateways.map((g) => [g.hostname, g.loadBalancers]),
      [[at, ["alb-in", "alb-out"]]],
    );
    assert.equal(desired.records.length, 1);
  });

  test("the desired set is the same for the same input (idempotent, order-independent)", () => {
    const routes = holding(dnsRoute("shop", { lb: "alb-in" }), dnsRoute("blog"), dnsRoute("api", { dns: { mode: "RegionBound", sourceRegion: "eus" } }));
    const policies = [regionPolicy("team-a", "Active"), regionPolicy("team-b", "RegionBound", "weu")];
    const config = regionConfig("weu");
    const once = desiredDns({ ...routes, config, requests: [], regionPolicies: policies, services: GATEWAY });
    const reversed = desiredDns({
      routes: [...routes.routes].reverse(),
      claims: [...routes.claims].reverse(),
      config,
      requests: [],
      regionPolicies: [...policies].reverse(),
      services: GATEWAY,
    });
    assert.deepEqual(reversed, once);
  });
});
