import assert from "node:assert/strict";
import { beforeEach, describe, it } from "node:test";
import { KubeApiError } from "../../../core/kube/api-error.ts";
import type { KubeObject } from "../../../core/kube/object-key.ts";
import { FakeKubeApi } from "../../../core/kube/testing/fake-kube-api.ts";
import type { PlatformConfig } from "../../../core/config/platform-config.ts";
import { silentLogger } from "../../../core/logger.ts";
import type { ObjectReader } from "../../cluster/object-reader.ts";
import { ALL_PRODUCED_RESOURCES, DNS_ENDPOINT_RESOURCE } from "../../domainroute/render/produced-resources.ts";
import { sweepOrphans } from "../../orphans/sweep-orphans.ts";
import { FIELD_MANAGER, SERVICES } from "../../resources.ts";
import { GATEWAY_ENDPOINTS_KEY, gatewayEndpointsNeeded, reconcileGatewayEndpoints } from "./gateway-endpoints.ts";
import { aRegionalConfig, anExternalDnsConfig, GATEWAY_HOSTNAME, GATEWAY_SERVICE } from "./testing/external-dns-config.ts";

const NS = "istio-system";
const SINGLE = "hostgate-gateway-alb-in";

function gatewayService(ingress: unknown[]): KubeObject {
  return {
    apiVersion: "v1",
    kind: "Service",
    metadata: { ...GATEWAY_SERVICE },
    spec: { type: "LoadBalancer" },
    status: { loadBalancer: { ingress } },
  };
}
type Record = { dnsName: string; recordType: string; targets: string[]; recordTTL: number };
const recordsOf = (o: KubeObject | undefined) => (o?.spec as { endpoints: Record[] } | undefined)?.endpoints;
const labelsOf = (o: KubeObject | undefined) => (o?.metadata?.labels ?? {}) as { [key: string]: string };

