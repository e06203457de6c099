import { after, describe, it } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { main } from "../bin/cli.ts";
import { silentLogger } from "../core/logger.ts";
import { runServe } from "./serve-command.ts";
import type { ServeDependencies } from "./serve-command.ts";
import { realServeDependencies } from "./serve-dependencies.ts";
import { freePort, postJson, localServeFlags } from "./testing/http.ts";
import { parseDuration, parseListen, parseServeOptions } from "./serve-options.ts";
import type { ReconcilerFactory, ReconcilerSettings } from "../core/cli/serve-component.ts";
import { DEFAULT_CONFIG } from "../core/cli/paths.ts";
import { Gauge } from "prom-client";

const dirs: string[] = [];
after(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});
function temp(): string {
  const dir = mkdtempSync(join(tmpdir(), "hostgate-serve-test-"));
  dirs.push(dir);
  return dir;
}

/** The real factories, but no cluster, quiet logs, captured output and a stop button. */
function testDependencies(overrides: Partial<ServeDependencies> = {}) {
  const printed: string[] = [];
  let stop: ((signal: string) => void) | undefined;
  const real = realServeDependencies();
  const deps: ServeDependencies = {
    ...real,
    findCluster: () => undefined,
    logger: () => ({ ...silentLogger, flush() {} }),
    onStopSignal: (handler) => {
      stop = handler;
      return () => (stop = undefined);
    },
    print: (text) => void printed.push(text),
    ...overrides,
  };
  return { deps, printed, sendSignal: (signal = "SIGTERM") => stop?.(signal), hasHandler: () => stop !== undefined };
}

async function until(condition: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

async function readyWithin(url: string): Promise<void> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    // Refused until the health port listens.
    const answer = await fetch(url).then(
      async (r) => ({ status: r.status, body: await r.text() }),
      (error: Error) => ({ status: 0, body: error.message }),
    );
    if (answer.status === 200) return;
    if (Date.now() > deadline) assert.fail(`${url} still answers ${answer.status}: ${answer.body}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe("hostgate serve in local mode", () => {
  it("prints the URL, the CA to trust and a request whose pasted form gets a real denial, then stops on SIGTERM with exit 0", async () => {
    const tlsDir = join(temp(), "tls");
    const [port, healthPort] = await Promise.all([freePort(), freePort()]);
    const { deps, printed, sendSignal, hasHandler } = testDependencies();
    const running = runServe(["--tls-dir", tlsDir, "--listen", `127.0.0.1:${port}`, "--health-listen", `127.0.0.1:${healthPort}`], deps);
    await until(() => printed.length > 0, "the banner");
    const banner = printed.join("");
    assert.match(banner, new RegExp(`serving \\(local mode\\) at https://127\\.0\\.0\\.1:${port}`));
    assert.match(banner, new RegExp(`trust: +${join(tlsDir, "ca.crt").replace(/[.]/g, "\\.")}`));
    assert.match(banner, /state: +local files under examples\/state/);

    // Run the printed curl's pieces: its URL, its CA file and its -d body.
    const curl = /curl -sS --cacert (\S+) -H 'Content-Type: application\/json' (\S+) -d '(.+)'/.exec(banner);
    assert.ok(curl, `no curl line in:\n${banner}`);
    const [, caFile, url, body] = curl;
    const { status, text } = await postJson(url!, body!, readFileSync(caFile!, "utf8"));
    assert.equal(status, 200);
    const response = (JSON.parse(text) as { response: { allowed: boolean; status: { message: string } } }).response;
    assert.equal(response.allowed, false);
    assert.match(response.status.message, /public-needs-protection/);
    const allowed = await postJson(url!, body!.replace("alb-out", "alb-in"), readFileSync(caFile!, "utf8"));
    assert.equal((JSON.parse(allowed.text) as { response: { allowed: boolean } }).response.allowed, true, "the banner's promise: alb-in is allowed");

    assert.equal((await fetch(`http://127.0.0.1:${healthPort}/readyz`)).status, 200);
    const metrics = await (await fetch(`http://127.0.0.1:${healthPort}/metrics`)).text();
    assert.match(metrics, /hostgate_serving_certificate_expiry_timestamp_seconds \d+/);
    assert.match(metrics, /hostgate_ca_certificate_expiry_timestamp_seconds\{ca="[^"]+"\} \d+/);
    assert.match(metrics, /hostgate_admission_reviews_total\{endpoint="validate",operation="CREATE",kind="DomainRoute",verdict="denied"\} 1/);
    assert.match(metrics, /hostgate_cache_objects\{index="domainRoutes"\} 4/);
    sendSignal("SIGTERM");
    const result = await running;
    assert.equal(result.exitCode, 0);
    assert.equal(hasHandler(), false, "signal handlers are removed");
    await assert.rejects(fetch(`http://127.0.0.1:${healthPort}/healthz`), "the health port is closed");
  });

  it("fails to start with exit 1 and a hint when the port is taken", async () => {
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, "127.0.0.1", () => resolve()));
    const taken = (blocker.address() as import("node:net").AddressInfo).port;
    try {
      const { deps } = testDependencies();
      const result = await runServe(
        ["--tls-dir", join(temp(), "tls"), "--listen", `127.0.0.1:${await freePort()}`, "--health-listen", `127.0.0.1:${taken}`],
        deps,
      );
      assert.equal(result.exitCode, 1);
      assert.match(result.notes?.join("\n") ?? "", /cannot start: .*EADDRINUSE.*another process listens there/);
    } finally {
      blocker.close();
    }
  });
});

