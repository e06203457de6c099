import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { ManualClock } from "../../core/clock.ts";
import { RecordingLogger } from "../../core/testing/recording-logger.ts";
import { Controller } from "./controller.ts";
import type { Reconcile, ReconcileResult } from "./controller.ts";

const flush = async (): Promise<void> => {
  for (let i = 0; i < 3; i++) await new Promise(setImmediate);
};

interface Call {
  key: string;
  signal: AbortSignal;
  finish: (result?: ReconcileResult) => void;
  fail: (error: unknown) => void;
}

/** A reconcile that records each call and returns only when the test says so. */
function scripted(): { reconcile: Reconcile; calls: Call[]; running: () => string[] } {
  const calls: Call[] = [];
  const open = new Set<Call>();
  const reconcile: Reconcile = (key, signal) =>
    new Promise<ReconcileResult | undefined>((resolve, reject) => {
      const call: Call = {
        key,
        signal,
        finish: (result) => {
          open.delete(call);
          resolve(result);
        },
        fail: (error) => {
          open.delete(call);
          reject(error);
        },
      };
      calls.push(call);
      open.add(call);
    });
  return { reconcile, calls, running: () => [...open].map((c) => c.key) };
}

function harness(workers?: number) {
  const clock = new ManualClock();
  const logger = new RecordingLogger();
  const script = scripted();
  const controller = new Controller({ name: "domainroutes", reconcile: script.reconcile, clock, logger, ...(workers === undefined ? {} : { workers }) });
  return { clock, logger, controller, ...script };
}

describe("Controller: workers", () => {
  it("reconciles every enqueued key, never more at once than it has workers", async () => {
    const h = harness(2);
    h.controller.start();
    for (const key of ["a", "b", "c", "d", "e"]) h.controller.enqueue(key);
    await flush();
    assert.deepEqual(h.running(), ["a", "b"]);
    h.calls[0]!.finish();
    await flush();
    assert.deepEqual(h.running(), ["b", "c"]);
    for (let i = 1; i < 5; i++) {
      h.calls[i]!.finish();
      await flush();
    }
    assert.deepEqual(
      h.calls.map((c) => c.key),
      ["a", "b", "c", "d", "e"],
    );
    assert.deepEqual(h.controller.stats(), { reconciles: 5, errors: 0, requeues: 0, inFlight: 0, queued: 0 });
    await h.controller.stop(1000);
  });

  it("runs two workers by default", async () => {
    const h = harness();
    h.controller.start();
    for (const key of ["a", "b", "c"]) h.controller.enqueue(key);
    await flush();
    assert.equal(h.running().length, 2);
    for (const call of h.calls) call.finish();
    await flush();
    for (const call of h.calls) call.finish();
    await h.controller.stop(1000);
  });

  it("never reconciles a key twice at once: enqueued while running, it runs again afterwards, once", async () => {
    const h = harness(4);
    h.controller.start();
    h.controller.enqueue("a");
    await flush();
    h.controller.enqueue("a");
    h.controller.enqueue("a");
    await flush();
    assert.deepEqual(h.running(), ["a"]);
    h.calls[0]!.finish();
    await flush();
    assert.deepEqual(h.running(), ["a"]);
    assert.equal(h.calls.length, 2);
    h.calls[1]!.finish();
    await flush();
    assert.equal(h.calls.length, 2);
    await h.controller.stop(1000);
  });

  it("refuses a worker count that is not a positive integer", () => {
    for (const workers of [0, -1, 1.5]) {
      assert.throws(() => new Controller({ name: "x", reconcile: async () => {}, workers }), RangeError);
    }
  });
});

