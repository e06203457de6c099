// The route's DNSEndpoints on a platform that spans regions (weu and neu), as
// renderRoute produces them: which regions a cluster publishes in by the
// route's placement (route over namespace over platform default), their
// labels, their names, and two-step load balancers (a CNAME to the gateway).
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { KubeObject } from "../../../core/kube/object-key.ts";
import type { DomainRoute, RegionPolicy } from "../../../crds/types.ts";
import type { PlatformConfig } from "../../../core/config/platform-config.ts";
import { renderRoute } from "../../domainroute/render/render-route.ts";
import { objectNameFor } from "../../domainroute/render/names.ts";
import { dnsEndpointRefusal } from "./render-dns-endpoint.ts";
import { aDnsRoute, aRegionalConfig, aRegionPolicy, anExternalDnsConfig, GATEWAY_HOSTNAME, NEU, WEU } from "./testing/external-dns-config.ts";

const DNS_1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

function endpoints(route: DomainRoute, config: PlatformConfig, policy?: RegionPolicy): KubeObject[] {
  return renderRoute(route, config, policy).objects.filter((o) => o.kind === "DNSEndpoint");
}
const labels = (o: KubeObject) => (o.metadata?.labels ?? {}) as Record<string, string>;
const regionOf = (o: KubeObject) => labels(o)["hostgate.dev/region"];
const records = (o: KubeObject) => (o.spec as { endpoints: unknown[] }).endpoints;
const regionBound = (sourceRegion: string) => aDnsRoute({ dns: { ttl: 300, mode: "RegionBound", sourceRegion } });

describe("renderRoute with external-dns on a platform with regions", () => {
  it("Active (the default) gives one DNSEndpoint, for the cluster's own region, with that region's labels and the cluster's", () => {
    const config = aRegionalConfig("aks01-weu", "weu", { dns: { externalDns: { labels: { "external-dns/instance": "public" } } } });
    const rendered = endpoints(aDnsRoute(), config);
    assert.equal(rendered.length, 1);
    assert.deepEqual(labels(rendered[0]!), {
      "app.kubernetes.io/managed-by": "hostgate",
      "external-dns/instance": "public",
      "hostgate.dev/cluster": "aks01-weu",
      "hostgate.dev/domain-hash": labels(rendered[0]!)["hostgate.dev/domain-hash"],
      "hostgate.dev/region": "weu",
      "hostgate.dev/route-uid": labels(rendered[0]!)["hostgate.dev/route-uid"],
      "router.io/region": "weu",
    });
    assert.equal(rendered[0]!.metadata?.namespace, "team-a");
  });

  it("RegionBound in the source region's cluster gives one DNSEndpoint per region, sorted by region, each with its own region's labels", () => {
    const rendered = endpoints(regionBound("weu"), aRegionalConfig("aks01-weu", "weu"));
    assert.deepEqual(rendered.map(regionOf), ["neu", "weu"]);
    assert.deepEqual(
      rendered.map((o) => labels(o)["router.io/region"]),
      ["neu", "weu"],
    );
    assert.deepEqual(records(rendered[0]!), records(rendered[1]!), "every region points at this cluster's load balancer");
  });

  it("RegionBound to another region gives no DNSEndpoint: that region's cluster publishes", () => {
    assert.deepEqual(endpoints(regionBound("neu"), aRegionalConfig("aks01-weu", "weu")), []);
  });

  it("RegionBound to a region the config does not list gives no DNSEndpoint", () => {
    assert.deepEqual(endpoints(regionBound("eus"), aRegionalConfig("aks01-weu", "weu")), []);
  });

  it("hostgate's own labels win over a region's dnsControllerLabels and the configured labels", () => {
    const hostile = {
      ...WEU,
      dnsControllerLabels: { "hostgate.dev/cluster": "someone-else", "app.kubernetes.io/managed-by": "helm", "router.io/region": "weu" },
    };
    const config = { ...aRegionalConfig("aks01-weu", "weu"), regions: [hostile, NEU] };
    const got = labels(endpoints(aDnsRoute(), config)[0]!);
    assert.equal(got["hostgate.dev/cluster"], "aks01-weu");
    assert.equal(got["app.kubernetes.io/managed-by"], "hostgate");
    assert.equal(got["router.io/region"], "weu");
  });

  describe("the placement is the route's, else its namespace's RegionPolicy, else the platform's", () => {
    const platformNeu = aRegionalConfig("aks01-weu", "weu", { dns: { regionMode: { mode: "RegionBound", sourceRegion: "neu" } } });
    const cases = [
      { name: "the platform default alone decides when neither route nor namespace says", route: aDnsRoute(), policy: undefined, regions: [] },
      { name: "the namespace's RegionPolicy overrides the platform", route: aDnsRoute(), policy: aRegionPolicy("Active"), regions: ["weu"] },
      {
        name: "the namespace's RegionBound to this region publishes everywhere",
        route: aDnsRoute(),
        policy: aRegionPolicy("RegionBound", "weu"),
        regions: ["neu", "weu"],
      },
      { name: "the route's spec.dns.mode overrides its namespace", route: regionBound("weu"), policy: aRegionPolicy("Active"), regions: ["neu", "weu"] },
      {
        name: "the route's Active overrides a namespace bound to another region",
        route: aDnsRoute({ dns: { ttl: 300, mode: "Active" } }),
        policy: aRegionPolicy("RegionBound", "neu"),
        regions: ["weu"],
      },
    ];
    for (const c of cases) {
      it(c.name, () => {
        assert.deepEqual(endpoints(c.route, platformNeu, c.policy).map(regionOf), c.regions);
      });
    }
  });

  describe("names", () => {
    it("stay the route's usual name on a platform without regions, as before regions existed (no new objects on upgrade)", () => {
      const rendered = endpoints(aDnsRoute(), anExternalDnsConfig());
      assert.deepEqual(
        rendered.map((o) => o.metadata?.name),
        ["shop-example-com-sulchitprmzyrabku5eq"],
      );
      assert.equal(objectNameFor("shop.example.com"), "shop-example-com-sulchitprmzyrabku5eq");
      assert.equal(labels(rendered[0]!)["hostgate.dev/cluster"], undefined);
    });

    it("are DNS-1123 labels of at most 63 characters for the longest domain, region and cluster names", () => {
      const long = "a".repeat(63);
      const region = { name: "r".repeat(63), dnsControllerLabels: {} };
      const config = { ...anExternalDnsConfig({ cluster: { name: "c".repeat(63), region: region.name } }), regions: [region] };
      const domain = `${[long, long, long, "a".repeat(253 - 3 * 64 - ".example.com".length)].join(".")}.example.com`;
      const [object] = endpoints(aDnsRoute({ domain }), config);
      assert.ok(object);
      assert.match(object.metadata!.name!, DNS_1123_LABEL);
      assert.ok(object.metadata!.name!.length <= 63);
    });

    it("differ between regions, and between clusters in one region", () => {
      const bound = regionBound("weu");
      const [neu, weu] = endpoints(bound, aRegionalConfig("aks01-weu", "weu")).map((o) => o.metadata!.name!);
      const [other] = endpoints(aDnsRoute(), aRegionalConfig("aks02-weu", "weu")).map((o) => o.metadata!.name!);
      assert.equal(new Set([neu, weu, other]).size, 3);
      assert.match(weu!, /^shop-example-com-weu-[a-z2-7]{20}$/);
    });
  });

  describe("two clusters' renders (one config each)", () => {
    const weuCluster = aRegionalConfig("aks01-weu", "weu");
    const neuCluster = aRegionalConfig("aks01-neu", "neu");
    const cases = [
      { name: "Active: each cluster publishes its own region only", route: aDnsRoute(), weu: ["weu"], neu: ["neu"] },
      { name: "RegionBound to weu: the weu cluster publishes both regions, the neu cluster nothing", route: regionBound("weu"), weu: ["neu", "weu"], neu: [] },
    ];
    for (const c of cases) {
      it(`${c.name}, with disjoint names and cluster labels`, () => {
        const fromWeu = endpoints(c.route, weuCluster);
        const fromNeu = endpoints(c.route, neuCluster);
        assert.deepEqual(fromWeu.map(regionOf), c.weu);
        assert.deepEqual(fromNeu.map(regionOf), c.neu);
        const names = [...fromWeu, ...fromNeu].map((o) => o.metadata!.name!);
        assert.equal(new Set(names).size, names.length);
        assert.ok(fromWeu.every((o) => labels(o)["hostgate.dev/cluster"] === "aks01-weu"));
        assert.ok(fromNeu.every((o) => labels(o)["hostgate.dev/cluster"] === "aks01-neu"));
      });
    }
  });
});

