// Policy evaluation throughput: the full built-in library against a realistic
// DomainRoute request, with 10,000 DomainRoutes and 1,000 HostnameGrants in
// the cluster state, next to a baseline of the same requests through the same
// `decide` with an empty policy set (measured in the same run, same process).
// Both include parsing the request's object from JSON, as a webhook must.
// A second row runs the same route with a VM backend (spec.backend.external),
// where the IP and CIDR checks run in full.
//
//   npm run bench:policies [-- --seconds 3]
import { parseArgs } from "node:util";
import { configToCel, loadPlatformConfig } from "../core/config/index.ts";
import { ClusterStateIndex } from "../core/state/index.ts";
import { BUILTIN_POLICIES, DEFAULT_CONFIG } from "../core/cli/paths.ts";
import { loadPolicySet, makePolicySet } from "../policies/engine/module-loader.ts";
import type { PolicySet } from "../policies/engine/module-loader.ts";
import type { AdmissionInput } from "../policies/engine/types.ts";
import { decide } from "../policies/verdict.ts";
import { benchmarkRoute, externalBackendRoute, syntheticObjects } from "./synthetic-state.ts";
import type { Phases, VerdictEnvironment } from "../policies/verdict.ts";

const { values } = parseArgs({
  options: { seconds: { type: "string", default: "2" }, routes: { type: "string", default: "10000" }, grants: { type: "string", default: "1000" } },
});
const seconds = Number(values.seconds);
const routeCount = Number(values.routes);
const grantCount = Number(values.grants);

function syntheticState(): ClusterStateIndex {
  return ClusterStateIndex.fromObjects(syntheticObjects(routeCount, grantCount));
}

const request: AdmissionInput = {
  operation: "CREATE",
  kind: { group: "hostgate.dev", version: "v1alpha1", kind: "DomainRoute" },
  namespace: "team-42",
  name: "checkout",
  object: benchmarkRoute(),
  oldObject: null,
  userInfo: { username: "alice", groups: ["team-42"] },
};

// Every evaluation gets a freshly parsed object, kind and user, as a webhook
// does from each request body: nothing cached on one request's objects (CEL
// views, the measured size, match answers) carries over to the next.
// Baseline and library pay the same parse.
const requestJson = JSON.stringify(request.object);
const externalJson = JSON.stringify(externalBackendRoute());
const freshFrom = (json: string) => (): AdmissionInput => ({
  ...request,
  kind: { ...request.kind },
  userInfo: { ...request.userInfo },
  object: JSON.parse(json),
});
const fresh = freshFrom(requestJson);

function measure(label: string, env: VerdictEnvironment, phases: Phases, next: () => AdmissionInput = fresh): number {
  // Warm up the JIT before timing.
  for (let i = 0; i < 2000; i++) decide(next(), env, phases);
  let count = 0;
  const start = performance.now();
  const end = start + seconds * 1000;
  while (performance.now() < end) {
    for (let i = 0; i < 100; i++) decide(next(), env, phases);
    count += 100;
  }
  const rate = count / ((performance.now() - start) / 1000);
  console.log(`  ${label.padEnd(44)} ${Math.round(rate).toLocaleString("en-US").padStart(10)} evaluations/s  ${(1e6 / rate).toFixed(1).padStart(7)} µs each`);
  return rate;
}

const buildStart = performance.now();
const state = syntheticState();
const buildMs = performance.now() - buildStart;
const config = configToCel(loadPlatformConfig(DEFAULT_CONFIG));
const library: PolicySet = loadPolicySet([BUILTIN_POLICIES]);
const empty: PolicySet = makePolicySet([]);
const cluster = state.celValue();
const envFor = (policies: PolicySet): VerdictEnvironment => ({ policies, config, cluster });

// The verdict must be real, not an accident of the fixture: the request is
// admitted, with exactly the one warning its two-label-deep name earns.
// The VM-backed variant, likewise.
for (const [name, next] of [
  ["service-backed", fresh],
  ["VM-backed", freshFrom(externalJson)],
] as const) {
  const check = decide(next(), envFor(library), { schema: false, mutate: true, validate: true });
  if (!check.allowed || check.warnings.map((w) => w.policy).join() !== "certificate-coverage") {
    console.error(`the ${name} benchmark request does not get its expected verdict: ${JSON.stringify({ denials: check.denials, warnings: check.warnings })}`);
    process.exit(1);
  }
}

// Which engine runs each of the library's expressions: the compiled fast path, or @bufbuild/cel's planner.
const programs = library.modules.flatMap((m) => [
  ...m.matchConditions.map((c) => c.program),
  ...m.variables.map((v) => v.program),
  ...m.validations.flatMap((v) => (v.messageProgram ? [v.program, v.messageProgram] : [v.program])),
  ...m.mutations.map((x) => x.program),
]);
const onPlanner = programs.filter((p) => p.engine !== "compiled");

console.log(
  `policy evaluation: ${library.modules.length} policies, ${routeCount.toLocaleString("en-US")} DomainRoutes + ${grantCount.toLocaleString("en-US")} HostnameGrants in state (indexed in ${buildMs.toFixed(0)} ms), ${seconds}s per measurement, Node ${process.version}`,
);
console.log(
  `  expressions: ${programs.length - onPlanner.length} of ${programs.length} on the compiled fast path, ${onPlanner.length} on the planner${onPlanner.map((p) => `\n    planner: ${p.fallbackReason}: ${p.source}`).join("")}`,
);
const phases: Phases = { schema: false, mutate: true, validate: true };
const baseline = measure("baseline: empty policy set (mutate+validate)", envFor(empty), phases);
const full = measure("full library (mutate+validate)", envFor(library), phases);
const validateOnly = measure("full library (validate only, as /validate)", envFor(library), { schema: false, mutate: false, validate: true });
const external = measure("full library, VM backend (mutate+validate)", envFor(library), phases, freshFrom(externalJson));
console.log(
  `  ratio full/baseline: ${(full / baseline).toFixed(3)}   validate-only/baseline: ${(validateOnly / baseline).toFixed(3)}   VM backend/baseline: ${(external / baseline).toFixed(3)}`,
);
console.log(`  heap used: ${(process.memoryUsage().heapUsed / 1048576).toFixed(0)} MB, rss: ${(process.memoryUsage().rss / 1048576).toFixed(0)} MB`);
