// deploy/components/reconciler-audit-reports against what the reconciler's
// background audit does (audit.reports, policies from the cluster): the whole
// reconciler runs on the in-memory API server through every path that touches
// reports (first publication, a change of results after a PolicyModule edit,
// the report of a namespace and the cluster's deleted once nothing there is
// audited), and both directions are checked for the kinds the component
// grants: every request is allowed (with the base reconciler's rules, which
// cover its own reads and writes of DomainRoutes and the Istio kinds), every
// permission was used. The component alone lists and watches every kind the
// audit judges (AUDITED_RESOURCES). With the audit off nothing touches them
// (audit-reports-manager.test.ts).
import assert from "node:assert/strict";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { loadPlatformConfig } from "../core/config/index.ts";
import type { KubeObject } from "../core/kube/object-key.ts";
import { FakeKubeApi } from "../core/kube/testing/fake-kube-api.ts";
import { silentLogger } from "../core/logger.ts";
import { AUDITED_RESOURCES } from "../core/state/audited-resources.ts";
import { HOSTNAME_GRANTS } from "../reconciler/audit/background-audit.ts";
import { AUDIT_REPORT_NAME, CLUSTER_REPORTS, OPENREPORTS_GROUP, REPORTS } from "../reconciler/audit/report-resources.ts";
import { ReconcilerManager } from "../reconciler/manager/reconciler-manager.ts";
import { DOMAIN_ROUTES } from "../reconciler/resources.ts";
import { POLICY_MODULES } from "../webhook/policy-set/cluster-policy-modules.ts";
import { ROOT } from "./fixtures.ts";
import type { Request } from "./rbac/rbac-usage.ts";
import { deniedRequests, eventually, grants, recording, unusedGrants } from "./rbac/rbac-usage.ts";

const SERVICE_ACCOUNT = { namespace: "hostgate-system", name: "hostgate-reconciler" };
const COMPONENT = join(ROOT, "deploy", "components", "reconciler-audit-reports", "rbac.yaml");
const BASE = join(ROOT, "deploy", "base", "reconciler-rbac.yaml");
const config = loadPlatformConfig(join(ROOT, "deploy", "base", "platform-config.yaml"));

/** A module denying DomainRoutes and HostnameGrants whose name starts with `prefix`. */
function noPrefix(prefix: string): KubeObject {
  return {
    apiVersion: "hostgate.dev/v1alpha1",
    kind: "PolicyModule",
    metadata: { name: "no-prefix" },
    spec: {
      description: "names must not start with a reserved prefix",
      match: [{ apiGroups: ["hostgate.dev"], kinds: ["DomainRoute", "HostnameGrant"], operations: ["CREATE", "UPDATE"] }],
      validations: [{ expression: `!object.metadata.name.startsWith("${prefix}")`, message: `names must not start with ${prefix}` }],
    },
  };
}

const route: KubeObject = {
  apiVersion: "hostgate.dev/v1alpha1",
  kind: "DomainRoute",
  metadata: { name: "bad-shop", namespace: "team-a" },
  spec: { domain: "shop.example.com", lb: "alb-out", routing: { mode: "External" } },
};
const grant: KubeObject = {
  apiVersion: "hostgate.dev/v1alpha1",
  kind: "HostnameGrant",
  metadata: { name: "bad-grant" },
  spec: { namespaces: ["team-a"], hostnames: ["shop.example.com"] },
};

const resultsOf = (o: KubeObject | undefined) => ((o as { results?: { result: string }[] } | undefined)?.results ?? []).map((r) => r.result).join();

