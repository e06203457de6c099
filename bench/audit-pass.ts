// How long the reconciler's background audit holds the event loop (review
// R16 finding 3): one pass over N DomainRoutes (and their grants) under the
// built-in library, as the leader runs it, judged
//   (a) in one synchronous call (auditExistingObjects: the pass as it was),
//   (b) in slices that yield to the event loop (auditExistingObjectsSliced:
//       the pass as the AuditController runs it now).
// While each runs, a 1 ms timer stands in for the reconciler's other work (a
// Lease renewal, a route reconcile): the longest gap between its ticks is the
// longest the event loop was blocked. (a) is the baseline: figures are ratios
// against it, from the same run and process; both passes' results are
// checked equal. Prints figures only: nothing is asserted (timings vary).
//
//   node bench/audit-pass.ts [--routes 10000] [--grants 1000]
import { parseArgs } from "node:util";
import { BUILTIN_POLICIES, DEFAULT_CONFIG } from "../core/cli/paths.ts";
import { loadPlatformConfig } from "../core/config/index.ts";
import type { KubeObject } from "../core/kube/object-key.ts";
import { AUDITED_RESOURCES } from "../core/state/audited-resources.ts";
import type { ExistingObjectsSnapshot } from "../core/state/existing-objects.ts";
import { loadPolicySet } from "../policies/engine/module-loader.ts";
import { DEFAULT_SLICE_MS } from "../policies/audit/sliced-audit.ts";
import { auditExistingObjects, auditExistingObjectsSliced } from "../reconciler/audit/background-audit.ts";
import type { AuditPass } from "../reconciler/audit/background-audit.ts";
import { syntheticObjects } from "./synthetic-state.ts";

const { values } = parseArgs({ options: { routes: { type: "string", default: "10000" }, grants: { type: "string", default: "1000" } } });
const ROUTES = Number(values.routes);
const GRANTS = Number(values.grants);

const config = loadPlatformConfig(DEFAULT_CONFIG);
const policies = loadPolicySet([BUILTIN_POLICIES]);
const objects = syntheticObjects(ROUTES, GRANTS) as KubeObject[];
const snapshot: ExistingObjectsSnapshot = {
  objects,
  kinds: AUDITED_RESOURCES.map((resource) => ({ resource, state: { kind: "synced", version: resource.versions[0]! } })),
};

interface Measured {
  wallMs: number;
  longestBlockMs: number;
  ticks: number;
  pass: AuditPass | undefined;
}

/** Runs `pass` while a 1 ms timer ticks; the longest gap between ticks (or from the last tick to the end) is the longest block. */
async function measure(pass: () => Promise<AuditPass | undefined> | AuditPass): Promise<Measured> {
  let last = performance.now();
  let longest = 0;
  let ticks = 0;
  const timer = setInterval(() => {
    const now = performance.now();
    longest = Math.max(longest, now - last);
    last = now;
    ticks++;
  }, 1);
  // Let the timer start ticking before the pass begins.
  await new Promise((resolve) => setTimeout(resolve, 20));
  last = performance.now();
  ticks = 0;
  const started = performance.now();
  const result = await pass();
  const ended = performance.now();
  longest = Math.max(longest, ended - last);
  clearInterval(timer);
  return { wallMs: ended - started, longestBlockMs: longest, ticks, pass: result };
}

// Warm up the compiled expressions (both paths share them) on a small slice.
auditExistingObjects({ ...snapshot, objects: objects.slice(0, 200) }, config, policies);

const baseline = await measure(() => auditExistingObjects(snapshot, config, policies));
const sliced = await measure(() => auditExistingObjectsSliced(snapshot, config, policies));

const results = (m: Measured) => (m.pass?.publish ? m.pass.results : undefined);
const same = JSON.stringify(results(baseline)) === JSON.stringify(results(sliced));
const ms = (n: number) => `${n.toFixed(1)} ms`;
const ratio = (n: number, base: number) => `${(n / base).toFixed(3)}×`;

console.log(`background audit pass: ${ROUTES.toLocaleString("en-US")} DomainRoutes, ${GRANTS.toLocaleString("en-US")} HostnameGrants, built-in library`);
console.log(`results: ${results(baseline)?.length.toLocaleString("en-US") ?? "none"}; sliced equal to synchronous: ${same}`);
console.log("");
console.log("                        wall time     longest event-loop block   timer ticks during the pass");
console.log(`synchronous (baseline)  ${ms(baseline.wallMs).padStart(10)}    ${ms(baseline.longestBlockMs).padStart(10)}                 ${baseline.ticks}`);
console.log(
  `sliced (${DEFAULT_SLICE_MS} ms slices)    ${ms(sliced.wallMs).padStart(10)}    ${ms(sliced.longestBlockMs).padStart(10)}                 ${sliced.ticks}`,
);
console.log(
  `sliced / baseline       ${ratio(sliced.wallMs, baseline.wallMs).padStart(10)}    ${ratio(sliced.longestBlockMs, baseline.longestBlockMs).padStart(10)}`,
);
if (!same) process.exitCode = 1;
