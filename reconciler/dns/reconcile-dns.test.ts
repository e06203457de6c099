import { beforeEach, describe, test } from "node:test";
import assert from "node:assert/strict";
import { ManualClock } from "../../core/clock.ts";
import { silentLogger } from "../../core/logger.ts";
import { RecordingLogger } from "../../core/testing/recording-logger.ts";
import type { KubeObject } from "../../core/kube/object-key.ts";
import type { PlatformConfig } from "../../core/config/platform-config.ts";
import type { DomainRoute } from "../../crds/types.ts";
import type { ObjectReader } from "../cluster/object-reader.ts";
import { claimFor } from "../app-id-table/testing/fixtures.ts";
import { DOMAIN_CLAIMS, DOMAIN_ROUTES } from "../resources.ts";
import { dnsStatus } from "./dns-condition.ts";
import type { DnsOutcome } from "./dns-outcomes.ts";
import { DnsOutcomes } from "./dns-outcomes.ts";
import { DnsState } from "./dns-state.ts";
import { RecordRequests } from "./record-requests.ts";
import { CHANGE_POLL_MS, reconcileDns, REJECTED_RETRY_MS } from "./reconcile-dns.ts";
import type { DnsReconcilerDeps } from "./reconcile-dns.ts";
import type { DnsRecord } from "./route53-port.ts";
import { Route53UnavailableError } from "./route53-port.ts";
import type { FakeRoute53 } from "./route53/testing/fake-route53.ts";
import { fixtureZones } from "./testing/fixture-zones.ts";
import { aliasRecord, cnameRecord, dnsConfig, dnsRoute, OWNER_ID, ownedBy, PRIVATE_ZONE, txtRecord, ZONE } from "./testing/dns-fixtures.ts";

const RESYNC_MS = 5 * 60_000;
const CERT = "certificate/hostgate-system/wildcard-example-com";
const validation = cnameRecord("_3f2a.example.com", "_9c1d.acm-validations.aws");

