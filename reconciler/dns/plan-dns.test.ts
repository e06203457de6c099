import { describe, test } from "node:test";
import assert from "node:assert/strict";
import type { DesiredRecord } from "./desired-records.ts";
import { ownedResources, planZone } from "./plan-dns.ts";
import type { ZonePlan, ZonePlanInput } from "./plan-dns.ts";
import type { DnsRecord } from "./route53-port.ts";
import { FakeRoute53 } from "./route53/testing/fake-route53.ts";
import { ALB_IN, aliasRecord, cnameRecord, OWNER_ID, ownedBy, txtRecord, ZONE } from "./testing/dns-fixtures.ts";
import { CLUSTER_A, CLUSTER_B, latencyAlias, latencyCname, latencyTxt } from "./testing/latency-fixtures.ts";
import { withChanges } from "./zone-records.ts";

const zone = { zoneId: ZONE, apex: "example.com" };
const SHOP = "domainroute/team-a/shop";
const BLOG = "domainroute/team-a/blog";
const CERT = "certificate/hostgate-system/wildcard-example-com";
const ours = (resource = SHOP) => ownedBy(OWNER_ID, resource);
const theirs = '"heritage=external-dns,external-dns/owner=external-dns-prod,external-dns/resource=ingress/web/shop"';
const want = (record: DnsRecord, resource = SHOP): DesiredRecord => ({ zoneId: ZONE, record, resource });
const validation = cnameRecord("_3f2a.shop.example.com", "_9c1d.acm-validations.aws");
const everything = () => true;
const routesOnly = (resource: string) => resource.startsWith("domainroute/");

const plan = (desired: readonly DesiredRecord[], current: readonly DnsRecord[], deletable: ZonePlanInput["deletable"] = everything): ZonePlan =>
  planZone({ zone, ownerId: OWNER_ID, desired, current, deletable });

/** `DELETE A shop.example.com` (`…/aks01-weu` with a set identifier), one line per change, group by group. */
const shown = (p: ZonePlan) =>
  p.groups.map((g) => `${g.key}: ${g.changes.map((c) => `${c.action} ${c.record.type} ${c.record.name}${setOf(c.record)}`).join(", ")}`);
const setOf = (record: DnsRecord) => (record.setIdentifier === undefined ? "" : `/${record.setIdentifier}`);

/** Every group sent to a Route53 fake holding `current`, one request each: all must pass Route53's rules. Returns the zone afterwards. */
async function applied(current: readonly DnsRecord[], p: ZonePlan): Promise<DnsRecord[]> {
  const route53 = new FakeRoute53();
  route53.addZone(ZONE, "example.com");
  route53.seed(ZONE, ...current);
  for (const group of p.groups) await route53.changeRecords(ZONE, group.changes);
  return route53.peek(ZONE);
}

interface Case {
  name: string;
  desired: DesiredRecord[];
  current: DnsRecord[];
  deletable?: ZonePlanInput["deletable"];
  changes: string[];
  /** resource → a pattern its refusal message matches */
  conflicts?: Record<string, RegExp>;
}

