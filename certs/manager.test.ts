import assert from "node:assert/strict";
import { X509Certificate } from "node:crypto";
import { describe, it } from "node:test";
import { ManualClock } from "../core/clock.ts";
import { CertificateManager } from "./manager.ts";
import type { CertificateManagerOptions } from "./manager.ts";
import { CA_BUNDLE_KEY, decodeCertificates, TLS_CERT_KEY } from "./stored-state.ts";
import type { TlsMaterial } from "./source.ts";
import { StoreConflictError } from "./store.ts";
import { FakePublisher } from "./testing/fake-publisher.ts";
import { bundleOf, caNameAt, countingIssuer, issuer, POLICY, runUntil, servingIssuerOf, step, T0 } from "./testing/fixtures.ts";
import { MemoryCertificateStore } from "./testing/memory-store.ts";
import { RecordingLogger } from "../core/testing/recording-logger.ts";

const MINUTE = 60_000;
const DAY = 86_400_000;

function setUp(options: Partial<CertificateManagerOptions> = {}) {
  const clock = new ManualClock(T0);
  const store = (options.store as MemoryCertificateStore | undefined) ?? new MemoryCertificateStore();
  const publisher = new FakePublisher();
  const logger = new RecordingLogger();
  const manager = new CertificateManager({ store, policy: POLICY, publisher, issuer, clock, logger, checkInterval: MINUTE, ...options });
  return { clock, store, publisher, logger, manager };
}

/** Lets pending promise callbacks run until `condition` holds (background checks are asynchronous). */
async function until(condition: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 1000; i++) {
    if (condition()) return;
    await new Promise((resolve) => setImmediate(resolve));
  }
  throw new Error(`timed out waiting for ${what}`);
}

const stored = (await step(undefined, T0)).data as Record<string, string>;

