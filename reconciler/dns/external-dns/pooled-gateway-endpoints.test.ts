// The gateway records of pooled Gateways (Gateway API data plane) as
// external-dns DNSEndpoints: the Gateway's status.addresses (Hostname: a
// CNAME, IPAddress: A/AAAA) in one DNSEndpoint per member in the gateway
// namespace; a Gateway without an address keeps what is there and is
// pending; a Gateway that is gone, or is not hostgate's, keeps nothing; an
// autoscaled member's endpoint exists while a route is placed on it; a route on such a member is a plain CNAME to the member's gatewayHostname.
import assert from "node:assert/strict";
import { beforeEach, describe, it } from "node:test";
import type { KubeObject } from "../../../core/kube/object-key.ts";
import { FakeKubeApi } from "../../../core/kube/testing/fake-kube-api.ts";
import { silentLogger } from "../../../core/logger.ts";
import type { DomainRoute } from "../../../crds/types.ts";
import type { ObjectReader } from "../../cluster/object-reader.ts";
import { DNS_ENDPOINT_RESOURCE } from "../../domainroute/render/produced-resources.ts";
import { DOMAIN_ROUTES, GATEWAYS } from "../../resources.ts";
import { dnsRoute } from "../testing/dns-fixtures.ts";
import type { Address } from "../testing/gateway-api-fixtures.ts";
import { EDGE_01, EDGE_A, EDGE_NAMESPACE, gatewayApiPool, onMember, pooledGateway } from "../testing/gateway-api-fixtures.ts";
import { externalDnsStatus } from "./external-dns-status.ts";
import { reconcileGatewayEndpoints } from "./gateway-endpoints.ts";
import { dnsEndpointName, dnsEndpointRecord } from "./render-dns-endpoint.ts";
import { anExternalDnsConfig } from "./testing/external-dns-config.ts";

const NS = EDGE_NAMESPACE;
const config = gatewayApiPool(anExternalDnsConfig({ dns: { recordType: "alias" } }));
const recordsOf = (o: KubeObject | undefined) =>
  (o?.spec as { endpoints: { dnsName: string; recordType: string; targets: string[] }[] } | undefined)?.endpoints;

