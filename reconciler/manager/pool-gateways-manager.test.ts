// The pool Gateways controller through the whole reconciler on the in-memory
// API server: registered only with gateway.provider gateway-api; a placed
// route's listener appears on its member's Gateway, a moved route's follows
// it (the Gateway it left, now empty, is deleted), and a hand edit of a
// Gateway is reverted by the Gateway watch alone.
import { afterEach, describe, test } from "node:test";
import assert from "node:assert/strict";
import type { KubeObject } from "../../core/kube/object-key.ts";
import { FakeKubeApi } from "../../core/kube/testing/fake-kube-api.ts";
import type { DomainRoute } from "../../crds/types.ts";
import { EDGE_MEMBER_ANNOTATION } from "../../crds/types.ts";
import { aConfig } from "../domainroute/render/testing/platform-config.ts";
import { anExternalDnsConfig } from "../dns/external-dns/testing/external-dns-config.ts";
import { GATEWAY_NAMESPACE, gatewayApiConfig } from "../edge/gateways/testing/gateway-api-config.ts";
import { DOMAIN_ROUTES, GATEWAYS } from "../resources.ts";
import { CLIENT_TRAFFIC_POLICY_RESOURCE } from "../domainroute/render/gateway-api/identity-header-strip.ts";
import type { ReconcilerManager } from "./reconciler-manager.ts";
import { eventually } from "./testing/eventually.ts";
import { startQuickManager } from "./testing/quick-manager.ts";
import { shop } from "./testing/shop-route.ts";

const running: ReconcilerManager[] = [];

afterEach(async () => {
  await Promise.all(running.splice(0).map((m) => m.stop()));
});

const route = (api: FakeKubeApi) => api.server.get(DOMAIN_ROUTES, { namespace: "team-a", name: "shop" }) as unknown as DomainRoute | undefined;
const gateway = (api: FakeKubeApi, name: string) => api.server.get(GATEWAYS, { namespace: GATEWAY_NAMESPACE, name });
/** Waits until `controller` has run no pass for 200 ms (the passes its own writes queued are done; debounces are 10 ms); its count of passes. */
async function settled(manager: ReconcilerManager, controller: string): Promise<number> {
  const passes = () => manager.stats()[controller]?.reconciles ?? 0;
  for (let seen = passes(); ; seen = passes()) {
    await new Promise((resolve) => setTimeout(resolve, 200));
    if (passes() === seen) return seen;
  }
}
const hostnames = (object: KubeObject | undefined) =>
  ((object?.spec as { listeners?: { hostname: string }[] } | undefined)?.listeners ?? []).map((l) => l.hostname);

describe("the pool Gateways controller in the reconciler", () => {
  const cases = [
    { name: "is registered with gateway.provider gateway-api", config: gatewayApiConfig(), registered: true },
    { name: "is not registered with gateway.provider istio, and no Gateway API Gateway is watched", config: aConfig(), registered: false },
  ];
  for (const c of cases) {
    test(c.name, async () => {
      const manager = startQuickManager(new FakeKubeApi(), c.config, running);
      await eventually("the reconciler leads", () => manager.isLeader());
      assert.equal("pool-gateways" in manager.stats(), c.registered);
      assert.equal(
        manager.caches().some((cache) => cache.resource === "gateways.gateway.networking.k8s.io"),
        c.registered,
      );
    });
  }

  test("a placed route gets its listener on its member's Gateway; moved, its listener follows and the empty Gateway goes", async () => {
    const api = new FakeKubeApi();
    await api.create(DOMAIN_ROUTES, shop);
    startQuickManager(api, gatewayApiConfig(), running);
    await eventually("shop is placed on public-1 and its Gateway serves it", () => hostnames(gateway(api, "public-1")).includes("shop.example.com"));
    assert.equal(route(api)?.status?.edge?.member, "public-1");
    const current = route(api)!;
    await api.update(DOMAIN_ROUTES, {
      ...(current as unknown as KubeObject),
      metadata: { ...current.metadata, annotations: { [EDGE_MEMBER_ANNOTATION]: "public-2" } },
    });
    await eventually("shop's listener moved to public-2 and public-1's Gateway is gone", () => {
      return hostnames(gateway(api, "public-2")).includes("shop.example.com") && gateway(api, "public-1") === undefined;
    });
  });

  // The gateway records (external-dns) publish the members routes are placed on (their status.edge), which a route event
  // brings: without it a record waited for a Gateway event or the next resync.
  test("with external-dns a route event alone queues the gateway records' controller (which members have routes)", async () => {
    const api = new FakeKubeApi();
    await api.create(DOMAIN_ROUTES, shop);
    const manager = startQuickManager(api, { ...gatewayApiConfig(), dns: anExternalDnsConfig().dns }, running);
    await eventually("shop's Gateway is written", () => hostnames(gateway(api, "public-1")).includes("shop.example.com"));
    const passes = () => manager.stats()["gateway-endpoints"]?.reconciles ?? 0;
    const settledAt = await settled(manager, "gateway-endpoints");
    const current = route(api)!;
    await api.update(DOMAIN_ROUTES, { ...(current as unknown as KubeObject), metadata: { ...current.metadata, labels: { touched: "yes" } } });
    await eventually("the gateway records' controller ran again", () => passes() > settledAt);
  });

  test("on Envoy Gateway a Gateway's identity-header policy is written with it, and one deleted by hand is restored by its watch alone", async () => {
    const api = new FakeKubeApi();
    await api.create(DOMAIN_ROUTES, shop);
    const manager = startQuickManager(api, gatewayApiConfig({ implementation: "envoy-gateway" }), running);
    const policy = () => api.server.get(CLIENT_TRAFFIC_POLICY_RESOURCE, { namespace: GATEWAY_NAMESPACE, name: "public-1-identity-header" });
    await eventually("shop's Gateway and its policy are written", () => gateway(api, "public-1") !== undefined && policy() !== undefined);
    assert.ok(manager.caches().some((cache) => cache.resource === "clienttrafficpolicies.gateway.envoyproxy.io"));
    await settled(manager, "pool-gateways");
    await api.delete(CLIENT_TRAFFIC_POLICY_RESOURCE, { namespace: GATEWAY_NAMESPACE, name: "public-1-identity-header" });
    await eventually("the policy is restored", () => policy() !== undefined);
  });

  test("a hand edit of a pooled Gateway is reverted with no route event", async () => {
    const api = new FakeKubeApi();
    await api.create(DOMAIN_ROUTES, shop);
    startQuickManager(api, gatewayApiConfig(), running);
    await eventually("shop's Gateway is written", () => hostnames(gateway(api, "public-1")).includes("shop.example.com"));
    const current = gateway(api, "public-1")!;
    const spec = current.spec as { listeners: { hostname: string }[] };
    await api.update(
      GATEWAYS,
      { ...current, spec: { ...spec, listeners: [{ ...spec.listeners[0]!, hostname: "evil.example.com" }] } },
      { fieldManager: "kubectl-edit" },
    );
    await eventually("the edit is reverted", () => hostnames(gateway(api, "public-1")).includes("shop.example.com"));
  });
});
