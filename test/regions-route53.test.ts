// Regions on the Route53 back end, as the issue's acceptance asks: two
// clusters (aks01-weu in weu, aks01-eus in eus), each with its own DNS
// controller, planner and owner id, sharing one hosted zone (one FakeRoute53
// that enforces Route53's rules for routing-policy records). Active gives one
// latency set per cluster, each cluster touching only its own; RegionBound
// gives one simple record from the source region's cluster; switching modes,
// deleting, and a source region that does not exist. Then the whole
// reconciler: a RegionPolicy appearing re-queues the routes of its namespace
// and DNS, and a gateway Service's new address reaches the gateway record.
import { beforeEach, describe, test } from "node:test";
import assert from "node:assert/strict";
import { ManualClock } from "../core/clock.ts";
import type { PlatformConfig } from "../core/config/platform-config.ts";
import type { KubeObject } from "../core/kube/object-key.ts";
import { FakeKubeApi } from "../core/kube/testing/fake-kube-api.ts";
import { silentLogger } from "../core/logger.ts";
import type { DomainRoute, RegionPolicy } from "../crds/types.ts";
import { claimFor } from "../reconciler/app-id-table/testing/fixtures.ts";
import type { ObjectReader } from "../reconciler/cluster/object-reader.ts";
import { dnsStatus } from "../reconciler/dns/dns-condition.ts";
import { DnsOutcomes } from "../reconciler/dns/dns-outcomes.ts";
import { DnsState } from "../reconciler/dns/dns-state.ts";
import { RecordRequests } from "../reconciler/dns/record-requests.ts";
import { reconcileDns } from "../reconciler/dns/reconcile-dns.ts";
import type { FakeRoute53 } from "../reconciler/dns/route53/testing/fake-route53.ts";
import { dnsRoute, ZONE } from "../reconciler/dns/testing/dns-fixtures.ts";
import { fixtureZones } from "../reconciler/dns/testing/fixture-zones.ts";
import { CLUSTERS, GATEWAY_SERVICE, gatewayService, regionConfig, regionPolicy } from "../reconciler/dns/testing/region-fixtures.ts";
import { DOMAIN_CLAIMS, DOMAIN_ROUTES, REGION_POLICIES, SERVICES } from "../reconciler/resources.ts";
import { startManager, until } from "./edge/edge-cluster.ts";

/** One cluster's DNS controller: its own config, cache of routes and policies, state and outcomes. */
class Cluster {
  readonly config: PlatformConfig;
  readonly state = new DnsState();
  readonly outcomes = new DnsOutcomes();
  routes: DomainRoute[] = [];
  policies: RegionPolicy[] = [];
  readonly #requests = new RecordRequests();
  readonly #reader: ObjectReader;

  /** `ownerId`: an explicit dns.ownerId instead of the default (the cluster name). */
  constructor(region: "weu" | "eus", ownerId?: string) {
    const config = regionConfig(region);
    this.config = ownerId === undefined ? config : { ...config, dns: { ...config.dns, ownerId } };
    this.#requests.publish([]);
    this.#reader = {
      get: () => undefined,
      list: (resource) =>
        (resource === DOMAIN_ROUTES
          ? this.routes
          : resource === DOMAIN_CLAIMS
            ? this.routes.map((r) => claimFor(r))
            : resource === REGION_POLICIES
              ? this.policies
              : []) as unknown as KubeObject[],
    };
  }

  pass(route53: FakeRoute53, clock: ManualClock) {
    return reconcileDns(
      { reader: this.#reader, config: this.config, route53, records: this.#requests, outcomes: this.outcomes, clock, logger: silentLogger },
      this.state,
    );
  }

  /** DNSReady as the route controller would write it. */
  condition(name = "shop"): string {
    const route = this.routes.find((r) => r.metadata.name === name) ?? dnsRoute(name);
    const status = dnsStatus(route, this.outcomes.lookup(`team-a/${name}`), this.config);
    return `${status?.condition.status} ${status?.condition.reason}`;
  }

  statusDns(name = "shop") {
    const route = this.routes.find((r) => r.metadata.name === name)!;
    return dnsStatus(route, this.outcomes.lookup(`team-a/${name}`), this.config)?.records;
  }
}

