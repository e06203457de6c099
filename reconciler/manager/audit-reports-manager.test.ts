// The background audit through the whole reconciler on the in-memory API
// server: PolicyModules from the cluster (cached, compiled by the webhook's
// live set), routes judged under them, OpenReports written only on change,
// re-audited when a module changes; and, with the audit off, nothing of it
// watched (a cluster without the OpenReports CRDs is unaffected).
import assert from "node:assert/strict";
import { afterEach, describe, it } from "node:test";
import { Registry } from "prom-client";
import type { KubeObject } from "../../core/kube/object-key.ts";
import { ManualClock } from "../../core/clock.ts";
import { FakeKubeApi } from "../../core/kube/testing/fake-kube-api.ts";
import { join } from "node:path";
import { compileModule, loadPolicySet, makePolicySet } from "../../policies/engine/module-loader.ts";
import { recording } from "../../test/rbac/rbac-usage.ts";
import type { Request } from "../../test/rbac/rbac-usage.ts";
import { POLICY_MODULES } from "../../webhook/policy-set/cluster-policy-modules.ts";
import { denyNamePrefix, withExpression } from "../../webhook/policy-set/testing/policy-modules.ts";
import { HOSTNAME_GRANTS } from "../audit/background-audit.ts";
import type { BackgroundAuditSettings } from "../audit/background-audit.ts";
import { AUDIT_REPORT_NAME, OPENREPORTS_GROUP, REPORTS } from "../audit/report-resources.ts";
import { publishedResults } from "../audit/testing/audit-results.ts";
import { grant as aGrant, HTTP_ROUTES, httpRoute, newestRef, VIRTUAL_SERVICES, virtualService } from "../audit/testing/existing-objects.ts";
import { poolConfig } from "../edge/testing/pool-config.ts";
import { ROOT } from "../../test/fixtures.ts";
import { DOMAIN_ROUTES } from "../resources.ts";
import { registerReconcilerMetrics } from "./metrics.ts";
import type { ReconcilerManager } from "./reconciler-manager.ts";
import { until } from "./testing/clocked-manager.ts";
import { eventually } from "./testing/eventually.ts";
import { startQuickManager } from "./testing/quick-manager.ts";

const config = poolConfig({}, "none");
const running: ReconcilerManager[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((m) => m.stop()));
});

function route(name: string): KubeObject {
  return {
    apiVersion: "hostgate.dev/v1alpha1",
    kind: "DomainRoute",
    metadata: { name, namespace: "team-a" },
    spec: { domain: `${name}.example.com`, lb: "alb-out", routing: { mode: "External" } },
  };
}

const grant: KubeObject = {
  apiVersion: "hostgate.dev/v1alpha1",
  kind: "HostnameGrant",
  metadata: { name: "team-a-shop" },
  spec: { namespaces: ["team-a"], hostnames: ["shop.example.com"] },
};

/** denyNamePrefix's module as a file holds it: no API server metadata. */
function moduleFile(name: string, prefix: string): KubeObject {
  const { apiVersion, kind, spec } = denyNamePrefix(name, prefix, `names must not start with ${prefix}`);
  return { apiVersion, kind, metadata: { name }, spec } as KubeObject;
}

function start(api: FakeKubeApi, requests: Request[], audit?: BackgroundAuditSettings, clock?: ManualClock): ReconcilerManager {
  return startQuickManager(recording(api, requests), config, running, {
    ...(clock === undefined ? {} : { clock, random: () => 0.5 }),
    ...(audit === undefined ? {} : { audit }),
  });
}

/** `name policy result` of each result in team-a's hostgate Report, as stored. */
function teamAResults(api: FakeKubeApi): string[] {
  const report = api.server.get(REPORTS, { namespace: "team-a", name: AUDIT_REPORT_NAME }) as
    | (KubeObject & { results: { policy: string; result: string; resources: { name: string }[] }[] })
    | undefined;
  return (report?.results ?? []).map((r) => `${r.resources[0]!.name} ${r.policy} ${r.result}`);
}

const teamAKinds = (api: FakeKubeApi) => publishedResults(api, "team-a");

const hostnameGranted = () => loadPolicySet([join(ROOT, "policies", "library", "hostname-granted.yaml")]);

const reportWrites = (requests: readonly Request[]) =>
  requests.filter((r) => r.group === OPENREPORTS_GROUP && ["create", "patch", "update", "delete"].includes(r.verb)).length;
const auditPasses = (manager: ReconcilerManager) => manager.totals()["audit-reports"]?.reconciles ?? 0;

/** Waits until the reconciler is quiet: no audit pass queued or running, and none for 100 ms (the routes' status writes done). */
async function quiet(manager: ReconcilerManager): Promise<void> {
  for (;;) {
    const passes = auditPasses(manager);
    await new Promise((resolve) => setTimeout(resolve, 100));
    const stats = manager.stats()["audit-reports"];
    if (auditPasses(manager) === passes && stats?.queued === 0 && stats.inFlight === 0) return;
  }
}