describe("the gateway DNSEndpoints of pooled Gateways", () => {
  let api: FakeKubeApi;
  let reader: ObjectReader;
  const pass = () => reconcileGatewayEndpoints({ api, reader, config, logger: silentLogger });
  const endpoint = (member: string) => api.server.get(DNS_ENDPOINT_RESOURCE, { namespace: NS, name: `hostgate-gateway-${member}` });
  const names = () =>
    api
      .objects({ ...DNS_ENDPOINT_RESOURCE, namespace: NS })
      .map((o) => o.metadata!.name!)
      .sort();
  const setGateway = (name: string, addresses?: Address[], madeBy?: string) => api.server.put(GATEWAYS, pooledGateway(name, addresses, madeBy));
  const place = (name: string, member: string) => api.server.put(DOMAIN_ROUTES, onMember(dnsRoute(name, { lb: "alb-in" }), member) as unknown as KubeObject);

  beforeEach(() => {
    api = new FakeKubeApi();
    reader = { get: (r, k) => api.server.get(r, k), list: (r) => api.server.objects(r) };
    place("shop", "edge-a");
  });

  const cases: { name: string; addresses: Address[]; records: { dnsName: string; recordType: string; targets: string[] }[] }[] = [
    {
      name: "a Hostname is a CNAME",
      addresses: [{ type: "Hostname", value: "K8S-Edge-A.elb.eu-west-1.amazonaws.com." }],
      records: [{ dnsName: EDGE_A, recordType: "CNAME", targets: ["k8s-edge-a.elb.eu-west-1.amazonaws.com"] }],
    },
    {
      name: "IPAddress ones (the type left out is IPAddress) are an A and an AAAA record",
      addresses: [{ value: "20.1.2.4" }, { type: "IPAddress", value: "2001:db8::1" }, { type: "IPAddress", value: "20.1.2.3" }],
      records: [
        { dnsName: EDGE_A, recordType: "A", targets: ["20.1.2.3", "20.1.2.4"] },
        { dnsName: EDGE_A, recordType: "AAAA", targets: ["2001:db8::1"] },
      ],
    },
  ];
  for (const c of cases) {
    it(`${c.name}, in the member's DNSEndpoint in the gateway namespace, naming the Gateway`, async () => {
      setGateway("edge-a", c.addresses);
      const outcome = await pass();
      assert.deepEqual(outcome.written, [`${NS}/hostgate-gateway-edge-a`]);
      assert.deepEqual(
        recordsOf(endpoint("edge-a"))?.map(({ dnsName, recordType, targets }) => ({ dnsName, recordType, targets })),
        c.records,
      );
      const labels = (endpoint("edge-a")?.metadata?.labels ?? {}) as Record<string, string>;
      const annotations = (endpoint("edge-a")?.metadata?.annotations ?? {}) as Record<string, string>;
      assert.equal(labels["hostgate.dev/gateway-record"], "edge-a");
      assert.equal(annotations["hostgate.dev/pooled-gateway"], "edge/edge-a");
      assert.deepEqual(outcome.changedLoadBalancers, ["edge-a"]);
    });
  }

  it("writes nothing for a Gateway without an address yet, and reports it pending with the Gateway's Programmed condition", async () => {
    setGateway("edge-a", []);
    const outcome = await pass();
    assert.deepEqual(names(), []);
    assert.deepEqual(
      outcome.pending.map((p) => p.loadBalancer),
      ["edge-a"],
    );
    assert.match(
      outcome.pending[0]!.reason,
      /^pooled Gateway edge\/edge-a has no IP address or host name in status\.addresses yet .*Programmed is False \(AddressNotAssigned/,
    );
  });

  it("keeps the last record when the Gateway loses its address (fail-safe) while a route is on it", async () => {
    setGateway("edge-a", [{ value: "20.1.2.3" }]);
    await pass();
    api.takeWrites();
    setGateway("edge-a", []);
    const outcome = await pass();
    assert.deepEqual([outcome.written, outcome.deleted, api.takeWrites()], [[], [], []]);
    assert.deepEqual(recordsOf(endpoint("edge-a"))?.[0]?.targets, ["20.1.2.3"]);
    assert.deepEqual(
      outcome.pending.map((p) => [p.loadBalancer, p.keep]),
      [["edge-a", true]],
    );
    assert.match(outcome.pending[0]!.reason, /has no IP address or host name in status\.addresses yet/);
  });

  // The pool Gateways controller deletes a member's Gateway once no route there gets a listener, while those routes'
  // status.edge still names the member: the address the endpoint held is the deleted load balancer's.
  it("deletes the endpoint once the Gateway is gone, though a route is still placed on its member", async () => {
    setGateway("edge-a", [{ value: "20.1.2.3" }]);
    await pass();
    api.server.delete(GATEWAYS, { namespace: NS, name: "edge-a" });
    const outcome = await pass();
    assert.deepEqual([outcome.deleted, outcome.changedLoadBalancers, names()], [[`${NS}/hostgate-gateway-edge-a`], ["edge-a"], []]);
    assert.deepEqual(
      outcome.pending.map((p) => [p.loadBalancer, p.keep]),
      [["edge-a", false]],
    );
    assert.match(outcome.pending[0]!.reason, /pooled Gateway edge\/edge-a does not exist yet, or no longer/);
  });

  const foreign = "kubectl-client-side-apply";
  it("never publishes the address of a Gateway at the member's name that hostgate did not write, and says why", async () => {
    setGateway("edge-a", [{ value: "198.51.100.66" }], foreign);
    const outcome = await pass();
    assert.deepEqual([outcome.written, names()], [[], []]);
    assert.deepEqual(
      outcome.pending.map((p) => [p.loadBalancer, p.keep]),
      [["edge-a", false]],
    );
    assert.match(outcome.pending[0]!.reason, /^Gateway edge\/edge-a exists and hostgate did not create it .*delete it \(or give it another name\)/);
  });

  it("deletes the endpoint of hostgate's Gateway once someone else's stands at its name (no fail-safe for it)", async () => {
    setGateway("edge-a", [{ value: "20.1.2.3" }]);
    await pass();
    setGateway("edge-a", [], foreign);
    const outcome = await pass();
    assert.deepEqual([outcome.deleted, names()], [[`${NS}/hostgate-gateway-edge-a`], []]);
  });

  it("a new Gateway address rewrites that member's endpoint alone", async () => {
    setGateway("edge-a", [{ type: "Hostname", value: "lb-1.elb.amazonaws.com" }]);
    setGateway("edge-01", [{ type: "Hostname", value: "lb-01.elb.amazonaws.com" }]);
    place("news", "edge-01");
    await pass();
    setGateway("edge-a", [{ type: "Hostname", value: "lb-2.elb.amazonaws.com" }]);
    const outcome = await pass();
    assert.deepEqual(outcome.written, [`${NS}/hostgate-gateway-edge-a`]);
    assert.deepEqual(recordsOf(endpoint("edge-a"))?.[0]?.targets, ["lb-2.elb.amazonaws.com"]);
  });

  it("an autoscaled member's endpoint appears when a route is placed there and goes when the last route leaves", async () => {
    setGateway("edge-a", [{ value: "20.1.2.3" }]);
    setGateway("edge-01", [{ type: "Hostname", value: "lb-01.elb.amazonaws.com" }]);
    await pass();
    assert.deepEqual(names(), ["hostgate-gateway-edge-a"], "no route on edge-01 yet");
    place("news", "edge-01");
    assert.deepEqual((await pass()).written, [`${NS}/hostgate-gateway-edge-01`]);
    assert.deepEqual(recordsOf(endpoint("edge-01")), [{ dnsName: EDGE_01, recordType: "CNAME", targets: ["lb-01.elb.amazonaws.com"], recordTTL: 60 }]);
    api.server.delete(DOMAIN_ROUTES, { namespace: "team-a", name: "news" });
    const outcome = await pass();
    assert.deepEqual([outcome.deleted, outcome.changedLoadBalancers], [[`${NS}/hostgate-gateway-edge-01`], ["edge-01"]]);
    assert.deepEqual(names(), ["hostgate-gateway-edge-a"]);
  });
});

describe("a route on a pooled Gateway member with external-dns", () => {
  const route: DomainRoute = onMember(dnsRoute("shop", { lb: "alb-in" }), "edge-01");

  it("is a plain CNAME to the member's gatewayHostname with a TTL, even with dns.recordType alias (no alias to a gateway name)", () => {
    assert.deepEqual(dnsEndpointRecord(route, config), { dnsName: "shop.example.com", recordType: "CNAME", targets: [EDGE_01], recordTTL: 300 });
  });

  it("waits (Unknown GatewayAddressPending) while the Gateway has no address, saying why", () => {
    // The route's own endpoint, read by external-dns: only the gateway record is missing.
    const owned: KubeObject = {
      apiVersion: "externaldns.k8s.io/v1alpha1",
      kind: "DNSEndpoint",
      metadata: { namespace: "team-a", name: dnsEndpointName(route, config), generation: 1 },
      status: { observedGeneration: 1 },
    };
    const status = externalDnsStatus(route, [owned], config, {
      gateway: { published: [], pendingReason: "pooled Gateway edge/edge-01 does not exist yet (hostgate creates it once a route is placed on its member)" },
    });
    assert.equal(`${status.condition.status} ${status.condition.reason}`, "Unknown GatewayAddressPending");
    assert.match(
      status.condition.message,
      /shop\.example\.com is a CNAME to edge-01\.gw\.example\.com, the gateway of load balancer autoscaled member edge-01 of alb-in/,
    );
    assert.match(status.condition.message, /pooled Gateway edge\/edge-01 does not exist yet/);
  });
});
