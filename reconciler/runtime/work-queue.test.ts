import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { ManualClock } from "../../core/clock.ts";
import { ItemExponentialRateLimiter } from "./rate-limiter.ts";
import { WorkQueue } from "./work-queue.ts";

const flush = (): Promise<void> => new Promise(setImmediate);

/** Collects a get()'s result once it resolves, so a test can see whether it did. */
function pending(promise: Promise<string | undefined>): { settled: boolean; value: string | undefined } {
  const state = { settled: false, value: undefined as string | undefined };
  void promise.then((value) => {
    state.settled = true;
    state.value = value;
  });
  return state;
}

function queue(): { clock: ManualClock; q: WorkQueue } {
  const clock = new ManualClock();
  return { clock, q: new WorkQueue({ clock }) };
}

describe("WorkQueue: adding and getting", () => {
  it("hands keys out in the order they were first added, each once however often it was added", async () => {
    const { q } = queue();
    for (const key of ["a", "b", "a", "c", "b", "a"]) q.add(key);
    assert.equal(q.len(), 3);
    assert.deepEqual([await q.get(), await q.get(), await q.get()], ["a", "b", "c"]);
    assert.equal(q.len(), 0);
  });

  it("makes get() wait for the next key, serving waiting workers first come first served", async () => {
    const { q } = queue();
    const first = pending(q.get());
    const second = pending(q.get());
    await flush();
    assert.equal(first.settled, false);
    q.add("a");
    await flush();
    assert.deepEqual([first.settled, first.value, second.settled], [true, "a", false]);
    q.add("b");
    await flush();
    assert.equal(second.value, "b");
  });

  it("never hands a key being processed to a second worker: re-added, it comes back after done()", async () => {
    const { q } = queue();
    q.add("a");
    assert.equal(await q.get(), "a");
    q.add("a");
    q.add("a");
    assert.equal(q.len(), 0, "not queued while a worker holds it");
    const other = pending(q.get());
    await flush();
    assert.equal(other.settled, false);
    q.done("a");
    await flush();
    assert.equal(other.value, "a", "queued once again at done");
    q.done("a");
    assert.equal(q.len(), 0, "no further copy");
  });

  it("forgets a key processed and done without being re-added", async () => {
    const { q } = queue();
    q.add("a");
    await q.get();
    q.done("a");
    assert.equal(q.len(), 0);
    q.add("a");
    assert.equal(q.len(), 1, "a later add queues it again");
  });

  it("ignores done() for a key it did not hand out: the key stays queued, once", async () => {
    const { q } = queue();
    q.add("a");
    q.done("a");
    q.done("never-added");
    assert.equal(q.len(), 1);
    assert.equal(await q.get(), "a");
    assert.equal(q.len(), 0);
  });
});

describe("WorkQueue: delays and rate limiting", () => {
  it("adds a key after its delay, not before", async () => {
    const { clock, q } = queue();
    q.addAfter("a", 1000);
    clock.advance(999);
    assert.equal(q.len(), 0);
    assert.equal(q.delayedLen(), 1);
    clock.advance(1);
    assert.equal(q.len(), 1);
    assert.equal(q.delayedLen(), 0);
  });

  it("keeps the earlier time when a key waiting is added after another delay", () => {
    const { clock, q } = queue();
    q.addAfter("a", 1000);
    q.addAfter("a", 5000);
    q.addAfter("b", 5000);
    q.addAfter("b", 1000);
    assert.deepEqual(clock.pendingDelays(), [1000, 1000], "one timer per key, at the sooner time");
    clock.advance(1000);
    assert.equal(q.len(), 2);
    clock.advance(10_000);
    assert.equal(q.len(), 2, "no second add from the later time");
  });

  it("adds at once for a delay of zero or less", () => {
    const { clock, q } = queue();
    q.addAfter("a", 0);
    q.addAfter("b", -5);
    assert.equal(q.len(), 2);
    assert.equal(clock.pendingTimers(), 0);
  });

  it("backs a failing key off exponentially, and forget starts it over", () => {
    const { clock, q } = queue();
    const delays = [q.addRateLimited("a")];
    clock.advance(5);
    delays.push(q.addRateLimited("a"));
    clock.advance(10);
    delays.push(q.addRateLimited("a"));
    assert.deepEqual(delays, [5, 10, 20]);
    assert.equal(q.numRequeues("a"), 3);
    q.forget("a");
    assert.equal(q.numRequeues("a"), 0);
    assert.equal(q.addRateLimited("a"), 5);
  });

  it("uses the rate limiter it is given", () => {
    const clock = new ManualClock();
    const q = new WorkQueue({ clock, rateLimiter: new ItemExponentialRateLimiter({ baseMs: 1000, maxMs: 1000 }) });
    assert.equal(q.addRateLimited("a"), 1000);
    assert.deepEqual(clock.pendingDelays(), [1000]);
  });
});

describe("WorkQueue: shutting down", () => {
  it("tells waiting workers there is no more, ignores later adds and drops delayed keys", async () => {
    const { clock, q } = queue();
    const waiting = pending(q.get());
    q.addAfter("later", 1000);
    q.shutDown();
    await flush();
    assert.deepEqual([waiting.settled, waiting.value], [true, undefined]);
    assert.equal(clock.pendingTimers(), 0, "no timer left behind");
    q.add("a");
    q.addAfter("b", 10);
    q.addRateLimited("c");
    assert.equal(q.len(), 0);
    assert.equal(clock.pendingTimers(), 0);
    assert.equal(await q.get(), undefined);
    assert.equal(q.isShuttingDown(), true);
  });

  it("still hands out keys queued before the shutdown, then undefined", async () => {
    const { q } = queue();
    q.add("a");
    q.shutDown();
    assert.equal(await q.get(), "a");
    assert.equal(await q.get(), undefined);
  });

  it("with drain, resolves only once every key handed out is done", async () => {
    const { q } = queue();
    q.add("a");
    q.add("b");
    await q.get();
    await q.get();
    let drained = false;
    void q.shutDownWithDrain().then(() => (drained = true));
    q.done("a");
    await flush();
    assert.equal(drained, false, "b is still being processed");
    q.done("b");
    await flush();
    assert.equal(drained, true);
  });

  it("with drain and nothing in flight, resolves at once", async () => {
    const { q } = queue();
    await q.shutDownWithDrain();
    assert.equal(q.isShuttingDown(), true);
  });
});
