// The DNS controller (Route53) on the Gateway API data plane: a two-step pool
// member whose address is a pooled Gateway's status.addresses (Hostname: a
// CNAME, IPAddress: A/AAAA), against the fake Route53. The gateway record
// follows the Gateway, planned with the routes; a Gateway without an address
// keeps what is there and the routes wait; a Gateway that is gone, or is not
// hostgate's, keeps nothing; an autoscaled member's record exists while a
// route is placed on it.
import { beforeEach, describe, test } from "node:test";
import assert from "node:assert/strict";
import { ManualClock } from "../../core/clock.ts";
import { silentLogger } from "../../core/logger.ts";
import type { KubeObject } from "../../core/kube/object-key.ts";
import type { PlatformConfig } from "../../core/config/platform-config.ts";
import type { DomainRoute } from "../../crds/types.ts";
import type { ObjectReader } from "../cluster/object-reader.ts";
import { GATEWAYS } from "../resources.ts";
import { dnsStatus } from "./dns-condition.ts";
import { DnsOutcomes } from "./dns-outcomes.ts";
import { DnsState } from "./dns-state.ts";
import { RecordRequests } from "./record-requests.ts";
import { reconcileDns } from "./reconcile-dns.ts";
import type { FakeRoute53 } from "./route53/testing/fake-route53.ts";
import { dnsConfig, dnsRoute, ZONE } from "./testing/dns-fixtures.ts";
import { fixtureZones } from "./testing/fixture-zones.ts";
import type { Address } from "./testing/gateway-api-fixtures.ts";
import { EDGE_01, EDGE_A, gatewayApiPool, onMember, pooledGateway } from "./testing/gateway-api-fixtures.ts";
import { routesAndClaims, settle as settleRoute53, zoneLines } from "./testing/route53-controller.ts";