describe("Controller: results and failures", () => {
  it("logs a failure once, with the key and message but no stack, and retries it with backoff", async () => {
    const h = harness(1);
    h.controller.start();
    h.controller.enqueue("team-a/web");
    await flush();
    h.calls[0]!.fail(new Error("webhook unavailable"));
    await flush();
    const errors = h.logger.at("error");
    assert.equal(errors.length, 1);
    assert.equal(errors[0]!.message, "domainroutes: reconciling team-a/web failed: webhook unavailable; retrying in 5 ms");
    assert.deepEqual(errors[0]!.fields, { controller: "domainroutes", key: "team-a/web", error: "webhook unavailable", retryInMs: 5, failures: 1 });
    assert.ok(!JSON.stringify(errors[0]).includes("    at "), "no stack trace");
    assert.equal(h.calls.length, 1);
    h.clock.advance(4);
    await flush();
    assert.equal(h.calls.length, 1, "not before the backoff");
    h.clock.advance(1);
    await flush();
    assert.equal(h.calls.length, 2);
    h.calls[1]!.fail("not even an Error");
    await flush();
    assert.equal(h.logger.at("error")[1]!.message, "domainroutes: reconciling team-a/web failed: not even an Error; retrying in 10 ms");
    h.clock.advance(10);
    await flush();
    h.calls[2]!.finish();
    await flush();
    assert.equal(h.controller.queue.numRequeues("team-a/web"), 0, "success forgets the backoff");
    assert.deepEqual(h.controller.stats(), { reconciles: 3, errors: 2, requeues: 2, inFlight: 0, queued: 0 });
    await h.controller.stop(1000);
  });

  it("treats a reconcile that throws synchronously like one that rejects", async () => {
    const clock = new ManualClock();
    const logger = new RecordingLogger();
    const controller = new Controller({
      name: "c",
      clock,
      logger,
      reconcile: (() => {
        throw new Error("boom");
      }) as Reconcile,
    });
    controller.start();
    controller.enqueue("k");
    await flush();
    assert.deepEqual(logger.messages("error"), ["c: reconciling k failed: boom; retrying in 5 ms"]);
    await controller.stop(1000);
  });

  it("reconciles a key again after the delay its reconcile asked for", async () => {
    const h = harness(1);
    h.controller.start();
    h.controller.enqueue("a");
    await flush();
    h.calls[0]!.finish({ requeueAfterMs: 30_000 });
    await flush();
    h.clock.advance(29_999);
    await flush();
    assert.equal(h.calls.length, 1);
    h.clock.advance(1);
    await flush();
    assert.equal(h.calls.length, 2);
    assert.equal(h.controller.stats().requeues, 1);
    h.calls[1]!.finish();
    await h.controller.stop(1000);
  });

  it("ignores, with a warning, a requeueAfterMs that is not a duration", async () => {
    const h = harness(1);
    h.controller.start();
    h.controller.enqueue("a");
    await flush();
    h.calls[0]!.finish({ requeueAfterMs: Number.NaN });
    await flush();
    assert.equal(h.clock.pendingTimers(), 0);
    assert.equal(h.controller.stats().requeues, 0);
    assert.match(h.logger.messages("warn")[0]!, /requeueAfterMs NaN, which is not a duration/);
    await h.controller.stop(1000);
  });
});

describe("Controller: stopping", () => {
  it("takes no more keys, waits for the reconciles in flight, and leaves their signal alone when they finish in time", async () => {
    const h = harness(1);
    h.controller.start();
    h.controller.enqueue("a");
    h.controller.enqueue("b");
    await flush();
    let stopped = false;
    void h.controller.stop(5000).then(() => (stopped = true));
    await flush();
    assert.equal(stopped, false);
    h.calls[0]!.finish({ requeueAfterMs: 10 });
    await flush();
    assert.equal(stopped, true);
    assert.equal(h.calls[0]!.signal.aborted, false);
    assert.deepEqual(
      h.calls.map((c) => c.key),
      ["a"],
      "b, still queued, is left alone",
    );
    assert.equal(h.clock.pendingTimers(), 0, "no timer left: neither the abort nor the requeue");
    assert.equal(h.controller.stats().requeues, 0, "a requeue asked for while stopping is not counted: it never happens");
  });

  it("aborts the signal of reconciles still running after the timeout, and resolves once they return", async () => {
    const h = harness(2);
    h.controller.start();
    h.controller.enqueue("a");
    h.controller.enqueue("b");
    await flush();
    let stopped = false;
    void h.controller.stop(5000).then(() => (stopped = true));
    h.clock.advance(4999);
    await flush();
    assert.equal(h.calls[0]!.signal.aborted, false);
    h.clock.advance(1);
    assert.equal(h.calls[0]!.signal.aborted, true);
    assert.match(h.logger.messages("warn")[0]!, /2 reconcile\(s\) still running 5000 ms after stop; aborting them/);
    h.calls[0]!.fail(new Error("aborted"));
    await flush();
    assert.equal(stopped, false, "b has not returned yet");
    h.calls[1]!.finish();
    await flush();
    assert.equal(stopped, true);
    assert.match(h.logger.messages("error")[0]!, /a failed: aborted; not retried, the controller is stopping/);
    assert.equal(h.clock.pendingTimers(), 0);
  });

  it("stops at once when never started, and start() afterwards runs nothing", async () => {
    const h = harness();
    h.controller.enqueue("a");
    await h.controller.stop(1000);
    h.controller.start();
    await flush();
    assert.equal(h.calls.length, 0);
  });
});
