// The webhook benchmark: hostgate as shipped (the release build in dist/,
// the Deployment's NODE_OPTIONS, MALLOC_ARENA_MAX and memory limit) serving
// the full library with 10,000 DomainRoutes and 1,000 HostnameGrants in its
// cache, against a no-op AdmissionReview server in the same stack
// (node:https, express 5), both driven over HTTPS by autocannon in this run:
//   1. saturation: 32 connections, requests/s of each, the ratio, and the
//      server CPU per review of each;
//   2. a fixed offered load of 1,000 reviews/s: p50/p99 latency of each;
//   3. memory: the webhook's RSS after those runs; then a second webhook
//      with 50,000 routes through the same runs, and the RSS per added route;
//   4. the time from start to /readyz.
// The webhook runs in cluster mode (client-node list+watch into the
// projected cache) against a stand-in API server holding the synthetic
// cluster, with the certificate from files. `--mode local` reads the objects
// from YAML files instead (what `npm start` does); `--entry sources` runs the
// TypeScript sources instead of dist/.
//
//   npm run bench:webhook [-- --seconds 10 --routes 10000 --large-routes 50000 --grants 1000 --mode cluster|local --entry dist|sources]
import { spawn } from "node:child_process";
import type { ChildProcess } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { cpus, tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import autocannon from "autocannon";
import { stringify } from "yaml";
import { localCertificates } from "../certs/factories.ts";
import { PACKAGE_ROOT } from "../core/cli/paths.ts";
import { freePort, postJson, localServeFlags } from "../webhook/testing/http.ts";
import { admissionReview } from "../webhook/testing/reviews.ts";
import { deployedWebhookContainer } from "./deployed-container.ts";
import { quantityBytes } from "./memory-limit.ts";
import type { MemoryLimit } from "./memory-limit.ts";
import { pacedLoad } from "./paced-load.ts";
import { hostgateEntry, rssMB, spawnShippedWebhook } from "./shipped-webhook.ts";
import { startStubCluster } from "./stub-cluster.ts";
import { benchmarkRoute, syntheticObjects } from "./synthetic-state.ts";

const { values } = parseArgs({
  options: {
    seconds: { type: "string", default: "10" },
    routes: { type: "string", default: "10000" },
    "large-routes": { type: "string", default: "50000" },
    grants: { type: "string", default: "1000" },
    rate: { type: "string", default: "1000" },
    connections: { type: "string", default: "32" },
    mode: { type: "string", default: "cluster" },
    entry: { type: "string", default: "dist" },
    // Another policy set (e.g. one that matches nothing, to measure the webhook's own floor); skips the verdict check.
    policies: { type: "string" },
  },
});
if (values.mode !== "cluster" && values.mode !== "local") usage(`--mode must be cluster or local, not ${JSON.stringify(values.mode)}`);
if (values.entry !== "dist" && values.entry !== "sources") usage(`--entry must be dist or sources, not ${JSON.stringify(values.entry)}`);
const seconds = Number(values.seconds);
const rate = Number(values.rate);
const connections = Number(values.connections);
const routes = Number(values.routes);
const largeRoutes = Number(values["large-routes"]);
const grants = Number(values.grants);

const work = mkdtempSync(join(tmpdir(), "hostgate-bench-"));
const children = new Set<ChildProcess>();
const limits: MemoryLimit[] = [];
process.on("exit", () => {
  for (const child of children) child.kill("SIGKILL");
  for (const limit of limits) limit.remove();
  rmSync(work, { recursive: true, force: true });
});

// --- as shipped: the release build, the Deployment's environment and limit ------
const node = process.execPath;
const entry = hostgateEntry(values.entry);
const deployed = deployedWebhookContainer();
const memoryLimitBytes = quantityBytes(deployed.memoryLimit);

const tlsDir = join(work, "tls");
const certificates = localCertificates({ dir: tlsDir, hosts: ["127.0.0.1", "localhost"] });
await certificates.start();
certificates.stop();
const ca = readFileSync(join(tlsDir, "ca.crt"));

// What the API server sends when an app team applies the route.
const review = JSON.stringify(admissionReview(benchmarkRoute(), { uid: "2b9d7c1e-5d9a-4c53-9a4e-0c1f0a8d6e11" }));

const noopPort = await freePort();
const noop = spawn(
  node,
  [join(PACKAGE_ROOT, "bench", "noop-admission-server.ts"), "--cert", join(tlsDir, "tls.crt"), "--key", join(tlsDir, "tls.key"), "--port", String(noopPort)],
  { stdio: ["ignore", "pipe", "inherit"] },
);
children.add(noop);
await new Promise<void>((resolve) => noop.stdout!.once("data", () => resolve()));
const noopUrl = `https://127.0.0.1:${noopPort}/validate`;

// --- the runs -------------------------------------------------------------------
const small = await startWebhook(routes, "small");
console.log(
  `webhook benchmark (${values.mode} mode, ${values.entry === "dist" ? "node dist/bin/cli.js" : "node bin/cli.ts"}, NODE_OPTIONS="${small.nodeOptions}" MALLOC_ARENA_MAX=${deployed.env.MALLOC_ARENA_MAX ?? "(unset)"}, memory limit ${deployed.memoryLimit}: ${small.limitHow}): full library, ${count(routes)} DomainRoutes + ${count(grants)} HostnameGrants in the cache, ${seconds} s per run, Node ${process.version}, ${cpus().length} CPUs`,
);

// 1. saturation. Alternate the two servers, twice, so drift (thermal, other
// load) hits both alike. Server CPU per review is robust where requests/s is
// not, because autocannon shares this machine's cores with the server it drives.
const saturation = { noop: [] as number[], hostgate: [] as number[] };
const cpu = { noop: [] as number[], hostgate: [] as number[] };
for (let round = 0; round < 2; round++) {
  for (const [name, url, pid] of [
    ["noop", noopUrl, noop.pid!],
    ["hostgate", small.url, small.pid],
  ] as const) {
    const before = cpuSeconds(pid);
    const result = await drive(url);
    saturation[name].push(result.rps);
    cpu[name].push(((cpuSeconds(pid) - before) / result.requests) * 1e6);
  }
}
const ratio = mean(saturation.hostgate) / mean(saturation.noop);
console.log(`\n1. saturation, ${connections} connections (mean of 2 alternating runs each):`);
console.log(
  `  (a) no-op AdmissionReview server   ${fmt(mean(saturation.noop))} req/s   runs: ${saturation.noop.map(fmt).join(", ")}   server CPU ${mean(cpu.noop).toFixed(0)} µs/review`,
);
console.log(
  `  (b) hostgate, full library         ${fmt(mean(saturation.hostgate))} req/s   runs: ${saturation.hostgate.map(fmt).join(", ")}   server CPU ${mean(cpu.hostgate).toFixed(0)} µs/review`,
);
console.log(`  ratio b/a: ${ratio.toFixed(3)}   (goal >= 0.65: ${verdict(ratio >= 0.65)})`);

// 2. fixed offered load.
console.log(`\n2. fixed offered load, ${rate} reviews/s evenly paced for ${seconds} s (after 1 s warm-up; latency from when each request was due):`);
const noopFixed = await pacedLoad(noopUrl, review, { rate, seconds, connections, ca });
const hostgateFixed = await pacedLoad(small.url, review, { rate, seconds, connections, ca });
for (const [label, r] of [
  ["(a) no-op", noopFixed],
  ["(b) hostgate", hostgateFixed],
] as const) {
  if (r.errors > 0) fail(`${label}: ${r.errors} failed requests at the fixed load`);
  console.log(
    `  ${label.padEnd(14)} achieved ${fmt(r.achievedRps)} req/s   p50 ${r.p50.toFixed(2)} ms   p99 ${r.p99.toFixed(2)} ms   max ${r.max.toFixed(2)} ms`,
  );
}
console.log(`  hostgate p99 (goal <= 5 ms): ${verdict(hostgateFixed.p99 <= 5)}`);

// 3. memory, then the same runs with the large cluster.
const smallRss = rssMB(small.pid);
const logLines = readFileSync(small.logFile, "utf8")
  .split("\n")
  .filter((l) => l.includes('"msg":"admission review"')).length;
await small.stop();
noop.kill("SIGTERM");
children.delete(noop);
const large = await startWebhook(largeRoutes, "large");
await drive(large.url);
await pacedLoad(large.url, review, { rate, seconds, connections, ca });
const largeRss = rssMB(large.pid);
await large.stop();
const slopeKB = ((largeRss.rss - smallRss.rss) * 1024) / (largeRoutes - routes);
console.log(`\n3. memory (RSS after one saturation run and the fixed load; peak is the process's high-water mark):`);
console.log(
  `  ${count(routes).padStart(6)} routes: rss ${smallRss.rss.toFixed(0)} MB, peak ${smallRss.peak.toFixed(0)} MB   (goal <= 200 MB: ${verdict(smallRss.rss <= 200)})`,
);
console.log(`  ${count(largeRoutes).padStart(6)} routes: rss ${largeRss.rss.toFixed(0)} MB, peak ${largeRss.peak.toFixed(0)} MB`);
console.log(`  per added route: ${slopeKB.toFixed(2)} KB   (goal <= 4 KB: ${verdict(slopeKB <= 4)})`);
console.log(`  webhook log: ${count(logLines)} review lines (one JSON line per review)`);

console.log(
  `\n4. start to /readyz: ${(small.readyMs / 1000).toFixed(2)} s with ${count(routes)} routes (goal <= 3 s: ${verdict(small.readyMs <= 3000)}), ${(large.readyMs / 1000).toFixed(2)} s with ${count(largeRoutes)}`,
);
process.exit(0);

// --- the webhook under test ----------------------------------------------------
interface RunningWebhook {
  pid: number;
  url: string;
  readyMs: number;
  logFile: string;
  nodeOptions: string;
  limitHow: string;
  stop(): Promise<void>;
}

async function startWebhook(routeCount: number, name: string): Promise<RunningWebhook> {
  const dir = join(work, name);
  mkdirSync(dir);
  const helpers: ChildProcess[] = [];
  const stateArgs = values.mode === "cluster" ? await stubCluster(dir, routeCount, helpers) : localState(dir, routeCount);
  const [port, healthPort] = await Promise.all([freePort(), freePort()]);
  const logFile = join(dir, "webhook.log");
  const args = [
    ...stateArgs,
    "--tls-cert",
    join(tlsDir, "tls.crt"),
    "--tls-key",
    join(tlsDir, "tls.key"),
    ...localServeFlags(port, healthPort),
    ...(values.policies !== undefined ? ["--policies", values.policies] : []),
    ...(process.env.BENCH_EXTRA_SERVE_ARGS ?? "").split(" ").filter(Boolean),
  ];
  const started = performance.now();
  // BENCH_EXTRA_NODE_OPTIONS adds flags for investigation (e.g. --cpu-prof --cpu-prof-dir=/tmp/prof).
  const webhook = spawnShippedWebhook({
    entry,
    args,
    deployed,
    limitBytes: memoryLimitBytes,
    limitName: `hostgate-bench-${process.pid}-${name}`,
    logFile,
    cwd: dir,
    extraNodeOptions: process.env.BENCH_EXTRA_NODE_OPTIONS,
  });
  const { child, limit, nodeOptions } = webhook;
  limits.push(limit);
  children.add(child);
  const stderr = webhook.stderr;
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  child.once("exit", (code, signal) => {
    if (children.has(child))
      fail(`the webhook (${count(routeCount)} routes) exited (${code ?? signal}):\n${stderr()}\n${readFileSync(logFile, "utf8").slice(-4000)}`);
  });
  await waitFor(`http://127.0.0.1:${healthPort}/readyz`, 120_000, () => `${stderr()}\n${readFileSync(logFile, "utf8").slice(-4000)}`);
  const readyMs = performance.now() - started;
  const url = `https://127.0.0.1:${port}/validate`;
  // The verdict must be real: admitted, with the one warning the route's
  // two-label-deep name earns, against a cache that holds every object.
  const answer = JSON.parse((await postJson(url, review, ca)).text) as { response: { allowed: boolean; warnings?: string[] } };
  if (values.policies === undefined && (!answer.response.allowed || answer.response.warnings?.length !== 1))
    fail(`the benchmark review did not get its expected verdict: ${JSON.stringify(answer.response)}`);
  const metrics = await (await fetch(`http://127.0.0.1:${healthPort}/metrics`)).text();
  const cached = /hostgate_cache_objects\{index="domainRoutes"\} (\d+)/.exec(metrics)?.[1];
  if (Number(cached) !== routeCount) fail(`the webhook's cache holds ${cached} DomainRoutes, expected ${routeCount}`);
  return {
    // The shell that moved itself into the cgroup exec'd Node: same pid.
    pid: child.pid!,
    url,
    readyMs,
    logFile,
    nodeOptions,
    limitHow: limit.how,
    stop: async () => {
      children.delete(child);
      child.kill("SIGTERM");
      await exited;
      for (const helper of helpers) {
        children.delete(helper);
        helper.kill("SIGTERM");
      }
    },
  };
}

/** A stand-in API server holding the synthetic cluster; returns the serve flags that point at it. */
async function stubCluster(dir: string, routeCount: number, helpers: ChildProcess[]): Promise<string[]> {
  const stub = await startStubCluster({ routes: routeCount, grants, kubeconfigFile: join(dir, "kubeconfig") });
  children.add(stub.process);
  helpers.push(stub.process);
  return ["--kubeconfig", stub.kubeconfig, "--config", join(PACKAGE_ROOT, "examples", "platform-config.yaml")];
}

/** The synthetic cluster as YAML files (1,000 objects each); returns the serve flags that read them. */
function localState(dir: string, routeCount: number): string[] {
  const stateDir = join(dir, "state");
  mkdirSync(stateDir);
  const objects = syntheticObjects(routeCount, grants);
  for (let i = 0; i < objects.length; i += 1000)
    writeFileSync(
      join(stateDir, `objects-${String(i / 1000).padStart(3, "0")}.yaml`),
      objects
        .slice(i, i + 1000)
        .map((o) => stringify(o))
        .join("---\n"),
    );
  return ["--state", stateDir];
}

// --- helpers -------------------------------------------------------------------
interface DriveResult {
  rps: number;
  requests: number;
}

/** Saturation: autocannon as fast as the server answers. */
async function drive(url: string): Promise<DriveResult> {
  const result = await new Promise<autocannon.Result>((resolve, reject) => {
    autocannon(
      {
        url,
        method: "POST",
        headers: { "content-type": "application/json" },
        body: review,
        connections,
        duration: seconds,
      },
      (error, result) => (error ? reject(error) : resolve(result)),
    );
  });
  if (result.non2xx > 0 || result.errors > 0 || result.timeouts > 0)
    fail(`${url}: ${result.non2xx} non-2xx, ${result.errors} errors, ${result.timeouts} timeouts`);
  return { rps: result.requests.total / seconds, requests: result.requests.total };
}

async function waitFor(url: string, timeoutMs: number, output: () => string): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (performance.now() < deadline) {
    try {
      if ((await fetch(url)).status === 200) return;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  fail(`the webhook was not ready within ${timeoutMs / 1000} s:\n${output()}`);
}

/** User + system CPU seconds a process has used (Linux /proc). */
function cpuSeconds(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]!.split(" ");
  const ticks = Number(fields[11]) + Number(fields[12]);
  return ticks / 100;
}

function mean(values: readonly number[]): number {
  return values.reduce((a, b) => a + b, 0) / values.length;
}

function fmt(n: number): string {
  return Math.round(n).toLocaleString("en-US").padStart(7);
}

function count(n: number): string {
  return n.toLocaleString("en-US");
}

function verdict(met: boolean): string {
  return met ? "met" : "NOT met";
}

function usage(message: string): never {
  process.stderr.write(`${message}\n`);
  process.exit(2);
}

function fail(message: string): never {
  process.stderr.write(`bench:webhook: ${message}\n`);
  process.exit(1);
}
