// Policy evaluation throughput: the full built-in library against a realistic
// DomainRoute request, with 10,000 DomainRoutes and 1,000 HostnameGrants in
// the cluster state, next to a baseline of the same requests through the same
// `decide` with an empty policy set (measured in the same run, same process).
// Both include parsing the request's object from JSON, as a webhook must.
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
import type { Phases, VerdictEnvironment } from "../policies/verdict.ts";

const { values } = parseArgs({ options: { seconds: { type: "string", default: "2" }, routes: { type: "string", default: "10000" }, grants: { type: "string", default: "1000" } } });
const seconds = Number(values.seconds);
const routeCount = Number(values.routes);
const grantCount = Number(values.grants);

function syntheticState(): ClusterStateIndex {
  const objects: Record<string, unknown>[] = [];
  for (let g = 0; g < grantCount; g++) {
    objects.push({
      apiVersion: "hostgate.dev/v1alpha1",
      kind: "HostnameGrant",
      metadata: { name: `team-${g}` },
      spec: { namespaces: [`team-${g}`], hostnames: [`*.team-${g}.example.com`, `team-${g}.example.com`] },
    });
  }
  for (let r = 0; r < routeCount; r++) {
    const team = r % grantCount;
    objects.push({
      apiVersion: "hostgate.dev/v1alpha1",
      kind: "DomainRoute",
      metadata: { name: `app-${r}`, namespace: `team-${team}`, uid: `00000000-0000-4000-8000-${String(r).padStart(12, "0")}` },
      spec: {
        domain: `app-${r}.team-${team}.example.com`,
        lb: r % 3 === 0 ? "alb-in" : "alb-out",
        routing: { mode: "Managed" },
        backend: { service: { name: `app-${r}`, port: 8080 } },
        protection: { provider: "sso", appId: `app-${r}` },
      },
    });
  }
  return ClusterStateIndex.fromObjects(objects);
}

// What an app team applies: a public, protected route with a service backend.
const request: AdmissionInput = {
  operation: "CREATE",
  kind: { group: "hostgate.dev", version: "v1alpha1", kind: "DomainRoute" },
  namespace: "team-42",
  name: "checkout",
  object: {
    apiVersion: "hostgate.dev/v1alpha1",
    kind: "DomainRoute",
    metadata: { name: "checkout", namespace: "team-42", labels: { app: "checkout", "app.kubernetes.io/part-of": "shop" } },
    spec: {
      domain: "checkout.team-42.example.com",
      lb: "alb-out",
      routing: { mode: "Managed" },
      backend: { service: { name: "checkout", port: 8080 } },
      dns: { ttl: 300 },
      protection: {
        provider: "sso",
        appId: "checkout-web",
        rules: [
          { action: "Allow", paths: ["/healthz", "/static/*"] },
          { action: "Authenticate", paths: ["/*"] },
        ],
      },
    },
  },
  oldObject: null,
  userInfo: { username: "alice", groups: ["team-42"] },
};

// Every evaluation gets a freshly parsed object, as a webhook does from each
// request body: nothing cached on one object (its CEL views, its measured
// size) carries over to the next request. Baseline and library pay the same parse.
const requestJson = JSON.stringify(request.object);
const fresh = (): AdmissionInput => ({ ...request, object: JSON.parse(requestJson) });

function measure(label: string, env: VerdictEnvironment, phases: Phases): number {
  // Warm up the JIT before timing.
  for (let i = 0; i < 2000; i++) decide(fresh(), env, phases);
  let count = 0;
  const start = performance.now();
  const end = start + seconds * 1000;
  while (performance.now() < end) {
    for (let i = 0; i < 100; i++) decide(fresh(), env, phases);
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
const check = decide(fresh(), envFor(library), { schema: false, mutate: true, validate: true });
if (!check.allowed || check.warnings.map((w) => w.policy).join() !== "certificate-coverage") {
  console.error(`the benchmark request does not get its expected verdict: ${JSON.stringify({ denials: check.denials, warnings: check.warnings })}`);
  process.exit(1);
}

console.log(`policy evaluation: ${library.modules.length} policies, ${routeCount.toLocaleString("en-US")} DomainRoutes + ${grantCount.toLocaleString("en-US")} HostnameGrants in state (indexed in ${buildMs.toFixed(0)} ms), ${seconds}s per measurement, Node ${process.version}`);
const phases: Phases = { schema: false, mutate: true, validate: true };
const baseline = measure("baseline: empty policy set (mutate+validate)", envFor(empty), phases);
const full = measure("full library (mutate+validate)", envFor(library), phases);
const validateOnly = measure("full library (validate only, as /validate)", envFor(library), { schema: false, mutate: false, validate: true });
console.log(`  ratio full/baseline: ${(full / baseline).toFixed(3)}   validate-only/baseline: ${(validateOnly / baseline).toFixed(3)}`);
console.log(`  heap used: ${(process.memoryUsage().heapUsed / 1048576).toFixed(0)} MB, rss: ${(process.memoryUsage().rss / 1048576).toFixed(0)} MB`);
