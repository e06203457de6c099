// `hostgate serve` and the impact of a PolicyModule change: local mode weighs
// it against the files under --state (what `npm start` runs), cluster mode
// against a cache of its own (started with the webhook, stopped with it,
// bounded by --impact-objects-max, 0 for none).
import { after, describe, it } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ManualClock } from "../core/clock.ts";
import { DEFAULT_CONFIG } from "../core/cli/paths.ts";
import { UsageError } from "../core/errors.ts";
import { silentLogger } from "../core/logger.ts";
import { FakeListWatchClient } from "../core/kube/testing/fake-list-watch.ts";
import { ServedVersionsClient } from "../core/kube/testing/served-versions.ts";
import { AUDITED_RESOURCES, auditedResourceRef } from "../core/state/audited-resources.ts";
import { ExistingObjectsCache } from "../core/state/sources/existing-objects-cache.ts";
import { policyModule } from "../policies/testing/policy-module-cases.ts";
import { runServe } from "./serve-command.ts";
import { IMPACT_HEAP_FRACTION } from "./serve-command.ts";
import type { ServeDependencies } from "./serve-command.ts";
import { DEFAULT_HEAP_FRACTION } from "../core/memory/heap-guard.ts";
import { realServeDependencies } from "./serve-dependencies.ts";
import { DEFAULT_IMPACT_OBJECTS_MAX, IMPACT_CACHE_FAILED, IMPACT_DISABLED, parseServeOptions } from "./serve-options.ts";
import { freePort, localServeFlags, postJson } from "./testing/http.ts";
import { admissionReview } from "./testing/reviews.ts";

const dirs: string[] = [];
after(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});
function temp(): string {
  const dir = mkdtempSync(join(tmpdir(), "hostgate-serve-impact-"));
  dirs.push(dir);
  return dir;
}

const CLUSTER = { description: "https://10.0.0.1:443 (test)", config: {} };
const NO_PUBLIC = policyModule("impact-no-public-lb", [{ expression: "object.spec.lb != 'alb-out'", message: "alb-out is public; use alb-in" }]);

/** The real factories with quiet logs, no printing and a stop button; `overrides` replace any of them. */
function testDependencies(overrides: Partial<ServeDependencies> = {}) {
  let stop: ((signal: string) => void) | undefined;
  const deps: ServeDependencies = {
    ...realServeDependencies(),
    findCluster: () => undefined,
    logger: () => ({ ...silentLogger, flush() {} }),
    onStopSignal: (handler) => {
      stop = handler;
      return () => (stop = undefined);
    },
    print: () => {},
    ...overrides,
  };
  return { deps, sendSignal: () => stop?.("SIGTERM"), serving: () => stop !== undefined };
}

