// The DNS controller with a two-step load balancer (alb-in: a gateway
// Service published at the cluster's gateway hostname) against the fake
// Route53: the gateway record follows the Service's address, routes CNAME to
// the hostname and wait for the gateway record, and a new address changes
// the gateway record alone, in one request.
import { beforeEach, describe, test } from "node:test";
import assert from "node:assert/strict";
import { ManualClock } from "../../core/clock.ts";
import { silentLogger } from "../../core/logger.ts";
import type { KubeObject } from "../../core/kube/object-key.ts";
import type { PlatformConfig } from "../../core/config/platform-config.ts";
import type { DomainRoute } from "../../crds/types.ts";
import type { ObjectReader } from "../cluster/object-reader.ts";
import { SERVICES } from "../resources.ts";
import { dnsStatus } from "./dns-condition.ts";
import type { DnsOutcome } from "./dns-outcomes.ts";
import { DnsOutcomes } from "./dns-outcomes.ts";
import { DnsState } from "./dns-state.ts";
import { RecordRequests } from "./record-requests.ts";
import { reconcileDns } from "./reconcile-dns.ts";
import type { FakeRoute53 } from "./route53/testing/fake-route53.ts";
import { dnsRoute, ZONE } from "./testing/dns-fixtures.ts";
import { fixtureZones } from "./testing/fixture-zones.ts";
import { CLUSTERS, gatewayService, regionConfig } from "./testing/region-fixtures.ts";
import { registryRecord } from "./txt-registry.ts";
import { routesAndClaims, settle as settleRoute53, zoneLines } from "./testing/route53-controller.ts";

const GW = CLUSTERS.weu.gatewayHostname;