describe("the reconciler's RBAC for the background audit (deploy/components/reconciler-audit-reports)", () => {
  const requests: Request[] = [];
  const granted = grants([COMPONENT], SERVICE_ACCOUNT);
  const withBase = grants([COMPONENT, BASE], SERVICE_ACCOUNT);
  let scenarios: Promise<void> | undefined;

  const runScenarios = async () => {
    const api = new FakeKubeApi();
    const manager = new ReconcilerManager({
      api: recording(api, requests),
      config,
      logger: silentLogger,
      appIdTableDebounceMs: 5,
      sweepDebounceMs: 5,
      edgeDebounceMs: 5,
      stopTimeoutMs: 1000,
      audit: { policies: "cluster", debounceMs: 5 },
    });
    const report = () => api.server.get(REPORTS, { namespace: "team-a", name: AUDIT_REPORT_NAME });
    const clusterReport = () => api.server.get(CLUSTER_REPORTS, { name: AUDIT_REPORT_NAME });
    try {
      const module = api.server.put(POLICY_MODULES, noPrefix("bad"));
      await api.create(DOMAIN_ROUTES, route);
      await api.create(HOSTNAME_GRANTS, grant);
      manager.start();
      await eventually("both reports say fail", () => resultsOf(report()) === "fail" && resultsOf(clusterReport()) === "fail");
      // The module changes (the PolicyModule's own spec, as kubectl would apply it): both reports are rewritten.
      api.server.put(POLICY_MODULES, { ...noPrefix("evil"), metadata: module.metadata! });
      await eventually("both reports say pass", () => resultsOf(report()) === "pass" && resultsOf(clusterReport()) === "pass");
      // Nothing audited any more: both reports are deleted.
      api.server.delete(DOMAIN_ROUTES, { namespace: "team-a", name: "bad-shop" });
      await api.delete(HOSTNAME_GRANTS, { name: "bad-grant" });
      await eventually("both reports are gone", () => report() === undefined && clusterReport() === undefined);
    } finally {
      await manager.stop();
    }
  };
  const recorded = () => (scenarios ??= runScenarios());
  after(() => recorded());
  const granting = new Set(granted.map((g) => `${g.resource}.${g.group}`));
  const onGranted = () => requests.filter((r) => granting.has(`${r.resource}.${r.group}`));

  it("allows every request the reconciler makes on reports, the audited kinds and PolicyModules", async () => {
    await recorded();
    assert.ok(onGranted().filter((r) => r.group === OPENREPORTS_GROUP).length > 8, "the scenarios touched the reports");
    assert.deepEqual(deniedRequests(onGranted(), withBase), [], "requests the RBAC would refuse with 403");
  });

  it("lets the component alone list and watch, cluster-wide, every kind the audit judges (AUDITED_RESOURCES)", async () => {
    await recorded();
    const reads = (verb: string) => AUDITED_RESOURCES.map((r) => ({ verb, group: r.group, resource: r.resource }));
    const missing = [...reads("list"), ...reads("watch")].filter(
      (want) => !granted.some((g) => g.verb === want.verb && g.group === want.group && g.resource === want.resource && g.namespace === undefined),
    );
    assert.deepEqual(missing, []);
    const audited = new Set(AUDITED_RESOURCES.map((r) => `${r.resource}.${r.group}`));
    const judged = requests.filter((r) => audited.has(`${r.resource}.${r.group}`) && (r.verb === "list" || r.verb === "watch"));
    assert.deepEqual(new Set(judged.map((r) => `${r.resource}.${r.group}`)), audited, "the scenarios listed or watched every audited kind");
  });

  it("grants nothing the reconciler does not use", async () => {
    await recorded();
    assert.deepEqual(unusedGrants(granted, requests), [], "permissions no request needed");
  });

  it("grants only these kinds, and only to the reconciler's ServiceAccount", () => {
    assert.deepEqual([...granting].sort(), [
      "clusterreports.openreports.io",
      "domainroutes.hostgate.dev",
      "gateways.gateway.networking.k8s.io",
      "gateways.networking.istio.io",
      "grpcroutes.gateway.networking.k8s.io",
      "hostnamegrants.hostgate.dev",
      "httproutes.gateway.networking.k8s.io",
      "policymodules.hostgate.dev",
      "regionpolicies.hostgate.dev",
      "reports.openreports.io",
      "tlsroutes.gateway.networking.k8s.io",
      "virtualservices.networking.istio.io",
    ]);
    assert.ok(
      granted.every((g) => g.group === OPENREPORTS_GROUP || g.verb === "list" || g.verb === "watch"),
      "read only, but for hostgate's reports",
    );
    assert.deepEqual(grants([COMPONENT], { namespace: "hostgate-system", name: "hostgate-webhook" }), []);
  });

  it("is checked by a comparison that notices a missing verb", async () => {
    await recorded();
    const narrowed = withBase.filter((g) => g.verb !== "delete");
    assert.ok(deniedRequests(onGranted(), narrowed).length > 0, "without delete, a report left with nothing to report is refused");
  });
});
