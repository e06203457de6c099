import { test } from "node:test";
import assert from "node:assert/strict";
import { Registry } from "prom-client";
import { silentLogger } from "../../core/logger.ts";
import { loadPlatformConfig } from "../../core/config/index.ts";
import { DEFAULT_CONFIG } from "../../core/cli/paths.ts";
import { FakeKubeApi } from "../../core/kube/testing/fake-kube-api.ts";
import { DOMAIN_ROUTES } from "../resources.ts";
import { gatewayApiConfig } from "../edge/gateways/testing/gateway-api-config.ts";
import { startQuickManager } from "./testing/quick-manager.ts";
import { eventually } from "./testing/eventually.ts";
import { registerReconcilerMetrics } from "./metrics.ts";
import { ReconcilerManager } from "./reconciler-manager.ts";

test("the metrics tell leadership, reconciles per controller, queue depth and cache state, and keep counting across terms", async () => {
  const api = new FakeKubeApi();
  await api.create(DOMAIN_ROUTES, {
    apiVersion: "hostgate.dev/v1alpha1",
    kind: "DomainRoute",
    metadata: { name: "shop", namespace: "team-a" },
    spec: { domain: "shop.example.com", lb: "alb-in", backend: { service: { name: "web", port: 8080 } } },
  });
  const manager = new ReconcilerManager({ api, config: loadPlatformConfig(DEFAULT_CONFIG), logger: silentLogger, appIdTableDebounceMs: 1, sweepDebounceMs: 1 });
  const registry = new Registry();
  registerReconcilerMetrics(registry, manager);
  const value = async (series: string) => {
    const line = (await registry.metrics()).split("\n").find((l) => l.startsWith(`${series} `));
    return line === undefined ? undefined : Number(line.slice(series.length + 1));
  };
  assert.equal(await value("hostgate_reconciler_leader"), 0);
  manager.start();
  const deadline = Date.now() + 5000;
  while (!((await value('hostgate_reconciler_reconciles_total{controller="orphan-sweep"}')) ?? 0)) {
    assert.ok(Date.now() < deadline, "no sweep counted within 5 s");
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  assert.equal(await value("hostgate_reconciler_leader"), 1);
  assert.ok((await value('hostgate_reconciler_reconciles_total{controller="domainroute"}'))! >= 1);
  assert.equal(await value('hostgate_reconciler_reconcile_errors_total{controller="domainroute"}'), 0);
  assert.equal(await value('hostgate_reconciler_cache_synced{resource="domainroutes.hostgate.dev"}'), 1);
  assert.equal(await value('hostgate_reconciler_cache_objects{resource="domainroutes.hostgate.dev"}'), 1);
  assert.notEqual(await value('hostgate_reconciler_queue_depth{controller="domainroute"}'), undefined);
  const before = (await value('hostgate_reconciler_reconciles_total{controller="domainroute"}'))!;
  await manager.stop();
  assert.equal(await value("hostgate_reconciler_leader"), 0);
  assert.equal(await value('hostgate_reconciler_reconciles_total{controller="domainroute"}'), before, "a counter never drops when a term ends");
});

test("every controller the config turns on has its series: pool-gateways on the Gateway API, and no dns or certificates without them", async () => {
  const running: ReconcilerManager[] = [];
  const manager = startQuickManager(new FakeKubeApi(), gatewayApiConfig(), running);
  const registry = new Registry();
  registerReconcilerMetrics(registry, manager);
  try {
    await eventually("the reconciler leads", () => manager.isLeader());
    const text = await registry.metrics();
    const series = (name: string) =>
      text
        .split("\n")
        .filter((l) => l.startsWith(`${name}{`))
        .map((l) => /controller="([^"]+)"/.exec(l)?.[1])
        .sort();
    const expected = ["domainroute", "edge-placement", "identity-table", "orphan-sweep", "pool-gateways"];
    assert.deepEqual(series("hostgate_reconciler_reconciles_total"), expected);
    assert.deepEqual(series("hostgate_reconciler_reconcile_errors_total"), expected);
    assert.deepEqual(series("hostgate_reconciler_queue_depth"), expected);
  } finally {
    await Promise.all(running.map((m) => m.stop()));
  }
});
