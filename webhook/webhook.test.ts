import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { connect as netConnect } from "node:net";
import { connect } from "node:tls";
import type { TLSSocket } from "node:tls";
import { localCertificates } from "../certs/index.ts";
import type { TlsMaterial } from "../certs/index.ts";
import { silentLogger } from "../core/logger.ts";
import type { LoadedEnvironment } from "../core/environment.ts";
import { startWebhook } from "./webhook.ts";
import type { PolicyStateSource, RunningWebhook, ServingCertificate } from "./webhook.ts";
import { admissionReview, exampleEnvironment } from "./testing/reviews.ts";

/** A state source whose sync the test controls. */
class FakeState implements PolicyStateSource {
  isSynced = false;
  readonly cluster: unknown;
  constructor(cluster: unknown) {
    this.cluster = cluster;
  }
  synced() {
    return this.isSynced;
  }
  current() {
    return this.cluster;
  }
  counts() {
    return { hostnameGrants: 3, domainRoutes: 4, domains: 4, appIds: 2, grantedNamespaces: 2 };
  }
}

/** A certificate source the test can rotate by hand. */
class SwitchableCertificate implements ServingCertificate {
  #listeners: Array<() => void> = [];
  material: TlsMaterial;
  constructor(material: TlsMaterial) {
    this.material = material;
  }
  current() {
    return this.material;
  }
  onChange(listener: () => void) {
    this.#listeners.push(listener);
  }
  rotate(material: TlsMaterial) {
    this.material = material;
    for (const l of this.#listeners) l();
  }
  problem(now: Date) {
    return now < this.material.notAfter ? undefined : "expired";
  }
  notAfter() {
    return this.material.notAfter;
  }
}

const dirs: string[] = [];
async function issueLocal(): Promise<TlsMaterial> {
  const dir = mkdtempSync(join(tmpdir(), "hostgate-webhook-test-"));
  dirs.push(dir);
  const manager = localCertificates({ dir, hosts: ["127.0.0.1", "localhost"] });
  await manager.start();
  const material = manager.current();
  manager.stop();
  return material;
}

let env: LoadedEnvironment;
let pairA: TlsMaterial;
let pairB: TlsMaterial;
before(async () => {
  env = await exampleEnvironment();
  [pairA, pairB] = await Promise.all([issueLocal(), issueLocal()]);
});
after(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

async function start(options: { state?: FakeState; certificate?: SwitchableCertificate; shutdownDelayMs?: number; shutdownTimeoutMs?: number } = {}) {
  const state = options.state ?? Object.assign(new FakeState(env.verdict.cluster), { isSynced: true });
  const certificate = options.certificate ?? new SwitchableCertificate(pairA);
  const webhook = await startWebhook({
    policies: env.policies,
    config: env.verdict.config,
    state,
    certificate,
    listen: { host: "127.0.0.1", port: 0 },
    healthListen: { host: "127.0.0.1", port: 0 },
    logger: silentLogger,
    shutdownDelayMs: options.shutdownDelayMs ?? 0,
    shutdownTimeoutMs: options.shutdownTimeoutMs ?? 2000,
    defaultMetrics: false,
  });
  return { webhook, state, certificate };
}

const portOf = (webhook: RunningWebhook) => Number(new URL(webhook.url).port);

/** Opens a TLS connection trusting only `ca`. */
function tlsConnect(webhook: RunningWebhook, ca: string, servername = "localhost"): Promise<TLSSocket> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: "127.0.0.1", port: portOf(webhook), ca, servername }, () => resolve(socket));
    socket.once("error", reject);
  });
}

/** Sends raw HTTP over the socket and collects the response text until the server closes or `until` matches. */
function readResponse(socket: TLSSocket, until: RegExp = /\r\n\r\n[\s\S]*\}$/): Promise<string> {
  return new Promise((resolve) => {
    let text = "";
    const done = () => resolve(text);
    socket.on("data", (chunk: Buffer) => {
      text += chunk.toString();
      if (until.test(text)) done();
    });
    socket.once("end", done);
    socket.once("close", done);
  });
}

function reviewRequest(body: string): { head: string; body: string } {
  return { head: `POST /validate HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n`, body };
}

async function postReview(webhook: RunningWebhook, body: string): Promise<string> {
  const socket = await tlsConnect(webhook, pairA.ca);
  const response = readResponse(socket);
  const request = reviewRequest(body);
  socket.write(request.head + request.body);
  const text = await response;
  socket.destroy();
  return text;
}

/** Resolves with what the socket received once `pattern` matches it; rejects if it closes first. */
function received(socket: TLSSocket, pattern: RegExp): Promise<string> {
  return new Promise((resolve, reject) => {
    let text = "";
    const onData = (chunk: Buffer) => {
      text += chunk.toString();
      if (!pattern.test(text)) return;
      socket.off("data", onData);
      resolve(text);
    };
    socket.on("data", onData);
    socket.once("close", () => reject(new Error(`the connection closed before ${pattern} came; received: ${text}`)));
  });
}

