// Issue 18: a route's PrometheusRule and, for a VM backend, its Probe are the
// route's objects like the Istio ones (owned, pruned, drift reverted, never
// written over another's), and ObservabilityReady says how its alerts stand.
// Never part of Ready: whatever happens to the alerts, the route serves as before.
import { beforeEach, describe, test } from "node:test";
import assert from "node:assert/strict";
import { KubeApiError } from "../../core/kube/api-error.ts";
import type { KubeObject } from "../../core/kube/object-key.ts";
import type { PlatformConfig } from "../../core/config/platform-config.ts";
import type { DomainRoute } from "../../crds/types.ts";
import { anAlertingConfig, aProbeConfig } from "../observability/testing/observability-config.ts";
import { DOMAIN_ROUTES } from "../resources.ts";
import type { MonitoringState } from "./observability-plan.ts";
import { objectNameFor } from "./render/names.ts";
import { PROBE_RESOURCE, PROMETHEUS_RULE_RESOURCE } from "./render/produced-resources.ts";
import { defaultConfig, route, world } from "./testing/route-world.ts";
import type { World } from "./testing/route-world.ts";

const alerting: PlatformConfig = { ...defaultConfig, observability: { alerting: anAlertingConfig({ probes: aProbeConfig() }) } };
const vm = { backend: { external: { ip: "10.0.0.5", port: 8080, protocol: "HTTP" as const } } };
const name = objectNameFor("shop.example.com");
const missing: MonitoringState = { kind: "missing", missing: ["prometheusrules.monitoring.coreos.com", "probes.monitoring.coreos.com"], recheckMs: 300_000 };

/** `Kind namespace/name` of every PrometheusRule and Probe stored. */
function monitoring(w: World): string[] {
  return [PROMETHEUS_RULE_RESOURCE, PROBE_RESOURCE].flatMap((r) => w.api.objects(r).map((o) => `${o.kind} ${o.metadata?.namespace}/${o.metadata?.name}`));
}

/** The route's Ready and GatewayReady as a platform without alerting reports them: the alerts must never change them. */
async function baseline(spec: Partial<DomainRoute["spec"]>): Promise<string[]> {
  const w = world();
  await w.api.create(DOMAIN_ROUTES, route("shop", "shop.example.com", spec));
  await w.reconcile("shop");
  return [w.condition("shop", "Ready")!, w.condition("shop", "GatewayReady")!];
}

async function respec(w: World, spec: Partial<DomainRoute["spec"]>): Promise<void> {
  const shop = w.get("shop")!;
  await w.api.update(DOMAIN_ROUTES, { ...(shop as unknown as KubeObject), spec: { ...shop.spec, ...spec } });
}

