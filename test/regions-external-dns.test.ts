// The route controller and the gateway-endpoints controller with
// `dns.provider: external-dns` on a platform spanning two regions (weu and
// neu), against the in-memory API server: which DNSEndpoints a cluster keeps
// as a route's placement changes (namespace RegionPolicy, spec.dns.mode),
// that switching prunes only the route's own endpoints (never another
// cluster's or a forged one), what DNSReady says, and a two-step load
// balancer whose gateway address changes.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { KubeObject } from "../core/kube/object-key.ts";
import type { PlatformConfig } from "../core/config/platform-config.ts";
import { silentLogger } from "../core/logger.ts";
import type { DomainRoute } from "../crds/types.ts";
import { reconcileGatewayEndpoints } from "../reconciler/dns/external-dns/gateway-endpoints.ts";
import { gatewayEndpointNameIn } from "../reconciler/dns/external-dns/render-gateway-endpoints.ts";
import { GATEWAY_SERVICE, NEU, WEU } from "../reconciler/dns/external-dns/testing/external-dns-config.ts";
import { DNS_ENDPOINT_RESOURCE } from "../reconciler/domainroute/render/produced-resources.ts";
import { defaultConfig, route, world } from "../reconciler/domainroute/testing/route-world.ts";
import type { World } from "../reconciler/domainroute/testing/route-world.ts";
import { DOMAIN_ROUTES, FIELD_MANAGER, REGION_POLICIES, SERVICES } from "../reconciler/resources.ts";

function clusterConfig(name: string, region: string, twoStep = false): PlatformConfig {
  const albIn = twoStep
    ? { service: GATEWAY_SERVICE, gatewayHostname: "aks01-weu-internal.example.com", ipAddressType: "ipv4" as const }
    : defaultConfig.loadBalancers["alb-in"];
  return {
    ...defaultConfig,
    loadBalancers: { ...defaultConfig.loadBalancers, "alb-in": albIn },
    dns: { ...defaultConfig.dns, provider: "external-dns", externalDns: { labels: {} }, regionMode: { mode: "Active" } },
    regions: [WEU, NEU],
    cluster: { name, region },
  };
}

const labelsOf = (o: KubeObject) => (o.metadata?.labels ?? {}) as Record<string, string>;
const endpointsIn = (w: World, namespace: string) => w.api.objects({ ...DNS_ENDPOINT_RESOURCE, namespace });
const regionsOf = (w: World) =>
  endpointsIn(w, "team-a")
    .filter((o) => labelsOf(o)["hostgate.dev/cluster"] === "aks01-weu")
    .map((o) => labelsOf(o)["hostgate.dev/region"])
    .sort();

async function setPolicy(w: World, mode: "Active" | "RegionBound", sourceRegion?: string): Promise<void> {
  const metadata = { name: "default", namespace: "team-a" };
  w.api.server.put(REGION_POLICIES, {
    apiVersion: "hostgate.dev/v1alpha1",
    kind: "RegionPolicy",
    metadata,
    spec: { mode, ...(sourceRegion === undefined ? {} : { sourceRegion }) },
  });
}

/** external-dns, under its own identity, reads every DNSEndpoint's current generation. */
function externalDnsReadsAll(w: World, namespace = "team-a"): void {
  for (const o of endpointsIn(w, namespace)) w.api.server.put(DNS_ENDPOINT_RESOURCE, { ...o, status: { observedGeneration: o.metadata!.generation } });
}

async function converged(config: PlatformConfig): Promise<World> {
  const w = world({ config });
  await w.api.create(DOMAIN_ROUTES, route("shop", "shop.example.com"));
  await w.reconcile("shop");
  await w.reconcile("shop");
  return w;
}

