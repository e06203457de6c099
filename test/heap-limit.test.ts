// The webhook as a real process whose cluster cache outgrows its heap: it
// must not die of "JavaScript heap out of memory" (every replica would
// crash-loop and, with failurePolicy Fail, block every route change with an
// error nobody can read) but stay up and say which limit to raise: in the
// log, on /readyz, on /metrics and in the denial of every review.
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { localCertificates } from "../certs/factories.ts";
import { PACKAGE_ROOT } from "../core/cli/paths.ts";
import { postJson } from "../webhook/testing/http.ts";
import { admissionReview } from "../webhook/testing/reviews.ts";
import { startStubCluster } from "../bench/stub-cluster.ts";
import type { StubCluster } from "../bench/stub-cluster.ts";
import { benchmarkRoute } from "../bench/synthetic-state.ts";
import { startServe } from "./serve-child.ts";
import type { ServeChild } from "./serve-child.ts";

// A heap far too small for this many routes: the live cache alone passes 80% of it.
const ROUTES = Number(process.env.HEAP_TEST_ROUTES ?? 60_000);
const OLD_SPACE_MB = Number(process.env.HEAP_TEST_OLD_SPACE_MB ?? 96);

const work = mkdtempSync(join(tmpdir(), "hostgate-heap-limit-"));
let apiserver: StubCluster | undefined;
let serve: ServeChild;

before(async () => {
  apiserver = await startStubCluster({ routes: ROUTES, grants: 1000, kubeconfigFile: join(work, "kubeconfig") });
  const kubeconfig = apiserver.kubeconfig;
  const certificates = localCertificates({ dir: join(work, "tls"), hosts: ["127.0.0.1"] });
  await certificates.start();
  certificates.stop();
  const args = ["--only", "webhook", "--kubeconfig", kubeconfig, "--config", join(PACKAGE_ROOT, "examples", "platform-config.yaml")];
  const tls = [
    "--tls-cert",
    join(work, "tls", "tls.crt"),
    "--tls-key",
    join(work, "tls", "tls.key"),
    "--listen",
    "127.0.0.1:0",
    "--health-listen",
    "127.0.0.1:0",
    "--shutdown-delay",
    "0s",
  ];
  serve = startServe(join(PACKAGE_ROOT, "bin", "cli.ts"), [...args, ...tls], {
    env: { ...process.env, NODE_OPTIONS: `--max-old-space-size=${OLD_SPACE_MB} --max-semi-space-size=8` },
  });
});

after(async () => {
  serve?.child.kill("SIGKILL");
  apiserver?.process.kill("SIGKILL");
  rmSync(work, { recursive: true, force: true });
});

describe("a webhook whose cluster cache outgrows its heap", () => {
  it("stays up, drops the cache, and says which limit to raise in its log, /readyz, /metrics and every denial", async () => {
    const serving = await serve.waitFor(/"url":"(https:\/\/[^"]+)","health":"(http:\/\/[^"]+)"/, "the serving log line");
    const [url, health] = [serving[1]!, serving[2]!];
    const logged = await serve.waitFor(/^\{.*"msg":"the cluster cache outgrew the heap and was dropped .*\}$/m, "the heap-limit log line");
    const message = (JSON.parse(logged[0]) as { msg: string }).msg;
    assert.match(
      message,
      /^the cluster cache outgrew the heap and was dropped \([\d.]+ MB of [\d.]+ MB \(\d+%\) in use\): raise the webhook's resources\.limits\.memory and roll the Deployment\./,
    );
    const advice = message.slice(0, message.indexOf(". Until then"));

    const readyz = await fetch(`${health}/readyz`);
    assert.equal(readyz.status, 503);
    const readyzText = await readyz.text();
    assert.ok(readyzText.includes(`[-]cache failed: ${message}`), readyzText);
    const metrics = await (await fetch(`${health}/metrics`)).text();
    assert.match(metrics, /^hostgate_cache_heap_limit_reached 1$/m);
    assert.match(metrics, /^hostgate_cache_objects\{index="domainRoutes"\} 0$/m, "the cache was dropped");

    const review = JSON.stringify(admissionReview(benchmarkRoute(), { uid: "7d1f7c2e-0b5e-4c3a-9f7e-2b8e6a1d4c01" }));
    const answer = JSON.parse((await postJson(`${url}/validate`, review, readFileSync(join(work, "tls", "ca.crt")))).text) as {
      response: { allowed: boolean; status?: { message?: string } };
    };
    assert.equal(answer.response.allowed, false);
    assert.ok(answer.response.status?.message?.includes(advice), answer.response.status?.message);

    await new Promise((resolve) => setTimeout(resolve, 1000));
    assert.equal(serve.child.exitCode, null, `the process is still running; stderr:\n${serve.stderr()}`);
    assert.doesNotMatch(serve.stderr(), /heap out of memory/);
  });
});