describe("hostgate serve input errors (exit 2, one clear line each)", () => {
  const cases: Array<{ name: string; argv: string[]; message: RegExp; deps?: Partial<ServeDependencies> }> = [
    { name: "an unknown flag", argv: ["serve", "--lissen", "x"], message: /Unknown option '--lissen'/ },
    { name: "a listen address without a port", argv: ["serve", "--listen", "localhost"], message: /--listen "localhost" is not HOST:PORT/ },
    { name: "--tls-cert without --tls-key", argv: ["serve", "--tls-cert", "a.crt"], message: /--tls-cert and --tls-key go together/ },
    { name: "--state with --kubeconfig", argv: ["serve", "--state", "examples/state", "--kubeconfig", "k"], message: /exclude each other/ },
    {
      name: "a state directory that does not exist",
      argv: ["serve", "--state", "/nonexistent/state", "--listen", "127.0.0.1:0", "--health-listen", "127.0.0.1:0", "--tls-dir", "/tmp/hostgate-unused"],
      message: /\/nonexistent\/state/,
    },
    { name: "a missing config file", argv: ["serve", "--config", "/nonexistent/config.yaml"], message: /\/nonexistent\/config\.yaml/ },
    { name: "a policies directory that does not exist", argv: ["serve", "--policies", "/nonexistent/policies"], message: /\/nonexistent\/policies/ },
    { name: "a bad log level", argv: ["serve", "--log-level", "loud"], message: /--log-level "loud" is not one of debug, info, warn, error, silent/ },
    { name: "a bad duration", argv: ["serve", "--shutdown-delay", "soon"], message: /--shutdown-delay "soon" is not a duration/ },
    { name: "an unknown component", argv: ["serve", "--only", "dns"], message: /--only "dns" is not one of webhook, reconciler/ },
    {
      name: "the reconciler with local state",
      argv: ["serve", "--only", "reconciler", "--state", "examples/state"],
      message: /--only reconciler and --state exclude each other/,
    },
    {
      name: "a lease name that is no object name",
      argv: ["serve", "--lease-name", "Hostgate_Lease"],
      message: /--lease-name "Hostgate_Lease" is not a valid object name/,
    },
  ];
  for (const c of cases) {
    it(`reports ${c.name}`, async () => {
      const result = await main(c.argv);
      assert.equal(result.exitCode, 2, result.stderr);
      assert.match(result.stderr, c.message);
      assert.doesNotMatch(result.stderr, /\n\s+at /);
    });
  }

  it("refuses cluster mode without --config instead of judging a real cluster by the example config", async () => {
    const { deps } = testDependencies({ findCluster: () => ({ description: "https://10.0.0.1:443 (in-cluster)", config: {} }) });
    await assert.rejects(runServe([], deps), (error: Error & { problems?: string[] }) =>
      /cluster mode \(https:\/\/10\.0\.0\.1:443 \(in-cluster\)\) needs --config FILE/.test(error.problems?.join() ?? ""),
    );
  });
});