describe("reconciling the gateway record of a two-step load balancer", () => {
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
    list: (resource) => routesAndClaims(resource, routes),
  };
  const requests = new RecordRequests();
  requests.publish([]);
  const pass = () => reconcileDns({ reader, config, route53, records: requests, outcomes, clock, logger: silentLogger }, state);
  const settle = () => settleRoute53(pass, clock);
  const outcome = (name = "shop"): DnsOutcome | undefined => {
    const lookup = outcomes.lookup(`team-a/${name}`);
    return lookup.known ? lookup.outcome : undefined;
  };
  const condition = (name = "shop") => {
    const status = dnsStatus(routes.find((r) => r.metadata.name === name)!, outcomes.lookup(`team-a/${name}`), config);
    return `${status?.condition.status} ${status?.condition.reason}`;
  };
  const zone = () => zoneLines(route53, ZONE);

  beforeEach(() => {
    route53 = fixtureZones();
    clock = new ManualClock();
    state = new DnsState();
    outcomes = new DnsOutcomes();
    // RegionBound to this cluster's region: simple records, as on a single-region platform.
    config = regionConfig("weu", { regionMode: { mode: "RegionBound", sourceRegion: "weu" } });
    routes = [dnsRoute("shop", { lb: "alb-in" }), dnsRoute("blog", { lb: "alb-in" })];
    service = gatewayService({ ip: "203.0.113.7" });
  });

  test("the gateway record holds the Service's address and the routes CNAME to the gateway hostname, each with its TXT owner record", async () => {
    await settle();
    assert.deepEqual(zone(), [
      `A ${GW} 203.0.113.7`,
      "CNAME blog.example.com aks01-weu-internal.example.com",
      "CNAME shop.example.com aks01-weu-internal.example.com",
      `TXT a-${GW}`,
      "TXT cname-blog.example.com",
      "TXT cname-shop.example.com",
    ]);
    const txt = route53.peek(ZONE).find((r) => r.name === `a-${GW}`);
    assert.match(txt?.values?.[0] ?? "", /external-dns\/owner=aks01-weu,external-dns\/resource=gateway\/istio-system\/internal-gateway"$/);
    assert.equal(condition(), "True RecordsReady");
    assert.equal(route53.peek(ZONE).find((r) => r.name === GW)?.ttl, 60);
  });

  test("a new gateway address changes the gateway record alone: one request, every change at the gateway hostname", async () => {
    await settle();
    const before = route53.calls.filter((c) => c.operation === "changeRecords").length;
    service = gatewayService({ ip: "203.0.113.99" });
    await pass();
    const sent = route53.calls.filter((c) => c.operation === "changeRecords").slice(before);
    assert.equal(sent.length, 1, "one request");
    assert.deepEqual(
      sent[0]!.changes!.map((c) => `${c.action} ${c.record.type} ${c.record.name}${c.record.type === "A" ? ` ${c.record.values?.join(",")}` : ""}`),
      [`DELETE A ${GW} 203.0.113.7`, `CREATE A ${GW} 203.0.113.99`],
    );
    assert.equal(outcome()?.kind, "waiting", "the routes wait for the gateway change to be INSYNC");
    await settle();
    assert.equal(condition(), "True RecordsReady");
    assert.ok(zone().includes(`A ${GW} 203.0.113.99`));
  });

  test("a gateway that moves from an IP to a host name swaps its A for a CNAME; the routes' records stay as they are", async () => {
    await settle();
    const routeRecords = () => route53.peek(ZONE).filter((r) => r.name.startsWith("shop.") || r.name.startsWith("blog."));
    const before = routeRecords();
    service = gatewayService({ hostname: "k8s-gw-1.elb.eu-west-1.amazonaws.com" });
    await settle();
    assert.ok(zone().includes(`CNAME ${GW} k8s-gw-1.elb.eu-west-1.amazonaws.com`));
    assert.ok(!zone().includes(`A ${GW} 203.0.113.7`));
    assert.deepEqual(routeRecords(), before);
    assert.equal(condition(), "True RecordsReady");
  });

  test("without an address the routes get their CNAME and say they wait for the gateway, naming why; the address arriving publishes the gateway record alone", async () => {
    service = gatewayService();
    await settle();
    assert.deepEqual(zone(), [
      "CNAME blog.example.com aks01-weu-internal.example.com",
      "CNAME shop.example.com aks01-weu-internal.example.com",
      "TXT cname-blog.example.com",
      "TXT cname-shop.example.com",
    ]);
    assert.equal(condition(), "Unknown GatewayAddressPending");
    const waiting = outcome();
    assert.match(
      waiting?.kind === "waiting" ? waiting.message : "",
      new RegExp(
        "^the gateway record aks01-weu-internal\\.example\\.com \\(the address of Service istio-system/internal-gateway\\), which the route's CNAME points at, " +
          "is not published: Service istio-system/internal-gateway has no address in status\\.loadBalancer\\.ingress yet",
      ),
    );
    assert.deepEqual(
      waiting?.kind === "waiting" ? waiting.records.map((r) => `${r.type} ${r.name} ${r.region}`) : [],
      ["CNAME shop.example.com eus", "CNAME shop.example.com weu"],
      "status.dns lists the route's own records",
    );

    const before = route53.calls.filter((c) => c.operation === "changeRecords").length;
    service = gatewayService({ ip: "203.0.113.7" });
    await pass();
    const sent = route53.calls.filter((c) => c.operation === "changeRecords").slice(before);
    assert.deepEqual(
      sent.flatMap((c) => c.changes!.map((x) => `${x.action} ${x.record.type} ${x.record.name}`)),
      [`CREATE A ${GW}`, `CREATE TXT a-${GW}`],
    );
    await settle();
    assert.equal(condition(), "True RecordsReady");
  });

  test("a gateway whose address goes away keeps its record (a moment without an address must not take every route off the air)", async () => {
    await settle();
    service = gatewayService();
    const before = route53.calls.filter((c) => c.operation === "changeRecords").length;
    await settle();
    assert.equal(route53.calls.filter((c) => c.operation === "changeRecords").length, before, "nothing deleted");
    assert.ok(zone().includes(`A ${GW} 203.0.113.7`));
    assert.equal(condition(), "Unknown GatewayAddressPending");
  });

  test("a gateway record held by someone else leaves the routes waiting with that reason", async () => {
    route53.seed(ZONE, { name: GW, type: "A", ttl: 300, values: ["198.51.100.1"] });
    await settle();
    assert.equal(condition(), "Unknown GatewayAddressPending");
    const waiting = outcome();
    assert.match(
      waiting?.kind === "waiting" ? waiting.message : "",
      /is not published: A aks01-weu-internal\.example\.com exists and hostgate does not own it/,
    );
    assert.ok(zone().includes(`A ${GW} 198.51.100.1`), "the foreign record stays");
  });

  test("a load balancer entry that is no longer two-step has its gateway record deleted", async () => {
    await settle();
    routes = [];
    const { service: _service, gatewayHostname: _hostname, ...rest } = config.loadBalancers["alb-in"];
    config = {
      ...config,
      loadBalancers: { ...config.loadBalancers, "alb-in": { ...rest, dnsName: "internal-1.us-east-1.elb.amazonaws.com", hostedZoneId: "Z35SXDOTRQ7X7K" } },
    };
    await settle();
    assert.deepEqual(zone(), []);
  });

  test("an entry switched to another gateway Service keeps the old Service's record until the new one has an address, then swaps it in one group", async () => {
    await settle();
    const lb = config.loadBalancers["alb-in"];
    config = { ...config, loadBalancers: { ...config.loadBalancers, "alb-in": { ...lb, service: { namespace: "istio-system", name: "gw-new" } } } };
    await settle();
    assert.ok(zone().includes(`A ${GW} 203.0.113.7`), "the old record stays while the new Service has no address");
    assert.equal(condition(), "Unknown GatewayAddressPending");
    const before = route53.calls.filter((c) => c.operation === "changeRecords").length;
    const fresh = gatewayService({ ip: "203.0.113.99" });
    service = { ...fresh, metadata: { ...fresh.metadata, name: "gw-new" } };
    await settle();
    const sent = route53.calls.filter((c) => c.operation === "changeRecords").slice(before);
    assert.deepEqual(
      sent.map((c) => c.changes!.map((x) => `${x.action} ${x.record.type} ${x.record.name}${x.record.type === "A" ? ` ${x.record.values?.join(",")}` : ""}`)),
      [[`DELETE A ${GW} 203.0.113.7`, `DELETE TXT a-${GW}`, `CREATE A ${GW} 203.0.113.99`, `CREATE TXT a-${GW}`]],
    );
    assert.match(route53.peek(ZONE).find((r) => r.name === `a-${GW}`)?.values?.[0] ?? "", /resource=gateway\/istio-system\/gw-new"$/);
    assert.equal(condition(), "True RecordsReady");
  });

  test("a gateway hostname changed while the Service has an address: the record moves to the new name and the old one goes", async () => {
    await settle();
    const lb = config.loadBalancers["alb-in"];
    config = { ...config, loadBalancers: { ...config.loadBalancers, "alb-in": { ...lb, gatewayHostname: "gw2-weu.example.com" } } };
    await settle();
    assert.deepEqual(
      zone().filter((r) => r.includes("internal") || r.includes("gw2")),
      [
        "A gw2-weu.example.com 203.0.113.7",
        "CNAME blog.example.com gw2-weu.example.com",
        "CNAME shop.example.com gw2-weu.example.com",
        "TXT a-gw2-weu.example.com",
      ],
    );
    assert.equal(condition(), "True RecordsReady");
  });

  // ReservedName (reserved-name-route53.test.ts): a tenant route cannot take the gateway's name by getting there first.
  test("a route at the gateway hostname written while the gateway had no address: the gateway record is published once it has one", async () => {
    routes = [dnsRoute("shop", { lb: "alb-in" }), dnsRoute("hijack", { domain: GW })];
    service = gatewayService();
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
    service = gatewayService();
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

  test("a settled zone sends nothing more (idempotent)", async () => {
    await settle();
    const before = route53.counts.changeRecords;
    await settle();
    assert.equal(route53.counts.changeRecords, before);
  });
});
