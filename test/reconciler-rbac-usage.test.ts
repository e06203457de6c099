// The reconciler's RBAC against what its code really does. The whole
// reconciler runs against the in-memory API server through a recorder that
// notes every request as RBAC would see it (verb, API group, resource,
// namespace, name), through scenarios that reach every path that talks to
// the API server. Then both directions are checked:
//   - every request is allowed by deploy/base/reconciler-rbac.yaml (else the
//     reconciler would get 403 on a real cluster);
//   - every permission granted was used (else it is more than least privilege).
// The scenarios run on the base config, once on it with regions, where
// (only) RegionPolicies are watched, and on it with the gateway's access
// logging and tracing (its Telemetry written over, then deleted). The one
// request refused is the lookup of prometheus-operator's kinds (MONITORING_LOOKUPS).
import { after, describe, it } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import { loadPlatformConfig } from "../core/config/index.ts";
import { KubeApiError } from "../core/kube/api-error.ts";
import { FakeKubeApi } from "../core/kube/testing/fake-kube-api.ts";
import type { KubeObject } from "../core/kube/object-key.ts";
import type { DomainRoute } from "../crds/types.ts";
import { PRODUCED_RESOURCES, PROMETHEUS_RULE_RESOURCE } from "../reconciler/domainroute/render/produced-resources.ts";
import { APP_ID_TABLE_CONFIG_MAP_NAME, APP_ID_TABLE_ENVOY_FILTER_NAME } from "../reconciler/app-id-table/app-id-table-objects.ts";
import { CONFIG_MAPS, DOMAIN_ROUTES, ENVOY_FILTERS, FIELD_MANAGER, REGION_POLICIES } from "../reconciler/resources.ts";
import { GATEWAY_TELEMETRY_NAME, TELEMETRIES } from "../reconciler/observability/gateway-telemetry-resource.ts";
import { contractTelemetry, telemetryConfig } from "../reconciler/observability/testing/telemetry-fixtures.ts";
import { ROOT } from "./fixtures.ts";
import { deniedRequests, eventually, grants as grantsIn, recordedManager, show, unusedGrants } from "./rbac/rbac-usage.ts";
import type { Request } from "./rbac/rbac-usage.ts";

const NAMESPACE = "hostgate-system";
const SERVICE_ACCOUNT = "hostgate-reconciler";
const config = loadPlatformConfig(join(ROOT, "deploy", "base", "platform-config.yaml"));
const gatewayNs = config.gateway.namespace;

/**
 * With alerting off (the base config) the reconciler still looks up prometheus-operator's kinds (a one-item list each,
 * per term: the next is 5 minutes later), to prune what an earlier config wrote (monitoring-kinds.ts). The base grants
 * nothing on them, so the cluster refuses that lookup (403), and the reconciler takes it quietly: the only refusals.
 */
const MONITORING_LOOKUPS = ["list probes.monitoring.coreos.com (cluster-wide)", "list prometheusrules.monitoring.coreos.com (cluster-wide)"];

/** `api` answering 403 to every list of prometheus-operator's kinds, as a cluster with only the base RBAC does. */
function withoutMonitoringGrants(api: FakeKubeApi): FakeKubeApi {
  const list = api.list.bind(api);
  api.list = (resource, request) =>
    resource.group === PROMETHEUS_RULE_RESOURCE.group
      ? Promise.reject(new KubeApiError(`403 Forbidden: ${resource.resource}.${resource.group} is forbidden`, 403, "Forbidden"))
      : list(resource, request);
  return api;
}

const grants = () => grantsIn([join(ROOT, "deploy", "base", "reconciler-rbac.yaml")], { namespace: NAMESPACE, name: SERVICE_ACCOUNT });

function route(name: string, domain: string, backend: object = { service: { name: "web", port: 8080 } }): KubeObject {
  return {
    apiVersion: "hostgate.dev/v1alpha1",
    kind: "DomainRoute",
    metadata: { name, namespace: "team-a" },
    spec: { domain, lb: "alb-in", routing: { mode: "Managed" }, backend, protection: { provider: "sso", appId: name } },
  };
}

