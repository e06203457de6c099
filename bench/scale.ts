// How many DomainRoutes the webhook holds under a given memory limit, as
// shipped (dist/, the Deployment's NODE_OPTIONS and MALLOC_ARENA_MAX, a real
// memory cgroup where one can be made): for each route count, start it
// against a stand-in API server and report whether it became ready (with its
// RSS and live heap), reported the heap limit (the guard dropped the cache),
// or died (the kernel's OOM killer, or V8 out of memory), which must never
// happen. The table in deploy/README.md ("Memory and scale") comes from here.
//
//   npm run bench:scale -- --memory 384Mi --routes 50000,100000,150000 [--grants 1000] [--entry dist|sources]
import type { ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { localCertificates } from "../certs/factories.ts";
import { PACKAGE_ROOT } from "../core/cli/paths.ts";
import { freePort, localServeFlags } from "../webhook/testing/http.ts";
import { deployedWebhookContainer } from "./deployed-container.ts";
import { quantityBytes } from "./memory-limit.ts";
import { hostgateEntry, rssMB, spawnShippedWebhook } from "./shipped-webhook.ts";
import { startStubCluster } from "./stub-cluster.ts";

const { values } = parseArgs({
  options: {
    memory: { type: "string" },
    routes: { type: "string", default: "10000,50000,100000" },
    grants: { type: "string", default: "1000" },
    entry: { type: "string", default: "dist" },
    "timeout-seconds": { type: "string", default: "180" },
  },
});
const deployment = deployedWebhookContainer();
const memory = values.memory ?? deployment.memoryLimit;
const limitBytes = quantityBytes(memory);
const counts = values.routes.split(",").map(Number);
if (counts.some((n) => !Number.isInteger(n) || n < 0)) {
  process.stderr.write(`--routes must be a comma-separated list of counts, not ${JSON.stringify(values.routes)}\n`);
  process.exit(2);
}
if (values.entry !== "dist" && values.entry !== "sources") {
  process.stderr.write(`--entry must be dist or sources, not ${JSON.stringify(values.entry)}\n`);
  process.exit(2);
}
const entry = hostgateEntry(values.entry);
const work = mkdtempSync(join(tmpdir(), "hostgate-scale-"));
const children = new Set<ChildProcess>();
process.on("exit", () => {
  for (const child of children) child.kill("SIGKILL");
  rmSync(work, { recursive: true, force: true });
});
const certificates = localCertificates({ dir: join(work, "tls"), hosts: ["127.0.0.1"] });
await certificates.start();
certificates.stop();

console.log(
  `webhook scale under a ${memory} memory limit, NODE_OPTIONS="${deployment.env.NODE_OPTIONS ?? ""}" MALLOC_ARENA_MAX=${deployment.env.MALLOC_ARENA_MAX ?? "(unset)"}, ${values.grants} HostnameGrants`,
);
for (const routes of counts) {
  const result = await probe(routes);
  console.log(`  ${routes.toLocaleString("en-US").padStart(9)} routes: ${result}`);
}
process.exit(0);

async function probe(routes: number): Promise<string> {
  const stub = await startStubCluster({ routes, grants: Number(values.grants), kubeconfigFile: join(work, `kubeconfig-${routes}`) });
  const apiserver = stub.process;
  children.add(apiserver);
  const kubeconfig = stub.kubeconfig;
  const [port, healthPort] = await Promise.all([freePort(), freePort()]);
  const args = ["--kubeconfig", kubeconfig, "--config", join(PACKAGE_ROOT, "examples", "platform-config.yaml")];
  args.push("--tls-cert", join(work, "tls", "tls.crt"), "--tls-key", join(work, "tls", "tls.key"), ...localServeFlags(port, healthPort));
  const started = performance.now();
  const {
    child: webhook,
    stderr,
    limit,
  } = spawnShippedWebhook({
    entry,
    args,
    deployed: deployment,
    limitBytes,
    limitName: `hostgate-scale-${process.pid}-${routes}`,
    logFile: join(work, `webhook-${routes}.log`),
  });
  children.add(webhook);
  let exit: string | undefined;
  webhook.once("exit", (code, signal) => (exit = signal ?? `exit ${code}`));
  let outcome = "";
  const deadline = performance.now() + Number(values["timeout-seconds"]) * 1000;
  while (outcome === "") {
    await new Promise((resolve) => setTimeout(resolve, 250));
    if (exit !== undefined) {
      outcome = `DIED (${exit}${/heap out of memory/.test(stderr()) ? ", V8 heap out of memory" : exit === "SIGKILL" ? ", likely the kernel's OOM killer" : ""})`;
      break;
    }
    const readyz = await fetch(`http://127.0.0.1:${healthPort}/readyz`).then(
      async (r) => ({ status: r.status, text: await r.text() }),
      () => undefined,
    );
    if (readyz?.status === 200) outcome = `ready in ${((performance.now() - started) / 1000).toFixed(1)} s`;
    else if (readyz?.text.includes("outgrew the heap")) outcome = "heap limit reported (cache dropped; readiness false)";
    else if (performance.now() > deadline) outcome = "not ready before the timeout";
  }
  let details = "";
  if (exit === undefined) {
    const metrics = await (await fetch(`http://127.0.0.1:${healthPort}/metrics`)).text();
    const gauge = (name: string) => Number(new RegExp(`^${name} (\\S+)$`, "m").exec(metrics)?.[1] ?? NaN) / 1e6;
    const { rss } = rssMB(webhook.pid!);
    details = `; rss ${rss.toFixed(0)} MB, live heap ${gauge("hostgate_heap_live_bytes").toFixed(0)} MB of ${gauge("hostgate_heap_limit_bytes").toFixed(0)} MB`;
  }
  children.delete(webhook);
  webhook.kill("SIGKILL");
  children.delete(apiserver);
  apiserver.kill("SIGKILL");
  await new Promise((resolve) => setTimeout(resolve, 200));
  limit.remove();
  return outcome + details;
}
