// The webhook benchmark: hostgate serving the full library with 10,000
// DomainRoutes and 1,000 HostnameGrants in its cache, against a no-op
// AdmissionReview server in the same stack (node:https, express 5), both
// driven over HTTPS by autocannon in this same run:
//   1. saturation: 32 connections, requests/s of each and the ratio;
//   2. a fixed offered load of 1,000 reviews/s: p50/p99 latency of each;
//   3. the webhook's resident memory (now and peak).
// The webhook runs as deployed: cluster mode (client-node list+watch into the
// projected cache) against a stand-in API server holding the synthetic
// cluster, the certificate from files, and the NODE_OPTIONS of
// deploy/base/deployment.yaml. `--mode local` reads the objects from YAML
// files instead (what `npm start` does).
//
//   npm run bench:webhook [-- --seconds 10 --routes 10000 --grants 1000 --mode cluster|local]
import { spawn } from "node:child_process";
import type { ChildProcess } from "node:child_process";
import { mkdirSync, mkdtempSync, openSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import autocannon from "autocannon";
import { stringify } from "yaml";
import { PACKAGE_ROOT } from "../core/cli/paths.ts";
import { localCertificates } from "../certs/factories.ts";
import { parseAllDocuments } from "yaml";
import { pacedLoad } from "./paced-load.ts";
import { freePort, postJson } from "../webhook/testing/http.ts";
import { admissionReview } from "../webhook/testing/reviews.ts";
import { benchmarkRoute, syntheticObjects } from "./synthetic-state.ts";

const { values } = parseArgs({
  options: {
    seconds: { type: "string", default: "10" },
    routes: { type: "string", default: "10000" },
    grants: { type: "string", default: "1000" },
    rate: { type: "string", default: "1000" },
    connections: { type: "string", default: "32" },
    mode: { type: "string", default: "cluster" },
    // Another policy set (e.g. one that matches nothing, to measure the webhook's own floor); skips the verdict check.
    policies: { type: "string" },
  },
});
if (values.mode !== "cluster" && values.mode !== "local") {
  process.stderr.write(`--mode must be cluster or local, not ${JSON.stringify(values.mode)}\n`);
  process.exit(2);
}
const seconds = Number(values.seconds);
const rate = Number(values.rate);
const connections = Number(values.connections);

const work = mkdtempSync(join(tmpdir(), "hostgate-bench-"));
const children: ChildProcess[] = [];
process.on("exit", () => {
  for (const child of children) child.kill("SIGKILL");
  rmSync(work, { recursive: true, force: true });
});

// --- the cluster state: a stand-in API server, or YAML files -------------------
const node = process.execPath;
const tlsDir = join(work, "tls");
const certificates = localCertificates({ dir: tlsDir, hosts: ["127.0.0.1", "localhost"] });
await certificates.start();
certificates.stop();
let stateArgs: string[];
if (values.mode === "cluster") {
  const apiserver = spawn(node, [join(PACKAGE_ROOT, "bench", "stub-apiserver.ts"), "--routes", values.routes, "--grants", values.grants], { stdio: ["ignore", "pipe", "inherit"] });
  children.push(apiserver);
  const apiPort = await new Promise<number>((resolve) => apiserver.stdout!.once("data", (chunk: Buffer) => resolve(Number(/listening (\d+)/.exec(chunk.toString())?.[1]))));
  const kubeconfig = join(work, "kubeconfig");
  writeFileSync(
    kubeconfig,
    stringify({
      apiVersion: "v1",
      kind: "Config",
      clusters: [{ name: "stub", cluster: { server: `http://127.0.0.1:${apiPort}`, "insecure-skip-tls-verify": true } }],
      users: [{ name: "bench", user: { token: "bench" } }],
      contexts: [{ name: "stub", context: { cluster: "stub", user: "bench" } }],
      "current-context": "stub",
    }),
  );
  stateArgs = ["--kubeconfig", kubeconfig, "--config", join(PACKAGE_ROOT, "examples", "platform-config.yaml")];
} else {
  const stateDir = join(work, "state");
  mkdirSync(stateDir);
  const objects = syntheticObjects(Number(values.routes), Number(values.grants));
  for (let i = 0; i < objects.length; i += 1000) writeFileSync(join(stateDir, `objects-${String(i / 1000).padStart(3, "0")}.yaml`), objects.slice(i, i + 1000).map((o) => stringify(o)).join("---\n"));
  stateArgs = ["--state", stateDir];
}
// BENCH_EXTRA_NODE_OPTIONS adds flags for investigation (e.g. --cpu-prof --cpu-prof-dir=/tmp/prof).
const nodeOptions = [deployedNodeOptions(), process.env.BENCH_EXTRA_NODE_OPTIONS ?? ""].join(" ").trim();

// What the API server sends when an app team applies the route.
const review = JSON.stringify(admissionReview(benchmarkRoute(), { uid: "2b9d7c1e-5d9a-4c53-9a4e-0c1f0a8d6e11" }));

// --- the two servers ---------------------------------------------------------
const [port, healthPort, noopPort] = await Promise.all([freePort(), freePort(), freePort()]);
const webhookLogFile = join(work, "webhook.log");
const webhook = spawn(
  node,
  [join(PACKAGE_ROOT, "bin", "cli.ts"), "serve", ...stateArgs, "--tls-cert", join(tlsDir, "tls.crt"), "--tls-key", join(tlsDir, "tls.key"), "--listen", `127.0.0.1:${port}`, "--health-listen", `127.0.0.1:${healthPort}`, "--shutdown-delay", "0s", ...(values.policies !== undefined ? ["--policies", values.policies] : []), ...(process.env.BENCH_EXTRA_SERVE_ARGS ?? "").split(" ").filter(Boolean)],
  // Logs go to a file, as a container runtime takes them: piping them into
  // this process would make the load generator pay for reading them.
  { stdio: ["ignore", openSync(webhookLogFile, "w"), "pipe"], cwd: work, env: { ...process.env, NODE_OPTIONS: nodeOptions } },
);
children.push(webhook);
let webhookErr = "";
webhook.stderr!.on("data", (chunk: Buffer) => (webhookErr += chunk.toString()));
webhook.on("exit", (code) => {
  if (code !== null && code !== 0) {
    process.stderr.write(`the webhook exited with ${code}:\n${webhookErr}\n`);
    process.exit(1);
  }
});
const started = performance.now();
await waitFor(`http://127.0.0.1:${healthPort}/readyz`, 120_000);
const readyMs = performance.now() - started;

const noop = spawn(node, [join(PACKAGE_ROOT, "bench", "noop-admission-server.ts"), "--cert", join(tlsDir, "tls.crt"), "--key", join(tlsDir, "tls.key"), "--port", String(noopPort)], { stdio: ["ignore", "pipe", "inherit"] });
children.push(noop);
await new Promise<void>((resolve) => noop.stdout!.once("data", () => resolve()));

const ca = readFileSync(join(tlsDir, "ca.crt"));
const hostgateUrl = `https://127.0.0.1:${port}/validate`;
const noopUrl = `https://127.0.0.1:${noopPort}/validate`;

// The verdict must be real: admitted, with the one warning the route's
// two-label-deep name earns, against a cache that holds every object.
const verdict = JSON.parse((await postJson(hostgateUrl, review, ca)).text) as { response: { allowed: boolean; warnings?: string[] } };
if (values.policies === undefined && (!verdict.response.allowed || verdict.response.warnings?.length !== 1)) fail(`the benchmark review did not get its expected verdict: ${JSON.stringify(verdict.response)}`);
const metrics = await get(`http://127.0.0.1:${healthPort}/metrics`);
const cached = /hostgate_cache_objects\{index="domainRoutes"\} (\d+)/.exec(metrics)?.[1];
if (Number(cached) !== Number(values.routes)) fail(`the webhook's cache holds ${cached} DomainRoutes, expected ${values.routes}`);

console.log(`webhook benchmark (${values.mode} mode, NODE_OPTIONS="${nodeOptions}"): full library, ${Number(values.routes).toLocaleString("en-US")} DomainRoutes + ${Number(values.grants).toLocaleString("en-US")} HostnameGrants in the cache (ready in ${(readyMs / 1000).toFixed(1)} s), ${seconds} s per run, Node ${process.version}, ${(await import("node:os")).cpus().length} CPUs`);

// --- 1. saturation ------------------------------------------------------------
// Alternate the two servers, twice, so drift (thermal, other load) hits both alike.
const saturation = { noop: [] as number[], hostgate: [] as number[] };
// Server CPU per review: robust where requests/s is not, because autocannon
// shares this machine's cores with the server it drives.
const cpu = { noop: [] as number[], hostgate: [] as number[] };
for (let round = 0; round < 2; round++) {
  for (const [name, url, pid] of [["noop", noopUrl, noop.pid!], ["hostgate", hostgateUrl, webhook.pid!]] as const) {
    const before = cpuSeconds(pid);
    const result = await drive(url, { connections });
    saturation[name].push(result.rps);
    cpu[name].push(((cpuSeconds(pid) - before) / result.requests) * 1e6);
  }
}
const noopRps = mean(saturation.noop);
const hostgateRps = mean(saturation.hostgate);
console.log(`\nsaturation, ${connections} connections (mean of 2 alternating runs each):`);
console.log(`  (a) no-op AdmissionReview server   ${fmt(noopRps)} req/s   runs: ${saturation.noop.map(fmt).join(", ")}   server CPU ${mean(cpu.noop).toFixed(0)} µs/review`);
console.log(`  (b) hostgate, full library         ${fmt(hostgateRps)} req/s   runs: ${saturation.hostgate.map(fmt).join(", ")}   server CPU ${mean(cpu.hostgate).toFixed(0)} µs/review`);
console.log(`  ratio b/a: ${(hostgateRps / noopRps).toFixed(3)}   (target >= 0.8)`);

// --- 2. fixed offered load ------------------------------------------------------
console.log(`\nfixed offered load, ${rate} reviews/s evenly paced for ${seconds} s (after 1 s warm-up; latency from when each request was due):`);
const noopFixed = await pacedLoad(noopUrl, review, { rate, seconds, connections, ca });
const hostgateFixed = await pacedLoad(hostgateUrl, review, { rate, seconds, connections, ca });
for (const [label, r] of [["(a) no-op", noopFixed], ["(b) hostgate", hostgateFixed]] as const) {
  if (r.errors > 0) fail(`${label}: ${r.errors} failed requests at the fixed load`);
  console.log(`  ${label.padEnd(14)} achieved ${fmt(r.achievedRps)} req/s   p50 ${r.p50.toFixed(2)} ms   p99 ${r.p99.toFixed(2)} ms   max ${r.max.toFixed(2)} ms`);
}
console.log(`  hostgate p99 target <= 5 ms: ${hostgateFixed.p99 <= 5 ? "met" : "NOT met"}`);

// --- 3. memory -----------------------------------------------------------------
const status = readFileSync(`/proc/${webhook.pid}/status`, "utf8");
const kb = (field: string) => Number(new RegExp(`${field}:\\s+(\\d+) kB`).exec(status)?.[1] ?? NaN);
console.log(`\nwebhook memory: rss ${(kb("VmRSS") / 1024).toFixed(0)} MB, peak rss ${(kb("VmHWM") / 1024).toFixed(0)} MB   (target <= 200 MB)`);
const logLines = readFileSync(webhookLogFile, "utf8").split("\n").filter((l) => l.includes('"msg":"admission review"')).length;
console.log(`webhook log: ${logLines.toLocaleString("en-US")} review lines, ${(statSync(webhookLogFile).size / 1048576).toFixed(1)} MB (one JSON line per review)`);

webhook.kill("SIGTERM");
noop.kill("SIGTERM");
await new Promise((resolve) => webhook.once("exit", resolve));
process.exit(0);

// --- helpers -------------------------------------------------------------------
interface DriveResult {
  rps: number;
  requests: number;
}

/** Saturation: autocannon as fast as the server answers. */
async function drive(url: string, options: { connections: number }): Promise<DriveResult> {
  const result = await new Promise<autocannon.Result>((resolve, reject) => {
    autocannon(
      {
        url,
        method: "POST",
        headers: { "content-type": "application/json" },
        body: review,
        connections: options.connections,
        duration: seconds,
      },
      (error, result) => (error ? reject(error) : resolve(result)),
    );
  });
  if (result.non2xx > 0 || result.errors > 0 || result.timeouts > 0) fail(`${url}: ${result.non2xx} non-2xx, ${result.errors} errors, ${result.timeouts} timeouts`);
  return { rps: result.requests.total / seconds, requests: result.requests.total };
}

async function get(url: string): Promise<string> {
  return (await fetch(url)).text();
}

async function waitFor(url: string, timeoutMs: number): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (performance.now() < deadline) {
    try {
      if ((await fetch(url)).status === 200) return;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  fail(`the webhook was not ready within ${timeoutMs / 1000} s:\n${webhookErr}\n${readFileSync(webhookLogFile, "utf8").slice(-4000)}`);
}

/** The NODE_OPTIONS the Deployment gives the webhook, so the benchmark measures the process as deployed. */
function deployedNodeOptions(): string {
  const documents = parseAllDocuments(readFileSync(join(PACKAGE_ROOT, "deploy", "base", "deployment.yaml"), "utf8")).map((d) => d.toJS() as Record<string, any>);
  const deployment = documents.find((d) => d?.kind === "Deployment");
  const env: Array<{ name: string; value?: string }> = deployment?.spec?.template?.spec?.containers?.[0]?.env ?? [];
  return env.find((e) => e.name === "NODE_OPTIONS")?.value ?? "";
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

function fail(message: string): never {
  process.stderr.write(`bench:webhook: ${message}\n`);
  process.exit(1);
}