/** A promise whose settling can be looked at without awaiting it. */
function track<T>(promise: Promise<T>): { promise: Promise<T>; settled: () => boolean } {
  let settled = false;
  const settle = () => {
    settled = true;
  };
  promise.then(settle, settle);
  return { promise, settled: () => settled };
}

/**
 * Whether `tracked` settles within `turns` turns of the event loop (counted
 * with setImmediate, which the mock clock leaves alone): a bound in steps of
 * work, not in time, so a loaded machine takes longer but answers the same.
 */
async function settlesWithin(tracked: { settled: () => boolean }, turns: number): Promise<boolean> {
  for (let i = 0; i < turns && !tracked.settled(); i++) await new Promise((resolve) => setImmediate(resolve));
  return tracked.settled();
}

const catalogReview = () =>
  JSON.stringify(
    admissionReview(
      {
        apiVersion: "hostgate.dev/v1alpha1",
        kind: "DomainRoute",
        metadata: { name: "catalog", namespace: "team-a" },
        spec: { domain: "catalog.shop.example.com", lb: "alb-in", backend: { service: { name: "catalog", port: 8080 } } },
      },
      { uid: "u-inflight" },
    ),
  );

describe("readiness", () => {
  it("reports not ready until the cluster cache has synced, then ready", async () => {
    const state = new FakeState(env.verdict.cluster);
    const { webhook } = await start({ state });
    try {
      const before = await fetch(`${webhook.healthUrl}/readyz`);
      assert.equal(before.status, 503);
      const text = await before.text();
      assert.match(text, /\[-\]cache failed: the cluster cache has not completed its first sync/);
      assert.match(text, /\[\+\]policies ok/);
      assert.match(text, /\[\+\]certificate ok/);

      // A review that reaches an unsynced webhook anyway is denied, never judged on partial state.
      const early = await postReview(webhook, catalogReview());
      assert.match(
        early,
        /"allowed":false,"status":\{"code":503,"reason":"ServiceUnavailable","message":"hostgate cannot judge this request yet \(the cluster cache has not completed its first sync\)/,
      );

      state.isSynced = true;
      assert.match(await postReview(webhook, catalogReview()), /"allowed":true/);
      const afterSync = await fetch(`${webhook.healthUrl}/readyz`);
      assert.equal(afterSync.status, 200);
      assert.equal(await afterSync.text(), "ok\n");
      const verbose = await (await fetch(`${webhook.healthUrl}/readyz?verbose`)).text();
      assert.match(verbose, /readyz check passed/);
    } finally {
      await webhook.stop();
    }
  });

  it("reports not ready when the serving certificate has expired", async () => {
    const certificate = new SwitchableCertificate({ ...pairA, notAfter: new Date(Date.now() - 1000) });
    const { webhook } = await start({ certificate });
    try {
      const res = await fetch(`${webhook.healthUrl}/readyz`);
      assert.equal(res.status, 503);
      assert.match(await res.text(), /\[-\]certificate failed: expired/);
    } finally {
      await webhook.stop();
    }
  });

  it("stays alive (/healthz 200) whatever readiness says", async () => {
    const { webhook } = await start({ state: new FakeState(env.verdict.cluster) });
    try {
      assert.equal((await fetch(`${webhook.healthUrl}/healthz`)).status, 200);
    } finally {
      await webhook.stop();
    }
  });

  it("serves Prometheus metrics with cache sizes and certificate expiry on the health port", async () => {
    const { webhook } = await start();
    try {
      const text = await (await fetch(`${webhook.healthUrl}/metrics`)).text();
      assert.match(text, /hostgate_cache_objects\{index="domainRoutes"\} 4/);
      assert.match(text, /hostgate_cache_synced 1/);
      assert.match(text, new RegExp(`hostgate_serving_certificate_expiry_timestamp_seconds ${pairA.notAfter.getTime() / 1000}`));
      assert.match(text, /hostgate_policies_loaded \d+/);
    } finally {
      await webhook.stop();
    }
  });
});

describe("TLS", () => {
  it("serves reviews over HTTPS to a client that trusts the CA", async () => {
    const { webhook } = await start();
    try {
      const socket = await tlsConnect(webhook, pairA.ca);
      const { head, body } = reviewRequest(catalogReview());
      const response = readResponse(socket);
      socket.write(head + body);
      const text = await response;
      assert.match(text, /^HTTP\/1\.1 200/);
      assert.match(text, /"uid":"u-inflight","allowed":true/);
      socket.destroy();
    } finally {
      await webhook.stop();
    }
  });

  it("swaps in a rotated certificate without a restart: new connections get the new one", async () => {
    const certificate = new SwitchableCertificate(pairA);
    const { webhook } = await start({ certificate });
    try {
      await assert.rejects(
        tlsConnect(webhook, pairB.ca),
        /self-signed|unable to verify|certificate/i,
        "before rotation, pair B's CA does not verify the server",
      );
      certificate.rotate(pairB);
      const socket = await tlsConnect(webhook, pairB.ca);
      assert.equal(socket.authorized, true);
      socket.destroy();
      await assert.rejects(tlsConnect(webhook, pairA.ca), /self-signed|unable to verify|certificate/i, "after rotation, the old pair is no longer served");
    } finally {
      await webhook.stop();
    }
  });
});

describe("graceful shutdown", () => {
  it("finishes a review that is in flight when SIGTERM-style stop begins, then refuses new connections", async () => {
    const { webhook } = await start({ shutdownDelayMs: 300, shutdownTimeoutMs: 5000 });
    const socket = await tlsConnect(webhook, pairA.ca);
    const { head, body } = reviewRequest(catalogReview());
    const response = readResponse(socket);
    // Half the body now, the rest after shutdown has begun.
    socket.write(head + body.slice(0, 100));
    await new Promise((resolve) => setTimeout(resolve, 50));
    const stopping = webhook.stop();
    await new Promise((resolve) => setTimeout(resolve, 50));
    const readyz = await fetch(`${webhook.healthUrl}/readyz`);
    assert.equal(readyz.status, 503, "readiness fails as soon as shutdown begins");
    assert.match(await readyz.text(), /\[-\]shutdown failed: shutting down/);
    socket.write(body.slice(100));
    const text = await response;
    assert.match(text, /^HTTP\/1\.1 200/);
    assert.match(text, /connection: close/i, "the client is told to reconnect elsewhere");
    assert.match(text, /"uid":"u-inflight","allowed":true/);
    const result = await stopping;
    assert.deepEqual(result, { forced: false });
    await assert.rejects(tlsConnect(webhook, pairA.ca), /ECONNREFUSED/);
  });

  // The shutdown timer runs on a mock clock: stop must resolve exactly when
  // the timeout passes, whatever time the machine takes to get there.
  it("cuts a request that does not finish within the shutdown timeout, and still stops", async (t) => {
    const { webhook } = await start({ shutdownTimeoutMs: 200 });
    const socket = await tlsConnect(webhook, pairA.ca);
    const closed = new Promise((resolve) => socket.once("close", resolve));
    socket.on("error", () => {});
    const { head, body } = reviewRequest(catalogReview());
    // `100 Continue` comes once the server has read the headers: from then on the request is in flight.
    const inFlight = received(socket, /^HTTP\/1\.1 100 Continue\r\n\r\n/);
    socket.write(head.replace("\r\n\r\n", "\r\nExpect: 100-continue\r\n\r\n") + body.slice(0, 10));
    await inFlight;
    t.mock.timers.enable({ apis: ["setTimeout"] });
    const stopping = track(webhook.stop());
    try {
      t.mock.timers.tick(199);
      assert.equal(await settlesWithin(stopping, 20), false, "stop waits for the request in flight until the timeout");
      t.mock.timers.tick(1);
      assert.equal(await settlesWithin(stopping, 200), true, "stop resolves when the timeout passes");
      assert.deepEqual(await stopping.promise, { forced: true });
      await closed;
    } finally {
      // Whatever failed, the shutdown timer fires, so the server closes and the test process can end.
      t.mock.timers.runAll();
    }
  });

  it("does not let a connection that never starts its TLS handshake hold shutdown past the timeout", async (t) => {
    const { webhook } = await start({ shutdownTimeoutMs: 300 });
    const raw = netConnect({ host: "127.0.0.1", port: portOf(webhook) });
    raw.on("error", () => {});
    await new Promise((resolve) => raw.once("connect", resolve));
    // A review answered on a later connection: connections are accepted in order, so the raw one is the server's by now.
    assert.match(await postReview(webhook, catalogReview()), /"allowed":true/);
    t.mock.timers.enable({ apis: ["setTimeout"] });
    const stopping = track(webhook.stop());
    try {
      t.mock.timers.tick(299);
      assert.equal(await settlesWithin(stopping, 20), false, "the handshaking connection holds shutdown until the timeout");
      t.mock.timers.tick(1);
      assert.equal(await settlesWithin(stopping, 200), true, "stop resolves when the timeout passes");
      assert.deepEqual(await stopping.promise, { forced: true });
    } finally {
      t.mock.timers.runAll();
      raw.destroy();
    }
  });

  it("closes idle keep-alive connections at once", async () => {
    const { webhook } = await start({ shutdownTimeoutMs: 5000 });
    const socket = await tlsConnect(webhook, pairA.ca);
    const { head, body } = reviewRequest(catalogReview());
    const response = readResponse(socket);
    socket.write(head + body);
    await response;
    const closed = new Promise((resolve) => socket.once("close", resolve));
    // Not forced: the idle connection was closed as shutdown began, not cut at the 5 s timeout (keep-alive alone would hold it 65 s).
    assert.deepEqual(await webhook.stop(), { forced: false });
    await closed;
  });

  it("can be stopped twice", async () => {
    const { webhook } = await start();
    const [a, b] = await Promise.all([webhook.stop(), webhook.stop()]);
    assert.deepEqual(a, b);
  });
});
