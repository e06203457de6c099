// The Route53 side of reserved names: a DomainRoute whose domain is a
// two-step load balancer's gatewayHostname, or the name where the gateway
// record's TXT owner record goes, is refused (DNSReady False ReservedName)
// whatever its load balancer and region mode, so a tenant can never take the
// gateway's name (and with it every route behind the gateway) by getting
// there first, e.g. while the gateway Service has no address yet.
import { beforeEach, describe, test } from "node:test";
import assert from "node:assert/strict";
import { ManualClock } from "../../core/clock.ts";
import { silentLogger } from "../../core/logger.ts";
import type { KubeObject } from "../../core/kube/object-key.ts";
import type { PlatformConfig } from "../../core/config/platform-config.ts";
import type { DomainRoute } from "../../crds/types.ts";
import type { ObjectReader } from "../cluster/object-reader.ts";
import { claimFor } from "../app-id-table/testing/fixtures.ts";
import { DOMAIN_CLAIMS, DOMAIN_ROUTES, SERVICES } from "../resources.ts";
import { desiredDns } from "./desired-records.ts";
import { dnsStatus } from "./dns-condition.ts";
import { DnsOutcomes } from "./dns-outcomes.ts";
import { DnsState } from "./dns-state.ts";
import { RecordRequests } from "./record-requests.ts";
import { reconcileDns } from "./reconcile-dns.ts";
import type { FakeRoute53 } from "./route53/testing/fake-route53.ts";
import { dnsRoute, holding, ZONE } from "./testing/dns-fixtures.ts";
import { fixtureZones } from "./testing/fixture-zones.ts";
import type { RegionConfigOptions } from "./testing/region-fixtures.ts";
import { CLUSTERS, gatewayService, regionConfig, servicesOf } from "./testing/region-fixtures.ts";
import { registryRecord } from "./txt-registry.ts";

const GW = CLUSTERS.weu.gatewayHostname;
const REGION_BOUND_WEU: RegionConfigOptions = { regionMode: { mode: "RegionBound", sourceRegion: "weu" } };

describe("a route at a name reserved for the gateway record is refused ReservedName (Route53)", () => {
  const cases: { name: string; route: DomainRoute; options?: RegionConfigOptions; message: RegExp }[] = [
    {
      name: "the gateway hostname, on a fixed load balancer, in Active mode",
      route: dnsRoute("hijack", { domain: GW }),
      message: /^aks01-weu-internal\.example\.com is loadBalancers\.alb-in\.gatewayHostname in the platform config: .*Route another name$/,
    },
    {
      name: "the gateway hostname, on the two-step load balancer itself, in RegionBound mode",
      route: dnsRoute("hijack", { domain: GW, lb: "alb-in" }),
      options: REGION_BOUND_WEU,
      message: /^aks01-weu-internal\.example\.com is loadBalancers\.alb-in\.gatewayHostname/,
    },
    {
      name: "the name of the gateway A record's TXT owner record (a CNAME there would keep the gateway's TXT out)",
      route: dnsRoute("hijack", { domain: `a-${GW}`, lb: "alb-in" }),
      message:
        /^a-aks01-weu-internal\.example\.com is where the TXT owner record of the gateway record aks01-weu-internal\.example\.com \(loadBalancers\.alb-in\) goes.*Route another name$/,
    },
    {
      name: "the name of the gateway CNAME's TXT owner record",
      route: dnsRoute("hijack", { domain: `cname-${GW}`, lb: "alb-in" }),
      message: /^cname-aks01-weu-internal\.example\.com is where the TXT owner record of the gateway record/,
    },
    {
      name: "the name of the gateway AAAA record's TXT owner record",
      route: dnsRoute("hijack", { domain: `aaaa-${GW}` }),
      message: /^aaaa-aks01-weu-internal\.example\.com is where the TXT owner record of the gateway record/,
    },
  ];
  for (const c of cases)
    test(`${c.name}: refused, nothing desired for it, the message says why and what to do`, () => {
      const desired = desiredDns({ ...holding(c.route), config: regionConfig("weu", c.options), requests: [], services: servicesOf() });
      const intent = desired.routes[0]!;
      assert.equal(intent.kind === "refused" ? intent.reason : intent.kind, "ReservedName");
      assert.match(intent.kind === "refused" ? intent.message : "", c.message);
      assert.deepEqual(
        desired.records.filter((d) => d.resource.startsWith("domainroute/")),
        [],
      );
    });

  test("a name merely beginning like the gateway's (another host) is not reserved", () => {
    const route = dnsRoute("fine", { domain: `x-${GW}`, lb: "alb-in" });
    const desired = desiredDns({ ...holding(route), config: regionConfig("weu"), requests: [], services: servicesOf() });
    assert.equal(desired.routes[0]!.kind, "records");
  });
});