// A broken manager must fail these tests, not hang them on a timer nobody advances.
describe("CertificateManager", { timeout: 10_000 }, () => {
  it("creates a CA and a serving certificate in an empty store, publishes the bundle and serves the pair", async () => {
    const { store, publisher, manager } = setUp();
    await manager.start();
    const material = manager.current();
    assert.equal(store.writes, 1);
    assert.equal(material.cert, store.data?.[TLS_CERT_KEY]);
    assert.equal(material.ca, store.data?.[CA_BUNDLE_KEY]);
    assert.deepEqual(publisher.published, [material.ca]);
    assert.ok(new X509Certificate(material.cert).checkIssued(new X509Certificate(material.ca)));
    assert.deepEqual(manager.valid(new Date(T0)), { valid: true, reason: `the serving certificate is valid until ${material.notAfter.toISOString()}` });
    assert.equal(manager.problem(new Date(T0)), undefined);
    assert.equal(manager.notAfter()?.getTime(), T0 + 90 * DAY);
    manager.stop();
  });

  it("adopts valid stored certificates without signing or writing anything", async () => {
    const counting = countingIssuer();
    const { store, manager } = setUp({ store: new MemoryCertificateStore(stored), issuer: counting });
    await manager.start();
    assert.equal(manager.current().cert, stored[TLS_CERT_KEY]);
    assert.deepEqual([store.writes, counting.authorities, counting.servings], [0, 0, 0]);
    manager.stop();
  });

  it("regenerates stored garbage and logs what it discarded and why", async () => {
    const { store, logger, manager } = setUp({ store: new MemoryCertificateStore({ ...stored, [TLS_CERT_KEY]: "garbage" }) });
    await manager.start();
    assert.equal(store.writes, 1);
    assert.notEqual(manager.current().cert, stored[TLS_CERT_KEY]);
    const warning = logger.at("warn").find((e) => e.message === "discarding unusable stored certificate data");
    assert.match(String(warning?.fields.problem), /tls\.crt holds no usable certificate \(no PEM CERTIFICATE block\)/);
    assert.ok(logger.at("info").some((e) => e.message === "certificates updated" && /issuing one from CA/.test(String(e.fields.reason))));
    manager.stop();
  });

  it("lets two replicas starting on an empty store converge on one CA, with one write and no clobbering", async () => {
    const store = new MemoryCertificateStore();
    const a = setUp({ store });
    const b = setUp({ store });
    await Promise.all([a.manager.start(), b.manager.start()]);
    assert.equal(store.writes, 1, "the loser re-read instead of writing its own");
    assert.equal(store.conflicts, 1);
    assert.equal(a.manager.current().cert, b.manager.current().cert);
    assert.equal(a.manager.current().cert, store.data?.[TLS_CERT_KEY]);
    a.manager.stop();
    b.manager.stop();
  });

  it("re-reads and re-plans when another replica writes between its read and its write", async () => {
    const other = (await step(undefined, T0)).data as Record<string, string>;
    const { store, logger, manager } = setUp();
    store.beforeWrite = () => {
      store.data = other; // another replica's complete, valid certificates
      store.version++;
    };
    await manager.start();
    assert.equal(manager.current().cert, other[TLS_CERT_KEY], "it adopted the other replica's certificate");
    assert.equal(store.data, other, "and wrote nothing over it");
    assert.ok(logger.at("info").some((e) => e.message === "another replica changed the certificates first; re-reading them"));
    manager.stop();
  });

  it("counts a check that keeps conflicting as failed, without writing", async () => {
    const { store, manager } = setUp({ maxConflicts: 2 });
    const realWrite = store.write.bind(store);
    store.write = async () => {
      store.conflicts++;
      throw new StoreConflictError("always stale");
    };
    const result = await manager.check();
    assert.deepEqual({ ok: result.ok, error: result.error }, { ok: false, error: "always stale" });
    assert.equal(store.conflicts, 3, "the first attempt and two retries");
    assert.equal(manager.status().consecutiveFailures, 1);
    store.write = realWrite;
  });

  it("keeps serving the last good certificate while checks fail, backs off, and recovers", async () => {
    const { clock, store, logger, manager } = setUp({ store: new MemoryCertificateStore(stored) });
    await manager.start();
    const served = manager.current().cert;
    assert.deepEqual(clock.pendingDelays(), [MINUTE]);

    store.failReads.push(new Error("reading Secret hostgate-system/hostgate-webhook-tls failed (HTTP 503)"), new Error("HTTP 503"));
    clock.advance(MINUTE);
    await manager.idle();
    assert.equal(manager.current().cert, served);
    const validity = manager.valid();
    assert.equal(validity.valid, true, "an API outage does not make the pod unready");
    assert.match(
      validity.reason,
      /valid until .*; the last 1 certificate check\(s\) failed: reading Secret hostgate-system\/hostgate-webhook-tls failed \(HTTP 503\)/,
    );
    assert.deepEqual(clock.pendingDelays(), [1_000], "first retry after 1 s");
    assert.ok(logger.at("error").some((e) => e.message === "certificate check failed; still serving the current certificate"));

    clock.advance(1_000);
    await manager.idle();
    assert.deepEqual(clock.pendingDelays(), [2_000], "then 2 s");

    clock.advance(2_000);
    await manager.idle();
    assert.equal(manager.status().consecutiveFailures, 0);
    assert.doesNotMatch(manager.valid().reason, /failed/);
    assert.deepEqual(clock.pendingDelays(), [MINUTE]);
    manager.stop();
  });

  it("renews on schedule and tells its listeners, so the server can swap the certificate", async () => {
    const { clock, manager } = setUp({ store: new MemoryCertificateStore(stored), checkInterval: 30 * DAY });
    await manager.start();
    const changes: TlsMaterial[] = [];
    manager.onChange((m) => changes.push(m));
    // The first wake-up is capped by the interval (30 days), the second is the renewal point (~60 days).
    clock.advance(30 * DAY);
    await manager.idle();
    assert.equal(changes.length, 0);
    const renewal = clock.pendingDelays()[0] as number;
    assert.ok(renewal < 30 * DAY && renewal > 29 * DAY, `woke for the renewal point, ${renewal} ms ahead`);
    clock.advance(renewal);
    await manager.idle();
    assert.equal(changes.length, 1);
    assert.equal(changes[0]?.cert, manager.current().cert);
    assert.notEqual(changes[0]?.cert, stored[TLS_CERT_KEY]);
    manager.stop();
  });

  it("adopts what another replica wrote at its next periodic check", async () => {
    const store = new MemoryCertificateStore(stored);
    const { clock, manager } = setUp({ store });
    await manager.start();
    const changes: string[] = [];
    manager.onChange((m) => changes.push(m.cert));
    const renewed = (await step({ ...stored, [TLS_CERT_KEY]: "" }, T0)).data as Record<string, string>;
    store.data = renewed;
    store.version++;
    clock.advance(MINUTE);
    await manager.idle();
    assert.deepEqual(changes, [renewed[TLS_CERT_KEY]]);
    manager.stop();
  });

  it("keeps calling the other listeners when one throws, and logs it", async () => {
    const { clock, store, logger, manager } = setUp({ store: new MemoryCertificateStore(stored) });
    await manager.start();
    const seen: string[] = [];
    manager.onChange(() => {
      throw new Error("listener broke");
    });
    const unsubscribe = manager.onChange((m) => seen.push(m.cert));
    store.data = (await step({ ...stored, [TLS_CERT_KEY]: "" }, T0)).data;
    store.version++;
    clock.advance(MINUTE);
    await manager.idle();
    assert.equal(seen.length, 1);
    assert.ok(logger.at("error").some((e) => e.fields.error === "listener broke"));
    unsubscribe();
    manager.stop();
  });

  it("starts serving even when publishing fails (the webhook configuration may not exist yet), and reports it", async () => {
    const { publisher, manager } = setUp();
    publisher.failing = "ValidatingWebhookConfiguration hostgate-validating does not exist (apply the manifests in deploy/; retrying)";
    await manager.start();
    assert.ok(manager.current().cert);
    assert.equal(manager.status().consecutiveFailures, 1);
    assert.match(manager.status().lastError ?? "", /hostgate-validating does not exist/);
    manager.stop();
  });

  it("retries at start until the store answers, then resolves", async () => {
    const { clock, store, manager } = setUp();
    store.failReads.push(new Error("connect ECONNREFUSED"), new Error("connect ECONNREFUSED"));
    let started = false;
    const starting = manager.start().then(() => (started = true));
    await until(() => clock.pendingTimers() === 1, "the first retry timer");
    assert.equal(manager.valid().valid, false);
    assert.match(manager.valid().reason, /there is no serving certificate yet; the last 1 certificate check\(s\) failed: connect ECONNREFUSED/);
    clock.advance(1_000);
    await until(() => clock.pendingDelays()[0] === 2_000, "the second retry timer");
    clock.advance(2_000);
    await starting;
    assert.ok(started);
    assert.equal(store.writes, 1);
    manager.stop();
  });

  it("rejects start() with the last error when stopped before any certificate was available", async () => {
    const { clock, store, manager } = setUp();
    store.failReads.push(new Error("forbidden: cannot get secrets"));
    const starting = manager.start();
    await until(() => clock.pendingTimers() === 1, "the retry timer");
    manager.stop();
    await assert.rejects(starting, /stopped before a serving certificate was available \(last error: forbidden: cannot get secrets\)/);
    assert.equal(clock.pendingTimers(), 0);
  });

  it("leaves no timer behind after stop()", async () => {
    const { clock, manager } = setUp({ store: new MemoryCertificateStore(stored) });
    await manager.start();
    assert.equal(clock.pendingTimers(), 1);
    manager.stop();
    manager.stop();
    assert.equal(clock.pendingTimers(), 0);
  });

  it("throws a clear error when asked for the certificate before start()", () => {
    assert.throws(() => setUp().manager.current(), /no serving certificate yet: await start\(\) before serving/);
  });
});

