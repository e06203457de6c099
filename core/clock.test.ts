import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { ManualClock } from "./clock.ts";

describe("ManualClock", () => {
  it("fires due timers in due order, then creation order, and moves now to each", () => {
    const clock = new ManualClock(1000);
    const fired: string[] = [];
    clock.setTimeout(() => fired.push(`b@${clock.now()}`), 20);
    clock.setTimeout(() => fired.push(`a@${clock.now()}`), 10);
    clock.setTimeout(() => fired.push(`c@${clock.now()}`), 20);
    clock.advance(15);
    assert.deepEqual(fired, ["a@1010"]);
    assert.equal(clock.now(), 1015);
    clock.advance(5);
    assert.deepEqual(fired, ["a@1010", "b@1020", "c@1020"]);
  });

  it("fires timers set by a callback when they fall within the same advance", () => {
    const clock = new ManualClock(0);
    const fired: number[] = [];
    clock.setTimeout(() => {
      fired.push(clock.now());
      clock.setTimeout(() => fired.push(clock.now()), 10);
    }, 10);
    clock.advance(25);
    assert.deepEqual(fired, [10, 20]);
    assert.equal(clock.pendingTimers(), 0);
  });

  it("never fires a cleared timer and reports what is pending", () => {
    const clock = new ManualClock(0);
    const handle = clock.setTimeout(() => assert.fail("cleared"), 5);
    clock.setTimeout(() => {}, 30);
    assert.deepEqual(clock.pendingDelays(), [5, 30]);
    clock.clearTimeout(handle);
    clock.advance(10);
    assert.deepEqual(clock.pendingDelays(), [20]);
  });
});