describe("a tenant cannot take the gateway's name by getting there first (Route53, whole DNS controller)", () => {
  let route53: FakeRoute53;
  let clock: ManualClock;
  let state: DnsState;
  let routes: DomainRoute[];
  let service: KubeObject | undefined;
  let outcomes: DnsOutcomes;
  let config: PlatformConfig;
  const reader: ObjectReader = {
    get: (resource, key) =>
      resource === SERVICES && service?.metadata?.namespace === key.namespace && service?.metadata?.name === key.name ? service : undefined,
    list: (resource) => (resource === DOMAIN_ROUTES ? routes : resource === DOMAIN_CLAIMS ? routes.map((r) => claimFor(r)) : []) as unknown as KubeObject[],
  };
  const requests = new RecordRequests();
  requests.publish([]);
  const settle = async () => {
    for (let i = 0; i < 4; i++) {
      await reconcileDns({ reader, config, route53, records: requests, outcomes, clock, logger: silentLogger }, state);
      clock.advance(5000);
    }
  };
  const condition = (name: string) => {
    const status = dnsStatus(routes.find((r) => r.metadata.name === name)!, outcomes.lookup(`team-a/${name}`), config);
    return `${status?.condition.status} ${status?.condition.reason}`;
  };
  const zone = () =>
    route53
      .peek(ZONE)
      .map((r) => `${r.type} ${r.name}${r.values === undefined || r.type === "TXT" ? "" : ` ${r.values.join(",")}`}`)
      .sort();

  beforeEach(() => {
    route53 = fixtureZones();
    clock = new ManualClock();
    state = new DnsState();
    outcomes = new DnsOutcomes();
    config = regionConfig("weu", REGION_BOUND_WEU);
    service = gatewayService();
  });

  test("a route at the gateway hostname written while the gateway had no address: the gateway record is published once it has one", async () => {
    routes = [dnsRoute("shop", { lb: "alb-in" }), dnsRoute("hijack", { domain: GW })];
    await settle();
    assert.deepEqual(
      zone().filter((r) => r.split(" ")[1] === GW),
      [],
      "nothing at the gateway hostname for the tenant",
    );
    assert.equal(condition("hijack"), "False ReservedName");
    service = gatewayService({ ip: "203.0.113.7" });
    await settle();
    assert.ok(zone().includes(`A ${GW} 203.0.113.7`));
    assert.equal(condition("shop"), "True RecordsReady");
    assert.equal(condition("hijack"), "False ReservedName");
  });

  test("a route at the gateway A record's TXT name written while the gateway had no address: the gateway record still gets its TXT", async () => {
    routes = [dnsRoute("shop", { lb: "alb-in" }), dnsRoute("hijack", { domain: `a-${GW}`, lb: "alb-in" })];
    await settle();
    service = gatewayService({ ip: "203.0.113.7" });
    await settle();
    assert.ok(zone().includes(`A ${GW} 203.0.113.7`));
    assert.ok(zone().includes(`TXT a-${GW}`));
    assert.equal(condition("shop"), "True RecordsReady");
    assert.equal(condition("hijack"), "False ReservedName");
  });

  test("a route's record already at the gateway hostname (hostgate's, from before) is replaced by the gateway record in one group", async () => {
    routes = [dnsRoute("shop", { lb: "alb-in" }), dnsRoute("hijack", { domain: GW })];
    const old = { name: GW, type: "CNAME", ttl: 300, values: ["internal-1.eu-west-1.elb.amazonaws.com"] };
    route53.seed(ZONE, old, registryRecord(old, "example.com", CLUSTERS.weu.name, "domainroute/team-a/hijack"));
    service = gatewayService({ ip: "203.0.113.7" });
    await settle();
    assert.deepEqual(
      zone().filter((r) => [GW, `a-${GW}`, `cname-${GW}`].includes(r.split(" ")[1]!)),
      [`A ${GW} 203.0.113.7`, `TXT a-${GW}`],
    );
    const swap = route53.calls.find((c) => c.changes?.some((x) => x.action === "CREATE" && x.record.type === "A" && x.record.name === GW));
    assert.deepEqual(
      swap?.changes?.filter((x) => x.record.name.endsWith(GW)).map((x) => `${x.action} ${x.record.type} ${x.record.name}`),
      [`DELETE CNAME ${GW}`, `DELETE TXT cname-${GW}`, `CREATE A ${GW}`, `CREATE TXT a-${GW}`],
      "the route's record and its TXT go in the request that brings the gateway's",
    );
    assert.equal(condition("shop"), "True RecordsReady");
    assert.equal(condition("hijack"), "False ReservedName");
  });
});