describe("a route's DNSEndpoints across regions (cluster aks01-weu in weu)", () => {
  it("follows its namespace's RegionPolicy and its own spec.dns.mode, pruning the endpoints of regions it leaves", async () => {
    const w = await converged(clusterConfig("aks01-weu", "weu"));
    assert.deepEqual(regionsOf(w), ["weu"], "Active by the platform default: its own region");
    externalDnsReadsAll(w);
    await w.reconcile("shop");
    assert.equal(w.condition("shop", "DNSReady"), "True HandedToExternalDns");
    assert.deepEqual(
      w.get("shop")!.status?.dns?.map((r) => r.region),
      ["weu"],
    );

    await setPolicy(w, "RegionBound", "weu");
    await w.reconcile("shop");
    assert.deepEqual(regionsOf(w), ["neu", "weu"], "bound to this region: every region");
    await w.reconcile("shop");
    assert.equal(w.condition("shop", "DNSReady"), "Unknown WaitingForExternalDns");
    assert.match(w.message("shop", "DNSReady")!, /for region neu/);

    await setPolicy(w, "RegionBound", "neu");
    await w.reconcile("shop");
    assert.deepEqual(regionsOf(w), [], "bound to another region: nothing here");
    await w.reconcile("shop");
    assert.equal(w.condition("shop", "DNSReady"), "True PublishedBySourceRegion");
    assert.match(w.message("shop", "DNSReady")!, /RegionBound to region neu \(the namespace's RegionPolicy/);
    assert.equal(w.get("shop")!.status?.dns, undefined);

    const stored = w.api.server.get(DOMAIN_ROUTES, { namespace: "team-a", name: "shop" }) as unknown as DomainRoute;
    w.api.server.put(DOMAIN_ROUTES, { ...stored, spec: { ...stored.spec, dns: { ttl: 300, mode: "Active" } } } as unknown as KubeObject);
    await w.reconcile("shop");
    assert.deepEqual(regionsOf(w), ["weu"], "the route's own mode wins over its namespace");
  });

  it("a source region the config does not list publishes nothing and says UnknownSourceRegion", async () => {
    const w = await converged(clusterConfig("aks01-weu", "weu"));
    await setPolicy(w, "RegionBound", "eus");
    await w.reconcile("shop");
    await w.reconcile("shop");
    assert.deepEqual(regionsOf(w), []);
    assert.equal(w.condition("shop", "DNSReady"), "False UnknownSourceRegion");
  });

  it("switching modes never touches another cluster's endpoint or one that only carries the route's labels", async () => {
    const w = await converged(clusterConfig("aks01-weu", "weu"));
    const uid = w.get("shop")!.metadata.uid!;
    const spec = { endpoints: [{ dnsName: "shop.example.com", recordType: "CNAME", targets: ["elsewhere.example.net"] }] };
    // Another cluster's reconciler (same field manager, its own route uid), as a hub that collects DNSEndpoints would show it.
    const otherCluster = {
      apiVersion: "externaldns.k8s.io/v1alpha1",
      kind: "DNSEndpoint",
      metadata: {
        name: "shop-example-com-neu-othercluster",
        namespace: "team-a",
        labels: { "app.kubernetes.io/managed-by": "hostgate", "hostgate.dev/route-uid": "uid-in-aks01-neu", "hostgate.dev/cluster": "aks01-neu" },
      },
      spec,
    };
    // A tenant's copy with this route's labels, written by kubectl.
    const forged = {
      ...otherCluster,
      metadata: { name: "shop-forged", namespace: "team-a", labels: { "app.kubernetes.io/managed-by": "hostgate", "hostgate.dev/route-uid": uid } },
    };
    await w.api.create(DNS_ENDPOINT_RESOURCE, otherCluster, { fieldManager: FIELD_MANAGER });
    await w.api.create(DNS_ENDPOINT_RESOURCE, forged, { fieldManager: "kubectl-create" });
    for (const [mode, source] of [
      ["RegionBound", "weu"],
      ["RegionBound", "neu"],
      ["Active", undefined],
    ] as const) {
      await setPolicy(w, mode, source);
      await w.reconcile("shop");
    }
    const names = endpointsIn(w, "team-a").map((o) => o.metadata!.name!);
    assert.ok(names.includes("shop-example-com-neu-othercluster"));
    assert.ok(names.includes("shop-forged"));
    assert.deepEqual(regionsOf(w), ["weu"]);
  });

  it("a converged route writes nothing more, in every placement (steady cluster: no object or status write)", async () => {
    for (const [mode, source] of [
      ["Active", undefined],
      ["RegionBound", "weu"],
      ["RegionBound", "neu"],
      ["RegionBound", "eus"],
    ] as const) {
      const w = await converged(clusterConfig("aks01-weu", "weu"));
      await setPolicy(w, mode, source);
      await w.reconcile("shop");
      externalDnsReadsAll(w);
      await w.reconcile("shop");
      await w.reconcile("shop");
      w.api.takeWrites();
      await w.reconcile("shop");
      await w.reconcile("shop");
      assert.deepEqual(w.api.takeWrites(), [], `${mode} ${source ?? ""}: ${w.condition("shop", "DNSReady")}`);
    }
  });

  it("a deleted route takes every region's endpoint with it", async () => {
    const w = await converged(clusterConfig("aks01-weu", "weu"));
    await setPolicy(w, "RegionBound", "weu");
    await w.reconcile("shop");
    assert.equal(regionsOf(w).length, 2);
    await w.api.delete(DOMAIN_ROUTES, { namespace: "team-a", name: "shop" });
    await w.reconcile("shop");
    assert.deepEqual(regionsOf(w), []);
  });
});

describe("a two-step load balancer with external-dns", () => {
  const config = clusterConfig("aks01-weu", "weu", true);
  const setAddress = (w: World, ip: string | undefined) =>
    w.api.server.put(SERVICES, {
      apiVersion: "v1",
      kind: "Service",
      metadata: { ...GATEWAY_SERVICE },
      spec: { type: "LoadBalancer" },
      status: { loadBalancer: { ingress: ip === undefined ? [] : [{ ip }] } },
    });
  const gatewayPass = (w: World) => reconcileGatewayEndpoints({ api: w.api, reader: w.deps.reader, config, logger: silentLogger });

  it("a steady gateway and route write nothing more (gateway pass and route reconcile)", async () => {
    const w = await converged(config);
    setAddress(w, "20.1.2.3");
    await gatewayPass(w);
    externalDnsReadsAll(w);
    externalDnsReadsAll(w, "istio-system");
    await w.reconcile("shop");
    await w.reconcile("shop");
    assert.equal(w.condition("shop", "DNSReady"), "True HandedToExternalDns");
    w.api.takeWrites();
    assert.deepEqual(await gatewayPass(w), { written: [], deleted: [], pending: [], changedLoadBalancers: [] });
    await w.reconcile("shop");
    assert.deepEqual(w.api.takeWrites(), []);
  });

  it("a DNSEndpoint someone else made at the gateway record's name is left alone, and the route says so", async () => {
    const w = await converged(config);
    setAddress(w, "20.1.2.3");
    const name = gatewayEndpointNameIn(config, "alb-in", WEU);
    const labels = {
      "app.kubernetes.io/managed-by": "hostgate",
      "hostgate.dev/gateway-record": "alb-in",
      "hostgate.dev/cluster": "aks01-weu",
      "hostgate.dev/region": "weu",
    };
    const spec = { endpoints: [{ dnsName: "aks01-weu-internal.example.com", recordType: "A", targets: ["10.9.9.9"] }] };
    const made = await w.api.create(
      DNS_ENDPOINT_RESOURCE,
      { apiVersion: "externaldns.k8s.io/v1alpha1", kind: "DNSEndpoint", metadata: { name, namespace: "istio-system", labels }, spec },
      { fieldManager: "kubectl-create" },
    );
    await assert.rejects(gatewayPass(w), /exists and hostgate did not create it/);
    assert.deepEqual(w.api.server.get(DNS_ENDPOINT_RESOURCE, { namespace: "istio-system", name }), made);
    externalDnsReadsAll(w);
    await w.reconcile("shop");
    assert.equal(w.condition("shop", "DNSReady"), "Unknown GatewayAddressPending");
    assert.match(w.message("shop", "DNSReady")!, new RegExp(`DNSEndpoint istio-system/${name} exists and hostgate did not create it`));
  });

  it("the route waits for the gateway record, and a new gateway address changes only the gateway record", async () => {
    const w = await converged(config);
    setAddress(w, undefined);
    await gatewayPass(w);
    externalDnsReadsAll(w);
    await w.reconcile("shop");
    assert.equal(w.condition("shop", "DNSReady"), "Unknown GatewayAddressPending");
    assert.match(w.message("shop", "DNSReady")!, /no address in status\.loadBalancer\.ingress yet/);

    setAddress(w, "20.1.2.3");
    assert.equal((await gatewayPass(w)).written.length, 2, "one gateway record per region");
    await w.reconcile("shop");
    assert.equal(w.condition("shop", "DNSReady"), "True HandedToExternalDns");
    assert.deepEqual(
      w.get("shop")!.status?.dns?.map((r) => `${r.type} ${r.target} ${r.region}`),
      ["CNAME aks01-weu-internal.example.com weu"],
    );

    w.api.takeWrites();
    setAddress(w, "20.9.9.9");
    const outcome = await gatewayPass(w);
    await w.reconcile("shop");
    const written = [...new Set(w.api.takeWrites().map((wr) => `${wr.resource} ${wr.key}`))].sort();
    assert.deepEqual(written, outcome.written.map((key) => `dnsendpoints.externaldns.k8s.io ${key}`).sort());
    assert.ok(written.every((x) => x.includes(" istio-system/hostgate-gateway-alb-in-")));
  });
});
