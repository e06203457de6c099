// DNS on a load balancer pool: every record points at the member the route
// is placed on (status.edge, read through placedMember), gateway records are
// published for every two-step member, every member's gatewayHostname is
// reserved, and a route with no member yet gets nothing and says it waits
// for placement, on both back ends (Route53 and external-dns).
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { DomainRoute } from "../crds/types.ts";
import { desiredDns } from "../reconciler/dns/desired-records.ts";
import { dnsStatus } from "../reconciler/dns/dns-condition.ts";
import { routeOutcomes } from "../reconciler/dns/dns-outcomes.ts";
import { externalDnsStatus } from "../reconciler/dns/external-dns/external-dns-status.ts";
import { renderDnsEndpoints } from "../reconciler/dns/external-dns/render-dns-endpoint.ts";
import { LABEL_GATEWAY_RECORD, renderGatewayEndpoints } from "../reconciler/dns/external-dns/render-gateway-endpoints.ts";
import { planZone } from "../reconciler/dns/plan-dns.ts";
import {
  aliasRecord,
  cnameRecord,
  dnsConfig,
  dnsRoute,
  holding,
  OWNER_ID,
  ownedBy,
  passFindings,
  txtRecord,
  ZONE,
} from "../reconciler/dns/testing/dns-fixtures.ts";
import { GW_1, GW_2, PUBLIC_1, PUBLIC_2, PUBLIC_2_ZONE, placedOn, pooled } from "../reconciler/dns/testing/pool-fixtures.ts";
import { anExternalDnsConfig } from "../reconciler/dns/external-dns/testing/external-dns-config.ts";

const findings = passFindings();

/** The Service of gateway `name` in istio-system with an ingress address. */
function gatewayService(name: string, ip: string) {
  return { apiVersion: "v1", kind: "Service", metadata: { namespace: "istio-system", name }, status: { loadBalancer: { ingress: [{ ip }] } } };
}

/** The route with spec.lb changed after it was placed. */
function withLb(route: DomainRoute, lb: DomainRoute["spec"]["lb"]): DomainRoute {
  return { ...route, spec: { ...route.spec, lb } };
}

function recordsOf(routes: DomainRoute[], config = pooled(dnsConfig())) {
  const desired = desiredDns({ ...holding(...routes), config, requests: [] });
  return { desired, byResource: (resource: string) => desired.records.filter((r) => r.resource === resource).map((r) => r.record) };
}

describe("Route53 records on a pool point at the route's member", () => {
  const config = pooled(dnsConfig());
  const cases: { name: string; route: DomainRoute; config?: ReturnType<typeof pooled>; expected: unknown[] }[] = [
    {
      name: "a route placed on public-1 gets an A alias to public-1",
      route: placedOn(dnsRoute("shop"), "public-1", config),
      expected: [aliasRecord("shop.example.com", "A", PUBLIC_1)],
    },
    {
      name: "a route placed on public-2 gets A and AAAA aliases to public-2 in its canonical zone (public-2 is dualstack)",
      route: placedOn(dnsRoute("blog"), "public-2", config),
      expected: ["A", "AAAA"].map((type) => ({
        name: "blog.example.com",
        type,
        alias: { hostedZoneId: PUBLIC_2_ZONE, dnsName: PUBLIC_2, evaluateTargetHealth: true },
      })),
    },
    {
      name: "with recordType cname a route placed on public-2 gets a CNAME to public-2",
      route: placedOn(dnsRoute("blog"), "public-2", config),
      config: pooled(dnsConfig({ recordType: "cname" })),
      expected: [cnameRecord("blog.example.com", PUBLIC_2)],
    },
    {
      name: "a route placed on the two-step member gw-2 gets a CNAME to gw-2's gatewayHostname",
      route: placedOn(dnsRoute("wiki", { lb: "alb-in" }), "gw-2", config),
      expected: [cnameRecord("wiki.example.com", GW_2)],
    },
  ];
  for (const c of cases)
    it(c.name, () => {
      const { byResource } = recordsOf([c.route], c.config ?? config);
      assert.deepEqual(byResource(`domainroute/team-a/${c.route.metadata.name}`), c.expected);
    });

  it("two routes placed on different members each point at their own member", () => {
    const { byResource } = recordsOf([placedOn(dnsRoute("shop"), "public-1", config), placedOn(dnsRoute("blog"), "public-2", config)]);
    assert.deepEqual(
      [byResource("domainroute/team-a/shop")[0]?.alias?.dnsName, byResource("domainroute/team-a/blog")[0]?.alias?.dnsName],
      [PUBLIC_1, PUBLIC_2],
    );
  });

  it("a route on gw-2 waits for gw-2's gateway record, not gw-1's", () => {
    const { desired } = recordsOf([placedOn(dnsRoute("wiki", { lb: "alb-in" }), "gw-2", config)]);
    const intent = desired.routes[0]!;
    assert.equal(intent.kind === "records" ? intent.gateway?.hostname : intent.kind, GW_2);
  });
});

