import { describe, test } from "node:test";
import assert from "node:assert/strict";
import type { DnsRecordStatus, DomainRoute } from "../../crds/types.ts";
import type { OutcomeLookup } from "../status/outcomes.ts";
import { dnsReleased, dnsStatus } from "./dns-condition.ts";
import type { DnsOutcome } from "./dns-outcomes.ts";
import { dnsConfig, dnsRoute, ZONE } from "./testing/dns-fixtures.ts";

const records: DnsRecordStatus[] = [{ name: "shop.example.com", type: "A", target: "public-1.us-east-1.elb.amazonaws.com", zoneId: ZONE }];
const latency: DnsRecordStatus[] = [{ ...records[0]!, region: "weu", setIdentifier: "aks01-weu" }];
const everyRegion: DnsRecordStatus[] = [
  { ...records[0]!, region: "eus" },
  { ...records[0]!, region: "weu" },
];
const gatewayCname: DnsRecordStatus[] = [{ name: "shop.example.com", type: "CNAME", target: "aks01-weu-internal.example.com", zoneId: ZONE, region: "weu" }];
const route = dnsRoute("shop");
const known = (outcome?: DnsOutcome): OutcomeLookup<DnsOutcome> => (outcome === undefined ? { known: true } : { known: true, outcome });
const withStatus = (status: DomainRoute["status"]): DomainRoute => ({ ...route, status });
const route53 = dnsConfig();

