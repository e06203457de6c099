// Reconciler throughput and write economy against the in-memory API server
// (core/kube/testing/fake-kube-api.ts), for 1,000 and 10,000 DomainRoutes
// (every other one protected, each with its own appId):
//   - cold start → convergence: from starting the reconciler on a cluster
//     holding only the routes until every route is Ready and every queue is idle;
//   - writes against the minimum needed: per route its finalizer, its claim,
//     its Istio objects (2, or 3 when protected) and one status write, plus the
//     identity EnvoyFilter and ConfigMap once (Events are counted apart);
//   - a restart with nothing changed: a new reconciler on the same cluster,
//     until it has reconciled every route and the table once: writes (goal 0).
// Prints figures only: nothing here is asserted (timings vary by machine).
//
//   node bench/reconcile.ts [sizes...]     e.g. node bench/reconcile.ts 1000
import { silentLogger } from "../core/logger.ts";
import { loadPlatformConfig } from "../core/config/index.ts";
import { DEFAULT_CONFIG } from "../core/cli/paths.ts";
import { FakeKubeApi } from "../core/kube/testing/fake-kube-api.ts";
import type { RecordedWrite } from "../core/kube/testing/fake-kube-api.ts";
import type { KubeObject } from "../core/kube/object-key.ts";
import type { DomainRoute } from "../crds/types.ts";
import { ReconcilerManager } from "../reconciler/manager/reconciler-manager.ts";
import { DOMAIN_ROUTES } from "../reconciler/resources.ts";

const SIZES = process.argv
  .slice(2)
  .map(Number)
  .filter((n) => n > 0);
const config = loadPlatformConfig(DEFAULT_CONFIG);
const TIMINGS = { appIdTableDebounceMs: 100, sweepDebounceMs: 100, stopTimeoutMs: 5000, routeWorkers: 4 } as const;

function route(i: number): KubeObject {
  const protectedRoute = i % 2 === 0;
  return {
    apiVersion: "hostgate.dev/v1alpha1",
    kind: "DomainRoute",
    metadata: { name: `route-${i}`, namespace: `team-${i % 50}` },
    spec: {
      domain: `route-${i}.example.com`,
      lb: "alb-in",
      routing: { mode: "Managed" },
      backend: { service: { name: "web", port: 8080 } },
      ...(protectedRoute ? { protection: { provider: "sso", appId: `app-${i}` } } : {}),
    },
  };
}

/** The fewest writes that bring `n` new routes (every other one protected) to Ready. */
function minimumWrites(n: number): number {
  const protectedCount = Math.ceil(n / 2);
  const perRoute = 1 + 1 + 1; // finalizer, claim, status
  return n * perRoute + (n - protectedCount) * 2 + protectedCount * 3 + 2;
}

function allReady(api: FakeKubeApi): boolean {
  for (const object of api.server.objects(DOMAIN_ROUTES)) {
    const ready = (object as unknown as DomainRoute).status?.conditions?.find((c) => c.type === "Ready");
    if (ready?.status !== "True") return false;
  }
  return true;
}

function idle(m: ReconcilerManager): boolean {
  return Object.values(m.stats()).every((s) => s.queued === 0 && s.inFlight === 0);
}

async function until(what: string, check: () => boolean, timeoutMs: number, pollMs = 25): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting until ${what}`);
    await new Promise((resolve) => setTimeout(resolve, pollMs));
  }
}

/** Idle, and still idle a debounce window later (a debounced table pass may be waiting). */
async function settled(m: ReconcilerManager, timeoutMs: number): Promise<void> {
  for (;;) {
    await until("every queue is idle", () => idle(m), timeoutMs);
    await new Promise((resolve) => setTimeout(resolve, TIMINGS.appIdTableDebounceMs * 3));
    if (idle(m)) return;
  }
}

function tally(writes: readonly RecordedWrite[]): { objects: number; events: number; byKind: string } {
  const counts = new Map<string, number>();
  let events = 0;
  for (const w of writes) {
    if (w.resource.split(".")[0] === "events") {
      events++;
      continue;
    }
    const label = `${w.verb} ${w.resource.split(".")[0]}`;
    counts.set(label, (counts.get(label) ?? 0) + 1);
  }
  const objects = [...counts.values()].reduce((a, b) => a + b, 0);
  const byKind = [...counts]
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([k, v]) => `${k} ${v}`)
    .join(", ");
  return { objects, events, byKind };
}

function reconciles(m: ReconcilerManager, name: string): number {
  return m.stats()[name]?.reconciles ?? 0;
}

async function run(n: number): Promise<void> {
  const api = new FakeKubeApi();
  for (let i = 0; i < n; i++) await api.create(DOMAIN_ROUTES, route(i));
  api.takeWrites();
  const timeoutMs = 60_000 + n * 30;

  const started = performance.now();
  const first = new ReconcilerManager({ api, config, logger: silentLogger, ...TIMINGS });
  first.start();
  await until("every route is Ready", () => allReady(api), timeoutMs, 50);
  const readyMs = performance.now() - started;
  await settled(first, timeoutMs);
  const convergedMs = performance.now() - started;
  const cold = tally(api.takeWrites());
  const coldReconciles = reconciles(first, "domainroute");
  await first.stop();
  api.takeWrites();

  const restarted = performance.now();
  const second = new ReconcilerManager({ api, config, logger: silentLogger, ...TIMINGS });
  second.start();
  await until(
    "every route was reconciled and the table computed",
    () => reconciles(second, "domainroute") >= n && reconciles(second, "identity-table") >= 1,
    timeoutMs,
  );
  await settled(second, timeoutMs);
  const restartMs = performance.now() - restarted;
  const restart = tally(api.takeWrites());
  await second.stop();

  const minimum = minimumWrites(n);
  console.log(`${n.toLocaleString("en-US")} routes (every other one protected)`);
  const count = (x: number) => x.toLocaleString("en-US");
  const seconds = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
  console.log(`  cold start: every route Ready after ${seconds(readyMs)}, queues idle after ${seconds(convergedMs)}`);
  console.log(`    ${count(coldReconciles)} route reconciles (${(coldReconciles / n).toFixed(2)} per route)`);
  console.log(
    `  writes: ${count(cold.objects)} against a minimum of ${count(minimum)} (ratio ${(cold.objects / minimum).toFixed(3)}), plus ${count(cold.events)} Events`,
  );
  console.log(`    ${cold.byKind}`);
  const which = restart.objects > 0 ? `: ${restart.byKind}` : "";
  console.log(`  restart with nothing changed: ${restart.objects} writes (goal 0), ${restart.events} Events, settled after ${seconds(restartMs)}${which}`);
}

for (const n of SIZES.length > 0 ? SIZES : [1_000, 10_000]) await run(n);
