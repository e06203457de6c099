// Identity table throughput: computeAppIdTable + renderAppIdTableObjects for
// 1,000 / 10,000 / 100,000 DomainRoutes (each owning its DomainClaim, 90%
// protected, one appId conflict per 1,000 routes), then the aggregator's
// steady state: recomputing unchanged input must plan 0 writes, and one
// changed route must plan exactly the two objects.
//
//   node bench/identity.ts
import type { DomainClaim, DomainRoute } from "../crds/types.ts";
import type { KubeObject } from "../core/kube/object-key.ts";
import { computeAppIdTable } from "../reconciler/app-id-table/app-id-table.ts";
import { appIdTableObjectProblems, renderAppIdTableObjects } from "../reconciler/app-id-table/app-id-table-objects.ts";
import type { AppIdTableObjects } from "../reconciler/app-id-table/app-id-table-objects.ts";
import { planAppIdTableWrites } from "../reconciler/app-id-table/plan-app-id-table-writes.ts";
import { claimedRoutes } from "./synthetic-state.ts";

const SIZES = [1_000, 10_000, 100_000];
const WARM_UPS = 2;
const RUNS = 7;
const options = { namespace: "istio-ingress", selector: { istio: "ingressgateway" }, identityHeader: "x-app-id" };

interface Input {
  routes: DomainRoute[];
  claims: DomainClaim[];
  /** Every synthetic route names `sso`, the one provider the platform lists here. */
  knownProvider: (provider: string) => boolean;
}

function syntheticInput(count: number): Input {
  // Every tenth route is unprotected; route …003 of each thousand reuses
  // the appId of route …002, a conflict that publishes neither.
  const appId = (i: number) => (i % 1000 === 3 ? `app-${i - 1}` : `app-${i}`);
  const { routes, claims } = claimedRoutes(
    count,
    () => "example.com",
    (i) => (i % 10 === 0 ? {} : { protection: { provider: "sso", appId: appId(i) } }),
  );
  return { routes, claims, knownProvider: (provider) => provider === "sso" };
}

function render(input: Input): AppIdTableObjects {
  return renderAppIdTableObjects(computeAppIdTable(input), options);
}

/** An applied object as read back from the API server: a JSON copy plus server-set metadata. */
function stored(object: KubeObject): KubeObject {
  const copy = JSON.parse(JSON.stringify(object)) as KubeObject;
  Object.assign(copy.metadata!, { uid: "6f1c", resourceVersion: "1234", creationTimestamp: "2025-01-01T00:00:00Z", managedFields: [] });
  return copy;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

const ms = (value: number) => `${value.toFixed(1)} ms`;
const bytes = (value: number) => `${value.toLocaleString("en-US")} B`;
const count = (value: number) => value.toLocaleString("en-US");

console.log(`identity table: computeAppIdTable + renderAppIdTableObjects, median of ${RUNS} runs after ${WARM_UPS} warm-ups\n`);
console.log(
  `  ${"routes".padStart(8)} ${"entries".padStart(8)} ${"conflicts".padStart(9)} ${"time".padStart(10)} ${"Lua size".padStart(13)} ${"EnvoyFilter".padStart(13)} ${"ConfigMap".padStart(13)}  fits one object`,
);
const times = new Map<number, number>();
const inputs = new Map<number, Input>();
for (const size of SIZES) {
  const input = syntheticInput(size);
  inputs.set(size, input);
  for (let i = 0; i < WARM_UPS; i++) render(input);
  const samples: number[] = [];
  let objects: AppIdTableObjects | undefined;
  for (let i = 0; i < RUNS; i++) {
    const start = performance.now();
    objects = render(input);
    samples.push(performance.now() - start);
  }
  times.set(size, median(samples));
  const table = computeAppIdTable(input);
  const lua = (objects!.envoyFilter.spec as { configPatches: { patch: { value: { typed_config: { default_source_code: { inline_string: string } } } } }[] })
    .configPatches[0].patch.value.typed_config.default_source_code.inline_string;
  const fits = appIdTableObjectProblems(objects!).length === 0 ? "yes" : "no (caller refuses to write)";
  console.log(
    `  ${count(size).padStart(8)} ${count(table.entries.length).padStart(8)} ${count(table.conflicts.length).padStart(9)} ${ms(times.get(size)!).padStart(10)} ${bytes(Buffer.byteLength(lua)).padStart(13)} ` +
      `${bytes(Buffer.byteLength(JSON.stringify(objects!.envoyFilter))).padStart(13)} ${bytes(Buffer.byteLength(JSON.stringify(objects!.configMap))).padStart(13)}  ${fits}`,
  );
}

const t1k = times.get(1_000)!;
const t10k = times.get(10_000)!;
const t100k = times.get(100_000)!;
console.log(`\n  10,000 routes:  ${ms(t10k).padStart(10)}   target ≤ 50 ms   ${t10k <= 50 ? "met" : "MISSED"}`);
console.log(`  100,000 routes: ${ms(t100k).padStart(10)}   target ≤ 1000 ms ${t100k <= 1000 ? "met" : "MISSED"}`);
console.log(
  `  growth per 10x: 10k/1k = ${(t10k / t1k).toFixed(1)}x, 100k/10k = ${(t100k / t10k).toFixed(1)}x   target near-linear (≈10x; small sizes carry fixed overhead)`,
);

console.log(`\naggregator recompute against the previously applied objects (read back with server metadata)\n`);
for (const size of SIZES) {
  const input = inputs.get(size)!;
  const first = render(input);
  const applied = { envoyFilter: stored(first.envoyFilter), configMap: stored(first.configMap) };

  const start = performance.now();
  const unchanged = planAppIdTableWrites(applied, render(input));
  const unchangedMs = performance.now() - start;

  // One protected route gets a new appId.
  const changed = { ...input, routes: input.routes.slice() };
  const victim = changed.routes[1];
  changed.routes[1] = { ...victim, spec: { ...victim.spec, protection: { provider: "sso", appId: "renamed-app" } } };
  const afterChange = planAppIdTableWrites(applied, render(changed));
  console.log(
    `  ${count(size).padStart(8)} routes: unchanged input → ${unchanged.length} writes (target 0; recompute + plan ${ms(unchangedMs)}), ` +
      `one changed route → ${afterChange.length} writes (${afterChange.map((o) => o.kind).join(", ")})`,
  );
}