describe("gateway records and reserved names cover every two-step member", () => {
  const config = pooled(dnsConfig());
  it("each two-step member gets its gateway record from its own Service, whether a route is placed on it or not", () => {
    const services = [gatewayService("gw-1", "10.0.0.1"), gatewayService("gw-2", "10.0.0.2")];
    const desired = desiredDns({ routes: [], claims: [], config, requests: [], services: (ref) => services.find((s) => s.metadata.name === ref.name) });
    assert.deepEqual(
      desired.gateways.map((g) => [g.hostname, g.loadBalancers, g.state.kind === "records" ? g.state.records.map((r) => r.values) : g.state.kind]),
      [
        [GW_1, ["gw-1"], [["10.0.0.1"]]],
        [GW_2, ["gw-2"], [["10.0.0.2"]]],
      ],
    );
  });

  const reserved: { name: string; domain: string; message: RegExp }[] = [
    { name: "the first member's gatewayHostname is reserved", domain: GW_1, message: /loadBalancers\.alb-in\.members\[0\]\.gatewayHostname \(member gw-1\)/ },
    {
      name: "the second member's gatewayHostname is reserved too",
      domain: GW_2,
      message: /loadBalancers\.alb-in\.members\[1\]\.gatewayHostname \(member gw-2\)/,
    },
    {
      name: "where the second member's gateway TXT owner record goes is reserved",
      domain: `a-${GW_2}`,
      message: /TXT owner record of the gateway record gw-2/,
    },
  ];
  for (const c of reserved)
    it(`${c.name}: a route there is refused ReservedName`, () => {
      const route = placedOn(dnsRoute("squat", { domain: c.domain }), "public-1", config);
      const intent = recordsOf([route]).desired.routes[0]!;
      assert.equal(intent.kind, "refused");
      if (intent.kind === "refused") {
        assert.equal(intent.reason, "ReservedName");
        assert.match(intent.message, c.message);
      }
    });
});