describe("the reconciler's RBAC (deploy/base/reconciler-rbac.yaml)", () => {
  const requests: Request[] = [];
  const granted = grants();
  let scenarios: Promise<void> | undefined;

  /** Every path that talks to the API server, once. */
  const runScenarios = async () => {
    const api = withoutMonitoringGrants(new FakeKubeApi());
    const manager = recordedManager(api, requests, config);
    const get = (name: string) => api.server.get(DOMAIN_ROUTES, { namespace: "team-a", name }) as unknown as DomainRoute | undefined;
    const ready = (name: string) => get(name)?.status?.conditions?.some((c) => c.type === "Ready" && c.status === "True") ?? false;
    try {
      // A claim race: the first create of a claim finds it already exists, and the claim is read by name.
      api.failNext("create", new KubeApiError('409 AlreadyExists: domainclaims "vm.example.com" already exists', 409, "AlreadyExists"), "DomainClaim");
      // An external HTTPS backend produces a ServiceEntry and a DestinationRule too.
      await api.create(DOMAIN_ROUTES, route("vm", "vm.example.com", { external: { ip: "203.0.113.10", port: 443, protocol: "HTTPS" } }));
      await api.create(DOMAIN_ROUTES, route("shop", "shop.example.com"));
      manager.start();
      await eventually("both routes are Ready", () => ready("vm") && ready("shop"));
      // The identity objects lose their label: out of the cache, so read by name and replaced.
      for (const [resource, name] of [
        [ENVOY_FILTERS, APP_ID_TABLE_ENVOY_FILTER_NAME],
        [CONFIG_MAPS, APP_ID_TABLE_CONFIG_MAP_NAME],
      ] as const) {
        const object = api.server.get(resource, { namespace: gatewayNs, name })!;
        await api.update(resource, { ...object, metadata: { ...object.metadata, labels: {} } });
        await eventually(
          `${name} is labelled again`,
          () =>
            (api.server.get(resource, { namespace: gatewayNs, name })!.metadata!.labels as Record<string, string> | undefined)?.[
              "app.kubernetes.io/managed-by"
            ] === "hostgate",
        );
      }
      // Every produced object edited by hand: each is replaced (update) with what the route renders.
      for (const resource of PRODUCED_RESOURCES) {
        for (const object of api.objects(resource)) {
          const annotations = { ...(object.metadata!.annotations as object), "hostgate.dev/applied-hash": "edited" };
          await api.update(resource, { ...object, metadata: { ...object.metadata, annotations } }, { fieldManager: "kubectl-edit" });
        }
      }
      const edited = (o: KubeObject) => (o.metadata!.annotations as Record<string, string>)["hostgate.dev/applied-hash"] === "edited";
      await eventually("every hand edit is reverted", () => PRODUCED_RESOURCES.every((r) => !api.objects(r).some(edited)));
      // A route deleted the normal way: pruned, claim released, finalizer dropped.
      await api.delete(DOMAIN_ROUTES, { namespace: "team-a", name: "vm" });
      await eventually("vm is gone", () => get("vm") === undefined);
      // A route gone without its finalizer: the sweep confirms by name, then deletes.
      const shopUid = get("shop")!.metadata.uid!;
      api.server.delete(DOMAIN_ROUTES, { namespace: "team-a", name: "shop" });
      await eventually("shop's objects are swept", () =>
        PRODUCED_RESOURCES.every((r) => api.objects(r).every((o) => (o.metadata!.labels as Record<string, string>)["hostgate.dev/route-uid"] !== shopUid)),
      );
    } finally {
      await manager.stop();
    }
    await runRegionsScenario();
    await runTelemetryScenario();
  };
  /** On a platform with regions (only there) the reconciler watches RegionPolicies: the base grants it for such platforms. */
  const runRegionsScenario = async () => {
    const api = withoutMonitoringGrants(new FakeKubeApi());
    const regional = {
      ...config,
      cluster: { name: "aks01-weu", region: "weu" },
      regions: [{ name: "weu", dnsControllerLabels: { "router.io/region": "weu" } }],
    };
    const manager = recordedManager(api, requests, regional);
    const ready = () =>
      (api.server.get(DOMAIN_ROUTES, { namespace: "team-a", name: "web" }) as unknown as DomainRoute | undefined)?.status?.conditions?.some(
        (c) => c.type === "Ready" && c.status === "True",
      ) ?? false;
    try {
      api.server.put(REGION_POLICIES, {
        apiVersion: "hostgate.dev/v1alpha1",
        kind: "RegionPolicy",
        metadata: { namespace: "team-a", name: "default" },
        spec: { mode: "Active" },
      });
      await api.create(DOMAIN_ROUTES, route("web", "web.example.com"));
      manager.start();
      await eventually("the route on the regional platform is Ready", ready);
    } finally {
      await manager.stop();
    }
  };
  /**
   * The gateway Telemetry (observability.accessLogging and tracing): one hostgate wrote under an earlier spec is
   * applied over (update once to take over its create's fields, then patch), deleted once the config no longer asks,
   * and created when it asks again.
   */
  const runTelemetryScenario = async () => {
    const api = withoutMonitoringGrants(new FakeKubeApi());
    const key = { namespace: gatewayNs, name: GATEWAY_TELEMETRY_NAME };
    const earlier = { ...contractTelemetry(telemetryConfig())!, spec: { accessLogging: [{ providers: [{ name: "old" }] }] } };
    await api.create(TELEMETRIES, earlier, { fieldManager: FIELD_MANAGER });
    const providers = () => (api.server.get(TELEMETRIES, key)?.spec as { accessLogging?: { providers: { name: string }[] }[] } | undefined)?.accessLogging;
    const term = async (asks: boolean, what: string, done: () => boolean) => {
      const manager = recordedManager(api, requests, asks ? { ...config, observability: telemetryConfig().observability! } : config);
      try {
        manager.start();
        await eventually(what, done);
      } finally {
        await manager.stop();
      }
    };
    await term(true, "the Telemetry is applied over", () => providers()?.[0]?.providers[0]?.name === "envoy");
    await term(false, "the Telemetry is deleted", () => api.server.get(TELEMETRIES, key) === undefined);
    await term(true, "the Telemetry is created", () => api.server.get(TELEMETRIES, key) !== undefined);
  };
  const recorded = () => (scenarios ??= runScenarios());
  after(() => recorded());

  it("allows every request the reconciler makes", async () => {
    await recorded();
    assert.ok(requests.length > 20, "the scenarios made requests");
    if (process.env.SHOW_RBAC_REQUESTS) console.log([...new Set(requests.map(show))].sort().join("\n"));
    const denied = deniedRequests(requests, granted);
    assert.deepEqual(
      denied.filter((d) => !MONITORING_LOOKUPS.includes(d)),
      [],
      "requests the RBAC would refuse with 403",
    );
    assert.deepEqual(denied.filter((d) => MONITORING_LOOKUPS.includes(d)).sort(), MONITORING_LOOKUPS, "the lookup of prometheus-operator's kinds, refused");
  });

  it("grants nothing the reconciler does not use", async () => {
    await recorded();
    const unused = unusedGrants(granted, requests);
    assert.deepEqual(unused, [], "permissions no request needed");
  });

  it("is checked by a comparison that notices a missing verb", async () => {
    await recorded();
    const narrowed = granted.filter((g) => !(g.resource === "gateways" && g.verb === "get"));
    assert.ok(deniedRequests(requests, narrowed).length > 0, "without get on gateways, the read of a name before the route's first write there is refused");
  });
});