describe("renderRoute with external-dns and a two-step load balancer", () => {
  const cases = [
    { name: "with dns.recordType alias", config: anExternalDnsConfig({ twoStep: true }) },
    { name: "with dns.recordType cname", config: anExternalDnsConfig({ twoStep: true, dns: { recordType: "cname" } }) },
    { name: "on a platform with regions", config: aRegionalConfig("aks01-weu", "weu", { twoStep: true }) },
  ];
  for (const c of cases) {
    it(`a route gets a plain CNAME to the gateway's name with spec.dns.ttl, no alias property (${c.name})`, () => {
      const [object] = endpoints(aDnsRoute({ dns: { ttl: 120 } }), c.config);
      assert.ok(object);
      assert.deepEqual(records(object), [{ dnsName: "shop.example.com", recordType: "CNAME", targets: [GATEWAY_HOSTNAME], recordTTL: 120 }]);
    });
  }

  it("a route at the zone apex gets no DNSEndpoint and is refused CnameAtApex, naming the load balancer and what to do", () => {
    const config = anExternalDnsConfig({ twoStep: true });
    const apex = aDnsRoute({ domain: "example.com" });
    assert.deepEqual(endpoints(apex, config), []);
    const refusal = dnsEndpointRefusal(apex, config);
    assert.equal(refusal?.reason, "CnameAtApex");
    assert.match(refusal!.message, /load balancer alb-in is published through its gateway's name.*below the apex/);
  });

  it("a route on the other, fixed load balancer keeps its alias", () => {
    const [object] = endpoints(aDnsRoute({ lb: "alb-out" }), anExternalDnsConfig({ twoStep: true }));
    assert.deepEqual((records(object!)[0] as { providerSpecific?: unknown }).providerSpecific, [{ name: "alias", value: "true" }]);
  });
});
