// The whole reconciler with observability.alerting on a cluster that does not
// serve prometheus-operator's CRDs, then does: the routes say
// PrometheusOperatorMissing and serve as before, no watch is ever opened on
// the missing kinds, and once the CRDs are installed the next lookup picks
// them up without a restart and the routes get their PrometheusRule and Probe;
// uninstalled again, their watches stop and the routes say so again. With
// alerting turned off later, what the routes wrote is pruned where it may be
// listed, and a refused lookup (403) is quiet.
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
import { RecordingLogger } from "../../core/testing/recording-logger.ts";
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
  return { client, requests, install: () => (installed = true), uninstall: () => (installed = false) };
}

describe("the reconciler with alerting on a cluster without prometheus-operator's CRDs", () => {
  const running: ReconcilerManager[] = [];
  afterEach(async () => {
    await Promise.all(running.splice(0).map((m) => m.stop()));
  });

  it("says PrometheusOperatorMissing, serves the route, watches nothing of them, picks them up once installed, and notices them uninstalled", async () => {
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
    // The CRDs uninstalled: the API server ends the watches, and every request on them is 404 from then on.
    cluster.uninstall();
    api.server.endWatches(PROMETHEUS_RULE_RESOURCE);
    api.server.endWatches(PROBE_RESOURCE);
    await eventually("the route says the CRDs are missing again", () => condition("ObservabilityReady") === "False PrometheusOperatorMissing");
    const since = cluster.requests.length;
    await eventually("looked up again a few times", () => cluster.requests.slice(since).filter((r) => r === "list prometheusrules").length >= 3);
    assert.deepEqual(
      cluster.requests.slice(since).filter((r) => !r.startsWith("list ")),
      [],
      "no watch retried on kinds no longer served",
    );
    assert.equal(condition("GatewayReady"), "True Applied");
  });
});

describe("the reconciler after the platform turned alerting off", () => {
  const running: ReconcilerManager[] = [];
  afterEach(async () => {
    await Promise.all(running.splice(0).map((m) => m.stop()));
  });
  const conditionOf = (api: FakeKubeApi, type: string) => {
    const c = (api.server.get(DOMAIN_ROUTES, { namespace: "team-a", name: "shop" }) as unknown as DomainRoute | undefined)?.status?.conditions?.find(
      (x) => x.type === type,
    );
    return c === undefined ? undefined : `${c.status} ${c.reason}`;
  };
  /** A cluster where a reconciler with alerting wrote the route's PrometheusRule and Probe, then stopped. */
  async function writtenWithAlerting(api: FakeKubeApi): Promise<void> {
    await api.create(DOMAIN_ROUTES, route("shop", "shop.example.com", vm));
    const earlier = startQuickManager(api, config, running);
    await eventually(
      "the route's PrometheusRule and Probe are written",
      () => api.objects(PROMETHEUS_RULE_RESOURCE).length === 1 && api.objects(PROBE_RESOURCE).length === 1,
    );
    await earlier.stop();
    running.splice(0);
  }

  it("prunes the route's PrometheusRule and Probe, and the route says NotRequested (True)", async () => {
    const api = new FakeKubeApi();
    await writtenWithAlerting(api);
    startQuickManager(api, defaultConfig, running);
    await eventually("both are pruned", () => api.objects(PROMETHEUS_RULE_RESOURCE).length === 0 && api.objects(PROBE_RESOURCE).length === 0);
    await eventually("the route says so", () => conditionOf(api, "ObservabilityReady") === "True NotRequested");
    assert.equal(conditionOf(api, "GatewayReady"), "True Applied");
  });

  it("where the reconciler may not list them (403: the component removed too) leaves them, logs only at debug, and looks again only every recheckMs", async () => {
    const api = new FakeKubeApi();
    await writtenWithAlerting(api);
    const requests: string[] = [];
    const forbidden = () => new KubeApiError("403 Forbidden: prometheusrules.monitoring.coreos.com is forbidden", 403, "Forbidden");
    const client = new Proxy(api, {
      get(target, property) {
        const value: unknown = Reflect.get(target, property);
        if (typeof value !== "function") return value;
        return (resource: ResourceRef, ...rest: unknown[]) => {
          if (resource?.group !== PROMETHEUS_RULE_RESOURCE.group) return (value as (...a: unknown[]) => unknown).call(target, resource, ...rest);
          requests.push(`${String(property)} ${resource.resource}`);
          return Promise.reject(forbidden());
        };
      },
    }) as KubeApi;
    const logger = new RecordingLogger();
    const started = Date.now();
    startQuickManager(client, defaultConfig, running, { monitoringRecheckMs: 100, logger });
    await eventually("the route says NotRequested", () => conditionOf(api, "ObservabilityReady") === "True NotRequested");
    await new Promise((resolve) => setTimeout(resolve, 250));
    assert.equal(conditionOf(api, "Ready"), "True Ready");
    assert.equal(api.objects(PROMETHEUS_RULE_RESOURCE).length + api.objects(PROBE_RESOURCE).length, 2, "left as they are");
    // One list per kind per lookup: at start, then every 100 ms (and none between: no backoff retries).
    const most = 2 * (Math.floor((Date.now() - started) / 100) + 1);
    assert.ok(requests.length >= 4 && requests.length <= most, `a lookup every recheckMs, no retry storm: ${requests.length} requests, at most ${most}`);
    assert.deepEqual([...new Set(requests)].sort(), ["list probes", "list prometheusrules"], "only the lookup");
    assert.deepEqual(
      logger.entries
        .filter((e) => e.level !== "debug" && /prometheus|monitoring\.coreos/i.test(`${e.message} ${JSON.stringify(e.fields)}`))
        .map((e) => e.message),
      [],
      "nothing above debug about them",
    );
  });
});