/** The granted hostname in the field `kind` keeps its hostnames in. */
function hosts(kind: string): Record<string, string[]> {
  return kind === "a VirtualService" ? { hosts: ["shop.example.com"] } : { hostnames: ["shop.example.com"] };
}

describe("the background audit in the reconciler", () => {
  it("publishes a failing result for a route that breaks a PolicyModule, and a pass with nothing changed writes nothing", async () => {
    const api = new FakeKubeApi();
    const requests: Request[] = [];
    api.server.put(POLICY_MODULES, denyNamePrefix("no-bad", "bad", "names must not start with bad"));
    await api.create(DOMAIN_ROUTES, route("bad-shop"));
    await api.create(DOMAIN_ROUTES, route("web"));
    const manager = start(api, requests, { policies: "cluster", debounceMs: 10 });
    await eventually("team-a's Report holds both routes", () => teamAResults(api).length === 2);
    assert.deepEqual(teamAResults(api), ["bad-shop no-bad fail", "web no-bad pass"]);
    await quiet(manager);
    const writes = reportWrites(requests);
    const passes = auditPasses(manager);
    // A HostnameGrant is audited (no module matches it here): its event brings a pass that changes no report.
    await api.create(HOSTNAME_GRANTS, grant);
    await eventually("another audit pass ran", () => auditPasses(manager) > passes);
    await new Promise((resolve) => setTimeout(resolve, 50));
    assert.equal(reportWrites(requests), writes, "a pass with unchanged results writes no report");
    const registry = new Registry();
    registerReconcilerMetrics(registry, manager);
    assert.match(await registry.metrics(), /hostgate_policy_violations\{policy="no-bad",enforcement="Deny"\} 1/);
  });

  it("re-audits when a PolicyModule changes: the route it now denies fails, the one it no longer denies passes", async () => {
    const api = new FakeKubeApi();
    const requests: Request[] = [];
    const module = api.server.put(POLICY_MODULES, denyNamePrefix("no-bad", "bad", "names must not start with bad"));
    await api.create(DOMAIN_ROUTES, route("bad-shop"));
    await api.create(DOMAIN_ROUTES, route("web"));
    const manager = start(api, requests, { policies: "cluster", debounceMs: 10 });
    await eventually("bad-shop fails", () => teamAResults(api).join() === "bad-shop no-bad fail,web no-bad pass");
    // Only the PolicyModule's event may bring what follows.
    await quiet(manager);
    api.server.put(POLICY_MODULES, withExpression(module, '!object.metadata.name.startsWith("web")'));
    await eventually("web fails and bad-shop passes", () => teamAResults(api).join() === "bad-shop no-bad pass,web no-bad fail");
  });

  it("runs again every interval with nothing changed, on the injected clock", async () => {
    const api = new FakeKubeApi();
    const clock = new ManualClock();
    const requests: Request[] = [];
    api.server.put(POLICY_MODULES, denyNamePrefix("no-bad", "bad", "names must not start with bad"));
    await api.create(DOMAIN_ROUTES, route("bad-shop"));
    const manager = start(api, requests, { policies: "cluster", debounceMs: 10, intervalMs: 30 * 60_000 }, clock);
    await until("bad-shop fails", clock, () => teamAResults(api).join() === "bad-shop no-bad fail");
    // Let every pass the start queued run (the clock moves a second at a time until the passes stop).
    let passes = -1;
    while (passes !== auditPasses(manager)) {
      passes = auditPasses(manager);
      for (let i = 0; i < 20; i++) {
        await new Promise((resolve) => setTimeout(resolve, 2));
        clock.advance(1000);
      }
    }
    clock.advance(29 * 60_000);
    await new Promise((resolve) => setTimeout(resolve, 20));
    assert.equal(auditPasses(manager), passes, "no pass before the interval");
    await until("the interval's pass ran", clock, () => auditPasses(manager) > passes, 2 * 60_000);
  });

  it("judges by a fixed set (files) without watching PolicyModules", async () => {
    const api = new FakeKubeApi();
    const requests: Request[] = [];
    const compiled = compileModule(moduleFile("no-bad", "bad"), "no-bad.yaml");
    assert.ok("module" in compiled, JSON.stringify(compiled));
    await api.create(DOMAIN_ROUTES, route("bad-shop"));
    start(api, requests, { policies: makePolicySet([compiled.module]), debounceMs: 10 });
    await eventually("bad-shop fails", () => teamAResults(api).join() === "bad-shop no-bad fail");
    assert.deepEqual(
      requests.filter((r) => r.resource === POLICY_MODULES.resource),
      [],
    );
  });

  // Every kind the webhooks intercept is audited (AUDITED_RESOURCES), not only the reconciler's own caches' kinds.
  const interceptedKinds = [
    { kind: "an HTTPRoute", resource: newestRef(HTTP_ROUTES), object: httpRoute("team-a", "shop", ["shop.other.example.com"]), expected: "HTTPRoute shop" },
    {
      kind: "a VirtualService",
      resource: newestRef(VIRTUAL_SERVICES),
      object: virtualService("team-a", "shop", ["shop.other.example.com"]),
      expected: "VirtualService shop",
    },
  ];
  for (const { kind, resource, object, expected } of interceptedKinds) {
    it(`publishes ${kind} with an ungranted hostname as failing hostname-granted in its namespace's Report`, async () => {
      const api = new FakeKubeApi();
      const requests: Request[] = [];
      await api.create(HOSTNAME_GRANTS, aGrant("team-a-shop", ["team-a"], ["shop.example.com"]));
      await api.create(resource, object);
      await api.create(resource, { ...object, metadata: { name: "granted", namespace: "team-a" }, spec: { ...(object.spec as object), ...hosts(kind) } });
      start(api, requests, { policies: hostnameGranted(), debounceMs: 10 });
      await eventually(`team-a's Report holds ${kind}`, () => teamAKinds(api).length === 2);
      assert.deepEqual(teamAKinds(api), [`${expected.split(" ")[0]} granted hostname-granted pass`, `${expected} hostname-granted fail`]);
    });
  }

  it("re-audits when an HTTPRoute changes: its hostname now granted, it passes", async () => {
    const api = new FakeKubeApi();
    const requests: Request[] = [];
    await api.create(HOSTNAME_GRANTS, aGrant("team-a-shop", ["team-a"], ["shop.example.com"]));
    const created = await api.create(newestRef(HTTP_ROUTES), httpRoute("team-a", "shop", ["shop.other.example.com"]));
    const manager = start(api, requests, { policies: hostnameGranted(), debounceMs: 10 });
    await eventually("the HTTPRoute fails", () => teamAKinds(api).join() === "HTTPRoute shop hostname-granted fail");
    // Only the HTTPRoute's event may bring what follows.
    await quiet(manager);
    await api.update(newestRef(HTTP_ROUTES), { ...created, spec: { ...(created.spec as object), hostnames: ["shop.example.com"] } });
    await eventually("the HTTPRoute passes", () => teamAKinds(api).join() === "HTTPRoute shop hostname-granted pass");
  });

  it("lists and watches the intercepted kinds on the leader only, for its term: a standby that takes over watches them instead", async () => {
    const api = new FakeKubeApi();
    const election = { namespace: "hostgate-system", name: "hostgate-reconciler", leaseDurationMs: 1000, renewDeadlineMs: 600, retryPeriodMs: 50 };
    const replica = (holderId: string) =>
      startQuickManager(api, config, running, { audit: { policies: hostnameGranted(), debounceMs: 10 }, leaderElection: { ...election, holderId } });
    const [a, b] = [replica("pod-a"), replica("pod-b")];
    // Nothing but the audit's holder reads HTTPRoutes on this data plane: one watch means one replica's holder.
    const watches = () => api.server.openWatches(newestRef(HTTP_ROUTES));
    await eventually("one replica leads and watches the HTTPRoutes", () => [a, b].filter((m) => m.isLeader()).length === 1 && watches() === 1);
    const [leader, standby] = a.isLeader() ? [a, b] : [b, a];
    await new Promise((resolve) => setTimeout(resolve, 50));
    assert.equal(watches(), 1, "the standby does not watch them");
    await leader.stop();
    await eventually("the standby leads and watches the HTTPRoutes", () => standby.isLeader() && watches() === 1);
    await standby.stop();
    assert.equal(watches(), 0, "the term's end closed its watch");
  });

  it("off (the default), watches no OpenReports kind, PolicyModule, HostnameGrant or HTTPRoute and writes no report", async () => {
    const api = new FakeKubeApi();
    const requests: Request[] = [];
    await api.create(DOMAIN_ROUTES, route("bad-shop"));
    const manager = start(api, requests);
    await eventually("the route is reconciled", () => (manager.totals().domainroute?.reconciles ?? 0) > 0);
    const audited = new Set([OPENREPORTS_GROUP, POLICY_MODULES.resource, HOSTNAME_GRANTS.resource, HTTP_ROUTES.resource]);
    assert.deepEqual(
      requests.filter((r) => audited.has(r.group) || audited.has(r.resource)),
      [],
    );
    assert.equal(manager.auditViolations(), undefined);
    const registry = new Registry();
    registerReconcilerMetrics(registry, manager);
    assert.doesNotMatch(await registry.metrics(), /hostgate_policy_violations/);
  });
});
