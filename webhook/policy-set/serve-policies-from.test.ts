// `hostgate serve --policies-from`: the flag, and the command serving the
// cluster's PolicyModules (a fake API server) instead of the built-in library.
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { DEFAULT_CONFIG } from "../../core/cli/paths.ts";
import { silentLogger } from "../../core/logger.ts";
import { runServe } from "../serve-command.ts";
import type { ServeDependencies } from "../serve-command.ts";
import { realServeDependencies } from "../serve-dependencies.ts";
import { parseServeOptions } from "../serve-options.ts";
import { freePort, localServeFlags, postJson } from "../testing/http.ts";
import { admissionReview } from "../testing/reviews.ts";
import { DEBOUNCE_MS, denyNamePrefix, liveHarness } from "./testing/policy-modules.ts";

const dir = mkdtempSync(join(tmpdir(), "hostgate-policies-from-"));
after(() => rmSync(dir, { recursive: true, force: true }));

describe("--policies-from", () => {
  it("defaults to files, as before PolicyModules existed", () => {
    assert.equal(parseServeOptions([]).policiesFrom, "files");
    assert.equal(parseServeOptions(["--policies-from", "cluster"]).policiesFrom, "cluster");
  });

  const refused = [
    { name: "a source that is neither files nor cluster", args: ["--policies-from", "crd"], message: /--policies-from "crd" is not one of files, cluster/ },
    {
      name: "--policies DIR together with the cluster's modules",
      args: ["--policies-from", "cluster", "--policies", "policies/library"],
      message: /--policies DIR and --policies-from cluster exclude each other/,
    },
    {
      name: "the cluster's modules in local mode (--state)",
      args: ["--policies-from", "cluster", "--state", "examples/state"],
      message: /--policies-from cluster and --state exclude each other/,
    },
  ];
  for (const c of refused) {
    it(`refuses ${c.name}`, () => {
      assert.throws(
        () => parseServeOptions(c.args),
        (error: Error & { problems?: string[] }) => c.message.test(error.problems?.join() ?? ""),
      );
    });
  }
});

/** Real factories, a made-up cluster whose state is the examples, and the PolicyModules from `harness`. */
function dependencies(harness: ReturnType<typeof liveHarness>) {
  const real = realServeDependencies();
  let stop: ((signal: string) => void) | undefined;
  const deps: ServeDependencies = {
    ...real,
    findCluster: () => ({ description: "https://10.0.0.1:443 (in-cluster)", config: {} }),
    clusterState: (_cluster, logger) => real.localState("examples/state", logger),
    clusterCertificate: (_cluster, _names, logger) => real.localCertificate(join(dir, "tls"), logger),
    clusterPolicies: () => harness.live,
    logger: () => ({ ...silentLogger, flush() {} }),
    onStopSignal: (handler) => {
      stop = handler;
      return () => (stop = undefined);
    },
    print: () => undefined,
  };
  return { deps, stop: () => stop?.("SIGTERM"), started: () => stop !== undefined };
}

async function eventually<T>(read: () => Promise<T>, ok: (value: T) => boolean, what: string): Promise<T> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const value = await read().catch(() => undefined);
    if (value !== undefined && ok(value)) return value;
    if (Date.now() > deadline) assert.fail(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe("hostgate serve --policies-from cluster", () => {
  it("is a usage error when no cluster is configured", async () => {
    const { deps } = dependencies(liveHarness());
    await assert.rejects(runServe(["--policies-from", "cluster"], { ...deps, findCluster: () => undefined }), (error: Error & { problems?: string[] }) =>
      /--policies-from cluster needs a cluster/.test(error.problems?.join() ?? ""),
    );
  });

  it("judges by the cluster's PolicyModules, not the built-in library, and swaps them without a restart", async () => {
    const harness = liveHarness([denyNamePrefix("no-bad", "bad", "cluster rule v1")]);
    const { deps, stop, started } = dependencies(harness);
    const [port, healthPort] = await Promise.all([freePort(), freePort()]);
    const running = runServe(["--only", "webhook", "--policies-from", "cluster", "--config", DEFAULT_CONFIG, ...localServeFlags(port, healthPort)], deps);
    try {
      await eventually(
        () => fetch(`http://127.0.0.1:${healthPort}/readyz`),
        (r) => r.status === 200 && started(),
        "readiness",
      );
      const ca = readFileSync(join(dir, "tls", "ca.crt"));
      const judge = async (name: string) => {
        const object = { apiVersion: "hostgate.dev/v1alpha1", kind: "DomainRoute", metadata: { name, namespace: "team-a" }, spec: {} };
        const res = await postJson(`https://127.0.0.1:${port}/validate`, JSON.stringify(admissionReview(object)), ca);
        return JSON.parse(res.text).response as { allowed: boolean; status?: { message: string } };
      };
      // Judged by the cluster's one module only: it passes this name and denies the next.
      assert.equal((await judge("fine-shop")).allowed, true);
      assert.match((await judge("bad-shop")).status!.message, /cluster rule v1/);

      harness.put(denyNamePrefix("no-bad", "bad", "cluster rule v2"));
      await harness.settle();
      harness.clock.advance(DEBOUNCE_MS);
      assert.match((await judge("bad-shop")).status!.message, /cluster rule v2/);
      const metrics = await (await fetch(`http://127.0.0.1:${healthPort}/metrics`)).text();
      assert.match(metrics, /^hostgate_policy_set_generation 2$/m);
      assert.match(metrics, /^hostgate_policy_module_load_failures 0$/m);
    } finally {
      stop();
      assert.equal((await running).exitCode, 0);
    }
  });
});
