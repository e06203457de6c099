// deploy/components/reconciler-prometheus-operator against what the reconciler
// does to PrometheusRules and Probes with `observability.alerting`: the whole
// reconciler runs against the in-memory API server through every path that
// touches them (the lookup of whether they are served, the cache, the read by
// name before the first write, create, revert of a hand edit, prune on a
// backend switch and on deletion), and both directions are checked: every
// request is allowed by the component, and every permission it grants was
// used. Without alerting only the lookup lists them, refused without this
// component (reconciler-rbac-usage.test.ts runs the base's config, which has
// none, and the base grants nothing on them).
import assert from "node:assert/strict";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { loadPlatformConfig } from "../core/config/index.ts";
import type { PlatformConfig } from "../core/config/platform-config.ts";
import type { KubeObject } from "../core/kube/object-key.ts";
import { FakeKubeApi } from "../core/kube/testing/fake-kube-api.ts";
import type { DomainRoute } from "../crds/types.ts";
import { PROBE_RESOURCE, PROMETHEUS_RULE_RESOURCE } from "../reconciler/domainroute/render/produced-resources.ts";
import { anAlertingConfig, aProbeConfig } from "../reconciler/observability/testing/observability-config.ts";
import { DOMAIN_ROUTES } from "../reconciler/resources.ts";
import { ROOT } from "./fixtures.ts";
import type { Request } from "./rbac/rbac-usage.ts";
import { deniedRequests, eventually, grants, recordedManager, unusedGrants } from "./rbac/rbac-usage.ts";

const SERVICE_ACCOUNT = { namespace: "hostgate-system", name: "hostgate-reconciler" };
const COMPONENT = join(ROOT, "deploy", "components", "reconciler-prometheus-operator", "rbac.yaml");
const loaded = loadPlatformConfig(join(ROOT, "deploy", "base", "platform-config.yaml"));
const config: PlatformConfig = { ...loaded, observability: { alerting: anAlertingConfig({ probes: aProbeConfig() }) } };
const vm = { external: { ip: "10.0.0.5", port: 8080, protocol: "HTTP" } };

function route(name: string, domain: string, backend: object): KubeObject {
  return {
    apiVersion: "hostgate.dev/v1alpha1",
    kind: "DomainRoute",
    metadata: { name, namespace: "team-a" },
    spec: { domain, lb: "alb-in", routing: { mode: "Managed" }, backend },
  };
}

describe("the reconciler's RBAC for PrometheusRules and Probes (deploy/components/reconciler-prometheus-operator)", () => {
  const requests: Request[] = [];
  const granted = grants([COMPONENT], SERVICE_ACCOUNT);
  let scenarios: Promise<void> | undefined;

  const runScenarios = async () => {
    const api = new FakeKubeApi();
    const manager = recordedManager(api, requests, config);
    const rules = () => api.objects(PROMETHEUS_RULE_RESOURCE);
    const probes = () => api.objects(PROBE_RESOURCE);
    const get = (name: string) => api.server.get(DOMAIN_ROUTES, { namespace: "team-a", name }) as unknown as DomainRoute | undefined;
    try {
      await api.create(DOMAIN_ROUTES, route("shop", "shop.example.com", { service: { name: "web", port: 8080 } }));
      await api.create(DOMAIN_ROUTES, route("vm", "vm.example.com", vm));
      manager.start();
      await eventually("both routes have their PrometheusRule and the VM route its Probe", () => rules().length === 2 && probes().length === 1);
      // A hand edit of the spec is reverted: update (moving the fields to the apply entry), then apply.
      const rule = rules()[0]!;
      await api.update(PROMETHEUS_RULE_RESOURCE, { ...rule, spec: { groups: [] } }, { fieldManager: "kubectl-edit" });
      await eventually("the hand edit is reverted", () => ((rules()[0]?.spec as { groups?: unknown[] } | undefined)?.groups ?? []).length > 0);
      // The same for the Probe.
      const probe = probes()[0]!;
      await api.update(PROBE_RESOURCE, { ...probe, spec: { ...(probe.spec as object), interval: "1h" } }, { fieldManager: "kubectl-edit" });
      await eventually("the Probe's hand edit is reverted", () => (probes()[0]?.spec as { interval?: string } | undefined)?.interval !== "1h");
      // The VM route moves to a Service: its Probe is pruned.
      const moved = get("vm")!;
      await api.update(DOMAIN_ROUTES, { ...(moved as unknown as KubeObject), spec: { ...moved.spec, backend: { service: { name: "web", port: 8080 } } } });
      await eventually("the Probe is pruned", () => probes().length === 0);
      // A route deleted the normal way: its PrometheusRule is pruned.
      await api.delete(DOMAIN_ROUTES, { namespace: "team-a", name: "shop" });
      await eventually("shop is gone with its PrometheusRule", () => get("shop") === undefined && rules().length === 1);
    } finally {
      await manager.stop();
    }
  };
  const recorded = () => (scenarios ??= runScenarios());
  after(() => recorded());
  const onMonitoring = () => requests.filter((r) => r.group === PROMETHEUS_RULE_RESOURCE.group);

  it("allows every request the reconciler makes on PrometheusRules and Probes", async () => {
    await recorded();
    assert.ok(onMonitoring().length > 5, "the scenarios touched them");
    assert.deepEqual(deniedRequests(onMonitoring(), granted), [], "requests the RBAC would refuse with 403");
  });

  it("grants nothing the reconciler does not use", async () => {
    await recorded();
    assert.deepEqual(unusedGrants(granted, requests), [], "permissions no request needed");
  });

  it("grants only PrometheusRules and Probes, and only to the reconciler's ServiceAccount", () => {
    assert.deepEqual([...new Set(granted.map((g) => `${g.resource}.${g.group}`))].sort(), [
      "probes.monitoring.coreos.com",
      "prometheusrules.monitoring.coreos.com",
    ]);
    assert.deepEqual(grants([COMPONENT], { namespace: "hostgate-system", name: "hostgate-webhook" }), []);
  });

  it("is checked by a comparison that notices a missing verb", async () => {
    await recorded();
    const narrowed = granted.filter((g) => g.verb !== "list");
    assert.ok(deniedRequests(onMonitoring(), narrowed).length > 0, "without list, the lookup of whether they are served is refused");
  });
});
