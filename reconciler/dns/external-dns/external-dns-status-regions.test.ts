// DNSReady and status.dns with external-dns on a platform that spans regions
// (weu and neu), and for routes on a two-step load balancer.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { KubeObject } from "../../../core/kube/object-key.ts";
import type { PlatformConfig } from "../../../core/config/platform-config.ts";
import type { DomainRoute, RegionPolicy } from "../../../crds/types.ts";
import { externalDnsStatus } from "./external-dns-status.ts";
import type { GatewayRecordState } from "./external-dns-status.ts";
import { renderDnsEndpoints } from "./render-dns-endpoint.ts";
import { gatewayEndpointNameIn } from "./render-gateway-endpoints.ts";
import { aDnsRoute, aRegionalConfig, aRegionPolicy, anExternalDnsConfig, GATEWAY_HOSTNAME, WEU } from "./testing/external-dns-config.ts";

const INTERNAL_LB = "internal-1.us-east-1.elb.amazonaws.com";
const WEU_CLUSTER = aRegionalConfig("aks01-weu", "weu");
const bound = (sourceRegion: string) => aDnsRoute({ dns: { ttl: 300, mode: "RegionBound", sourceRegion } });

/** The route's DNSEndpoints as the cache would hold them: generation 1, read by external-dns where `observed` says. */
function cached(route: DomainRoute, config: PlatformConfig, observed: (region: string) => boolean, policy?: RegionPolicy): KubeObject[] {
  return renderDnsEndpoints(route, config, policy).map((o) => {
    const region = ((o.metadata?.labels ?? {}) as Record<string, string>)["hostgate.dev/region"] ?? "";
    return { ...o, metadata: { ...o.metadata, generation: 1 }, ...(observed(region) ? { status: { observedGeneration: 1 } } : {}) };
  });
}
const summary = (s: ReturnType<typeof externalDnsStatus>) => `${s.condition.status} ${s.condition.reason}`;

