import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { writeHeapSnapshot } from "node:v8";
import { HeapGuard, describeHeap, oldGenerationLimit } from "./heap-guard.ts";
import type { HeapReading } from "./heap-guard.ts";
import { manualHeapGuard } from "./testing/manual-heap-guard.ts";

/** A guard whose heap readings (of a 100-byte heap) and full collections the test drives. */
const manualGuard = (fraction?: number) => manualHeapGuard({ limitBytes: 100, ...(fraction === undefined ? {} : { fraction }) });

describe("HeapGuard", () => {
  const cases: { name: string; fraction?: number; used: number; trips: boolean }[] = [
    { name: "live data under 80% of the limit does not trip the default guard", used: 80, trips: false },
    { name: "live data over 80% of the limit trips the default guard", used: 81, trips: true },
    { name: "a guard with a lower share trips earlier", fraction: 0.5, used: 51, trips: true },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const m = manualGuard(c.fraction);
      const seen: HeapReading[] = [];
      m.guard.onExceeded((r) => seen.push(r));
      m.guard.start();
      m.collect(c.used);
      assert.deepEqual(m.guard.lastReading(), { usedBytes: c.used, limitBytes: 100 });
      assert.equal(m.guard.exceeded() !== undefined, c.trips);
      assert.equal(seen.length, c.trips ? 1 : 0);
    });
  }

  it("reads the heap only after full collections, never before the first", () => {
    const m = manualGuard();
    assert.equal(m.guard.lastReading(), undefined);
    assert.equal(m.guard.exceeded(), undefined);
    assert.equal(m.watching(), false, "nothing is watched before start()");
    m.guard.start();
    assert.equal(m.watching(), true);
    m.guard.stop();
    assert.equal(m.watching(), false, "stop() ends the watch");
  });

  it("refuses a share that is not strictly between 0 and 1", () => {
    for (const fraction of [0, 1, 1.5, Number.NaN]) assert.throws(() => new HeapGuard({ fraction }), /fraction must be between 0 and 1/);
  });

  it("watches real full collections of this process by default", async () => {
    const guard = new HeapGuard();
    guard.start();
    try {
      // Writing a heap snapshot starts with a full collection: one on demand without --expose-gc.
      const dir = mkdtempSync(join(tmpdir(), "hostgate-heap-"));
      try {
        writeHeapSnapshot(join(dir, "x.heapsnapshot"));
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
      for (let i = 0; i < 20 && guard.lastReading() === undefined; i++) await new Promise((resolve) => setTimeout(resolve, 10));
      const reading = guard.lastReading();
      assert.ok(reading !== undefined, "a full collection was observed");
      assert.ok(reading.usedBytes > 0 && reading.usedBytes < reading.limitBytes);
    } finally {
      guard.stop();
    }
  });

  it("describes a reading in megabytes and per cent", () => {
    assert.equal(describeHeap({ usedBytes: 182_400_000, limitBytes: 230_000_000 }), "182.4 MB of 230.0 MB (79%)");
  });

  const MB = 2 ** 20;
  const limits: { name: string; heap: number; flags: string[]; old: number }[] = [
    {
      name: "an explicit semi-space takes three of itself off the heap limit",
      heap: 254 * MB,
      flags: ["--max-old-space-size-percentage=60", "--max-semi-space-size=8"],
      old: 230 * MB,
    },
    { name: "the underscore spelling and a separate value count too", heap: 120 * MB, flags: ["--max_semi_space_size", "8"], old: 96 * MB },
    { name: "the last occurrence wins, as in Node", heap: 120 * MB, flags: ["--max-semi-space-size=16", "--max-semi-space-size=8"], old: 96 * MB },
    { name: "without the flag V8's largest default (64 MB) is assumed", heap: 600 * MB, flags: ["--max-old-space-size=408"], old: 408 * MB },
    { name: "the old generation is never taken to be less than half the heap", heap: 233 * MB, flags: [], old: 116.5 * MB },
  ];
  for (const c of limits) it(c.name, () => assert.equal(oldGenerationLimit(c.heap, c.flags), c.old));
});
