// The gateway Telemetry controller through the whole reconciler on the
// in-memory API server: registered on Istio's data planes and wherever the
// config asks for access logging or tracing; the Telemetry written once the
// term starts, with no informer on telemetry.istio.io (so a cluster that does
// not serve the kind keeps every cache syncing and every other controller
// running), and nothing written when the kind is not served.
import assert from "node:assert/strict";
import { afterEach, describe, test } from "node:test";
import { KubeApiError } from "../../core/kube/api-error.ts";
import type { KubeApi } from "../../core/kube/object-api.ts";
import { FakeKubeApi } from "../../core/kube/testing/fake-kube-api.ts";
import type { PlatformConfig } from "../../core/config/platform-config.ts";
import type { DomainRoute } from "../../crds/types.ts";
import { gatewayApiConfig } from "../edge/gateways/testing/gateway-api-config.ts";
import { GATEWAY_TELEMETRY_NAME, TELEMETRIES } from "../observability/gateway-telemetry-resource.ts";
import { baseConfig, telemetryConfig } from "../observability/testing/telemetry-fixtures.ts";
import { DOMAIN_ROUTES } from "../resources.ts";
import type { ReconcilerManager } from "./reconciler-manager.ts";
import { eventually } from "./testing/eventually.ts";
import { startQuickManager } from "./testing/quick-manager.ts";
import { registerReconcilerMetrics } from "./metrics.ts";
import { Registry } from "prom-client";
import { shop } from "./testing/shop-route.ts";

const running: ReconcilerManager[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((m) => m.stop()));
});

/** hostgate_gateway_telemetry_not_applied by reason, as scraped. */
async function notApplied(manager: ReconcilerManager): Promise<Record<string, number>> {
  const registry = new Registry();
  registerReconcilerMetrics(registry, manager);
  const lines = (await registry.metrics()).split("\n").filter((l) => l.startsWith("hostgate_gateway_telemetry_not_applied{"));
  return Object.fromEntries(lines.map((l) => [/reason="([^"]+)"/.exec(l)![1]!, Number(l.split(" ").at(-1))]));
}

const withTelemetry = (config: PlatformConfig): PlatformConfig => ({ ...config, observability: telemetryConfig().observability! });

/** The in-memory API server as a cluster without the Telemetry CRD: every request on telemetries is 404. */
function withoutTelemetryKind(api: FakeKubeApi, requests: string[]): KubeApi {
  const notServed = () => new KubeApiError("404 NotFound: the server could not find the requested resource", 404, "NotFound");
  const isTelemetry = (resource: { group: string }) => resource.group === TELEMETRIES.group;
  return new Proxy(api, {
    get(target, property, receiver) {
      const value = Reflect.get(target, property, receiver);
      if (typeof value !== "function") return value;
      return (...args: unknown[]) => {
        const resource = args[0] as { group: string } | undefined;
        if (resource !== undefined && typeof resource === "object" && isTelemetry(resource)) {
          requests.push(String(property));
          if (property === "watch") throw new Error("no watch is opened on telemetries");
          return Promise.reject(notServed());
        }
        return value.apply(target, args);
      };
    },
  });
}

describe("the gateway Telemetry controller in the reconciler", () => {
  const cases: { name: string; config: PlatformConfig; registered: boolean }[] = [
    { name: "runs on gateway.provider istio when the config asks for the Telemetry", config: withTelemetry(baseConfig), registered: true },
    { name: "runs on gateway.provider istio when it asks for none (one Telemetry of an earlier config is deleted)", config: baseConfig, registered: true },
    { name: "runs on the Gateway API on Istio", config: gatewayApiConfig({ implementation: "istio" }), registered: true },
    {
      name: "runs on Envoy Gateway only when the config asks for it (to say it is not applied)",
      config: withTelemetry(gatewayApiConfig({ implementation: "envoy-gateway" })),
      registered: true,
    },
    { name: "is not registered on Envoy Gateway when nothing is asked", config: gatewayApiConfig({ implementation: "envoy-gateway" }), registered: false },
  ];
  for (const c of cases) {
    test(c.name, async () => {
      const manager = startQuickManager(new FakeKubeApi(), c.config, running);
      await eventually("the reconciler leads", () => manager.isLeader());
      assert.equal("gateway-telemetry" in manager.stats(), c.registered);
      assert.ok(!manager.caches().some((cache) => cache.resource.endsWith(".telemetry.istio.io")), "no informer on Telemetries");
    });
  }

  test("the leader writes the Telemetry the config asks for at its term's start", async () => {
    const api = new FakeKubeApi();
    const config = withTelemetry(baseConfig);
    startQuickManager(api, config, running);
    const key = { namespace: config.gateway.namespace, name: GATEWAY_TELEMETRY_NAME };
    await eventually("the Telemetry is written", () => api.server.get(TELEMETRIES, key) !== undefined);
    const spec = api.server.get(TELEMETRIES, key)!.spec as { selector: { matchLabels: Record<string, string> } };
    assert.deepEqual(spec.selector.matchLabels, config.gateway.selector);
  });

  test("a cluster that does not serve the Telemetry kind: no watch, no write, no failed reconcile, and the routes are still reconciled", async () => {
    const api = new FakeKubeApi();
    await api.create(DOMAIN_ROUTES, shop);
    const requests: string[] = [];
    const manager = startQuickManager(withoutTelemetryKind(api, requests), withTelemetry(baseConfig), running);
    await eventually("the reconciler leads", () => manager.isLeader());
    await eventually("the controller has made its pass", () => (manager.stats()["gateway-telemetry"]?.reconciles ?? 0) > 0);
    await eventually(
      "shop is reconciled",
      () => (api.server.get(DOMAIN_ROUTES, { namespace: "team-a", name: "shop" }) as unknown as DomainRoute).status?.conditions !== undefined,
    );
    assert.deepEqual(requests, ["list", "list"], "one list per version asked (v1, v1alpha1), nothing else");
    assert.equal(manager.stats()["gateway-telemetry"]!.errors, 0);
    assert.deepEqual(await notApplied(manager), { foreign: 0, notApplicable: 0, notServed: 1 });
  });

  test("the metric says nothing is wrong once the Telemetry is written", async () => {
    const api = new FakeKubeApi();
    const manager = startQuickManager(api, withTelemetry(baseConfig), running);
    await eventually("the Telemetry is written", () => manager.gatewayTelemetrySituation() === "written");
    assert.deepEqual(await notApplied(manager), { foreign: 0, notApplicable: 0, notServed: 0 });
  });

  test("the metric says the settings are not applied on a data plane that is not Istio's", async () => {
    const manager = startQuickManager(new FakeKubeApi(), withTelemetry(gatewayApiConfig({ implementation: "envoy-gateway" })), running);
    await eventually("the pass is made", () => manager.gatewayTelemetrySituation() !== undefined);
    assert.deepEqual(await notApplied(manager), { foreign: 0, notApplicable: 1, notServed: 0 });
  });
});
