// The appId-table controller through the whole reconciler on the in-memory
// API server: registered, and its EnvoyFilter and ConfigMap watched, only
// when Istio runs the gateways (gateway.provider istio, or the Gateway API
// with Istio's implementation, whose pooled Gateways' pods carry
// gateway.selector); with Envoy Gateway or the AWS Load Balancer Controller
// there is no Istio CRD to watch (a watch on a missing CRD never syncs) and
// no controller.
import { afterEach, describe, test } from "node:test";
import assert from "node:assert/strict";
import type { DomainRoute } from "../../crds/types.ts";
import { FakeKubeApi } from "../../core/kube/testing/fake-kube-api.ts";
import { APP_ID_TABLE_ENVOY_FILTER_NAME } from "../app-id-table/app-id-table-objects.ts";
import { aConfig } from "../domainroute/render/testing/platform-config.ts";
import { gatewayApiConfig } from "../edge/gateways/testing/gateway-api-config.ts";
import { CONFIG_MAPS, DOMAIN_ROUTES, ENVOY_FILTERS } from "../resources.ts";
import { SECURITY_POLICY_RESOURCE } from "../domainroute/render/gateway-api/kinds.ts";
import type { ReconcilerManager } from "./reconciler-manager.ts";
import { eventually } from "./testing/eventually.ts";
import { startQuickManager } from "./testing/quick-manager.ts";
import { shop } from "./testing/shop-route.ts";

const running: ReconcilerManager[] = [];

afterEach(async () => {
  await Promise.all(running.splice(0).map((m) => m.stop()));
});

const ISTIO_RESOURCES = ["envoyfilters.networking.istio.io", "configmaps"];

describe("the appId-table controller in the reconciler", () => {
  const cases = [
    { name: "runs with gateway.provider istio", config: aConfig(), registered: true, istio: true },
    { name: "runs with the Gateway API on Istio's implementation", config: gatewayApiConfig({ implementation: "istio" }), registered: true, istio: true },
    {
      name: "runs with the Gateway API on Envoy Gateway to decide appIds only: no EnvoyFilter or ConfigMap is watched or written",
      config: gatewayApiConfig({ implementation: "envoy-gateway" }),
      registered: true,
      istio: false,
    },
    {
      name: "is not registered with the Gateway API on the AWS Load Balancer Controller, and no EnvoyFilter or ConfigMap is watched or written",
      config: gatewayApiConfig({ implementation: "aws-load-balancer-controller" }),
      registered: false,
      istio: false,
    },
  ];
  for (const c of cases) {
    test(c.name, async () => {
      const api = new FakeKubeApi();
      await api.create(DOMAIN_ROUTES, shop);
      const manager = startQuickManager(api, c.config, running);
      await eventually("the reconciler leads", () => manager.isLeader());
      assert.equal("identity-table" in manager.stats(), c.registered);
      const watched = manager.caches().map((cache) => cache.resource);
      for (const resource of ISTIO_RESOURCES) assert.equal(watched.includes(resource), c.istio, resource);
      if (!c.istio) {
        await eventually(
          "shop is placed",
          () => (api.server.get(DOMAIN_ROUTES, { namespace: "team-a", name: "shop" }) as unknown as DomainRoute | undefined)?.status?.edge !== undefined,
        );
        assert.deepEqual([...api.objects(ENVOY_FILTERS), ...api.objects(CONFIG_MAPS)], []);
      }
    });
  }

  test("on Envoy Gateway a protected route gets its appId decided: ProtectionReady Published, Ready, the appId in its SecurityPolicy", async () => {
    const api = new FakeKubeApi();
    const base = gatewayApiConfig({ implementation: "envoy-gateway" });
    const gatewayApi = { ...base.gateway.gatewayApi!, authServices: { sso: { namespace: "auth", name: "ext-authz", port: 9000 } } };
    const config = { ...base, gateway: { ...base.gateway, gatewayApi } };
    await api.create(DOMAIN_ROUTES, {
      ...shop,
      spec: {
        domain: "shop.example.com",
        lb: "alb-out",
        routing: { mode: "Managed" },
        backend: { service: { name: "web", port: 8080 } },
        protection: { provider: "sso", appId: "shop" },
      },
    });
    startQuickManager(api, config, running);
    const stored = () => api.server.get(DOMAIN_ROUTES, { namespace: "team-a", name: "shop" }) as unknown as DomainRoute | undefined;
    const condition = (type: string) => stored()?.status?.conditions?.find((c) => c.type === type);
    await eventually("shop is Ready", () => condition("Ready")?.status === "True");
    assert.equal(condition("ProtectionReady")?.reason, "Published");
    assert.equal(stored()?.status?.effectiveAppId, "shop");
    const policies = api.objects(SECURITY_POLICY_RESOURCE);
    assert.equal(policies.length, 1);
    assert.match(JSON.stringify(policies[0]!.spec), /"contextExtensions":\[\{"name":"x-app-id","type":"Value","value":"shop"\}\]/);
    assert.deepEqual([...api.objects(ENVOY_FILTERS), ...api.objects(CONFIG_MAPS)], []);
  });

  test("with the Gateway API on Istio's implementation the EnvoyFilter selects the pooled Gateways' pods by gateway.selector", async () => {
    const api = new FakeKubeApi();
    await api.create(DOMAIN_ROUTES, shop);
    const config = gatewayApiConfig({ implementation: "istio" });
    startQuickManager(api, config, running);
    const filter = () => api.server.get(ENVOY_FILTERS, { namespace: config.gateway.namespace, name: APP_ID_TABLE_ENVOY_FILTER_NAME });
    await eventually("the appId table's EnvoyFilter is written", () => filter() !== undefined);
    assert.deepEqual((filter()!.spec as { workloadSelector: unknown }).workloadSelector, { labels: config.gateway.selector });
  });
});