describe("hostgate serve with the reconciler", () => {
  const CLUSTER = { description: "https://10.0.0.1:443 (in-cluster)", config: { marker: "connection" } };

  /** A reconciler that records how it was started and stopped, and whose readiness a test sets. */
  function fakeReconciler() {
    const calls: { connection: unknown; settings: ReconcilerSettings }[] = [];
    let notReady: string | undefined = "reconciler caches not synced yet: domainroutes.hostgate.dev";
    let stops = 0;
    const factory: ReconcilerFactory = async (connection, settings) => {
      calls.push({ connection, settings });
      return {
        notReadyReason: () => notReady,
        registerMetrics: (registry) => void new Gauge({ name: "hostgate_reconciler_leader", help: "test", registers: [registry] }).set(1),
        stop: async () => void stops++,
      };
    };
    return { factory, calls, setReady: () => (notReady = undefined), stops: () => stops };
  }

  it("--only reconciler runs it alone: no webhook port, probes and metrics on the health port, the Lease settings passed, stopped on SIGTERM", async () => {
    const healthPort = await freePort();
    const reconciler = fakeReconciler();
    const { deps, sendSignal, hasHandler } = testDependencies({
      findCluster: () => CLUSTER,
      reconciler: reconciler.factory,
      clusterState: () => assert.fail("the reconciler alone needs no webhook cache"),
      clusterCertificate: () => assert.fail("the reconciler alone needs no serving certificate"),
    });
    const running = runServe(
      ["--only", "reconciler", "--config", DEFAULT_CONFIG, "--health-listen", `127.0.0.1:${healthPort}`, "--namespace", "platform", "--identity", "pod-7"],
      deps,
    );
    await until(() => reconciler.calls.length === 1, "the reconciler to start");
    assert.deepEqual(reconciler.calls[0]!.connection, { marker: "connection" });
    assert.deepEqual(
      { ...reconciler.calls[0]!.settings, config: undefined },
      { config: undefined, leaseNamespace: "platform", leaseName: "hostgate-reconciler", holderId: "pod-7" },
    );
    await until(() => hasHandler(), "the signal handler");
    let readyz = await fetch(`http://127.0.0.1:${healthPort}/readyz`);
    assert.equal(readyz.status, 503);
    assert.match(await readyz.text(), /\[-\]reconciler failed: reconciler caches not synced yet/);
    reconciler.setReady();
    readyz = await fetch(`http://127.0.0.1:${healthPort}/readyz`);
    assert.equal(readyz.status, 200);
    assert.match(await (await fetch(`http://127.0.0.1:${healthPort}/metrics`)).text(), /hostgate_reconciler_leader 1/);
    sendSignal();
    assert.equal((await running).exitCode, 0);
    assert.equal(reconciler.stops(), 1);
    await assert.rejects(fetch(`http://127.0.0.1:${healthPort}/healthz`), "the health port is closed after the stop");
  });

  it("a reconciler that refuses to start (a data plane switch under served routes) ends serve with exit 1 and its message, stopped", async () => {
    const healthPort = await freePort();
    let stops = 0;
    const message = "gateway.provider is gateway-api, but 1 DomainRoute is served by the istio data plane (status.edge.dataPlane): team-a/shop. ...";
    const { deps } = testDependencies({
      findCluster: () => CLUSTER,
      reconciler: async () => ({
        notReadyReason: () => `reconciler refused to start: ${message}`,
        registerMetrics: () => {},
        stop: async () => void stops++,
        refused: () => Promise.resolve(message),
      }),
    });
    const result = await runServe(["--only", "reconciler", "--config", DEFAULT_CONFIG, "--health-listen", `127.0.0.1:${healthPort}`], deps);
    assert.deepEqual(result, { output: "", exitCode: 1, notes: [`hostgate serve: cannot start: ${message}`] });
    assert.equal(stops, 1);
    await assert.rejects(fetch(`http://127.0.0.1:${healthPort}/healthz`), "the health port is closed");
  });

  /** Cluster mode on a pretend cluster: the webhook's cache from the example state, its certificate from a temporary local CA. */
  async function clusterMode() {
    const reconciler = fakeReconciler();
    const [port, healthPort] = await Promise.all([freePort(), freePort()]);
    const tls = join(temp(), "tls");
    const real = realServeDependencies();
    const test = testDependencies({
      findCluster: () => CLUSTER,
      reconciler: reconciler.factory,
      clusterState: (_cluster, logger) => real.localState("examples/state", logger),
      clusterCertificate: (_cluster, _names, logger) => real.localCertificate(tls, logger),
    });
    return { reconciler, port, healthPort, ...test };
  }

  it("cluster mode runs both: the webhook serves, the reconciler starts with it, its metrics join the webhook's, and both stop on SIGTERM", async () => {
    const { reconciler, port, healthPort, deps, sendSignal, hasHandler } = await clusterMode();
    const running = runServe(
      ["--config", DEFAULT_CONFIG, "--listen", `127.0.0.1:${port}`, "--health-listen", `127.0.0.1:${healthPort}`, "--shutdown-delay", "0s"],
      deps,
    );
    await until(() => reconciler.calls.length === 1 && hasHandler(), "both to start");
    // The webhook's readiness is its own: a reconciler still syncing (as this one stays) never takes admission down.
    await readyWithin(`http://127.0.0.1:${healthPort}/readyz`);
    assert.equal(reconciler.calls.length, 1);
    const metrics = await (await fetch(`http://127.0.0.1:${healthPort}/metrics`)).text();
    assert.match(metrics, /hostgate_reconciler_leader 1/);
    assert.match(metrics, /hostgate_admission_reviews_total|hostgate_policies_loaded/);
    sendSignal();
    assert.equal((await running).exitCode, 0);
    assert.equal(reconciler.stops(), 1);
  });

  it("--only webhook in cluster mode never starts the reconciler", async () => {
    const { reconciler, port, healthPort, deps, sendSignal, hasHandler } = await clusterMode();
    const running = runServe(["--only", "webhook", "--config", DEFAULT_CONFIG, ...localServeFlags(port, healthPort)], deps);
    await until(() => hasHandler(), "the webhook to start");
    await readyWithin(`http://127.0.0.1:${healthPort}/readyz`);
    sendSignal();
    assert.equal((await running).exitCode, 0);
    assert.equal(reconciler.calls.length, 0);
  });

  it("--only reconciler without a cluster is a usage error naming where clusters come from", async () => {
    const { deps } = testDependencies({ reconciler: fakeReconciler().factory });
    await assert.rejects(runServe(["--only", "reconciler"], deps), (error: Error & { problems?: string[] }) =>
      /--only reconciler needs a cluster \(--kubeconfig FILE/.test(error.problems?.join() ?? ""),
    );
  });

  it("local mode runs the webhook only, and never calls the reconciler", async () => {
    const reconciler = fakeReconciler();
    const [port, healthPort] = await Promise.all([freePort(), freePort()]);
    const { deps, printed, sendSignal } = testDependencies({ reconciler: reconciler.factory });
    const running = runServe(["--tls-dir", join(temp(), "tls"), "--listen", `127.0.0.1:${port}`, "--health-listen", `127.0.0.1:${healthPort}`], deps);
    await until(() => printed.length > 0, "the banner");
    sendSignal();
    assert.equal((await running).exitCode, 0);
    assert.equal(reconciler.calls.length, 0);
  });
});

describe("serve flag parsing", () => {
  const listens: Array<[string, { host: string; port: number } | RegExp]> = [
    ["127.0.0.1:8443", { host: "127.0.0.1", port: 8443 }],
    [":9443", { host: "0.0.0.0", port: 9443 }],
    ["[::1]:8443", { host: "::1", port: 8443 }],
    ["0.0.0.0:0", { host: "0.0.0.0", port: 0 }],
    ["host:70000", /not HOST:PORT/],
    ["8443", /not HOST:PORT/],
  ];
  for (const [text, expected] of listens) {
    it(`reads --listen ${text}`, () => {
      if (expected instanceof RegExp) assert.throws(() => parseListen("--listen", text), expected);
      else assert.deepEqual(parseListen("--listen", text), expected);
    });
  }
  const durations: Array<[string, number | RegExp]> = [
    ["500ms", 500],
    ["5s", 5000],
    ["1m", 60_000],
    ["2", 2000],
    ["11m", /longer than 10m/],
    ["-1s", /not a duration/],
  ];
  for (const [text, expected] of durations) {
    it(`reads the duration ${text}`, () => {
      if (expected instanceof RegExp) assert.throws(() => parseDuration("--shutdown-delay", text), expected);
      else assert.equal(parseDuration("--shutdown-delay", text), expected);
    });
  }
  it("takes the Lease holder id from --identity, else POD_NAME, else the host name and a random suffix", () => {
    assert.equal(parseServeOptions(["--identity", "me"], { POD_NAME: "pod-1" }).holderId, "me");
    assert.equal(parseServeOptions([], { POD_NAME: "pod-1" }).holderId, "pod-1");
    const a = parseServeOptions([], {}).holderId;
    assert.match(a, /^.+_[0-9a-f-]{36}$/);
    assert.notEqual(a, parseServeOptions([], {}).holderId, "two processes on one host never share a holder id");
  });
  it("takes the namespace from POD_NAMESPACE when --namespace is not given", () => {
    assert.equal(parseServeOptions([], { POD_NAMESPACE: "platform" }).namespace, "platform");
    assert.equal(parseServeOptions([], {}).namespace, "hostgate-system");
    assert.equal(parseServeOptions(["--namespace", "x"], { POD_NAMESPACE: "platform" }).namespace, "x");
  });
});