describe("reconcileGatewayEndpoints", () => {
  let api: FakeKubeApi;
  let reader: ObjectReader;
  const pass = (config: PlatformConfig, extra: { api?: FakeKubeApi } = {}) =>
    reconcileGatewayEndpoints({ api: extra.api ?? api, reader, config, logger: silentLogger });
  const endpoints = () => api.objects({ ...DNS_ENDPOINT_RESOURCE, namespace: NS });
  const endpoint = (name: string) => api.server.get(DNS_ENDPOINT_RESOURCE, { namespace: NS, name });
  const setService = (ingress: unknown[]) => api.server.put(SERVICES, gatewayService(ingress));
  const twoStep = anExternalDnsConfig({ twoStep: true, dns: { externalDns: { labels: { "external-dns/instance": "a" } } } });

  beforeEach(() => {
    api = new FakeKubeApi();
    reader = { get: (r, k) => api.server.get(r, k), list: (r) => api.server.objects(r) };
  });

  it("has one queue key", () => {
    assert.equal(GATEWAY_ENDPOINTS_KEY, "gateway-endpoints");
  });

  describe("the gateway record", () => {
    const cases = [
      {
        name: "IPv4 and IPv6 addresses are an A and an AAAA record, sorted, TTL 60",
        ingress: [{ ip: "20.1.2.4" }, { ip: "2001:DB8::1" }, { ip: "20.1.2.3" }],
        records: [
          { dnsName: GATEWAY_HOSTNAME, recordType: "A", targets: ["20.1.2.3", "20.1.2.4"], recordTTL: 60 },
          { dnsName: GATEWAY_HOSTNAME, recordType: "AAAA", targets: ["2001:db8::1"], recordTTL: 60 },
        ],
      },
      {
        name: "a host name (an AWS NLB) is a CNAME",
        ingress: [{ hostname: "a1b2-nlb.elb.eu-west-1.amazonaws.com." }],
        records: [{ dnsName: GATEWAY_HOSTNAME, recordType: "CNAME", targets: ["a1b2-nlb.elb.eu-west-1.amazonaws.com"], recordTTL: 60 }],
      },
    ];
    for (const c of cases) {
      it(`${c.name}, in one DNSEndpoint in the gateway namespace`, async () => {
        setService(c.ingress);
        const outcome = await pass(twoStep);
        assert.deepEqual(outcome.written, [`${NS}/${SINGLE}`]);
        assert.deepEqual(recordsOf(endpoint(SINGLE)), c.records);
        assert.equal(labelsOf(endpoint(SINGLE))["hostgate.dev/gateway-record"], "alb-in");
        assert.equal(labelsOf(endpoint(SINGLE))["app.kubernetes.io/managed-by"], "hostgate");
        assert.equal(labelsOf(endpoint(SINGLE))["external-dns/instance"], "a");
        assert.deepEqual(outcome.changedLoadBalancers, ["alb-in"]);
      });
    }
  });

  it("on a platform with regions writes one per region, each with its region's labels and the cluster's", async () => {
    setService([{ ip: "20.1.2.3" }]);
    await pass(aRegionalConfig("aks01-weu", "weu", { twoStep: true }));
    const got = endpoints().map((o) => [labelsOf(o)["hostgate.dev/region"], labelsOf(o)["router.io/region"], labelsOf(o)["hostgate.dev/cluster"]]);
    assert.deepEqual(got.sort(), [
      ["neu", "neu", "aks01-weu"],
      ["weu", "weu", "aks01-weu"],
    ]);
    assert.ok(endpoints().every((o) => /^hostgate-gateway-alb-in-(weu|neu)-[a-z2-7]{20}$/.test(o.metadata!.name!)));
  });

  it("writes nothing when nothing changed, and only the gateway record when the address changes", async () => {
    setService([{ ip: "20.1.2.3" }]);
    await pass(twoStep);
    api.takeWrites();
    assert.deepEqual((await pass(twoStep)).written, []);
    assert.deepEqual(api.takeWrites(), []);
    setService([{ ip: "20.9.9.9" }]);
    const outcome = await pass(twoStep);
    assert.deepEqual(outcome.written, [`${NS}/${SINGLE}`]);
    // The first apply over its own create also moves the create's fields to its apply entry (apply-object.ts): once per object.
    assert.deepEqual([...new Set(api.takeWrites().map((w) => w.key))], [`${NS}/${SINGLE}`]);
    assert.deepEqual(recordsOf(endpoint(SINGLE))?.[0]?.targets, ["20.9.9.9"]);
    setService([{ ip: "20.9.9.10" }]);
    await pass(twoStep);
    assert.deepEqual(
      api.takeWrites().map((w) => `${w.verb} ${w.key}`),
      [`apply ${NS}/${SINGLE}`],
      "one write",
    );
  });

  it("reverts a hand edit and re-creates a deleted record", async () => {
    setService([{ ip: "20.1.2.3" }]);
    await pass(twoStep);
    const current = endpoint(SINGLE)!;
    await api.update(
      DNS_ENDPOINT_RESOURCE,
      { ...current, spec: { endpoints: [{ ...recordsOf(current)![0]!, targets: ["6.6.6.6"] }] } },
      { fieldManager: "kubectl-edit" },
    );
    await pass(twoStep);
    assert.deepEqual(recordsOf(endpoint(SINGLE))?.[0]?.targets, ["20.1.2.3"]);
    api.server.delete(DNS_ENDPOINT_RESOURCE, { namespace: NS, name: SINGLE });
    await pass(twoStep);
    assert.deepEqual(recordsOf(endpoint(SINGLE))?.[0]?.targets, ["20.1.2.3"]);
  });

  it("keeps the last record when the gateway Service loses its address (fail-safe), and reports it pending", async () => {
    setService([{ ip: "20.1.2.3" }]);
    await pass(twoStep);
    api.takeWrites();
    setService([]);
    const outcome = await pass(twoStep);
    assert.deepEqual([outcome.written, outcome.deleted], [[], []]);
    assert.deepEqual(api.takeWrites(), []);
    assert.deepEqual(recordsOf(endpoint(SINGLE))?.[0]?.targets, ["20.1.2.3"]);
    assert.match(outcome.pending[0]!.reason, /Service istio-system\/gw-internal has no address in status\.loadBalancer\.ingress yet/);
    api.server.delete(SERVICES, GATEWAY_SERVICE);
    assert.deepEqual((await pass(twoStep)).deleted, [], "nor when the Service is gone");
    assert.ok(endpoint(SINGLE));
  });

  it("creates nothing for a gateway that never had an address", async () => {
    setService([]);
    const outcome = await pass(twoStep);
    assert.deepEqual([endpoints(), outcome.pending.map((p) => p.loadBalancer)], [[], ["alb-in"]]);
  });

  it("deletes its record when the load balancer entry is no longer two-step", async () => {
    setService([{ ip: "20.1.2.3" }]);
    await pass(twoStep);
    const outcome = await pass(anExternalDnsConfig());
    assert.deepEqual(outcome.deleted, [`${NS}/${SINGLE}`]);
    assert.deepEqual(outcome.changedLoadBalancers, ["alb-in"]);
    assert.deepEqual(endpoints(), []);
  });

  it("leaves a regional record alone once this cluster's config names no cluster (it cannot tell whose it is)", async () => {
    setService([{ ip: "20.1.2.3" }]);
    await pass(aRegionalConfig("aks01-weu", "weu", { twoStep: true }));
    assert.deepEqual((await pass(anExternalDnsConfig())).deleted, []);
    assert.equal(endpoints().length, 2);
  });

  it("moving to regions replaces the single record with the regional ones", async () => {
    setService([{ ip: "20.1.2.3" }]);
    await pass(twoStep);
    const outcome = await pass(aRegionalConfig("aks01-weu", "weu", { twoStep: true }));
    assert.deepEqual(outcome.deleted, [`${NS}/${SINGLE}`]);
    assert.equal(outcome.written.length, 2);
  });

  describe("never deletes what it did not make", () => {
    const regional = aRegionalConfig("aks01-weu", "weu");
    const cases: { name: string; object: KubeObject; manager: string; config?: PlatformConfig }[] = [
      {
        name: "a DNSEndpoint with its labels written by someone else",
        object: anEndpoint(SINGLE, { "hostgate.dev/gateway-record": "alb-in" }),
        manager: "kubectl-create",
      },
      {
        name: "a DNSEndpoint at a name it would not give that load balancer",
        object: anEndpoint("hostgate-gateway-alb-in-copy", { "hostgate.dev/gateway-record": "alb-in" }),
        manager: FIELD_MANAGER,
      },
      {
        name: "another cluster's record (its cluster label and name)",
        object: anEndpoint("hostgate-gateway-alb-in-weu-other", {
          "hostgate.dev/gateway-record": "alb-in",
          "hostgate.dev/cluster": "aks02-weu",
          "hostgate.dev/region": "weu",
        }),
        manager: FIELD_MANAGER,
        config: regional,
      },
      {
        name: "a route's DNSEndpoint (no gateway-record label)",
        object: anEndpoint("shop-example-com-x", { "hostgate.dev/route-uid": "uid-1" }),
        manager: FIELD_MANAGER,
      },
    ];
    for (const c of cases) {
      it(c.name, async () => {
        await api.create(DNS_ENDPOINT_RESOURCE, c.object, { fieldManager: c.manager });
        const outcome = await pass(c.config ?? anExternalDnsConfig());
        assert.deepEqual(outcome.deleted, []);
        assert.equal(endpoints().length, 1);
      });
    }
  });

  describe("never changes what it did not make, at the name its record would take", () => {
    const person = (labels: { [key: string]: string }): KubeObject => {
      const object = anEndpoint(SINGLE, labels);
      return {
        ...object,
        metadata: { ...object.metadata, labels },
        spec: { endpoints: [{ dnsName: "intranet.example.com", recordType: "A", targets: ["10.0.0.1"] }] },
      };
    };
    const cases = [
      { name: "a platform team's own DNSEndpoint (no hostgate labels)", object: person({ team: "platform" }) },
      {
        name: "one carrying hostgate's labels that someone else wrote",
        object: person({ "app.kubernetes.io/managed-by": "hostgate", "hostgate.dev/gateway-record": "alb-in" }),
      },
    ];
    for (const c of cases) {
      it(`${c.name} is left exactly as it is, and the pass fails naming it`, async () => {
        const stored = await api.create(DNS_ENDPOINT_RESOURCE, c.object, { fieldManager: "kubectl-create" });
        setService([{ ip: "20.1.2.3" }]);
        await assert.rejects(pass(twoStep), /DNSEndpoint istio-system\/hostgate-gateway-alb-in exists and hostgate did not create it .*delete it/);
        assert.deepEqual(endpoint(SINGLE), stored);
      });
    }

    it("its own record whose labels were removed (out of the cache) is taken back", async () => {
      setService([{ ip: "20.1.2.3" }]);
      await pass(twoStep);
      const own = endpoint(SINGLE)!;
      api.server.put(DNS_ENDPOINT_RESOURCE, { ...own, metadata: { ...own.metadata, labels: {} } });
      const cached = {
        get: (r: typeof DNS_ENDPOINT_RESOURCE, k: { namespace?: string; name: string }) => (r === DNS_ENDPOINT_RESOURCE ? undefined : api.server.get(r, k)),
      };
      await reconcileGatewayEndpoints({ api, reader: { ...reader, ...cached }, config: twoStep, logger: silentLogger });
      assert.equal(labelsOf(endpoint(SINGLE))["hostgate.dev/gateway-record"], "alb-in");
    });
  });

  it("leaves a record changed since it was read (409 on the delete's preconditions) for the next pass, and fails the pass on other errors after trying the rest", async () => {
    setService([{ ip: "20.1.2.3" }]);
    await pass(aRegionalConfig("aks01-weu", "weu", { twoStep: true }));
    const fixed = aRegionalConfig("aks01-weu", "weu");
    api.failNext("delete", new KubeApiError("409 Conflict", 409, "Conflict"));
    const conflicted = await pass(fixed);
    assert.equal(conflicted.deleted.length, 1, "the other one was deleted");
    await pass(aRegionalConfig("aks01-weu", "weu", { twoStep: true }));
    api.failNext("delete", new KubeApiError("500 boom", 500, "InternalError"));
    await assert.rejects(
      pass(fixed),
      /gateway DNSEndpoints: 1 change\(s\) failed \(retried\): deleting DNSEndpoint istio-system\/hostgate-gateway-alb-in-\S+: 500 boom/,
    );
    assert.equal(endpoints().length, 1, "the other one was deleted regardless");
  });

  it("does nothing unless the provider is external-dns (reads no DNSEndpoints: their CRD may not exist)", async () => {
    const route53 = { ...twoStep, dns: { ...twoStep.dns, provider: "route53" as const } };
    assert.equal(gatewayEndpointsNeeded(route53), false);
    const untouched: ObjectReader = {
      get: () => assert.fail("read"),
      list: () => assert.fail("listed"),
    };
    assert.deepEqual(await reconcileGatewayEndpoints({ api, reader: untouched, config: route53, logger: silentLogger }), {
      written: [],
      deleted: [],
      pending: [],
      changedLoadBalancers: [],
    });
  });

  it("is never swept as an orphan: it belongs to no route", async () => {
    setService([{ ip: "20.1.2.3" }]);
    await pass(twoStep);
    const outcome = await sweepOrphans({ api, reader, logger: silentLogger, produced: ALL_PRODUCED_RESOURCES });
    assert.deepEqual(outcome, { deleted: [], kept: [] });
    assert.ok(endpoint(SINGLE));
  });
});

function anEndpoint(name: string, labels: { [key: string]: string }): KubeObject {
  return {
    apiVersion: "externaldns.k8s.io/v1alpha1",
    kind: "DNSEndpoint",
    metadata: { name, namespace: NS, labels: { "app.kubernetes.io/managed-by": "hostgate", ...labels } },
    spec: { endpoints: [] },
  };
}