describe("DNSReady from the DNS controller's outcome", () => {
  const cases: { name: string; route?: DomainRoute; lookup: OutcomeLookup<DnsOutcome>; expected: string; records?: DnsRecordStatus[]; message?: RegExp }[] = [
    {
      name: "ready records make DNSReady True and are listed",
      lookup: known({ kind: "ready", uid: "uid-shop", records }),
      expected: "True RecordsReady",
      records,
      message: /^Route53 holds A shop\.example\.com → public-1\.us-east-1\.elb\.amazonaws\.com in zone Z0123456789ABC, in sync$/,
    },
    {
      name: "records not yet INSYNC make DNSReady False RecordsPending and are listed",
      lookup: known({ kind: "pending", uid: "uid-shop", records }),
      expected: "False RecordsPending",
      records,
      message: /waiting for INSYNC/,
    },
    {
      name: "an Active cluster's latency record is listed with its region and set identifier, said once in the message",
      lookup: known({ kind: "ready", uid: "uid-shop", records: latency }),
      expected: "True RecordsReady",
      records: latency,
      message:
        /^Route53 holds A shop\.example\.com → public-1\.us-east-1\.elb\.amazonaws\.com \(set aks01-weu\) in zone Z0123456789ABC for region weu, in sync$/,
    },
    {
      name: "a RegionBound source's one simple record is listed per region, and the message says it once for all of them",
      lookup: known({ kind: "ready", uid: "uid-shop", records: everyRegion }),
      expected: "True RecordsReady",
      records: everyRegion,
      message: /^Route53 holds A shop\.example\.com → public-1\.us-east-1\.elb\.amazonaws\.com in zone Z0123456789ABC for regions eus, weu, in sync$/,
    },
    {
      name: "RegionBound elsewhere is True PublishedBySourceRegion with nothing listed",
      route: withStatus({ dns: records }),
      lookup: known({ kind: "elsewhere", uid: "uid-shop", sourceRegion: "weu", message: "the cluster in weu publishes" }),
      expected: "True PublishedBySourceRegion",
      message: /^the cluster in weu publishes$/,
    },
    {
      name: "a source region the config does not list is False UnknownSourceRegion with nothing listed",
      route: withStatus({ dns: records }),
      lookup: known({ kind: "refused", uid: "uid-shop", reason: "UnknownSourceRegion", message: "spec.dns.sourceRegion names region apac" }),
      expected: "False UnknownSourceRegion",
      message: /names region apac/,
    },
    {
      name: "a route whose CNAME is in place but whose gateway record is not is Unknown GatewayAddressPending, its CNAME listed",
      lookup: known({
        kind: "waiting",
        uid: "uid-shop",
        reason: "GatewayAddressPending",
        message: "the gateway record is not published",
        records: gatewayCname,
      }),
      expected: "Unknown GatewayAddressPending",
      records: gatewayCname,
      message: /^the gateway record is not published$/,
    },
    {
      name: "a record owned elsewhere shows its reason and message",
      lookup: known({ kind: "refused", uid: "uid-shop", reason: "RecordOwnedElsewhere", message: "A shop.example.com exists and hostgate does not own it" }),
      expected: "False RecordOwnedElsewhere",
      message: /^A shop\.example\.com exists and hostgate does not own it$/,
    },
    {
      name: "a CNAME at the apex is refused with CnameAtApex",
      lookup: known({ kind: "refused", uid: "uid-shop", reason: "CnameAtApex", message: "no CNAME at the apex" }),
      expected: "False CnameAtApex",
    },
    {
      name: "a Route53 outage fails the condition and keeps status.dns as it was",
      route: withStatus({ dns: records }),
      lookup: known({ kind: "failed", uid: "uid-shop", reason: "Route53Unavailable", message: "Route53 did not answer" }),
      expected: "False Route53Unavailable",
      records,
    },
    {
      name: "a route without its claim gets no record: NotClaimed",
      lookup: known({ kind: "unclaimed", uid: "uid-shop" }),
      expected: "False NotClaimed",
      message: /does not hold the DomainClaim for shop\.example\.com/,
    },
    {
      name: "a route being deleted whose records are still there: RecordsReleasing",
      lookup: known({ kind: "releasing", uid: "uid-shop", message: "Route53 refused to delete the route's records: x" }),
      expected: "False RecordsReleasing",
      message: /being removed: Route53 refused to delete/,
    },
    { name: "a route whose records are gone: RecordsReleased", lookup: known({ kind: "released", uid: "uid-shop" }), expected: "False RecordsReleased" },
    {
      name: "an outcome decided for another incarnation of the route is not this one's: DNSPending",
      lookup: known({ kind: "ready", uid: "uid-before", records }),
      expected: "Unknown DNSPending",
    },
    { name: "a route the last pass said nothing about is pending", lookup: known(), expected: "Unknown DNSPending" },
    { name: "before the first pass of the term a route without DNSReady is pending", lookup: { known: false }, expected: "Unknown DNSPending" },
    {
      name: "before the first pass of the term a route keeps the DNSReady and status.dns it has (a restart writes nothing)",
      route: withStatus({
        dns: records,
        conditions: [{ type: "DNSReady", status: "True", reason: "RecordsReady", message: "as written before", lastTransitionTime: "2030-01-01T00:00:00Z" }],
      }),
      lookup: { known: false },
      expected: "True RecordsReady",
      records,
      message: /^as written before$/,
    },
  ];
  for (const c of cases) {
    test(c.name, () => {
      const status = dnsStatus(c.route ?? route, c.lookup, route53);
      assert.ok(status !== undefined);
      assert.equal(`${status.condition.status} ${status.condition.reason}`, c.expected);
      assert.equal(status.condition.type, "DNSReady");
      assert.deepEqual(status.records, c.records);
      if (c.message !== undefined) assert.match(status.condition.message, c.message);
    });
  }

  test("with dns.provider none DNSReady is True NotManaged and status.dns is left out", () =>
    assert.deepEqual(dnsStatus(route, { known: false }, dnsConfig({ dns: { provider: "none" } })), {
      condition: { type: "DNSReady", status: "True", reason: "NotManaged", message: "the platform manages DNS records outside hostgate (dns.provider none)" },
    }));

  test("with dns.provider external-dns the condition is left to the DNSEndpoint code", () =>
    assert.equal(dnsStatus(route, known({ kind: "ready", uid: "uid-shop", records }), dnsConfig({ dns: { provider: "external-dns" } })), undefined));
});

describe("whether DNS lets a deleted route's finalizer go", () => {
  const deleting = dnsRoute("shop", { deleting: true });
  const cases: { name: string; lookup: OutcomeLookup<DnsOutcome>; provider?: "none" | "external-dns"; released: boolean }[] = [
    { name: "released records let it go", lookup: known({ kind: "released", uid: "uid-shop" }), released: true },
    { name: "records still being removed hold it", lookup: known({ kind: "releasing", uid: "uid-shop" }), released: false },
    { name: "an outcome from before the deletion was seen holds it", lookup: known({ kind: "ready", uid: "uid-shop", records }), released: false },
    { name: "another incarnation's release does not let this one go", lookup: known({ kind: "released", uid: "uid-before" }), released: false },
    { name: "no pass yet in this term holds it", lookup: { known: false }, released: false },
    { name: "no outcome for the route holds it", lookup: known(), released: false },
    { name: "with provider none hostgate wrote nothing: it may go", lookup: { known: false }, provider: "none", released: true },
    { name: "with provider external-dns the DNSEndpoint goes with the route: it may go", lookup: { known: false }, provider: "external-dns", released: true },
  ];
  for (const c of cases) {
    test(c.name, () =>
      assert.equal(dnsReleased(deleting, c.lookup, c.provider === undefined ? route53 : dnsConfig({ dns: { provider: c.provider } })), c.released),
    );
  }
});
