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
import { freePort, postJson } from "./testing/http.ts";
import { parseDuration, parseListen, parseServeOptions } from "./serve-options.ts";

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
      const result = await runServe(["--tls-dir", join(temp(), "tls"), "--listen", `127.0.0.1:${await freePort()}`, "--health-listen", `127.0.0.1:${taken}`], deps);
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
    { name: "a state directory that does not exist", argv: ["serve", "--state", "/nonexistent/state", "--listen", "127.0.0.1:0", "--health-listen", "127.0.0.1:0", "--tls-dir", "/tmp/hostgate-unused"], message: /\/nonexistent\/state/ },
    { name: "a missing config file", argv: ["serve", "--config", "/nonexistent/config.yaml"], message: /\/nonexistent\/config\.yaml/ },
    { name: "a policies directory that does not exist", argv: ["serve", "--policies", "/nonexistent/policies"], message: /\/nonexistent\/policies/ },
    { name: "a bad log level", argv: ["serve", "--log-level", "loud"], message: /--log-level "loud" is not one of debug, info, warn, error, silent/ },
    { name: "a bad duration", argv: ["serve", "--shutdown-delay", "soon"], message: /--shutdown-delay "soon" is not a duration/ },
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
    await assert.rejects(runServe([], deps), (error: Error & { problems?: string[] }) => /cluster mode \(https:\/\/10\.0\.0\.1:443 \(in-cluster\)\) needs --config FILE/.test(error.problems?.join() ?? ""));
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
  it("takes the namespace from POD_NAMESPACE when --namespace is not given", () => {
    assert.equal(parseServeOptions([], { POD_NAMESPACE: "platform" }).namespace, "platform");
    assert.equal(parseServeOptions([], {}).namespace, "hostgate-system");
    assert.equal(parseServeOptions(["--namespace", "x"], { POD_NAMESPACE: "platform" }).namespace, "x");
  });
});
