import { describe, test } from "node:test";
import assert from "node:assert/strict";
import type { RouteIntent } from "./desired-records.ts";
import type { PassFindings } from "./dns-outcomes.ts";
import { routeOutcomes } from "./dns-outcomes.ts";
import type { GatewayIntent, GatewayState } from "./gateway-records.ts";
import { cnameRecord, passFindings, ZONE } from "./testing/dns-fixtures.ts";

const GW = "aks01-weu-internal.example.com";
const GATEWAY = "gateway/istio-system/internal-gateway";
const ROUTE = "domainroute/team-a/shop";

const route: RouteIntent = {
  routeRef: "team-a/shop",
  uid: "uid-shop",
  resource: ROUTE,
  kind: "records",
  zoneId: ZONE,
  records: [{ ...cnameRecord("shop.example.com", GW), setIdentifier: "aks01-weu", region: "eu-west-1" }],
  regions: ["weu"],
  gateway: { resource: GATEWAY, hostname: GW },
};
const published: GatewayState = { kind: "records", zoneId: ZONE, records: [{ name: GW, type: "A", ttl: 60, values: ["203.0.113.7"] }] };
const gateway = (state: GatewayState): GatewayIntent => ({
  resource: GATEWAY,
  hostname: GW,
  source: { kind: "service", namespace: "istio-system", name: "internal-gateway" },
  loadBalancers: ["alb-in"],
  state,
});
const findings = passFindings;

describe("a two-step route's outcome follows its gateway record", () => {
  const cases: { name: string; state?: GatewayState; findings?: Partial<PassFindings>; expected: string; message?: RegExp }[] = [
    { name: "the gateway record published and in sync: ready", state: published, expected: "ready" },
    {
      name: "no gateway address: waiting, with the Service's reason",
      state: { kind: "no-address", message: "Service istio-system/internal-gateway has no address yet" },
      expected: "waiting GatewayAddressPending",
      message: /is not published: Service istio-system\/internal-gateway has no address yet; the route's own records are in place$/,
    },
    {
      name: "a refused gateway record: waiting, with the refusal",
      state: { kind: "refused", reason: "DomainNotManaged", message: "under none of the platform's domains" },
      expected: "waiting GatewayAddressPending",
      message: /cannot be published \(DomainNotManaged\): under none/,
    },
    {
      name: "the gateway record's name held by someone else: waiting, naming the holder",
      state: published,
      findings: { conflicts: new Map([[GATEWAY, ["A aks01-weu-internal.example.com exists and hostgate does not own it"]]]) },
      expected: "waiting GatewayAddressPending",
      message: /is not published: A aks01-weu-internal\.example\.com exists/,
    },
    {
      name: "Route53 refused the gateway record's group: waiting, with Route53's reason",
      state: published,
      findings: { rejected: new Map([[GATEWAY, ["bad value"]]]) },
      expected: "waiting GatewayAddressPending",
      message: /was refused by Route53: bad value/,
    },
    {
      name: "the gateway record being applied: waiting for INSYNC",
      state: published,
      findings: { pending: new Set([GATEWAY]) },
      expected: "waiting GatewayAddressPending",
      message: /is being applied; waiting for Route53 to report INSYNC/,
    },
    {
      name: "the route's own change and the gateway's both in flight: the route's own wait is told first",
      state: published,
      findings: { pending: new Set([GATEWAY, ROUTE]) },
      expected: "pending",
    },
    {
      name: "the route's own change in flight but a gateway without an address: the gateway is told, as it will not come by itself",
      state: { kind: "no-address", message: "no address" },
      findings: { pending: new Set([ROUTE]) },
      expected: "waiting GatewayAddressPending",
    },
    {
      name: "the route's own records held by someone else: that refusal outranks any gateway wait",
      state: { kind: "no-address", message: "no address" },
      findings: { conflicts: new Map([[ROUTE, ["CNAME shop.example.com exists"]]]) },
      expected: "refused RecordOwnedElsewhere",
    },
    { name: "a gateway the pass does not know (config changed): waiting", expected: "waiting GatewayAddressPending", message: /is not configured/ },
  ];
  for (const c of cases) {
    test(c.name, () => {
      const outcome = routeOutcomes([route], findings(c.findings), c.state === undefined ? [] : [gateway(c.state)]).get("team-a/shop")!;
      assert.equal("reason" in outcome ? `${outcome.kind} ${outcome.reason}` : outcome.kind, c.expected);
      if (c.message !== undefined) assert.match("message" in outcome ? (outcome.message ?? "") : "", c.message);
      if (outcome.kind === "waiting" || outcome.kind === "ready" || outcome.kind === "pending") {
        assert.deepEqual(outcome.records, [{ name: "shop.example.com", type: "CNAME", target: GW, zoneId: ZONE, region: "weu", setIdentifier: "aks01-weu" }]);
      }
    });
  }
});

describe("a route published by another region", () => {
  const elsewhere: RouteIntent = {
    routeRef: "team-a/shop",
    uid: "uid-shop",
    resource: ROUTE,
    kind: "elsewhere",
    sourceRegion: "weu",
    message: "weu publishes",
  };

  test("is elsewhere, naming the source region", () =>
    assert.deepEqual(routeOutcomes([elsewhere], findings()).get("team-a/shop"), {
      kind: "elsewhere",
      uid: "uid-shop",
      sourceRegion: "weu",
      message: "weu publishes",
    }));

  test("says its records from before are being removed while it still owns some", () =>
    assert.match(
      (routeOutcomes([elsewhere], findings({ owned: new Set([ROUTE]) })).get("team-a/shop") as { message: string }).message,
      /^weu publishes; the records it held here before are being removed$/,
    ));
});
