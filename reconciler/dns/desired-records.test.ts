import { describe, test } from "node:test";
import assert from "node:assert/strict";
import type { DomainClaim, DomainRoute } from "../../crds/types.ts";
import { claimFor } from "../app-id-table/testing/fixtures.ts";
import { desiredDns, managedZones } from "./desired-records.ts";
import type { RecordRequest } from "./record-requests.ts";
import { ALB_IN, ALB_ZONE, aliasRecord, cnameRecord, dnsConfig, dnsRoute, holding, OTHER_APEX_ZONE, PRIVATE_ZONE, ZONE } from "./testing/dns-fixtures.ts";

const validation: RecordRequest = {
  zoneId: ZONE,
  record: cnameRecord("_3f2a.example.com", "_9c1d.acm-validations.aws"),
  resource: "certificate/hostgate-system/wildcard-example-com",
};

describe("the records each route wants", () => {
  const cases: {
    name: string;
    routes: { routes: DomainRoute[]; claims: DomainClaim[] };
    config?: Parameters<typeof dnsConfig>[0];
    expected: unknown;
  }[] = [
    {
      name: "an alias route gets an A alias to its load balancer in the apex's zone",
      routes: holding(dnsRoute("shop")),
      expected: { kind: "records", zoneId: ZONE, records: [aliasRecord("shop.example.com")] },
    },
    {
      name: "a route on a dualstack load balancer gets an AAAA alias beside the A",
      routes: holding(dnsRoute("shop")),
      config: { dualstack: true },
      expected: { kind: "records", zoneId: ZONE, records: [aliasRecord("shop.example.com"), aliasRecord("shop.example.com", "AAAA")] },
    },
    {
      name: "the route's load balancer is the target (alb-in)",
      routes: holding(dnsRoute("shop", { lb: "alb-in" })),
      expected: { kind: "records", zoneId: ZONE, records: [aliasRecord("shop.example.com", "A", ALB_IN)] },
    },
    {
      name: "a cname route gets a CNAME with spec.dns.ttl",
      routes: holding(dnsRoute("shop", { dns: { ttl: 60 } })),
      config: { recordType: "cname" },
      expected: { kind: "records", zoneId: ZONE, records: [cnameRecord("shop.example.com", undefined, 60)] },
    },
    {
      name: "a cname route without spec.dns gets ttl 300",
      routes: holding(dnsRoute("shop")),
      config: { recordType: "cname" },
      expected: { kind: "records", zoneId: ZONE, records: [cnameRecord("shop.example.com")] },
    },
    {
      name: "an alias route at the apex gets its A alias",
      routes: holding(dnsRoute("root", { domain: "example.com" })),
      expected: { kind: "records", zoneId: ZONE, records: [aliasRecord("example.com")] },
    },
    {
      name: "a cname route at the apex is refused with CnameAtApex",
      routes: holding(dnsRoute("root", { domain: "other.org" })),
      config: { recordType: "cname" },
      expected: { kind: "refused", reason: "CnameAtApex" },
    },
    {
      name: "spec.dns.zoneId naming the apex's additional zone is used",
      routes: holding(dnsRoute("shop", { dns: { zoneId: PRIVATE_ZONE } })),
      expected: { kind: "records", zoneId: PRIVATE_ZONE, records: [aliasRecord("shop.example.com")] },
    },
    {
      name: "spec.dns.zoneId naming another apex's zone is refused with ZoneNotAllowed",
      routes: holding(dnsRoute("shop", { dns: { zoneId: OTHER_APEX_ZONE } })),
      expected: { kind: "refused", reason: "ZoneNotAllowed" },
    },
    {
      name: "spec.dns.zoneId naming an unknown zone is refused with ZoneNotAllowed",
      routes: holding(dnsRoute("shop", { dns: { zoneId: "ZSOMEONEELSE" } })),
      expected: { kind: "refused", reason: "ZoneNotAllowed" },
    },
    {
      name: "a domain under the other apex goes to that apex's zone",
      routes: holding(dnsRoute("shop", { domain: "shop.other.org" })),
      expected: { kind: "records", zoneId: OTHER_APEX_ZONE, records: [aliasRecord("shop.other.org")] },
    },
    {
      name: "a domain under no configured apex is refused with DomainNotManaged",
      routes: holding(dnsRoute("shop", { domain: "shop.elsewhere.net" })),
      expected: { kind: "refused", reason: "DomainNotManaged" },
    },
    {
      name: "a domain whose first label leaves no room for the TXT owner record's a- prefix is refused with RecordNameTooLong",
      routes: holding(dnsRoute("long", { domain: `${"x".repeat(62)}.example.com` })),
      expected: { kind: "refused", reason: "RecordNameTooLong" },
    },
    {
      name: "a first label of 61 characters still fits a- and gets its record",
      routes: holding(dnsRoute("long", { domain: `${"x".repeat(61)}.example.com` })),
      expected: { kind: "records", zoneId: ZONE, records: [aliasRecord(`${"x".repeat(61)}.example.com`)] },
    },
    {
      name: "on a dualstack load balancer a first label of 59 characters leaves no room for aaaa- and is refused",
      routes: holding(dnsRoute("long", { domain: `${"x".repeat(59)}.example.com` })),
      config: { dualstack: true },
      expected: { kind: "refused", reason: "RecordNameTooLong" },
    },
    {
      name: "with recordType cname a first label of 58 characters leaves no room for cname- and is refused",
      routes: holding(dnsRoute("long", { domain: `${"x".repeat(58)}.example.com` })),
      config: { recordType: "cname" },
      expected: { kind: "refused", reason: "RecordNameTooLong" },
    },
    {
      name: "a domain so long that its TXT owner record's name would pass 253 characters is refused",
      // 253 characters, the most the CRD allows; `a-` makes its TXT name 255.
      routes: holding(dnsRoute("long", { domain: `${"x.".repeat(119)}xyz.example.com` })),
      expected: { kind: "refused", reason: "RecordNameTooLong" },
    },
    {
      name: "a route without a claim wants nothing",
      routes: { routes: [dnsRoute("shop")], claims: [] },
      expected: { kind: "unclaimed" },
    },
    {
      name: "a route whose domain another route claims wants nothing",
      routes: { routes: [dnsRoute("shop")], claims: [claimFor(dnsRoute("thief", { domain: "shop.example.com" }))] },
      expected: { kind: "unclaimed" },
    },
    {
      name: "a route being deleted wants nothing, even holding its claim",
      routes: holding(dnsRoute("shop", { deleting: true })),
      expected: { kind: "deleting" },
    },
  ];
  for (const c of cases) {
    test(c.name, () => {
      const desired = desiredDns({ ...c.routes, config: dnsConfig(c.config), requests: [] });
      const [intent] = desired.routes;
      assert.ok(intent !== undefined);
      assert.equal(intent.routeRef, `team-a/${c.routes.routes[0]!.metadata.name}`);
      assert.equal(intent.resource, `domainroute/team-a/${c.routes.routes[0]!.metadata.name}`);
      const { kind } = intent;
      const shown =
        intent.kind === "records"
          ? { kind, zoneId: intent.zoneId, records: intent.records }
          : intent.kind === "refused"
            ? { kind, reason: intent.reason }
            : { kind };
      assert.deepEqual(shown, c.expected);
    });
  }

  test("refusals say what is wrong and how to fix it", () => {
    const messages = [
      dnsRoute("a", { dns: { zoneId: OTHER_APEX_ZONE } }),
      dnsRoute("b", { domain: "b.elsewhere.net" }),
      dnsRoute("c", { domain: "example.com" }),
    ].map((route) => {
      const intent = desiredDns({ ...holding(route), config: dnsConfig({ recordType: "cname" }), requests: [] }).routes[0]!;
      return intent.kind === "refused" ? intent.message : "";
    });
    assert.match(messages[0]!, /spec\.dns\.zoneId ZOTHER00000001 is not a zone the platform gives example\.com \(it allows Z0123456789ABC, ZPRIVATE0000001\)/);
    assert.match(messages[1]!, /b\.elsewhere\.net is under none of the platform's domains \(example\.com, other\.org\)/);
    assert.match(messages[2]!, /apex of its zone, where DNS allows no CNAME/);
  });

  test("a name too long for its TXT owner record is refused saying which name, which limit and how long the label may be", () => {
    const route = dnsRoute("long", { domain: `${"x".repeat(59)}.example.com` });
    const intent = desiredDns({ ...holding(route), config: dnsConfig({ dualstack: true }), requests: [] }).routes[0]!;
    assert.equal(intent.kind, "refused");
    assert.equal(
      intent.kind === "refused" ? intent.message : "",
      `the TXT owner record of AAAA ${"x".repeat(59)}.example.com would be named aaaa-${"x".repeat(59)}.example.com, whose first label is 64 characters ` +
        "where Route53 allows 63, so no record is written; use a domain whose first label has at most 58 characters",
    );
  });
});

describe("the desired set as a whole", () => {
  test("every configured zone is listed, the additional ones too, sorted", () =>
    assert.deepEqual(managedZones(dnsConfig()), [
      { zoneId: ZONE, apex: "example.com" },
      { zoneId: OTHER_APEX_ZONE, apex: "other.org" },
      { zoneId: PRIVATE_ZONE, apex: "example.com" },
    ]));

  test("records carry their route's resource and requested records theirs, sorted by zone, name and type", () => {
    const desired = desiredDns({ ...holding(dnsRoute("shop"), dnsRoute("blog")), config: dnsConfig({ dualstack: true }), requests: [validation] });
    assert.deepEqual(
      desired.records.map((d) => `${d.zoneId} ${d.record.type} ${d.record.name} ${d.resource}`),
      [
        `${ZONE} CNAME _3f2a.example.com certificate/hostgate-system/wildcard-example-com`,
        `${ZONE} A blog.example.com domainroute/team-a/blog`,
        `${ZONE} AAAA blog.example.com domainroute/team-a/blog`,
        `${ZONE} A shop.example.com domainroute/team-a/shop`,
        `${ZONE} AAAA shop.example.com domainroute/team-a/shop`,
      ],
    );
    assert.equal(desired.requestsComplete, true);
  });

  test("before the requests are published the desired set says it is incomplete", () =>
    assert.equal(desiredDns({ ...holding(dnsRoute("shop")), config: dnsConfig(), requests: undefined }).requestsComplete, false));

  test("a request for a zone the config does not name is left out and reported", () => {
    const desired = desiredDns({ routes: [], claims: [], config: dnsConfig(), requests: [{ ...validation, zoneId: "ZUNKNOWN" }] });
    assert.deepEqual(desired.records, []);
    assert.deepEqual(desired.ignoredRequests, [
      "CNAME _3f2a.example.com for certificate/hostgate-system/wildcard-example-com names zone ZUNKNOWN, which the config does not",
    ]);
  });

  test("the alias target is the load balancer's canonical zone, lowercase and without a trailing dot", () => {
    const config = dnsConfig();
    const shouting = {
      ...config,
      loadBalancers: { ...config.loadBalancers, "alb-out": { ...config.loadBalancers["alb-out"], dnsName: "Public-1.US-East-1.elb.amazonaws.com." } },
    };
    const intent = desiredDns({ ...holding(dnsRoute("shop")), config: shouting, requests: [] }).routes[0]!;
    assert.deepEqual(intent.kind === "records" ? intent.records[0]?.alias : undefined, {
      hostedZoneId: ALB_ZONE,
      dnsName: "public-1.us-east-1.elb.amazonaws.com",
      evaluateTargetHealth: true,
    });
  });

  test("the same input gives the same desired set (idempotent, order-independent)", () => {
    const routes = holding(dnsRoute("shop"), dnsRoute("blog"), dnsRoute("api"));
    const once = desiredDns({ ...routes, config: dnsConfig(), requests: [validation] });
    const reversed = desiredDns({ routes: [...routes.routes].reverse(), claims: [...routes.claims].reverse(), config: dnsConfig(), requests: [validation] });
    assert.deepEqual(reversed, once);
  });
});
