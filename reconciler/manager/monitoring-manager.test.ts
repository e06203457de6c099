// The whole reconciler with observability.alerting on a cluster that does not
// serve prometheus-operator's CRDs, then does: the routes say
// PrometheusOperatorMissing and serve as before, no watch is ever opened on
// the missing kinds, and once the CRDs are installed the next lookup picks
// them up without a restart and the routes get their PrometheusRule and Probe.
import assert from "node:assert/strict";
import { afterEach, describe, it } from "node:test";
import { KubeApiError } from "../../core/kube/api-error.ts";
import type { KubeApi } from "../../core/kube/object-api.ts";
import type { ResourceRef } from "../../core/kube/resource.ts";
import { FakeKubeApi } from "../../core/kube/testing/fake-kube-api.ts";
import type { PlatformConfig } from "../../core/config/platform-config.ts";
import type { DomainRoute } from "../../crds/types.ts";
import { defaultConfig, route } from "../domainroute/testing/route-world.ts";
import { PROBE_RESOURCE, PROMETHEUS_RULE_RESOURCE } from "../domainroute/render/produced-resources.ts";
import { anAlertingConfig, aProbeConfig } from "../observability/testing/observability-config.ts";
import { DOMAIN_ROUTES } from "../resources.ts";
import type { ReconcilerManager } from "./reconciler-manager.ts";
import { eventually } from "./testing/eventually.ts";
import { startQuickManager } from "./testing/quick-manager.ts";

const config: PlatformConfig = { ...defaultConfig, observability: { alerting: anAlertingConfig({ probes: aProbeConfig() }) } };
const vm = { backend: { external: { ip: "10.0.0.5", port: 8080, protocol: "HTTP" as const } } };
const notFound = () => new KubeApiError("404 NotFound: the server could not find the requested resource", 404, "NotFound");

/** `api` as a cluster without prometheus-operator's CRDs until `install()`: every request on monitoring.coreos.com is 404 and noted. */
function withoutMonitoringCrds(api: FakeKubeApi) {
  let installed = false;
  const requests: string[] = [];
  const monitoring = (resource: ResourceRef, verb: string) => {
    if (resource.group !== PROMETHEUS_RULE_RESOURCE.group) return false;
    requests.push(`${verb} ${resource.resource}`);
    return !installed;
  };
  const client = new Proxy(api, {
    get(target, property) {
      if (property === "list")
        return (resource: ResourceRef, request: Parameters<KubeApi["list"]>[1]) =>
          monitoring(resource, "list") ? Promise.reject(notFound()) : target.list(resource, request);
      if (property === "watch")
        return (resource: ResourceRef, request: Parameters<KubeApi["watch"]>[1], callbacks: Parameters<KubeApi["watch"]>[2]) => {
          if (!monitoring(resource, "watch")) return target.watch(resource, request, callbacks);
          queueMicrotask(() => callbacks.onEnd(notFound()));
          return { abort: () => {} };
        };
      if (property === "get")
        return (resource: ResourceRef, key: Parameters<KubeApi["get"]>[1]) =>
          monitoring(resource, "get") ? Promise.reject(notFound()) : target.get(resource, key);
      const value: unknown = Reflect.get(target, property);
      return typeof value === "function" ? value.bind(target) : value;
    },
  }) as KubeApi;
  return { client, requests, install: () => (installed = true) };
}

describe("the reconciler with alerting on a cluster without prometheus-operator's CRDs", () => {
  const running: ReconcilerManager[] = [];
  afterEach(async () => {
    await Promise.all(running.splice(0).map((m) => m.stop()));
  });

  it("says PrometheusOperatorMissing, serves the route, watches nothing of them, and picks them up once installed", async () => {
    const api = new FakeKubeApi();
    const cluster = withoutMonitoringCrds(api);
    await api.create(DOMAIN_ROUTES, route("shop", "shop.example.com", vm));
    const shop = () => api.server.get(DOMAIN_ROUTES, { namespace: "team-a", name: "shop" }) as unknown as DomainRoute | undefined;
    const condition = (type: string) => {
      const c = shop()?.status?.conditions?.find((x) => x.type === type);
      return c === undefined ? undefined : `${c.status} ${c.reason}`;
    };
    startQuickManager(cluster.client, config, running, { monitoringRecheckMs: 20 });
    await eventually("the route says the CRDs are missing", () => condition("ObservabilityReady") === "False PrometheusOperatorMissing");
    assert.equal(condition("GatewayReady"), "True Applied", "the route is served as without alerting");
    await eventually("looked up again a few times", () => cluster.requests.filter((r) => r === "list prometheusrules").length >= 3);
    assert.deepEqual(
      cluster.requests.filter((r) => !r.startsWith("list ")),
      [],
      "no watch and no read by name of a kind the cluster does not serve",
    );
    cluster.install();
    await eventually(
      "the route's PrometheusRule and Probe are written",
      () => api.objects(PROMETHEUS_RULE_RESOURCE).length === 1 && api.objects(PROBE_RESOURCE).length === 1,
    );
    await eventually("the route says so", () => condition("ObservabilityReady") === "True Applied");
  });
});