async function until(condition: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** Sends a dry-run CREATE of `module` until the webhook answers (its certificate may still be coming), returning its impact warnings. */
async function impactWarnings(port: number, caFile: string, module: unknown): Promise<string[]> {
  const body = JSON.stringify(admissionReview(module, { operation: "CREATE", dryRun: true }));
  const deadline = Date.now() + 10_000;
  for (;;) {
    // Refused until the port listens; the CA file appears when the local certificates are written.
    const answer = await Promise.resolve()
      .then(() => postJson(`https://127.0.0.1:${port}/validate`, body, readFileSync(caFile, "utf8")))
      .catch((error: Error) => ({ status: 0, text: error.message }));
    if (answer.status === 200) {
      const response = JSON.parse(answer.text).response as { allowed: boolean; warnings?: string[]; status?: { message: string } };
      assert.equal(response.allowed, true, response.status?.message);
      return (response.warnings ?? []).filter((w) => w.startsWith("policy-impact: "));
    }
    if (Date.now() > deadline) assert.fail(`the webhook did not answer: ${answer.status} ${answer.text}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe("hostgate serve answers a PolicyModule change with its impact", () => {
  it("in local mode (npm start), from the objects under --state", async () => {
    const tls = join(temp(), "tls");
    const [port, healthPort] = await Promise.all([freePort(), freePort()]);
    const { deps, sendSignal, serving } = testDependencies();
    const running = runServe(["--state", "examples/state", "--tls-dir", tls, ...localServeFlags(port, healthPort)], deps);
    try {
      await until(serving, "the webhook to serve");
      assert.deepEqual(await impactWarnings(port, join(tls, "ca.crt"), NO_PUBLIC), [
        "policy-impact: this change would deny 2 existing objects: marketing/DomainRoute/website, team-a/DomainRoute/shop-web",
      ]);
    } finally {
      sendSignal();
    }
    assert.equal((await running).exitCode, 0);
  });

  /** Cluster mode on a fake API server: the admission cache from the example files, the existing-objects cache listing the fake. */
  async function clusterMode(args: string[], options: { cacheFails?: boolean; holdRoutes?: boolean } = {}) {
    const tls = join(temp(), "tls");
    const [port, healthPort] = await Promise.all([freePort(), freePort()]);
    const server = new FakeListWatchClient();
    const cluster = new ServedVersionsClient(server);
    for (const r of AUDITED_RESOURCES.filter((a) => a.group === "hostgate.dev")) cluster.install(r, r.versions[0]!);
    const routes = auditedResourceRef(AUDITED_RESOURCES[0]!, "v1alpha1");
    server.put(routes, {
      apiVersion: "hostgate.dev/v1alpha1",
      kind: "DomainRoute",
      metadata: { namespace: "team-c", name: "c" },
      spec: { domain: "c.example.com", lb: "alb-out" },
    });
    // Lists of DomainRoutes that never answer: the cache never gets past looking them up.
    if (options.holdRoutes === true) server.hold(routes);
    const made: { maxObjects: number; heapFraction: number; cache: ExistingObjectsCache }[] = [];
    const real = realServeDependencies();
    const { deps, sendSignal, serving } = testDependencies({
      findCluster: () => CLUSTER,
      clusterState: (_cluster, logger) => real.localState("examples/state", logger),
      clusterCertificate: (_cluster, _names, logger) => real.localCertificate(tls, logger),
      existingObjects: (_cluster, _logger, { maxObjects, heapGuard }) => {
        if (options.cacheFails === true) throw new Error("no client for this cluster");
        const cache = new ExistingObjectsCache({ client: cluster, clock: new ManualClock(), maxObjects, heapGuard });
        made.push({ maxObjects, heapFraction: heapGuard.fraction, cache });
        return cache;
      },
    });
    const running = runServe(["--only", "webhook", "--config", DEFAULT_CONFIG, ...localServeFlags(port, healthPort), ...args], deps);
    await until(serving, "the webhook to serve");
    // A failed assertion must still stop the server, or the test process never ends.
    after(() => sendSignal());
    return { port, healthPort, caFile: join(tls, "ca.crt"), server, routes, made, sendSignal, running };
  }

  it("in cluster mode, from a cache of its own that starts with the webhook, holds --impact-objects-max and stops with it", async () => {
    const c = await clusterMode(["--impact-objects-max", "1000"]);
    assert.equal(c.made.length, 1);
    assert.equal(c.made[0]!.maxObjects, 1000);
    assert.equal(c.made[0]!.heapFraction, IMPACT_HEAP_FRACTION);
    assert.ok(IMPACT_HEAP_FRACTION < DEFAULT_HEAP_FRACTION, "advice is given up before admission");
    await until(() => c.made[0]!.cache.size() === 1, "the cache to list the fake cluster");
    assert.deepEqual(await impactWarnings(c.port, c.caFile, NO_PUBLIC), ["policy-impact: this change would deny 1 existing object: team-c/DomainRoute/c"]);
    assert.equal(c.server.openWatches(c.routes), 1);
    c.sendSignal();
    assert.equal((await c.running).exitCode, 0);
    assert.equal(c.server.openWatches(c.routes), 0, "the cache stopped with the webhook");
  });

  it("in cluster mode with --impact-objects-max 0, keeps no cache and says the impact was not computed", async () => {
    const c = await clusterMode(["--impact-objects-max", "0"]);
    assert.deepEqual(await impactWarnings(c.port, c.caFile, NO_PUBLIC), [`policy-impact: ${IMPACT_DISABLED}`]);
    assert.equal(c.made.length, 0, "no cache was made");
    c.sendSignal();
    assert.equal((await c.running).exitCode, 0);
  });
  it("in cluster mode, a cache that cannot list a kind never holds admission up: ready, reviews judged, the warning partial for that kind", async () => {
    const c = await clusterMode([], { holdRoutes: true });
    assert.deepEqual(await impactWarnings(c.port, c.caFile, NO_PUBLIC), [
      "policy-impact: this change would deny no existing object (0 objects checked)",
      "policy-impact: partial answer: not listed yet: DomainRoute; run hostgate diff for all",
    ]);
    assert.equal((await fetch(`http://127.0.0.1:${c.healthPort}/readyz`)).status, 200);
    assert.equal(c.made[0]!.cache.snapshot().kinds[0]!.state.kind, "pending");
    c.sendSignal();
    assert.equal((await c.running).exitCode, 0);
  });

  it("in cluster mode, a cache of existing objects that cannot be built costs the impact warning, which says so, never the webhook", async () => {
    const c = await clusterMode([], { cacheFails: true });
    assert.deepEqual(await impactWarnings(c.port, c.caFile, NO_PUBLIC), [`policy-impact: ${IMPACT_CACHE_FAILED}`]);
    c.sendSignal();
    assert.equal((await c.running).exitCode, 0);
  });
});

describe("--impact-objects-max", () => {
  const cases: { args: string[]; expected: number | RegExp }[] = [
    { args: [], expected: DEFAULT_IMPACT_OBJECTS_MAX },
    { args: ["--impact-objects-max", "0"], expected: 0 },
    { args: ["--impact-objects-max", "200000"], expected: 200_000 },
    {
      args: ["--impact-objects-max=-1"],
      expected: /--impact-objects-max "-1" must be a whole number of objects from 0 \(keep none\) to 10000000 \(default 50000\)/,
    },
    { args: ["--impact-objects-max", "lots"], expected: /--impact-objects-max "lots" must be a whole number/ },
    { args: ["--impact-objects-max", "1e5"], expected: /--impact-objects-max "1e5" must be a whole number/ },
    { args: ["--impact-objects-max", "10000001"], expected: /--impact-objects-max "10000001" must be a whole number/ },
  ];
  for (const c of cases) {
    it(`reads ${c.args.join(" ") || "no flag"} as ${c.expected instanceof RegExp ? "a usage error" : c.expected}`, () => {
      if (c.expected instanceof RegExp) {
        const pattern = c.expected;
        assert.throws(
          () => parseServeOptions(c.args, {}),
          (error: unknown) => error instanceof UsageError && pattern.test(error.message),
        );
      } else assert.equal(parseServeOptions(c.args, {}).impactObjectsMax, c.expected);
    });
  }
});
