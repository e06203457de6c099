import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { Backoff, backoffDelay } from "./backoff.ts";

describe("Backoff", () => {
  const cases: { name: string; random: number; jitter: number; delays: number[] }[] = [
    { name: "doubles from the initial delay up to the cap when jitter draws nothing off", random: 0, jitter: 0.5, delays: [100, 200, 400, 800, 1000, 1000] },
    { name: "draws up to `jitter` of each delay off, never exceeding the cap", random: 0.999, jitter: 0.5, delays: [50, 100, 200, 400, 500, 500] },
    { name: "without jitter the delays are exact", random: 0.7, jitter: 0, delays: [100, 200, 400, 800, 1000, 1000] },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const backoff = new Backoff({ initialMs: 100, maxMs: 1000, factor: 2, jitter: c.jitter }, () => c.random);
      assert.deepEqual(
        c.delays.map(() => backoff.next()),
        c.delays,
      );
      assert.equal(backoff.failures, c.delays.length);
    });
  }

  it("starts again from the initial delay after reset()", () => {
    const backoff = new Backoff({ initialMs: 100, maxMs: 1000, factor: 2, jitter: 0 }, () => 0);
    backoff.next();
    backoff.next();
    backoff.reset();
    assert.equal(backoff.failures, 0);
    assert.equal(backoff.next(), 100);
  });

  it("stays at the cap however many failures pile up", () => {
    const backoff = new Backoff({ initialMs: 100, maxMs: 1000, factor: 2, jitter: 0 }, () => 0);
    for (let i = 0; i < 2000; i++) backoff.next();
    assert.equal(backoff.next(), 1000);
  });

  it("refuses options that cannot work, naming each", () => {
    assert.throws(
      () => new Backoff({ initialMs: 0, maxMs: -1, factor: 0.5, jitter: 2 }, Math.random),
      (e: unknown) =>
        e instanceof RangeError &&
        e.message ===
          "invalid backoff options: initialMs must be > 0 (got 0); maxMs must be >= initialMs (got -1); factor must be >= 1 (got 0.5); jitter must be within 0..1 (got 2)",
    );
  });
});

describe("backoffDelay", () => {
  const backoff = { initialMs: 1_000, maxMs: 60_000, factor: 2 };
  const cases: [failures: number, delay: number][] = [
    [1, 1_000],
    [2, 2_000],
    [3, 4_000],
    [6, 32_000],
    [7, 60_000],
    [1_000, 60_000],
  ];
  for (const [failures, delay] of cases)
    it(`waits ${delay} ms after ${failures} consecutive failure(s)`, () => assert.equal(backoffDelay(failures, backoff), delay));
});