describe("a route's alerts with prometheus-operator's CRDs served", () => {
  let state: MonitoringState;
  let w: World;
  beforeEach(() => {
    state = { kind: "served" };
    w = world({ config: alerting, monitoring: { state: () => state } });
  });

  const backends = [
    { name: "a Service backend gets its PrometheusRule only", spec: {}, expected: [`PrometheusRule team-a/${name}`] },
    { name: "a VM backend gets its PrometheusRule and a Probe of the VM", spec: vm, expected: [`PrometheusRule team-a/${name}`, `Probe team-a/${name}`] },
  ];
  for (const c of backends) {
    test(c.name, async () => {
      await w.api.create(DOMAIN_ROUTES, route("shop", "shop.example.com", c.spec));
      await w.reconcile("shop");
      assert.deepEqual(monitoring(w), c.expected);
      assert.equal(w.condition("shop", "ObservabilityReady"), "True Applied");
      assert.match(w.message("shop", "ObservabilityReady")!, new RegExp(`PrometheusRule team-a/${name}`));
      assert.deepEqual([w.condition("shop", "Ready"), w.condition("shop", "GatewayReady")], await baseline(c.spec));
      const uid = w.get("shop")!.metadata.uid;
      for (const object of w.api.objects(PROMETHEUS_RULE_RESOURCE))
        assert.equal((object.metadata!.labels as Record<string, string>)["hostgate.dev/route-uid"], uid, "labelled as the route's");
    });
  }

  test("a second reconcile writes nothing", async () => {
    await w.api.create(DOMAIN_ROUTES, route("shop", "shop.example.com", vm));
    await w.reconcile("shop");
    w.api.takeWrites();
    await w.reconcile("shop");
    assert.deepEqual(w.api.takeWrites(), []);
  });

  test("switching the backend from the VM to a Service prunes the Probe and keeps the PrometheusRule", async () => {
    await w.api.create(DOMAIN_ROUTES, route("shop", "shop.example.com", vm));
    await w.reconcile("shop");
    await respec(w, { backend: { service: { name: "web", port: 8080 } } });
    await w.reconcile("shop");
    assert.deepEqual(monitoring(w), [`PrometheusRule team-a/${name}`]);
    assert.equal(w.condition("shop", "ObservabilityReady"), "True Applied");
  });

  test("deleting the route prunes its PrometheusRule and its Probe", async () => {
    await w.api.create(DOMAIN_ROUTES, route("shop", "shop.example.com", vm));
    await w.reconcile("shop");
    await w.api.delete(DOMAIN_ROUTES, { namespace: "team-a", name: "shop" });
    await w.reconcile("shop");
    assert.equal(w.get("shop"), undefined);
    assert.deepEqual(monitoring(w), []);
  });

  test("spec.observability.alerts false prunes both, and says NotRequested (True)", async () => {
    await w.api.create(DOMAIN_ROUTES, route("shop", "shop.example.com", vm));
    await w.reconcile("shop");
    await respec(w, { observability: { alerts: false } });
    await w.reconcile("shop");
    assert.deepEqual(monitoring(w), []);
    assert.equal(w.condition("shop", "ObservabilityReady"), "True NotRequested");
  });

  test("a hand edit of the PrometheusRule is reverted and a deleted Probe re-created", async () => {
    await w.api.create(DOMAIN_ROUTES, route("shop", "shop.example.com", vm));
    await w.reconcile("shop");
    const rule = w.api.objects(PROMETHEUS_RULE_RESOURCE)[0]!;
    const rendered = rule.spec;
    await w.api.update(PROMETHEUS_RULE_RESOURCE, { ...rule, spec: { groups: [] } }, { fieldManager: "kubectl-edit" });
    await w.api.delete(PROBE_RESOURCE, { namespace: "team-a", name });
    await w.reconcile("shop");
    assert.deepEqual(w.api.objects(PROMETHEUS_RULE_RESOURCE)[0]!.spec, rendered);
    assert.deepEqual(monitoring(w), [`PrometheusRule team-a/${name}`, `Probe team-a/${name}`]);
  });

  test("a PrometheusRule a person made at the name is left as it is: ObservabilityReady False ObjectNotOwned, and the route still serves", async () => {
    const theirs = { apiVersion: "monitoring.coreos.com/v1", kind: "PrometheusRule", metadata: { name, namespace: "team-a" }, spec: { groups: [] } };
    await w.api.create(PROMETHEUS_RULE_RESOURCE, theirs, { fieldManager: "kubectl-create" });
    const before = w.api.objects(PROMETHEUS_RULE_RESOURCE)[0];
    await w.api.create(DOMAIN_ROUTES, route("shop", "shop.example.com"));
    await w.reconcile("shop");
    assert.deepEqual(w.api.objects(PROMETHEUS_RULE_RESOURCE), [before], "not one field of it changed");
    assert.equal(w.condition("shop", "ObservabilityReady"), "False ObjectNotOwned");
    assert.match(w.message("shop", "ObservabilityReady")!, new RegExp(`PrometheusRule team-a/${name} exists and hostgate did not create it`));
    assert.deepEqual([w.condition("shop", "Ready"), w.condition("shop", "GatewayReady")], await baseline({}));
    await w.api.delete(DOMAIN_ROUTES, { namespace: "team-a", name: "shop" });
    await w.reconcile("shop");
    assert.deepEqual(w.api.objects(PROMETHEUS_RULE_RESOURCE), [before], "not deleted with the route either");
  });

  test("a PrometheusRule that cannot be written is ObservabilityReady False ApplyFailed, retried, and the route still serves", async () => {
    await w.api.create(DOMAIN_ROUTES, route("shop", "shop.example.com"));
    w.api.failNext(
      "create",
      new KubeApiError("admission webhook prometheusrulemutate.monitoring.coreos.com denied the request", 400, "BadRequest"),
      "PrometheusRule",
    );
    await assert.rejects(w.reconcile("shop"), /denied the request/);
    assert.equal(w.condition("shop", "ObservabilityReady"), "False ApplyFailed");
    assert.deepEqual([w.condition("shop", "Ready"), w.condition("shop", "GatewayReady")], await baseline({}));
    await w.reconcile("shop");
    assert.equal(w.condition("shop", "ObservabilityReady"), "True Applied");
  });
});