/** Both clusters' latency sets for shop.example.com, each with its own TXT (same set identifier and region, its owner id). */
const BOTH_LATENCY_SETS = [
  "A shop.example.com [aks01-eus us-east-1]",
  "A shop.example.com [aks01-weu eu-west-1]",
  "TXT a-shop.example.com [aks01-eus us-east-1] aks01-eus",
  "TXT a-shop.example.com [aks01-weu eu-west-1] aks01-weu",
];

describe("two clusters' DNS controllers sharing one Route53 zone", () => {
  let route53: FakeRoute53;
  let clock: ManualClock;
  let weu: Cluster;
  let eus: Cluster;

  /** Both clusters' controllers pass, in turn, until Route53 has applied everything (each pass polls INSYNC). */
  const settle = async (...clusters: Cluster[]) => {
    for (let i = 0; i < 4; i++) {
      for (const cluster of clusters) await cluster.pass(route53, clock);
      clock.advance(5000);
    }
  };
  const zone = () =>
    route53
      .peek(ZONE)
      .map(
        (r) =>
          `${r.type} ${r.name}${r.setIdentifier === undefined ? "" : ` [${r.setIdentifier} ${r.region}]`}${r.type === "TXT" ? ` ${ownerOf(r.values)}` : ""}`,
      )
      .sort();
  /**
   * Each controller keeps its zone's records between passes and reads them
   * again only every dns.resyncInterval (5m here) or after Route53 refused a
   * change: what the other cluster wrote meanwhile is seen then. A mode
   * switch therefore settles within one resync interval on every cluster.
   */
  const resync = () => clock.advance(5 * 60_000);
  const ownerOf = (values: readonly string[] | undefined) => /owner=([^,"]+)/.exec(values?.[0] ?? "")?.[1] ?? "";
  const changes = () => route53.counts.changeRecords;

  beforeEach(() => {
    route53 = fixtureZones();
    clock = new ManualClock();
    weu = new Cluster("weu");
    eus = new Cluster("eus");
    weu.routes = [dnsRoute("shop", { uid: "uid-shop-weu" })];
    eus.routes = [dnsRoute("shop", { uid: "uid-shop-eus" })];
  });

  test("Active: each cluster holds its own latency set (set identifier its name, region its AWS region) with its own TXT, and neither touches the other's", async () => {
    await settle(weu, eus);
    assert.deepEqual(zone(), BOTH_LATENCY_SETS);
    assert.equal(weu.condition(), "True RecordsReady");
    assert.equal(eus.condition(), "True RecordsReady");
    assert.deepEqual(weu.statusDns(), [
      { name: "shop.example.com", type: "A", target: "public-1.us-east-1.elb.amazonaws.com", zoneId: ZONE, region: "weu", setIdentifier: "aks01-weu" },
    ]);
    const before = changes();
    await settle(weu, eus);
    assert.equal(changes(), before, "settled: neither cluster changes anything more (idempotent)");
  });

  test("deleting the route in one cluster removes only that cluster's set", async () => {
    await settle(weu, eus);
    weu.routes = [dnsRoute("shop", { uid: "uid-shop-weu", deleting: true })];
    await settle(weu, eus);
    assert.deepEqual(zone(), ["A shop.example.com [aks01-eus us-east-1]", "TXT a-shop.example.com [aks01-eus us-east-1] aks01-eus"]);
    const released = weu.outcomes.lookup("team-a/shop");
    assert.equal(released.known ? released.outcome?.kind : undefined, "released");
    assert.equal(eus.condition(), "True RecordsReady");
  });

  test("two clusters given one dns.ownerId by mistake still keep to their own set identifiers: no churn, and a deletion removes one set and releases", async () => {
    weu = new Cluster("weu", "hostgate");
    eus = new Cluster("eus", "hostgate");
    weu.routes = [dnsRoute("shop", { uid: "uid-shop-weu" })];
    eus.routes = [dnsRoute("shop", { uid: "uid-shop-eus" })];
    await settle(weu, eus);
    resync();
    await settle(weu, eus);
    const both = ["A shop.example.com [aks01-eus us-east-1]", "A shop.example.com [aks01-weu eu-west-1]"];
    assert.deepEqual(
      zone().filter((r) => r.startsWith("A ")),
      both,
    );
    const before = changes();
    resync();
    await settle(weu, eus);
    assert.equal(changes(), before, "neither cluster deletes the other's set after reading it");
    weu.routes = [dnsRoute("shop", { uid: "uid-shop-weu", deleting: true })];
    resync();
    await settle(weu, eus);
    assert.deepEqual(zone(), ["A shop.example.com [aks01-eus us-east-1]", "TXT a-shop.example.com [aks01-eus us-east-1] hostgate"]);
    const released = weu.outcomes.lookup("team-a/shop");
    assert.equal(released.known ? released.outcome?.kind : undefined, "released", "the other cluster's TXT (same owner id) does not keep it releasing");
    assert.equal(eus.condition(), "True RecordsReady");
  });

  test("a tenant of another namespace in the other region cannot join a latency name published for a team: refused, naming the team, nothing written", async () => {
    eus.routes = [dnsRoute("shop", { uid: "uid-shop-eus", namespace: "team-b" })];
    await settle(weu);
    await settle(eus);
    assert.deepEqual(zone(), ["A shop.example.com [aks01-weu eu-west-1]", "TXT a-shop.example.com [aks01-weu eu-west-1] aks01-weu"]);
    const refused = eus.outcomes.lookup("team-b/shop");
    const outcome = refused.known ? refused.outcome : undefined;
    assert.equal(outcome?.kind === "refused" ? outcome.reason : outcome?.kind, "RecordOwnedElsewhere");
    assert.match(
      outcome?.kind === "refused" ? outcome.message : "",
      /this cluster joins it only for a DomainRoute in namespace team-a \(this is domainroute\/team-b\/shop\)/,
    );
    assert.equal(weu.condition(), "True RecordsReady");
  });

  test("RegionBound from the start: the source cluster holds one simple record for every region, the other publishes nothing and says who does", async () => {
    weu.policies = [regionPolicy("team-a", "RegionBound", "weu")];
    eus.policies = [regionPolicy("team-a", "RegionBound", "weu")];
    await settle(weu, eus);
    assert.deepEqual(zone(), ["A shop.example.com", "TXT a-shop.example.com aks01-weu"]);
    assert.equal(weu.condition(), "True RecordsReady");
    assert.deepEqual(
      weu.statusDns()?.map((r) => `${r.type} ${r.name} ${r.region} ${r.setIdentifier}`),
      ["A shop.example.com eus undefined", "A shop.example.com weu undefined"],
      "listed per region, without a set identifier",
    );
    assert.equal(eus.condition(), "True PublishedBySourceRegion");
    assert.deepEqual(eus.statusDns(), undefined, "nothing listed where nothing is published");
  });

  test("Active → RegionBound: the other cluster deletes its set, the source cluster replaces its own set with the simple record once the name is free", async () => {
    await settle(weu, eus);
    weu.policies = [regionPolicy("team-a", "RegionBound", "weu")];
    eus.policies = [regionPolicy("team-a", "RegionBound", "weu")];
    // The source cluster first. Its cached zone predates eus's set, so it sends its switch and Route53 refuses
    // a simple record beside a latency set; it reads the zone again and then waits, naming eus's set.
    await weu.pass(route53, clock);
    assert.equal(weu.condition(), "False ChangeRejected");
    await weu.pass(route53, clock);
    assert.equal(weu.condition(), "False RecordOwnedElsewhere");
    const outcome = weu.outcomes.lookup("team-a/shop");
    assert.match(outcome.known && outcome.outcome?.kind === "refused" ? outcome.outcome.message : "", /set identifier aks01-eus .*owned by aks01-eus/);
    assert.ok(zone().includes("A shop.example.com [aks01-eus us-east-1]"), "eus's set is not weu's to delete");
    await settle(eus, weu);
    resync();
    await settle(eus, weu);
    assert.deepEqual(zone(), ["A shop.example.com", "TXT a-shop.example.com aks01-weu"]);
    assert.equal(weu.condition(), "True RecordsReady");
    assert.equal(eus.condition(), "True PublishedBySourceRegion");
    const before = changes();
    await settle(weu, eus);
    assert.equal(changes(), before, "settled (idempotent)");
  });

  test("RegionBound → Active: the source cluster's simple record becomes its latency set, and the other cluster's set joins it", async () => {
    weu.policies = [regionPolicy("team-a", "RegionBound", "weu")];
    eus.policies = [regionPolicy("team-a", "RegionBound", "weu")];
    await settle(weu, eus);
    weu.policies = [];
    eus.policies = [];
    await settle(eus, weu);
    resync();
    await settle(eus, weu);
    assert.deepEqual(zone(), BOTH_LATENCY_SETS);
    assert.equal(weu.condition(), "True RecordsReady");
    assert.equal(eus.condition(), "True RecordsReady");
  });

  test("a source region that does not exist: nothing published, the earlier set removed, DNSReady False UnknownSourceRegion naming it", async () => {
    await settle(weu, eus);
    weu.routes = [dnsRoute("shop", { uid: "uid-shop-weu", dns: { mode: "RegionBound", sourceRegion: "apac" } })];
    await settle(weu, eus);
    assert.equal(weu.condition(), "False UnknownSourceRegion");
    assert.deepEqual(zone(), ["A shop.example.com [aks01-eus us-east-1]", "TXT a-shop.example.com [aks01-eus us-east-1] aks01-eus"]);
    const status = dnsStatus(weu.routes[0]!, weu.outcomes.lookup("team-a/shop"), weu.config);
    assert.match(status?.condition.message ?? "", /^spec\.dns\.sourceRegion names region apac, which is not one of the platform's regions \(weu, eus\)/);
  });

  test("records others hold in the zone stay as they are through every switch", async () => {
    const foreign = [
      { name: "www.example.com", type: "A", ttl: 300, values: ["192.0.2.10"] },
      { name: "api.example.com", type: "A", ttl: 60, values: ["192.0.2.11"], setIdentifier: "other-team", region: "eu-west-1" },
    ];
    route53.seed(ZONE, ...foreign);
    await settle(weu, eus);
    weu.policies = [regionPolicy("team-a", "RegionBound", "eus")];
    eus.policies = [regionPolicy("team-a", "RegionBound", "eus")];
    await settle(weu, eus);
    resync();
    await settle(weu, eus);
    for (const record of foreign) assert.ok(route53.peek(ZONE).some((r) => r.name === record.name && r.setIdentifier === record.setIdentifier));
    assert.equal(eus.condition(), "True RecordsReady");
    assert.equal(weu.condition(), "True PublishedBySourceRegion");
  });
});

describe("the whole reconciler across regions with Route53", () => {
  /** Far less than dns.resyncInterval (5m) and the informers' resync: only an event can bring a change this soon. */
  const WITHIN_EVENT_MS = 60_000;
  const route = (lb: "alb-out" | "alb-in"): KubeObject => ({
    apiVersion: "hostgate.dev/v1alpha1",
    kind: "DomainRoute",
    metadata: { name: "shop", namespace: "team-a" },
    spec: { domain: "shop.example.com", lb, routing: { mode: "Managed" }, backend: { service: { name: "web", port: 8080 } } },
  });
  const condition = (api: FakeKubeApi) => {
    const r = api.server.get(DOMAIN_ROUTES, { namespace: "team-a", name: "shop" }) as unknown as DomainRoute | undefined;
    const c = r?.status?.conditions?.find((x) => x.type === "DNSReady");
    return c === undefined ? undefined : `${c.status} ${c.reason}`;
  };
  const start = (api: FakeKubeApi, clock: ManualClock, route53: FakeRoute53) => startManager(api, clock, { route53 }, regionConfig("eus"));

  test("a RegionPolicy created in the route's namespace re-queues it and DNS: the latency set goes and DNSReady says the source region publishes", async () => {
    const clock = new ManualClock();
    const api = new FakeKubeApi();
    const route53 = fixtureZones();
    const manager = start(api, clock, route53);
    try {
      await api.create(DOMAIN_ROUTES, route("alb-out"));
      await until("the latency set is in place", clock, () => condition(api) === "True RecordsReady");
      assert.ok(route53.peek(ZONE).some((r) => r.name === "shop.example.com" && r.setIdentifier === "aks01-eus"));
      await api.create(REGION_POLICIES, regionPolicy("team-a", "RegionBound", "weu") as unknown as KubeObject);
      // Well within dns.resyncInterval (5m): the RegionPolicy's event, not a resync, brings this.
      await until("the route says weu publishes it", clock, () => condition(api) === "True PublishedBySourceRegion", WITHIN_EVENT_MS);
      await until("the latency set is gone", clock, () => !route53.peek(ZONE).some((r) => r.name.endsWith("shop.example.com")), WITHIN_EVENT_MS);
    } finally {
      await manager.stop();
    }
  });

  test("a gateway Service's new address reaches the gateway record without any route event; the route's CNAME is not rewritten", async () => {
    const clock = new ManualClock();
    const api = new FakeKubeApi();
    const route53 = fixtureZones();
    await api.create(SERVICES, gatewayService());
    const manager = start(api, clock, route53);
    try {
      await api.create(DOMAIN_ROUTES, route("alb-in"));
      await until("the route waits for the gateway", clock, () => condition(api) === "Unknown GatewayAddressPending");
      const gateway = (await api.get(SERVICES, GATEWAY_SERVICE))!;
      await api.updateStatus(SERVICES, { ...gateway, status: { loadBalancer: { ingress: [{ ip: "203.0.113.7" }] } } });
      // Well within dns.resyncInterval (5m): the Service's event, not a resync, brings this.
      await until("the gateway record is published and the route Ready", clock, () => condition(api) === "True RecordsReady", WITHIN_EVENT_MS);
      const at = CLUSTERS.eus.gatewayHostname;
      assert.deepEqual(route53.peek(ZONE).find((r) => r.name === at && r.type === "A")?.values, ["203.0.113.7"]);
      const sent = route53.calls.filter((c) => c.operation === "changeRecords").length;
      const current = (await api.get(SERVICES, GATEWAY_SERVICE))!;
      await api.updateStatus(SERVICES, { ...current, status: { loadBalancer: { ingress: [{ ip: "203.0.113.99" }] } } });
      await until(
        "the gateway record holds the new address",
        clock,
        () => route53.peek(ZONE).some((r) => r.name === at && r.values?.[0] === "203.0.113.99"),
        WITHIN_EVENT_MS,
      );
      const after = route53.calls.filter((c) => c.operation === "changeRecords").slice(sent);
      assert.equal(after.length, 1, "one request");
      assert.ok(
        after[0]!.changes!.every((c) => c.record.name === at),
        "only the gateway record",
      );
    } finally {
      await manager.stop();
    }
  });
});