describe("a route with no member yet gets no record and waits for placement", () => {
  const config = pooled(dnsConfig());
  const cases: { name: string; route: DomainRoute }[] = [
    { name: "a route the pool controller has not placed (no status.edge)", route: dnsRoute("new") },
    {
      name: "a route whose status.edge names a member no longer in the config",
      route: { ...dnsRoute("moved"), status: { edge: { loadBalancer: "alb-out", member: "public-9", target: "public-9.elb.amazonaws.com" } } },
    },
    {
      name: "a route whose status.edge names a member of its former class (spec.lb changed)",
      route: withLb(placedOn(dnsRoute("switched", { lb: "alb-in" }), "gw-1", config), "alb-out"),
    },
  ];
  for (const c of cases)
    it(`${c.name}: no record, DNSReady Unknown WaitingForPlacement`, () => {
      const { route } = c;
      const { desired } = recordsOf([route]);
      assert.deepEqual(desired.records, []);
      const outcome = routeOutcomes(desired.routes, findings).get(`team-a/${route.metadata.name}`);
      const status = dnsStatus(route, { known: true, ...(outcome === undefined ? {} : { outcome }) }, config);
      assert.deepEqual([status?.condition.status, status?.condition.reason, status?.records], ["Unknown", "WaitingForPlacement", undefined]);
      assert.match(status?.condition.message ?? "", /not placed on a member of load balancer pool alb-out yet.*EdgePlaced/);
    });

  it("the records a route held on a member it has left are deleted, and its DNSReady says so", () => {
    const route = { ...dnsRoute("moved"), status: { edge: { loadBalancer: "alb-out", member: "public-9", target: "public-9.elb.amazonaws.com" } } };
    const resource = "domainroute/team-a/moved";
    const current = [aliasRecord("moved.example.com", "A", "public-9.elb.amazonaws.com"), txtRecord("a-moved.example.com", ownedBy(OWNER_ID, resource))];
    const { desired } = recordsOf([route]);
    const zone = desired.zones.find((z) => z.zoneId === ZONE)!;
    const plan = planZone({ zone, ownerId: OWNER_ID, desired: desired.records, current, deletable: (r) => r.startsWith("domainroute/") });
    assert.deepEqual(
      plan.groups.flatMap((g) => g.changes.map((c) => `${c.action} ${c.record.type} ${c.record.name}`)),
      ["DELETE A moved.example.com", "DELETE TXT a-moved.example.com"],
    );
    const outcome = routeOutcomes(desired.routes, { ...findings, owned: new Set([resource]) }).get("team-a/moved");
    assert.match(outcome?.kind === "unplaced" ? outcome.message : "", /the records it held before are being removed$/);
  });

  it("a one-entry class needs no placement: its route gets its record without status.edge, as before pools", () => {
    const { byResource } = recordsOf([dnsRoute("shop")], dnsConfig());
    assert.deepEqual(byResource("domainroute/team-a/shop"), [aliasRecord("shop.example.com")]);
  });
});

describe("external-dns on a pool", () => {
  const config = pooled(anExternalDnsConfig());
  const endpointOf = (route: DomainRoute) => renderDnsEndpoints(route, config).map((o) => (o.spec as { endpoints: unknown[] }).endpoints);

  it("a route's DNSEndpoint targets its member's load balancer", () => {
    assert.deepEqual(
      [endpointOf(placedOn(dnsRoute("shop"), "public-1", config)), endpointOf(placedOn(dnsRoute("blog"), "public-2", config))],
      [
        [[{ dnsName: "shop.example.com", recordType: "CNAME", targets: [PUBLIC_1], providerSpecific: [{ name: "alias", value: "true" }] }]],
        [[{ dnsName: "blog.example.com", recordType: "CNAME", targets: [PUBLIC_2], providerSpecific: [{ name: "alias", value: "true" }] }]],
      ],
    );
  });

  it("a route on a two-step member gets a CNAME to that member's gatewayHostname", () => {
    assert.deepEqual(endpointOf(placedOn(dnsRoute("wiki", { lb: "alb-in" }), "gw-2", config)), [
      [{ dnsName: "wiki.example.com", recordType: "CNAME", targets: [GW_2], recordTTL: 300 }],
    ]);
  });

  it("a route with no member yet gets no DNSEndpoint and DNSReady Unknown WaitingForPlacement", () => {
    const route = dnsRoute("new");
    const { condition } = externalDnsStatus(route, [], config);
    assert.deepEqual([endpointOf(route), condition.status, condition.reason], [[], "Unknown", "WaitingForPlacement"]);
  });

  it("every two-step member gets its gateway DNSEndpoint, named and labelled by the member", () => {
    const services = [gatewayService("gw-1", "10.0.0.1"), gatewayService("gw-2", "10.0.0.2")];
    const rendered = renderGatewayEndpoints(config, (ref) => services.find((s) => s.metadata.name === ref.name));
    assert.deepEqual(
      rendered.endpoints.map((e) => [
        e.metadata?.name,
        ((e.metadata?.labels ?? {}) as { [key: string]: string })[LABEL_GATEWAY_RECORD],
        (e.spec as { endpoints: { dnsName: string }[] }).endpoints[0]?.dnsName,
      ]),
      [
        ["hostgate-gateway-gw-1", "gw-1", GW_1],
        ["hostgate-gateway-gw-2", "gw-2", GW_2],
      ],
    );
  });
});