describe("reconciling the gateway record of a pooled Gateway (Route53)", () => {
  let route53: FakeRoute53;
  let clock: ManualClock;
  let state: DnsState;
  let routes: DomainRoute[];
  let gateways: Map<string, KubeObject>;
  let outcomes: DnsOutcomes;
  const config: PlatformConfig = gatewayApiPool(dnsConfig());

  const reader: ObjectReader = {
    get: (resource, key) => (resource === GATEWAYS && key.namespace === "edge" ? gateways.get(key.name) : undefined),
    list: (resource) => routesAndClaims(resource, routes),
  };
  const requests = new RecordRequests();
  requests.publish([]);
  const pass = () => reconcileDns({ reader, config, route53, records: requests, outcomes, clock, logger: silentLogger }, state);
  const settle = () => settleRoute53(pass, clock);
  const setGateway = (name: string, addresses?: Address[], madeBy?: string) => gateways.set(name, pooledGateway(name, addresses, madeBy));
  const condition = (name = "shop") => {
    const status = dnsStatus(routes.find((r) => r.metadata.name === name)!, outcomes.lookup(`team-a/${name}`), config);
    return { status: `${status?.condition.status} ${status?.condition.reason}`, message: status?.condition.message ?? "" };
  };
  const zone = () => zoneLines(route53, ZONE);
  const at = (name: string) => zone().filter((r) => r.split(" ")[1] === name);

  beforeEach(() => {
    route53 = fixtureZones();
    clock = new ManualClock();
    state = new DnsState();
    outcomes = new DnsOutcomes();
    routes = [onMember(dnsRoute("shop", { lb: "alb-in" }), "edge-a"), onMember(dnsRoute("blog", { lb: "alb-in" }), "edge-a")];
    gateways = new Map();
  });

  describe("the Gateway's status.addresses become the gateway record, and the routes CNAME to its hostname", () => {
    const cases: { name: string; addresses: Address[]; expected: string[] }[] = [
      {
        name: "a Hostname (an AWS load balancer's DNS name) is a CNAME",
        addresses: [{ type: "Hostname", value: "k8s-edge-edgea-0123.elb.eu-west-1.amazonaws.com" }],
        expected: [`CNAME ${EDGE_A} k8s-edge-edgea-0123.elb.eu-west-1.amazonaws.com`],
      },
      {
        name: "IPAddress ones are an A and an AAAA record, sorted",
        addresses: [
          { type: "IPAddress", value: "203.0.113.9" },
          { type: "IPAddress", value: "2001:DB8::7" },
          { type: "IPAddress", value: "203.0.113.7" },
        ],
        expected: [`A ${EDGE_A} 203.0.113.7,203.0.113.9`, `AAAA ${EDGE_A} 2001:db8::7`],
      },
      {
        name: "an address without a type is an IPAddress (the CRD's default)",
        addresses: [{ value: "198.51.100.4" }],
        expected: [`A ${EDGE_A} 198.51.100.4`],
      },
      {
        name: "IPs win over a host name; a NamedAddress names nothing DNS can point at",
        addresses: [{ type: "NamedAddress", value: "my-ip" }, { type: "Hostname", value: "lb.example.net" }, { value: "198.51.100.4" }],
        expected: [`A ${EDGE_A} 198.51.100.4`],
      },
    ];
    for (const c of cases) {
      test(c.name, async () => {
        setGateway("edge-a", c.addresses);
        await settle();
        assert.deepEqual(at(EDGE_A), c.expected);
        assert.deepEqual(at("shop.example.com"), [`CNAME shop.example.com ${EDGE_A}`]);
        assert.deepEqual(at("blog.example.com"), [`CNAME blog.example.com ${EDGE_A}`]);
        const txt = route53.peek(ZONE).find((r) => r.name === `${c.expected[0]!.split(" ")[0]!.toLowerCase()}-${EDGE_A}`);
        assert.match(txt?.values?.[0] ?? "", /external-dns\/resource=gateway\/gateway\.networking\.k8s\.io\/edge\/edge-a"$/);
        assert.equal(condition().status, "True RecordsReady");
      });
    }
  });

  const pending: { name: string; gateway?: Address[] | "none"; message: RegExp }[] = [
    { name: "a Gateway not created yet", gateway: "none", message: /pooled Gateway edge\/edge-a does not exist yet/ },
    {
      name: "a Gateway not programmed yet",
      gateway: [],
      message: /pooled Gateway edge\/edge-a has no IP address or host name in status\.addresses yet.*AddressNotAssigned/,
    },
    { name: "a Gateway whose only address is a NamedAddress", gateway: [{ type: "NamedAddress", value: "x" }], message: /has no IP address or host name/ },
    {
      name: "a Gateway whose only host name is a wildcard (no CNAME can point at it)",
      gateway: [{ type: "Hostname", value: "*.lb.example.net" }],
      message: /has no IP/,
    },
  ];
  for (const c of pending) {
    test(`${c.name}: no gateway record; the routes get their CNAME and DNSReady waits (Unknown GatewayAddressPending) saying why`, async () => {
      if (c.gateway !== "none") setGateway("edge-a", c.gateway);
      await settle();
      assert.deepEqual(at(EDGE_A), []);
      assert.deepEqual(at("shop.example.com"), [`CNAME shop.example.com ${EDGE_A}`]);
      const { status, message } = condition();
      assert.equal(status, "Unknown GatewayAddressPending");
      assert.match(message, /the address of pooled Gateway edge\/edge-a/);
      assert.match(message, c.message);
    });
  }

  test("a Gateway that loses its address keeps its record (fail-safe) and the routes wait", async () => {
    setGateway("edge-a", [{ type: "Hostname", value: "lb-1.elb.eu-west-1.amazonaws.com" }]);
    await settle();
    const before = zone();
    setGateway("edge-a", []);
    await settle();
    assert.deepEqual(zone(), before, "nothing deleted");
    assert.equal(condition().status, "Unknown GatewayAddressPending");
  });

  // The pool Gateways controller deletes a member's Gateway once no route there gets a listener (refused by the data plane,
  // no certificate, a listener it cannot give), while those routes' status.edge still names the member: the address the
  // record held is the deleted load balancer's, which the cloud may hand to someone else.
  test("a Gateway deleted while routes are still placed on its member: its record and TXT owner record go (not kept), the routes wait", async () => {
    setGateway("edge-a", [{ value: "203.0.113.7" }]);
    await settle();
    assert.deepEqual(at(EDGE_A), [`A ${EDGE_A} 203.0.113.7`]);
    gateways.delete("edge-a");
    await settle();
    assert.deepEqual(
      zone().filter((r) => r.includes(EDGE_A) && !r.startsWith("CNAME shop") && !r.startsWith("CNAME blog")),
      [],
      "neither the A record nor its TXT owner record is left",
    );
    assert.deepEqual(at("shop.example.com"), [`CNAME shop.example.com ${EDGE_A}`]);
    const { status, message } = condition();
    assert.equal(status, "Unknown GatewayAddressPending");
    assert.match(message, /pooled Gateway edge\/edge-a does not exist yet, or no longer/);
  });

  const foreign = "kubectl-client-side-apply";
  test("a Gateway at the member's name that hostgate did not write (its labels copied): its address is never published", async () => {
    setGateway("edge-a", [{ value: "198.51.100.66" }], foreign);
    await settle();
    assert.deepEqual(at(EDGE_A), []);
    assert.deepEqual(at("shop.example.com"), [`CNAME shop.example.com ${EDGE_A}`]);
    const { status, message } = condition();
    assert.equal(status, "Unknown GatewayAddressPending");
    assert.match(message, /cannot be published \(ObjectNotOwned\): Gateway edge\/edge-a exists and hostgate did not create it/);
    assert.match(message, /delete it \(or give it another name\)/);
  });

  test("hostgate's Gateway replaced by someone else's (without an address): the record hostgate's held is deleted, not kept", async () => {
    setGateway("edge-a", [{ value: "203.0.113.7" }]);
    await settle();
    setGateway("edge-a", [], foreign);
    await settle();
    assert.deepEqual(at(EDGE_A), []);
    assert.deepEqual(
      zone().filter((r) => r.startsWith("TXT") && r.includes(EDGE_A) && !r.includes("shop") && !r.includes("blog")),
      [],
    );
  });

  test("a new Gateway address changes the gateway record alone, in one request; the routes' CNAMEs are not touched", async () => {
    setGateway("edge-a", [{ type: "Hostname", value: "lb-1.elb.eu-west-1.amazonaws.com" }]);
    await settle();
    const before = route53.calls.filter((c) => c.operation === "changeRecords").length;
    const routeRecords = () => route53.peek(ZONE).filter((r) => r.name.endsWith("shop.example.com") || r.name.endsWith("blog.example.com"));
    const kept = routeRecords();
    setGateway("edge-a", [{ type: "Hostname", value: "lb-2.elb.eu-west-1.amazonaws.com" }]);
    await settle();
    const sent = route53.calls.filter((c) => c.operation === "changeRecords").slice(before);
    assert.equal(sent.length, 1, "one request");
    assert.deepEqual(
      sent[0]!.changes!.map((c) => `${c.action} ${c.record.type} ${c.record.name} ${c.record.values?.join(",")}`),
      [`DELETE CNAME ${EDGE_A} lb-1.elb.eu-west-1.amazonaws.com`, `CREATE CNAME ${EDGE_A} lb-2.elb.eu-west-1.amazonaws.com`],
    );
    assert.deepEqual(routeRecords(), kept);
    assert.equal(condition().status, "True RecordsReady");
  });

  test("an autoscaled member's record appears when a route is placed there, and goes when the last route leaves", async () => {
    setGateway("edge-a", [{ value: "203.0.113.7" }]);
    setGateway("edge-01", [{ type: "Hostname", value: "lb-01.elb.eu-west-1.amazonaws.com" }]);
    await settle();
    assert.deepEqual(at(EDGE_01), [], "no route on edge-01: no record, though its Gateway has an address");
    routes = [...routes, onMember(dnsRoute("news", { lb: "alb-in" }), "edge-01")];
    await settle();
    assert.deepEqual(at(EDGE_01), [`CNAME ${EDGE_01} lb-01.elb.eu-west-1.amazonaws.com`]);
    assert.deepEqual(at("news.example.com"), [`CNAME news.example.com ${EDGE_01}`]);
    assert.equal(condition("news").status, "True RecordsReady");
    routes = routes.filter((r) => r.metadata.name !== "news");
    await settle();
    assert.deepEqual(
      zone().filter((r) => r.includes(EDGE_01)),
      [],
      "the record and its TXT owner record are deleted",
    );
  });

  test("a configured pooled Gateway no route is placed on publishes nothing, and its record goes when its last route leaves", async () => {
    setGateway("edge-a", [{ value: "203.0.113.7" }]);
    await settle();
    assert.deepEqual(at(EDGE_A), [`A ${EDGE_A} 203.0.113.7`]);
    routes = [];
    await settle();
    assert.deepEqual(zone(), [], "nothing left: no route record, no gateway record, no TXT");
  });

  test("an autoscaled member in use without an address yet (just created) publishes nothing and its route waits", async () => {
    routes = [onMember(dnsRoute("news", { lb: "alb-in" }), "edge-02")];
    await settle();
    assert.deepEqual(at(`edge-02.gw.example.com`), []);
    assert.deepEqual(at("news.example.com"), ["CNAME news.example.com edge-02.gw.example.com"]);
    const { status, message } = condition("news");
    assert.equal(status, "Unknown GatewayAddressPending");
    assert.match(message, /pooled Gateway edge\/edge-02 does not exist yet/);
  });
});