describe("externalDnsStatus on a platform with regions", () => {
  it("RegionBound from the source region is True only when external-dns read every region's endpoint, with one status.dns entry per region", () => {
    const route = bound("weu");
    const all = externalDnsStatus(
      route,
      cached(route, WEU_CLUSTER, () => true),
      WEU_CLUSTER,
    );
    assert.equal(summary(all), "True HandedToExternalDns");
    assert.deepEqual(all.records, [
      { name: "shop.example.com", type: "A", target: INTERNAL_LB, zoneId: "", region: "neu" },
      { name: "shop.example.com", type: "A", target: INTERNAL_LB, zoneId: "", region: "weu" },
    ]);
    assert.match(all.condition.message, /-> internal-1\S* \(neu\), A shop\.example\.com -> internal-1\S* \(weu\)/);
  });

  it("is Unknown while external-dns has not read one region's endpoint, naming that one only", () => {
    const route = bound("weu");
    const result = externalDnsStatus(
      route,
      cached(route, WEU_CLUSTER, (r) => r === "weu"),
      WEU_CLUSTER,
    );
    assert.equal(summary(result), "Unknown WaitingForExternalDns");
    assert.match(
      result.condition.message,
      /has not read generation 1 of DNSEndpoint team-a\/shop-example-com-neu-\w+ \(it has read no generation\) for region neu\./,
    );
    assert.doesNotMatch(result.condition.message, /for region weu/);
    assert.match(result.condition.message, /dnsControllerLabels/);
    assert.deepEqual(
      result.records?.map((r) => r.region),
      ["weu"],
      "status.dns lists what external-dns has taken up",
    );
  });

  it("is Unknown EndpointPending while a region's endpoint is missing, naming it", () => {
    const route = bound("weu");
    const onlyWeu = cached(route, WEU_CLUSTER, () => true).filter(
      (o) => ((o.metadata?.labels ?? {}) as Record<string, string>)["hostgate.dev/region"] === "weu",
    );
    const result = externalDnsStatus(route, onlyWeu, WEU_CLUSTER);
    assert.equal(summary(result), "Unknown EndpointPending");
    assert.match(result.condition.message, /team-a\/shop-example-com-neu-\w+ for region neu/);
  });

  it("ignores an endpoint of a region the route no longer publishes in (about to be pruned)", () => {
    const route = aDnsRoute();
    const stale = cached(bound("weu"), WEU_CLUSTER, () => true);
    const result = externalDnsStatus(route, stale, WEU_CLUSTER);
    assert.equal(summary(result), "True HandedToExternalDns");
    assert.deepEqual(
      result.records?.map((r) => r.region),
      ["weu"],
    );
  });

  it("Active lists the own region only", () => {
    const result = externalDnsStatus(
      aDnsRoute(),
      cached(aDnsRoute(), WEU_CLUSTER, () => true),
      WEU_CLUSTER,
    );
    assert.deepEqual(
      result.records?.map((r) => r.region),
      ["weu"],
    );
  });

  it("RegionBound to another region is True PublishedBySourceRegion, naming that region, with no status.dns", () => {
    const result = externalDnsStatus(bound("neu"), [], WEU_CLUSTER);
    assert.equal(summary(result), "True PublishedBySourceRegion");
    assert.match(result.condition.message, /RegionBound to region neu \(spec\.dns\.sourceRegion\): the cluster in neu publishes/);
    assert.match(result.condition.message, /\(this cluster, aks01-weu, is in region weu\)$/, "names this cluster and its region, as the Route53 back end does");
    assert.equal(result.records, undefined);
  });

  it("says which level chose the source region (the namespace's RegionPolicy)", () => {
    const result = externalDnsStatus(aDnsRoute(), [], WEU_CLUSTER, { regionPolicy: aRegionPolicy("RegionBound", "neu") });
    assert.equal(summary(result), "True PublishedBySourceRegion");
    assert.match(result.condition.message, /the namespace's RegionPolicy/);
  });

  it("a source region the config does not list is False UnknownSourceRegion, naming the known regions", () => {
    const result = externalDnsStatus(bound("eus"), [], WEU_CLUSTER);
    assert.equal(summary(result), "False UnknownSourceRegion");
    assert.match(result.condition.message, /names region eus, which is not one of the platform's regions \(weu, neu\)/);
  });

  it("reads the same placement as rendering: an endpoint rendered without the namespace policy is not the one asked for", () => {
    const policy = aRegionPolicy("RegionBound", "weu");
    const result = externalDnsStatus(
      aDnsRoute(),
      cached(aDnsRoute(), WEU_CLUSTER, () => true, policy),
      WEU_CLUSTER,
      { regionPolicy: policy },
    );
    assert.deepEqual(
      result.records?.map((r) => r.region),
      ["neu", "weu"],
    );
  });
});

describe("externalDnsStatus for a route on a two-step load balancer", () => {
  const config = anExternalDnsConfig({ twoStep: true });
  const route = aDnsRoute({ dns: { ttl: 120 } });
  const endpoints = cached(route, config, () => true);
  const published: GatewayRecordState = { published: [gatewayEndpointNameIn(config, "alb-in", undefined)] };

  it("is True with the CNAME to the gateway's name once the gateway record is written", () => {
    const result = externalDnsStatus(route, endpoints, config, { gateway: published });
    assert.equal(summary(result), "True HandedToExternalDns");
    assert.deepEqual(result.records, [{ name: "shop.example.com", type: "CNAME", target: GATEWAY_HOSTNAME, zoneId: "" }]);
  });

  it("is Unknown GatewayAddressPending, with the gateway's reason, while the gateway record is not written", () => {
    const result = externalDnsStatus(route, endpoints, config, {
      gateway: { published: [], pendingReason: "Service istio-system/gw-internal has no address yet" },
    });
    assert.equal(summary(result), "Unknown GatewayAddressPending");
    assert.match(result.condition.message, /CNAME to aks01-weu-internal\.example\.com, the gateway of load balancer alb-in.*has no address yet/);
  });

  it("is Unknown GatewayAddressPending naming the missing DNSEndpoint when the gateway has an address but its record is not written yet", () => {
    const result = externalDnsStatus(route, endpoints, config, { gateway: { published: [] } });
    assert.equal(summary(result), "Unknown GatewayAddressPending");
    assert.match(result.condition.message, /DNSEndpoint istio-system\/hostgate-gateway-alb-in/);
  });

  it("stays True when the gateway briefly has no address but its record is still in place (kept, not deleted)", () => {
    const result = externalDnsStatus(route, endpoints, config, { gateway: { ...published, pendingReason: "no address" } });
    assert.equal(summary(result), "True HandedToExternalDns");
  });

  it("with regions, waits for the gateway record of every region the route is published in", () => {
    const regional = aRegionalConfig("aks01-weu", "weu", { twoStep: true });
    const r = bound("weu");
    const onlyWeu = { published: [gatewayEndpointNameIn(regional, "alb-in", WEU)] };
    const result = externalDnsStatus(
      r,
      cached(r, regional, () => true),
      regional,
      { gateway: onlyWeu },
    );
    assert.equal(summary(result), "Unknown GatewayAddressPending");
    assert.match(result.condition.message, /hostgate-gateway-alb-in-neu-/);
  });
});