describe("reconciling DNS with Route53", () => {
  let route53: FakeRoute53;
  let clock: ManualClock;
  let state: DnsState;
  let routes: DomainRoute[];
  let holders: DomainRoute[];
  let requests: RecordRequests;
  let outcomes: DnsOutcomes;
  let config: PlatformConfig;

  const reader: ObjectReader = {
    get: () => undefined,
    list: (resource) => (resource === DOMAIN_ROUTES ? routes : resource === DOMAIN_CLAIMS ? holders.map((r) => claimFor(r)) : []) as unknown as KubeObject[],
  };
  const deps = (): DnsReconcilerDeps => ({ reader, config, route53, records: requests, outcomes, clock, logger: silentLogger });
  const pass = () => reconcileDns(deps(), state);
  const outcome = (name: string): DnsOutcome | undefined => {
    const lookup = outcomes.lookup(`team-a/${name}`);
    return lookup.known ? lookup.outcome : undefined;
  };
  const kind = (name: string) => {
    const o = outcome(name);
    return o === undefined ? undefined : "reason" in o ? `${o.kind} ${o.reason}` : o.kind;
  };
  /** Holding routes: each holds the claim for its domain. */
  const add = (...added: DomainRoute[]) => {
    routes.push(...added);
    holders.push(...added);
  };
  const zone = (zoneId = ZONE) =>
    route53
      .peek(zoneId)
      .map((r) => `${r.type} ${r.name}`)
      .sort();
  /** A change to Route53 made behind the controller's back (by hand, in the console). */
  const byHand = (...changes: Parameters<FakeRoute53["changeRecords"]>[1]) => route53.changeRecords(ZONE, changes);
  const requestCounts = () => ({ ...route53.counts });

  beforeEach(() => {
    route53 = fixtureZones();
    clock = new ManualClock();
    state = new DnsState();
    routes = [];
    holders = [];
    requests = new RecordRequests();
    requests.publish([]);
    outcomes = new DnsOutcomes();
    config = dnsConfig();
  });

  test("a new route gets its record and TXT in one request, is pending until Route53 says INSYNC, then ready", async () => {
    add(dnsRoute("shop"));
    const first = await pass();
    assert.deepEqual(zone(), ["A shop.example.com", "TXT a-shop.example.com"]);
    assert.deepEqual(route53.counts, { listRecords: 3, getZone: 0, changeRecords: 1, changeStatus: 0 }, "one list per zone, one change request");
    assert.deepEqual(first, { requeueAfterMs: CHANGE_POLL_MS, changed: ["team-a/shop"] });
    assert.equal(kind("shop"), "pending");
    clock.advance(CHANGE_POLL_MS);
    assert.deepEqual(await pass(), { requeueAfterMs: CHANGE_POLL_MS, changed: [] }, "the fake answers PENDING once");
    clock.advance(CHANGE_POLL_MS);
    const third = await pass();
    assert.deepEqual(third.changed, ["team-a/shop"]);
    assert.deepEqual(outcome("shop"), {
      kind: "ready",
      uid: "uid-shop",
      records: [{ name: "shop.example.com", type: "A", target: "public-1.us-east-1.elb.amazonaws.com", zoneId: ZONE }],
    });
    assert.equal(third.requeueAfterMs, RESYNC_MS - 2 * CHANGE_POLL_MS, "the next resync");
    const status = dnsStatus(routes[0]!, outcomes.lookup("team-a/shop"), config);
    assert.equal(`${status?.condition.status} ${status?.condition.reason}`, "True RecordsReady", "what the route controller will write");
  });

  test("a pass where nothing changed sends no request at all, not even a list", async () => {
    add(dnsRoute("shop"), dnsRoute("blog"));
    route53 = fixtureZones({ pollsUntilInsync: 0 });
    await pass();
    await pass();
    assert.equal(kind("shop"), "ready");
    const before = route53.requests;
    assert.deepEqual(await pass(), { requeueAfterMs: RESYNC_MS, changed: [] });
    assert.equal(route53.requests, before);
  });

  test("a record deleted by hand is restored at the next resync, not before", async () => {
    add(dnsRoute("shop"));
    await pass();
    await byHand({ action: "DELETE", record: aliasRecord("shop.example.com") });
    await pass();
    assert.deepEqual(zone(), ["TXT a-shop.example.com"], "within the resync interval the controller does not read the zone");
    clock.advance(RESYNC_MS);
    await pass();
    assert.deepEqual(zone(), ["A shop.example.com", "TXT a-shop.example.com"]);
  });

  test("a record edited by hand is restored at the next resync", async () => {
    add(dnsRoute("shop"));
    await pass();
    const edited = aliasRecord("shop.example.com", "A", "attacker.example.net");
    await byHand({ action: "DELETE", record: aliasRecord("shop.example.com") }, { action: "CREATE", record: edited });
    clock.advance(RESYNC_MS + 1);
    await pass();
    assert.deepEqual(
      route53.peek(ZONE).find((r) => r.type === "A"),
      aliasRecord("shop.example.com"),
    );
  });

  test("a name held by a record hostgate does not own is never written, and the route says which record holds it", async () => {
    const theirs: DnsRecord = { name: "shop.example.com", type: "A", ttl: 60, values: ["192.0.2.10"] };
    route53.seed(ZONE, theirs);
    add(dnsRoute("shop"));
    await pass();
    assert.deepEqual(route53.peek(ZONE), [theirs]);
    assert.equal(route53.counts.changeRecords, 0);
    const refused = outcome("shop");
    assert.equal(refused?.kind === "refused" && refused.reason, "RecordOwnedElsewhere");
    assert.match(
      refused?.kind === "refused" ? refused.message : "",
      /^A shop\.example\.com exists and hostgate does not own it \(no TXT registry record names an owner\)/,
    );
  });

  test("a deleted route's records are deleted, exactly, and it is released once they are gone", async () => {
    add(dnsRoute("shop"), dnsRoute("blog"));
    await pass();
    routes[0] = dnsRoute("shop", { deleting: true });
    const result = await pass();
    assert.deepEqual(zone(), ["A blog.example.com", "TXT a-blog.example.com"]);
    assert.equal(kind("shop"), "released");
    assert.ok(result.changed.includes("team-a/shop"));
  });

  test("a route gone without its finalizer (removed by hand) has its records deleted: they are hostgate's and nothing wants them", async () => {
    add(dnsRoute("shop"), dnsRoute("blog"));
    await pass();
    routes = routes.filter((r) => r.metadata.name !== "shop");
    holders = holders.filter((r) => r.metadata.name !== "shop");
    await pass();
    assert.deepEqual(zone(), ["A blog.example.com", "TXT a-blog.example.com"]);
  });

  test("a route that loses its claim loses its record", async () => {
    add(dnsRoute("shop"));
    await pass();
    holders = [];
    await pass();
    assert.deepEqual(zone(), []);
    assert.equal(kind("shop"), "unclaimed");
  });

  test("a route moved to its apex's private zone is created there and deleted from the public one", async () => {
    add(dnsRoute("shop"));
    await pass();
    routes[0] = dnsRoute("shop", { dns: { zoneId: PRIVATE_ZONE } });
    holders = [routes[0]];
    await pass();
    assert.deepEqual(zone(ZONE), []);
    assert.deepEqual(zone(PRIVATE_ZONE), ["A shop.example.com", "TXT a-shop.example.com"]);
  });

  test("Route53 unavailable for a zone fails that zone's routes, lets the others go on, and the error goes back for backoff", async () => {
    add(dnsRoute("shop"), dnsRoute("api", { domain: "api.other.org" }));
    route53.failNext(new Route53UnavailableError("Throttling", "Route53 kept answering Throttling: Rate exceeded"));
    await assert.rejects(pass(), (error: unknown) => error instanceof Route53UnavailableError && error.code === "Throttling");
    assert.deepEqual(outcome("shop"), {
      kind: "failed",
      uid: "uid-shop",
      reason: "Route53Unavailable",
      message: `Route53 failed for zone ${ZONE}, so the route's records could not be checked or written: Route53 kept answering Throttling: Rate exceeded`,
    });
    assert.equal(kind("api"), "pending", "the other apex's zone was written");
    await pass();
    assert.deepEqual(zone(), ["A shop.example.com", "TXT a-shop.example.com"], "the failed zone is read and written on the next pass");
    assert.equal(kind("shop"), "pending");
  });

  test("a group Route53 refuses fails its route only; the zone is read again after the retry delay", async () => {
    add(dnsRoute("shop"), dnsRoute("blog"));
    route53.rejectBatchesNaming("shop.example.com", ["Invalid Resource Record: refused for the test"]);
    const result = await pass();
    assert.deepEqual(zone(), ["A blog.example.com", "TXT a-blog.example.com"]);
    assert.deepEqual(outcome("shop"), {
      kind: "failed",
      uid: "uid-shop",
      reason: "ChangeRejected",
      message: "Route53 refused the route's records: Invalid Resource Record: refused for the test",
    });
    assert.equal(kind("blog"), "pending");
    assert.equal(result.requeueAfterMs, CHANGE_POLL_MS);
    route53.clearRejections();
    const lists = route53.counts.listRecords;
    clock.advance(REJECTED_RETRY_MS);
    await pass();
    assert.equal(route53.counts.listRecords, lists + 1, "only the zone with the refusal is read again");
    assert.deepEqual(zone(), ["A blog.example.com", "A shop.example.com", "TXT a-blog.example.com", "TXT a-shop.example.com"]);
  });

  test("requested validation records are written owned, and kept until the requests are known again after a restart", async () => {
    requests.publish([{ zoneId: ZONE, record: validation, resource: CERT }]);
    await pass();
    assert.deepEqual(zone(), ["CNAME _3f2a.example.com", "TXT cname-_3f2a.example.com"]);
    // A restart: nothing published yet in this term.
    state = new DnsState();
    requests = new RecordRequests();
    await pass();
    assert.deepEqual(zone(), ["CNAME _3f2a.example.com", "TXT cname-_3f2a.example.com"], "not deleted while the requests are unknown");
    requests.publish([]);
    await pass();
    assert.deepEqual(zone(), [], "deleted once the requests are known and no longer name it");
  });

  test("a restarted controller on a zone already in place changes nothing and calls the route ready", async () => {
    route53.seed(ZONE, aliasRecord("shop.example.com"), txtRecord("a-shop.example.com", ownedBy(OWNER_ID, "domainroute/team-a/shop")));
    add(dnsRoute("shop"));
    const result = await pass();
    assert.equal(route53.counts.changeRecords, 0);
    assert.equal(kind("shop"), "ready");
    assert.deepEqual(result.changed, ["team-a/shop"]);
  });

  test("a thousand new routes in one zone go out in the fewest requests the limits allow", async () => {
    for (let i = 0; i < 1000; i++) add(dnsRoute(`r${i}`));
    const before = requestCounts();
    await pass();
    // Each route: an alias A (1 record, no value characters) and its TXT (about 100 characters): the 32,000 characters bind first.
    assert.equal(route53.counts.changeRecords - before.changeRecords, 4);
    assert.equal(route53.peek(ZONE).length, 2000);
  });

  test("a request naming a zone the config does not manage is left out and logged once, not on every pass", async () => {
    const logger = new RecordingLogger();
    requests.publish([{ zoneId: "ZUNKNOWN", record: validation, resource: CERT }]);
    await reconcileDns({ ...deps(), logger }, state);
    await reconcileDns({ ...deps(), logger }, state);
    assert.deepEqual(logger.messages("warn"), ["requested DNS records name zones the config does not manage"]);
    assert.deepEqual(zone(), []);
  });

  test("with dns.provider none the controller does nothing", async () => {
    config = dnsConfig({ dns: { provider: "none" } });
    add(dnsRoute("shop"));
    assert.deepEqual(await pass(), { changed: [] });
    assert.equal(route53.requests, 0);
  });

  test("without an owner id the controller refuses to touch Route53", async () => {
    config = dnsConfig({ dns: { ownerId: "" } });
    await assert.rejects(pass(), /dns\.ownerId is required with dns\.provider route53/);
    assert.equal(route53.requests, 0);
  });
});
