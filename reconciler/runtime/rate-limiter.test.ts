import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { ManualClock } from "../../core/clock.ts";
import { defaultControllerRateLimiter, ItemExponentialRateLimiter, MaxOfRateLimiter } from "./rate-limiter.ts";
import type { RateLimiter } from "./rate-limiter.ts";
import { TokenBucketRateLimiter } from "./token-bucket-rate-limiter.ts";

describe("ItemExponentialRateLimiter", () => {
  const cases: { name: string; options: { baseMs?: number; maxMs?: number }; delays: number[] }[] = [
    { name: "starts at 5 ms and doubles by default", options: {}, delays: [5, 10, 20, 40, 80, 160] },
    { name: "stops growing at the cap", options: { baseMs: 100, maxMs: 500 }, delays: [100, 200, 400, 500, 500] },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const limiter = new ItemExponentialRateLimiter(c.options);
      assert.deepEqual(
        c.delays.map(() => limiter.when("team-a/x")),
        c.delays,
      );
      assert.equal(limiter.numRequeues("team-a/x"), c.delays.length);
    });
  }

  it("caps at 5 minutes by default however many failures pile up", () => {
    const limiter = new ItemExponentialRateLimiter();
    for (let i = 0; i < 2000; i++) limiter.when("k");
    assert.equal(limiter.when("k"), 300_000);
  });

  it("counts each key separately, and forget starts one key over", () => {
    const limiter = new ItemExponentialRateLimiter();
    limiter.when("a");
    limiter.when("a");
    assert.equal(limiter.when("b"), 5);
    limiter.forget("a");
    assert.equal(limiter.numRequeues("a"), 0);
    assert.equal(limiter.when("a"), 5);
    assert.equal(limiter.numRequeues("b"), 1);
  });

  it("refuses a base or a cap that cannot work", () => {
    assert.throws(() => new ItemExponentialRateLimiter({ baseMs: 0 }), RangeError);
    assert.throws(() => new ItemExponentialRateLimiter({ baseMs: 10, maxMs: 5 }), RangeError);
  });
});

describe("TokenBucketRateLimiter", () => {
  it("lets a burst through at once, then spaces the rest at the refill rate", () => {
    const clock = new ManualClock();
    const bucket = new TokenBucketRateLimiter({ perSecond: 10, burst: 3 }, clock);
    assert.deepEqual(
      [1, 2, 3, 4, 5, 6].map((i) => bucket.when(`k${i}`)),
      [0, 0, 0, 100, 200, 300],
    );
  });

  it("refills over time, never beyond the burst", () => {
    const clock = new ManualClock();
    const bucket = new TokenBucketRateLimiter({ perSecond: 10, burst: 2 }, clock);
    bucket.when("a");
    bucket.when("a");
    clock.advance(100);
    assert.equal(bucket.when("a"), 0, "one token came back after 100 ms");
    assert.equal(bucket.when("a"), 100);
    clock.advance(60_000);
    assert.deepEqual([bucket.when("a"), bucket.when("a"), bucket.when("a")], [0, 0, 100], "a long quiet spell refills only `burst` tokens");
  });

  it("has nothing per key to count or forget", () => {
    const bucket = new TokenBucketRateLimiter({ perSecond: 1, burst: 1 }, new ManualClock());
    bucket.when("a");
    bucket.forget("a");
    assert.equal(bucket.numRequeues("a"), 0);
    assert.equal(bucket.when("a"), 1000, "forget does not hand the token back");
  });
});

describe("MaxOfRateLimiter", () => {
  function fixed(delay: number, requeues: number): RateLimiter & { forgotten: string[] } {
    const forgotten: string[] = [];
    return { forgotten, when: () => delay, forget: (key) => forgotten.push(key), numRequeues: () => requeues };
  }

  it("waits for the longest delay and the most requeues of its limiters, and forgets in all", () => {
    const a = fixed(5, 3);
    const b = fixed(40, 1);
    const limiter = new MaxOfRateLimiter(a, b);
    assert.equal(limiter.when("k"), 40);
    assert.equal(limiter.numRequeues("k"), 3);
    limiter.forget("k");
    assert.deepEqual([a.forgotten, b.forgotten], [["k"], ["k"]]);
  });

  it("by default backs off per key, and holds a storm of retries across keys to 10 a second after a burst of 100", () => {
    const clock = new ManualClock();
    const limiter = defaultControllerRateLimiter(clock);
    const delays = Array.from({ length: 102 }, (_, i) => limiter.when(`key-${i}`));
    assert.ok(
      delays.slice(0, 100).every((d) => d === 5),
      "the first 100 get the per-key 5 ms",
    );
    assert.deepEqual(delays.slice(100), [100, 200], "then the bucket's 10/s spacing wins");
    assert.equal(limiter.when("key-0"), 300, "the bucket still counts");
    assert.equal(limiter.numRequeues("key-0"), 2);
  });
});