const cases: Case[] = [
  {
    name: "a new route in an empty zone gets its A alias and its TXT registry record in one group",
    desired: [want(aliasRecord("shop.example.com"))],
    current: [],
    changes: ["shop.example.com: CREATE A shop.example.com, CREATE TXT a-shop.example.com"],
  },
  {
    name: "a dualstack route's A and AAAA and both TXTs change together",
    desired: [want(aliasRecord("shop.example.com")), want(aliasRecord("shop.example.com", "AAAA"))],
    current: [],
    changes: ["shop.example.com: CREATE A shop.example.com, CREATE AAAA shop.example.com, CREATE TXT a-shop.example.com, CREATE TXT aaaa-shop.example.com"],
  },
  {
    name: "a route at the apex gets its registry record inside the zone",
    desired: [want(aliasRecord("example.com"), "domainroute/team-a/root")],
    current: [],
    changes: ["example.com: CREATE A example.com, CREATE TXT _hostgate-a.example.com"],
  },
  {
    name: "a route whose records are in place plans nothing",
    desired: [want(aliasRecord("shop.example.com"))],
    current: [aliasRecord("shop.example.com"), txtRecord("a-shop.example.com", ours())],
    changes: [],
  },
  {
    name: "an A record without a TXT registry record is never overwritten",
    desired: [want(aliasRecord("shop.example.com"))],
    current: [{ name: "shop.example.com", type: "A", ttl: 60, values: ["192.0.2.10"] }],
    changes: [],
    conflicts: { [SHOP]: /^A shop\.example\.com exists and hostgate does not own it \(no TXT registry record names an owner\); hostgate never overwrites it$/ },
  },
  {
    name: "an A alias external-dns owns is never overwritten, and the message names its owner",
    desired: [want(aliasRecord("shop.example.com"))],
    current: [aliasRecord("shop.example.com", "A", "other-lb.elb.amazonaws.com"), txtRecord("a-shop.example.com", theirs)],
    changes: [],
    conflicts: { [SHOP]: /owned by external-dns-prod for ingress\/web\/shop/ },
  },
  {
    name: "an A alias external-dns registered under the cname- prefix (issue 3164) is theirs too",
    desired: [want(aliasRecord("shop.example.com"))],
    current: [aliasRecord("shop.example.com", "A", "other-lb.elb.amazonaws.com"), txtRecord("cname-shop.example.com", theirs)],
    changes: [],
    conflicts: { [SHOP]: /owned by external-dns-prod/ },
  },
  {
    name: "a registry record of another owner at the registry name reserves the record even when it is absent",
    desired: [want(aliasRecord("shop.example.com"))],
    current: [txtRecord("a-shop.example.com", theirs)],
    changes: [],
    conflicts: { [SHOP]: /^the registry record a-shop\.example\.com says A shop\.example\.com is not hostgate's to write \(owned by external-dns-prod/ },
  },
  {
    name: "a TXT that is not a registry record at the registry name blocks the route",
    desired: [want(aliasRecord("shop.example.com"))],
    current: [txtRecord("a-shop.example.com", '"google-site-verification=abc"')],
    changes: [],
    conflicts: { [SHOP]: /holds a TXT record with values that are not registry values/ },
  },
  {
    name: "a routing-policy record at the name is never touched and blocks the route",
    desired: [want(aliasRecord("shop.example.com"))],
    current: [{ ...aliasRecord("shop.example.com"), setIdentifier: "eu-west-1" }],
    changes: [],
    conflicts: { [SHOP]: /A shop\.example\.com is a routing-policy record \(set identifier eu-west-1\), which hostgate never changes/ },
  },
  {
    name: "a route refused for its AAAA keeps the A it owns (placed whole or not at all, nothing torn down)",
    desired: [want(aliasRecord("shop.example.com")), want(aliasRecord("shop.example.com", "AAAA"))],
    current: [
      aliasRecord("shop.example.com"),
      txtRecord("a-shop.example.com", ours()),
      { name: "shop.example.com", type: "AAAA", ttl: 60, values: ["2001:db8::1"] },
    ],
    changes: [],
    conflicts: { [SHOP]: /^AAAA shop\.example\.com exists and hostgate does not own it/ },
  },
  {
    name: "hostgate's record of a route that no longer wants it is taken over by the route that does (its TXT rewritten)",
    desired: [want(aliasRecord("shop.example.com"), BLOG)],
    current: [aliasRecord("shop.example.com"), txtRecord("a-shop.example.com", ours(SHOP))],
    changes: ["shop.example.com: DELETE TXT a-shop.example.com, CREATE TXT a-shop.example.com"],
  },
  {
    name: "a record whose load balancer changed is deleted with its exact values and created anew in one group",
    desired: [want(aliasRecord("shop.example.com", "A", ALB_IN))],
    current: [aliasRecord("shop.example.com"), txtRecord("a-shop.example.com", ours())],
    changes: ["shop.example.com: DELETE A shop.example.com, CREATE A shop.example.com"],
  },
  {
    name: "a record deleted by hand is created again and its TXT left as it is",
    desired: [want(aliasRecord("shop.example.com"))],
    current: [txtRecord("a-shop.example.com", ours())],
    changes: ["shop.example.com: CREATE A shop.example.com"],
  },
  {
    name: "a CNAME edited by hand is restored",
    desired: [want(cnameRecord("shop.example.com"))],
    current: [cnameRecord("shop.example.com", "evil.example.net", 30), txtRecord("cname-shop.example.com", ours())],
    changes: ["shop.example.com: DELETE CNAME shop.example.com, CREATE CNAME shop.example.com"],
  },
  {
    name: "a registry record edited by hand (its ttl) is restored",
    desired: [want(aliasRecord("shop.example.com"))],
    current: [aliasRecord("shop.example.com"), { ...txtRecord("a-shop.example.com", ours()), ttl: 3600 }],
    changes: ["shop.example.com: DELETE TXT a-shop.example.com, CREATE TXT a-shop.example.com"],
  },
  {
    name: "the records of a route gone are deleted with their TXTs",
    desired: [],
    current: [
      aliasRecord("shop.example.com"),
      aliasRecord("shop.example.com", "AAAA"),
      txtRecord("a-shop.example.com", ours()),
      txtRecord("aaaa-shop.example.com", ours()),
    ],
    changes: ["shop.example.com: DELETE A shop.example.com, DELETE AAAA shop.example.com, DELETE TXT a-shop.example.com, DELETE TXT aaaa-shop.example.com"],
  },
  {
    name: "an AAAA no longer wanted (the load balancer is no longer dualstack) goes, the A stays",
    desired: [want(aliasRecord("shop.example.com"))],
    current: [
      aliasRecord("shop.example.com"),
      aliasRecord("shop.example.com", "AAAA"),
      txtRecord("a-shop.example.com", ours()),
      txtRecord("aaaa-shop.example.com", ours()),
    ],
    changes: ["shop.example.com: DELETE AAAA shop.example.com, DELETE TXT aaaa-shop.example.com"],
  },
  {
    name: "an orphaned registry record of hostgate's (its record deleted by hand, its route gone) is deleted",
    desired: [],
    current: [txtRecord("a-shop.example.com", ours())],
    changes: ["shop.example.com: DELETE TXT a-shop.example.com"],
  },
  {
    name: "records another owner holds are never deleted, even when no route wants them",
    desired: [],
    current: [aliasRecord("shop.example.com"), txtRecord("a-shop.example.com", theirs), cnameRecord("www.example.com")],
    changes: [],
  },
  {
    name: "a record type switch (alias to cname) replaces the A and AAAA with the CNAME in one group",
    desired: [want(cnameRecord("shop.example.com"))],
    current: [
      aliasRecord("shop.example.com"),
      aliasRecord("shop.example.com", "AAAA"),
      txtRecord("a-shop.example.com", ours()),
      txtRecord("aaaa-shop.example.com", ours()),
    ],
    changes: [
      "shop.example.com: DELETE A shop.example.com, DELETE AAAA shop.example.com, DELETE TXT a-shop.example.com, DELETE TXT aaaa-shop.example.com, CREATE CNAME shop.example.com, CREATE TXT cname-shop.example.com",
    ],
  },
  {
    name: "a record type switch (cname to alias) replaces the CNAME with the A in one group",
    desired: [want(aliasRecord("shop.example.com"))],
    current: [cnameRecord("shop.example.com"), txtRecord("cname-shop.example.com", ours())],
    changes: ["shop.example.com: DELETE CNAME shop.example.com, DELETE TXT cname-shop.example.com, CREATE A shop.example.com, CREATE TXT a-shop.example.com"],
  },
  {
    name: "a CNAME is never put beside a TXT hostgate does not own",
    desired: [want(cnameRecord("shop.example.com"))],
    current: [txtRecord("shop.example.com", '"v=spf1 -all"')],
    changes: [],
    conflicts: { [SHOP]: /^TXT shop\.example\.com exists, which a CNAME cannot sit beside, and hostgate does not own it/ },
  },
  {
    name: "an A is never put beside a CNAME hostgate does not own",
    desired: [want(aliasRecord("shop.example.com"))],
    current: [cnameRecord("shop.example.com", "elsewhere.example.net")],
    changes: [],
    conflicts: { [SHOP]: /^CNAME shop\.example\.com exists and hostgate does not own it/ },
  },
  {
    name: "an old-format registry record of hostgate's is replaced by the new format",
    desired: [want(aliasRecord("shop.example.com"))],
    current: [aliasRecord("shop.example.com"), txtRecord("shop.example.com", ours())],
    changes: ["shop.example.com: DELETE TXT shop.example.com, CREATE TXT a-shop.example.com"],
  },
  {
    name: "an old-format registry value sharing its TXT with an SPF value is never deleted",
    desired: [want(aliasRecord("shop.example.com"))],
    current: [aliasRecord("shop.example.com"), txtRecord("shop.example.com", ours(), '"v=spf1 -all"')],
    changes: ["shop.example.com: CREATE TXT a-shop.example.com"],
  },
  {
    name: "hostgate's alias A registered under the cname- prefix gets its a- record and loses the cname- one",
    desired: [want(aliasRecord("shop.example.com"))],
    current: [aliasRecord("shop.example.com"), txtRecord("cname-shop.example.com", ours())],
    changes: ["shop.example.com: DELETE TXT cname-shop.example.com, CREATE TXT a-shop.example.com"],
  },
  {
    name: "an MX record hostgate's old-format TXT seems to own is never deleted (hostgate deletes only the types it writes)",
    desired: [],
    current: [{ name: "shop.example.com", type: "MX", ttl: 300, values: ["10 mail.example.com"] }, txtRecord("shop.example.com", ours())],
    changes: ["shop.example.com: DELETE TXT shop.example.com"],
  },
  {
    name: "a CNAME is never put beside an MX record, even one hostgate's old-format TXT seems to own (hostgate never deletes an MX)",
    desired: [want(cnameRecord("shop.example.com"))],
    current: [{ name: "shop.example.com", type: "MX", ttl: 300, values: ["10 mail.example.com"] }, txtRecord("shop.example.com", ours())],
    changes: [],
    conflicts: { [SHOP]: /^MX shop\.example\.com exists, which a CNAME cannot sit beside, and hostgate never changes a MX record$/ },
  },
  {
    name: "a CNAME wanted where another wanted record's registry TXT goes is refused, the other placed",
    desired: [want(aliasRecord("shop.example.com")), want(cnameRecord("a-shop.example.com"), "domainroute/team-b/a-shop")],
    current: [],
    changes: ["shop.example.com: CREATE A shop.example.com, CREATE TXT a-shop.example.com"],
    conflicts: {
      "domainroute/team-b/a-shop": /^a-shop\.example\.com is where the TXT registry record of A shop\.example\.com goes, which a CNAME cannot sit beside$/,
    },
  },
  {
    name: "a resource wanting both a CNAME and an A at one name is refused rather than sent to be refused",
    desired: [want(aliasRecord("shop.example.com")), want(cnameRecord("shop.example.com"))],
    current: [],
    changes: [],
    conflicts: { [SHOP]: /wants a CNAME and other records at shop\.example\.com, which DNS does not allow/ },
  },
  {
    name: "a validation record no longer requested stays while the requests are not known",
    desired: [],
    current: [validation, txtRecord("cname-_3f2a.shop.example.com", ours(CERT))],
    deletable: routesOnly,
    changes: [],
  },
  {
    name: "a validation record no longer requested is deleted once the requests are known",
    desired: [],
    current: [validation, txtRecord("cname-_3f2a.shop.example.com", ours(CERT))],
    changes: ["_3f2a.shop.example.com: DELETE CNAME _3f2a.shop.example.com, DELETE TXT cname-_3f2a.shop.example.com"],
  },
  {
    name: "a requested validation record is created like a route's, with its own resource",
    desired: [want(validation, CERT)],
    current: [],
    changes: ["_3f2a.shop.example.com: CREATE CNAME _3f2a.shop.example.com, CREATE TXT cname-_3f2a.shop.example.com"],
  },
  {
    name: "a record a requested resource holds is not taken by a route while the requests are not known",
    desired: [want(cnameRecord("_3f2a.shop.example.com"))],
    current: [validation, txtRecord("cname-_3f2a.shop.example.com", ours(CERT))],
    deletable: routesOnly,
    changes: [],
    conflicts: { [SHOP]: /hostgate holds it for certificate\/hostgate-system\/wildcard-example-com, which may not give it up yet/ },
  },
  {
    name: "two resources wanting one name: the one the registry names keeps it, the other is refused",
    desired: [want(aliasRecord("shop.example.com"), BLOG), want(aliasRecord("shop.example.com"), SHOP)],
    current: [aliasRecord("shop.example.com"), txtRecord("a-shop.example.com", ours(SHOP))],
    changes: [],
    conflicts: { [BLOG]: /^shop\.example\.com is also wanted by domainroute\/team-a\/shop, which keeps it$/ },
  },
  {
    name: "shop's registry record at a-shop.example.com blocks a CNAME route for a-shop.example.com and owns nothing there",
    desired: [want(aliasRecord("shop.example.com")), want(cnameRecord("a-shop.example.com"), "domainroute/team-b/a-shop")],
    current: [aliasRecord("shop.example.com"), txtRecord("a-shop.example.com", ours())],
    changes: [],
    conflicts: { "domainroute/team-b/a-shop": /^TXT a-shop\.example\.com exists, which a CNAME cannot sit beside/ },
  },
];

// Active (latency records, one set identifier per cluster) and RegionBound (one simple record) with two clusters in one zone:
// this planner is CLUSTER_A (owner OWNER_ID); CLUSTER_B is another cluster with its own owner id.
const A = CLUSTER_A.name;
const B = CLUSTER_B.name;
const oursLatency = (name: string, resource = SHOP) => [latencyAlias(name, CLUSTER_A), latencyTxt(`a-${name}`, CLUSTER_A, resource)];
const theirsLatency = (name: string, resource = SHOP) => [latencyAlias(name, CLUSTER_B), latencyTxt(`a-${name}`, CLUSTER_B, resource)];
const latencyCases: Case[] = [
  {
    name: "an Active route in an empty zone gets its latency A alias and a TXT registry record with the same set identifier and region",
    desired: [want(latencyAlias("shop.example.com", CLUSTER_A))],
    current: [],
    changes: [`shop.example.com: CREATE A shop.example.com/${A}, CREATE TXT a-shop.example.com/${A}`],
  },
  {
    name: "an Active route beside another cluster's latency set of the same name adds its own set and leaves theirs",
    desired: [want(latencyAlias("shop.example.com", CLUSTER_A))],
    current: theirsLatency("shop.example.com"),
    changes: [`shop.example.com: CREATE A shop.example.com/${A}, CREATE TXT a-shop.example.com/${A}`],
  },
  {
    name: "an Active route of another namespace's DomainRoute joins no latency name: a tenant cannot take another region's share of a name published elsewhere",
    desired: [want(latencyAlias("shop.example.com", CLUSTER_A), "domainroute/team-b/shop")],
    current: theirsLatency("shop.example.com"),
    changes: [],
    conflicts: {
      "domainroute/team-b/shop": new RegExp(
        `^A shop\\.example\\.com \\(set identifier ${B}\\) answers for region us-east-1 \\(owned by hostgate-use for ${SHOP}\\), and a latency name serves one ` +
          "workload in every region: this cluster joins it only for a DomainRoute in namespace team-a \\(this is domainroute/team-b/shop\\); " +
          "route another name, or publish it from namespace team-a$",
      ),
    },
  },
  {
    name: "an Active route joins a latency name another cluster publishes for a DomainRoute of the same namespace, whatever the route's name",
    desired: [want(latencyAlias("shop.example.com", CLUSTER_A), "domainroute/team-a/shop-weu")],
    current: theirsLatency("shop.example.com"),
    changes: [`shop.example.com: CREATE A shop.example.com/${A}, CREATE TXT a-shop.example.com/${A}`],
  },
  {
    name: "an Active route joins no latency name that external-dns publishes for another workload",
    desired: [want(latencyAlias("shop.example.com", CLUSTER_A))],
    current: [latencyAlias("shop.example.com", CLUSTER_B), { ...latencyTxt("a-shop.example.com", CLUSTER_B, SHOP), values: [theirs] }],
    changes: [],
    conflicts: {
      [SHOP]: new RegExp(
        "answers for region us-east-1 \\(owned by external-dns-prod for ingress/web/shop\\), and a latency name serves one workload in every region: " +
          `it is no DomainRoute's, so this cluster does not join it \\(this is ${SHOP}\\); route another name$`,
      ),
    },
  },
  {
    name: "an Active route joins a latency set no registry record speaks for (a platform team's own), as before",
    desired: [want(latencyAlias("shop.example.com", CLUSTER_A))],
    current: [latencyAlias("shop.example.com", CLUSTER_B)],
    changes: [`shop.example.com: CREATE A shop.example.com/${A}, CREATE TXT a-shop.example.com/${A}`],
  },
  {
    name: "an Active route whose latency set is in place beside another cluster's plans nothing",
    desired: [want(latencyAlias("shop.example.com", CLUSTER_A))],
    current: [...oursLatency("shop.example.com"), ...theirsLatency("shop.example.com")],
    changes: [],
  },
  {
    name: "a route gone deletes only this cluster's latency set and its TXT, never another cluster's",
    desired: [],
    current: [...oursLatency("shop.example.com"), ...theirsLatency("shop.example.com")],
    changes: [`shop.example.com: DELETE A shop.example.com/${A}, DELETE TXT a-shop.example.com/${A}`],
  },
  {
    name: "another cluster's latency set is never deleted, even when no route here wants the name",
    desired: [],
    current: theirsLatency("shop.example.com"),
    changes: [],
  },
  {
    name: "another cluster's orphaned latency TXT (its record deleted by hand) is never deleted; this cluster's is",
    desired: [],
    current: [latencyTxt("a-shop.example.com", CLUSTER_A, SHOP), latencyTxt("a-shop.example.com", CLUSTER_B, SHOP)],
    changes: [`shop.example.com: DELETE TXT a-shop.example.com/${A}`],
  },
  {
    name: "a latency set deleted by hand is created again beside its TXT",
    desired: [want(latencyAlias("shop.example.com", CLUSTER_A))],
    current: [latencyTxt("a-shop.example.com", CLUSTER_A, SHOP), ...theirsLatency("shop.example.com")],
    changes: [`shop.example.com: CREATE A shop.example.com/${A}`],
  },
  {
    name: "a latency set whose region changed (route53Region edited) is deleted with its exact values and created anew, its TXT too",
    desired: [want({ ...latencyAlias("shop.example.com", CLUSTER_A), region: "eu-central-1" })],
    current: oursLatency("shop.example.com"),
    changes: [
      `shop.example.com: DELETE A shop.example.com/${A}, DELETE TXT a-shop.example.com/${A}, CREATE A shop.example.com/${A}, CREATE TXT a-shop.example.com/${A}`,
    ],
  },
  {
    name: "a latency set under this cluster's set identifier that another owner holds (two clusters with one name) is refused",
    desired: [want(latencyAlias("shop.example.com", CLUSTER_A))],
    current: [latencyAlias("shop.example.com", CLUSTER_A), { ...latencyTxt("a-shop.example.com", CLUSTER_A, SHOP), values: [ownedBy("hostgate-other", SHOP)] }],
    changes: [],
    conflicts: {
      [SHOP]: new RegExp(
        `^A shop\\.example\\.com \\(set identifier ${A}\\) exists and hostgate does not own it \\(owned by hostgate-other for ${SHOP}\\); ` +
          "hostgate never overwrites it; a set identifier is one cluster's: give each cluster its own cluster name",
      ),
    },
  },
  {
    name: "a latency set for a region another cluster already answers for is refused (Route53 allows one latency record per region)",
    desired: [want(latencyAlias("shop.example.com", CLUSTER_A))],
    current: [
      { ...latencyAlias("shop.example.com", CLUSTER_B), region: CLUSTER_A.region },
      latencyTxt("a-shop.example.com", { ...CLUSTER_B, region: CLUSTER_A.region }, SHOP),
    ],
    changes: [],
    conflicts: {
      [SHOP]: new RegExp(
        `A shop\\.example\\.com \\(set identifier ${B}\\) already answers for region eu-west-1 \\(owned by hostgate-use .*it goes when that cluster stops publishing it`,
      ),
    },
  },
  {
    name: "RegionBound: a simple record is refused while another cluster's latency set holds the name, naming its set identifier; this cluster's set stays",
    desired: [want(aliasRecord("shop.example.com"))],
    current: [...oursLatency("shop.example.com"), ...theirsLatency("shop.example.com")],
    changes: [],
    conflicts: {
      [SHOP]: new RegExp(
        `^A shop\\.example\\.com has a latency record with set identifier ${B} \\(region us-east-1; owned by hostgate-use for ${SHOP}\\), ` +
          "and Route53 allows no simple record beside latency records: it goes when that cluster stops publishing it",
      ),
    },
  },
  {
    name: "RegionBound: the registry TXT another cluster left behind at the registry name alone still blocks the simple record, naming its set identifier",
    desired: [want(aliasRecord("shop.example.com"))],
    current: [latencyTxt("a-shop.example.com", CLUSTER_B, SHOP)],
    changes: [],
    conflicts: {
      [SHOP]: new RegExp(
        `^the registry record a-shop\\.example\\.com \\(set identifier ${B}\\), owned by hostgate-use for ${SHOP}, leaves no room beside it ` +
          "for the registry record of A shop\\.example\\.com: it goes when that cluster stops publishing it$",
      ),
    },
  },
  {
    name: "Active to RegionBound with no other cluster left: this cluster's latency set goes and the simple record comes in one group",
    desired: [want(aliasRecord("shop.example.com"))],
    current: oursLatency("shop.example.com"),
    changes: [`shop.example.com: DELETE A shop.example.com/${A}, DELETE TXT a-shop.example.com/${A}, CREATE A shop.example.com, CREATE TXT a-shop.example.com`],
  },
  {
    name: "RegionBound to Active: this cluster's simple record goes and its latency set comes in one group",
    desired: [want(latencyAlias("shop.example.com", CLUSTER_A))],
    current: [aliasRecord("shop.example.com"), txtRecord("a-shop.example.com", ours())],
    changes: [`shop.example.com: DELETE A shop.example.com, DELETE TXT a-shop.example.com, CREATE A shop.example.com/${A}, CREATE TXT a-shop.example.com/${A}`],
  },
  {
    name: "Active is refused while another cluster's simple (RegionBound) record holds the name",
    desired: [want(latencyAlias("shop.example.com", CLUSTER_A))],
    current: [aliasRecord("shop.example.com", "A", CLUSTER_B.alb), txtRecord("a-shop.example.com", ownedBy(CLUSTER_B.ownerId, SHOP))],
    changes: [],
    conflicts: {
      [SHOP]:
        /^A shop\.example\.com is a simple record \(owned by hostgate-use for domainroute\/team-a\/shop\), and Route53 allows no latency record beside it/,
    },
  },
  {
    name: "a latency set is refused beside a weighted record set (another routing policy), which is never touched",
    desired: [want(latencyAlias("shop.example.com", CLUSTER_A))],
    current: [{ ...aliasRecord("shop.example.com"), setIdentifier: "blue" }],
    changes: [],
    conflicts: { [SHOP]: /^A shop\.example\.com is a routing-policy record \(set identifier blue\), which hostgate never changes$/ },
  },
  {
    name: "a desired record with a set identifier but no region is refused rather than sent for Route53 to refuse",
    desired: [want({ ...latencyAlias("shop.example.com", CLUSTER_A), region: undefined } as DnsRecord)],
    current: [],
    changes: [],
    conflicts: {
      [SHOP]: new RegExp(
        `^A shop\\.example\\.com \\(set identifier ${A}\\) has a set identifier but no region, and hostgate writes only latency record sets: ` +
          "give the cluster's region a route53Region in the platform config$",
      ),
    },
  },
  {
    name: "latency CNAMEs of two clusters (two-step load balancers) share a name",
    desired: [want(latencyCname("shop.example.com", CLUSTER_A))],
    current: [latencyCname("shop.example.com", CLUSTER_B), latencyTxt("cname-shop.example.com", CLUSTER_B, SHOP)],
    changes: [`shop.example.com: CREATE CNAME shop.example.com/${A}, CREATE TXT cname-shop.example.com/${A}`],
  },
  {
    name: "a latency CNAME is refused where another cluster's latency A set is (a CNAME excludes other types whatever the set identifiers)",
    desired: [want(latencyCname("shop.example.com", CLUSTER_A))],
    current: theirsLatency("shop.example.com"),
    changes: [],
    conflicts: { [SHOP]: new RegExp(`^A shop\\.example\\.com \\(set identifier ${B}\\) exists and hostgate does not own it \\(owned by hostgate-use`) },
  },
  {
    name: "a latency A is refused where another cluster's latency CNAME is",
    desired: [want(latencyAlias("shop.example.com", CLUSTER_A))],
    current: [latencyCname("shop.example.com", CLUSTER_B), latencyTxt("cname-shop.example.com", CLUSTER_B, SHOP)],
    changes: [],
    conflicts: { [SHOP]: new RegExp(`^CNAME shop\\.example\\.com \\(set identifier ${B}\\) exists and hostgate does not own it`) },
  },
  {
    name: "this cluster's latency A set is replaced by its latency CNAME in one group (the load balancer became two-step)",
    desired: [want(latencyCname("shop.example.com", CLUSTER_A))],
    current: oursLatency("shop.example.com"),
    changes: [
      `shop.example.com: DELETE A shop.example.com/${A}, DELETE TXT a-shop.example.com/${A}, CREATE CNAME shop.example.com/${A}, CREATE TXT cname-shop.example.com/${A}`,
    ],
  },
  {
    name: "a simple gateway record and the latency route records of two clusters live side by side at their own names",
    desired: [
      want(latencyCname("shop.example.com", CLUSTER_A, "gw-weu.example.com")),
      want({ name: "gw-weu.example.com", type: "A", ttl: 60, values: ["192.0.2.10"] }, "gateway/istio-system/ingress"),
    ],
    current: [latencyCname("shop.example.com", CLUSTER_B, "gw-use.example.com"), latencyTxt("cname-shop.example.com", CLUSTER_B, SHOP)],
    changes: [
      "gw-weu.example.com: CREATE A gw-weu.example.com, CREATE TXT a-gw-weu.example.com",
      `shop.example.com: CREATE CNAME shop.example.com/${A}, CREATE TXT cname-shop.example.com/${A}`,
    ],
  },
];
cases.push(...latencyCases);

describe("planning a zone", () => {
  for (const c of cases) {
    test(c.name, async () => {
      const first = plan(c.desired, c.current, c.deletable);
      assert.deepEqual(shown(first), c.changes);
      assert.deepEqual([...first.conflicts.keys()], Object.keys(c.conflicts ?? {}).sort());
      for (const [resource, pattern] of Object.entries(c.conflicts ?? {})) assert.match(first.conflicts.get(resource)!.join("; "), pattern);
      // Route53's rules accept every group, and a plan against the zone they produced plans nothing.
      const after = await applied(c.current, first);
      const second = plan(c.desired, after, c.deletable);
      assert.deepEqual(shown(second), [], "a second plan against the state the first produced plans nothing");
      assert.deepEqual([...second.conflicts.keys()], [...first.conflicts.keys()]);
      assert.deepEqual(
        withChanges(
          c.current,
          first.groups.flatMap((g) => g.changes),
        ),
        withChanges(after, []),
        "the controller's cache update agrees with Route53",
      );
    });
  }
});

describe("what the plan writes", () => {
  test("deletes carry the exact current values; creates the desired record and hostgate's registry value", () => {
    const stale = { ...aliasRecord("shop.example.com"), alias: { hostedZoneId: "ZOLD", dnsName: "old.elb.amazonaws.com", evaluateTargetHealth: false } };
    const p = plan([want(aliasRecord("shop.example.com"))], [stale, txtRecord("a-shop.example.com", ours())]);
    assert.deepEqual(p.groups[0]?.changes, [
      { action: "DELETE", record: stale },
      { action: "CREATE", record: aliasRecord("shop.example.com") },
    ]);
    const fresh = plan([want(aliasRecord("shop.example.com"))], []);
    assert.deepEqual(fresh.groups[0]?.changes[1], { action: "CREATE", record: txtRecord("a-shop.example.com", ours()) });
  });

  test("groups name the resources whose records they change", () => {
    const p = plan([want(aliasRecord("blog.example.com"), BLOG)], [aliasRecord("shop.example.com"), txtRecord("a-shop.example.com", ours(SHOP))]);
    assert.deepEqual(
      p.groups.map((g) => [g.key, g.resources]),
      [
        ["blog.example.com", [BLOG]],
        ["shop.example.com", [SHOP]],
      ],
    );
  });

  test("groups come sorted by name whatever the order of the desired records", () => {
    const desired = ["c", "a", "b"].map((n) => want(aliasRecord(`${n}.example.com`), `domainroute/team-a/${n}`));
    assert.deepEqual(
      plan(desired, []).groups.map((g) => g.key),
      ["a.example.com", "b.example.com", "c.example.com"],
    );
  });

  test("the resources owning something in a zone include orphaned registry records", () => {
    const records = [
      aliasRecord("shop.example.com"),
      txtRecord("a-shop.example.com", ours()),
      txtRecord("a-gone.example.com", ours(BLOG)),
      txtRecord("a-x.example.com", theirs),
    ];
    assert.deepEqual([...ownedResources(records, zone, OWNER_ID)].sort(), [BLOG, SHOP]);
  });
});

describe("latency sets under this cluster's owner id but another cluster's set identifier (two clusters given one dns.ownerId)", () => {
  /** Cluster B's set and TXT, its TXT naming THIS cluster's owner id. */
  const sharedB = [latencyAlias("shop.example.com", CLUSTER_B), { ...latencyTxt("a-shop.example.com", CLUSTER_B, SHOP), values: [ours()] }];
  const latencyA = { setIdentifier: CLUSTER_A.name, region: CLUSTER_A.region };
  const planAsA = (desired: readonly DesiredRecord[], current: readonly DnsRecord[]) =>
    planZone({ zone, ownerId: OWNER_ID, desired, current, deletable: everything, latency: latencyA });

  test("are never deleted as no longer wanted, nor counted as this cluster's", () => {
    assert.deepEqual(shown(planAsA([], sharedB)), []);
    assert.deepEqual([...ownedResources(sharedB, zone, OWNER_ID, latencyA)], []);
  });

  test("sit beside this cluster's own latency set, which is created and kept", () => {
    assert.deepEqual(shown(planAsA([want(latencyAlias("shop.example.com", CLUSTER_A))], sharedB)), [
      `shop.example.com: CREATE A shop.example.com/${CLUSTER_A.name}, CREATE TXT a-shop.example.com/${CLUSTER_A.name}`,
    ]);
  });

  test("block a RegionBound simple record with a message naming the shared owner id and how to fix it", () => {
    const p = planAsA([want(aliasRecord("shop.example.com"))], sharedB);
    assert.deepEqual(shown(p), []);
    assert.match(
      p.conflicts.get(SHOP)?.[0] ?? "",
      new RegExp(
        `under set identifier ${CLUSTER_B.name}, another cluster's \\(this cluster's is ${CLUSTER_A.name}\\); ` +
          "two clusters share this owner id, so give each cluster its own dns\\.ownerId",
      ),
    );
  });

  test("a set of this cluster's own region under an older set identifier (a renamed cluster) is still its own and replaced", () => {
    const renamed = { ...CLUSTER_A, name: "aks00-weu" };
    const old = [latencyAlias("shop.example.com", renamed), latencyTxt("a-shop.example.com", renamed, SHOP)];
    assert.deepEqual(shown(planAsA([want(latencyAlias("shop.example.com", CLUSTER_A))], old)), [
      "shop.example.com: DELETE A shop.example.com/aks00-weu, DELETE TXT a-shop.example.com/aks00-weu, " +
        `CREATE A shop.example.com/${CLUSTER_A.name}, CREATE TXT a-shop.example.com/${CLUSTER_A.name}`,
    ]);
  });
});