describe("CertificateManager during a CA rotation", { timeout: 10_000 }, () => {
  it("moves the serving certificate to the new CA only after publishing the bundle that holds it", async () => {
    const start = (await step(undefined, T0)).data as Record<string, string>;
    const ca1 = decodeCertificates(start).authorities[0]?.certificate;
    assert.ok(ca1);
    const rotateAt = ca1.notBefore.getTime() + ((ca1.notAfter.getTime() - ca1.notBefore.getTime()) * 2) / 3;
    const rotating = await runUntil(start, T0, rotateAt + 1000);
    assert.deepEqual(bundleOf(rotating), [`${caNameAt(T0)}*`, `${caNameAt(rotateAt)}*`]);
    const switchAt = Math.floor(rotateAt / 1000) * 1000 + POLICY.overlap;

    // A replica that starts after the overlap has passed, while publishing fails.
    const store = new MemoryCertificateStore(rotating);
    const publisher = new FakePublisher();
    publisher.failing = "the API server is unavailable";
    const clock = new ManualClock(switchAt + DAY);
    const manager = new CertificateManager({ store, policy: POLICY, publisher, issuer, clock });
    await manager.check();
    assert.equal(servingIssuerOf(store.data), caNameAt(T0), "no switch before this replica has published the bundle");

    publisher.failing = undefined;
    await manager.check();
    assert.deepEqual(publisher.published, [rotating?.[CA_BUNDLE_KEY]], "the bundle with both CAs went out");
    assert.equal(servingIssuerOf(store.data), caNameAt(T0), "the switch is planned on the next check");

    await manager.check();
    assert.equal(servingIssuerOf(store.data), caNameAt(rotateAt));
    assert.equal(manager.current().cert, store.data?.[TLS_CERT_KEY]);
    manager.stop();
  });
});
