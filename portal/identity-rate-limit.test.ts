import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { ManualClock } from "../core/clock.ts";
import { IdentityRateLimit } from "./identity-rate-limit.ts";

describe("the per-person dry-run bound", () => {
  it("allows the burst at once, then refuses until tokens come back at the rate", () => {
    const clock = new ManualClock();
    const limit = new IdentityRateLimit({ perSecond: 5, burst: 3 }, clock);
    assert.deepEqual([limit.take("jane"), limit.take("jane"), limit.take("jane"), limit.take("jane")], [true, true, true, false]);
    clock.advance(199);
    assert.equal(limit.take("jane"), false);
    clock.advance(1);
    assert.equal(limit.take("jane"), true, "one token per 200 ms at 5 a second");
  });

  it("gives each person their own bucket", () => {
    const limit = new IdentityRateLimit({ perSecond: 1, burst: 1 }, new ManualClock());
    assert.equal(limit.take("jane"), true);
    assert.equal(limit.take("jane"), false);
    assert.equal(limit.take("joe"), true);
  });

  it("forgets the buckets that are full again, so quiet people cost nothing", () => {
    const clock = new ManualClock();
    const limit = new IdentityRateLimit({ perSecond: 5, burst: 2 }, clock);
    limit.take("jane");
    limit.take("joe");
    assert.equal(limit.size(), 2);
    clock.advance(1_000);
    limit.take("ann");
    assert.equal(limit.size(), 1);
  });

  const bad: Array<[string, { perSecond: number; burst: number }, RegExp]> = [
    ["a rate of zero", { perSecond: 0, burst: 1 }, /perSecond must be > 0/],
    ["a fractional burst", { perSecond: 1, burst: 1.5 }, /burst must be an integer >= 1/],
  ];
  for (const [name, options, message] of bad) it(`refuses ${name}`, () => assert.throws(() => new IdentityRateLimit(options, new ManualClock()), message));
});