describe("a route's alerts without prometheus-operator's CRDs", () => {
  test("say PrometheusOperatorMissing naming what to install; nothing of them is written, and Ready is what it would be without alerting", async () => {
    const w = world({ config: alerting, monitoring: { state: () => missing } });
    await w.api.create(DOMAIN_ROUTES, route("shop", "shop.example.com", vm));
    await w.reconcile("shop");
    assert.equal(w.condition("shop", "ObservabilityReady"), "False PrometheusOperatorMissing");
    assert.match(w.message("shop", "ObservabilityReady")!, /install prometheus-operator's CRDs \(PrometheusRule and Probe/);
    assert.deepEqual([w.condition("shop", "Ready"), w.condition("shop", "GatewayReady")], await baseline(vm));
    assert.deepEqual(
      w.api.writes.filter((x) => x.resource.endsWith("monitoring.coreos.com")),
      [],
    );
  });

  test("are written once the CRDs are served, and a restart before the lookup answers writes nothing", async () => {
    let state: MonitoringState = missing;
    const w = world({ config: alerting, monitoring: { state: () => state } });
    await w.api.create(DOMAIN_ROUTES, route("shop", "shop.example.com", vm));
    await w.reconcile("shop");
    state = { kind: "served" };
    await w.reconcile("shop");
    assert.deepEqual(monitoring(w), [`PrometheusRule team-a/${name}`, `Probe team-a/${name}`]);
    assert.equal(w.condition("shop", "ObservabilityReady"), "True Applied");
    state = { kind: "unknown" };
    w.api.takeWrites();
    await w.reconcile("shop");
    assert.deepEqual(w.api.takeWrites(), [], "the condition the status holds stays, and nothing is pruned");
  });
});

describe("a route's alerts after the platform turned alerting off", () => {
  const cases: { name: string; state: MonitoringState; expected: string[] }[] = [
    { name: "are pruned where the kinds are served (and cached)", state: { kind: "served" }, expected: [] },
    {
      name: "are left where the kinds may not be listed (a refused lookup leaves the state unknown)",
      state: { kind: "unknown" },
      expected: [`PrometheusRule team-a/${name}`, `Probe team-a/${name}`],
    },
    { name: "are left where the kinds are not served", state: missing, expected: [`PrometheusRule team-a/${name}`, `Probe team-a/${name}`] },
  ];
  for (const c of cases) {
    test(`${c.name}; the route says True NotRequested and serves as before`, async () => {
      let state: MonitoringState = { kind: "served" };
      const w = world({ config: alerting, monitoring: { state: () => state } });
      await w.api.create(DOMAIN_ROUTES, route("shop", "shop.example.com", vm));
      await w.reconcile("shop");
      assert.deepEqual(monitoring(w), [`PrometheusRule team-a/${name}`, `Probe team-a/${name}`]);
      w.deps.config = defaultConfig;
      state = c.state;
      await w.reconcile("shop");
      assert.deepEqual(monitoring(w), c.expected);
      assert.equal(w.condition("shop", "ObservabilityReady"), "True NotRequested");
      assert.deepEqual([w.condition("shop", "Ready"), w.condition("shop", "GatewayReady")], await baseline(vm));
    });
  }
});

describe("ObservabilityReady where the route gets no alerts", () => {
  const cases: { name: string; config: PlatformConfig; spec?: Partial<DomainRoute["spec"]>; expected: string }[] = [
    { name: "a platform without alerting: True NotRequested", config: defaultConfig, expected: "True NotRequested" },
    {
      name: "a team-routed domain: True NoManagedBackend",
      config: alerting,
      spec: { routing: { mode: "External" }, backend: undefined },
      expected: "True NoManagedBackend",
    },
  ];
  for (const c of cases) {
    test(c.name, async () => {
      const w = world({ config: c.config, monitoring: { state: () => ({ kind: "served" }) } });
      await w.api.create(DOMAIN_ROUTES, route("shop", "shop.example.com", c.spec));
      await w.reconcile("shop");
      assert.equal(w.condition("shop", "ObservabilityReady"), c.expected);
      assert.deepEqual(monitoring(w), []);
    });
  }
});

describe("status.observability", () => {
  const links = {
    dashboard: "https://grafana.example.com/d/hostgate?var-host={domain}",
    logs: "https://logs.example.com/?q=ns%3D{namespace}%20route%3D{name}",
  };
  test("carries the links from the platform's templates, written by the route controller, and a steady state writes nothing", async () => {
    const w = world({ config: { ...defaultConfig, observability: { links } } });
    await w.api.create(DOMAIN_ROUTES, route("shop", "shop.example.com"));
    await w.reconcile("shop");
    assert.deepEqual(w.get("shop")!.status!.observability, {
      dashboard: "https://grafana.example.com/d/hostgate?var-host=shop.example.com",
      logs: "https://logs.example.com/?q=ns%3Dteam-a%20route%3Dshop",
    });
    w.api.takeWrites();
    await w.reconcile("shop");
    assert.deepEqual(w.api.takeWrites(), []);
  });

  test("is removed when the platform drops its templates", async () => {
    const w = world({ config: { ...defaultConfig, observability: { links } } });
    await w.api.create(DOMAIN_ROUTES, route("shop", "shop.example.com"));
    await w.reconcile("shop");
    w.deps.config = defaultConfig;
    await w.reconcile("shop");
    assert.equal(w.get("shop")!.status!.observability, undefined);
  });
});
