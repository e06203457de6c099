// The differential fuzzing's fixed run, part of `npm test` (longer runs:
// `npm run fuzz:cel`). A divergence fails with the text that replays it.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { describe, test } from "node:test";
import { describeDivergence, fuzz } from "./fuzz.ts";

describe("the compiled fast path agrees with the planner on generated expressions, modules and hostile inputs", () => {
  for (const seed of [1, 20261204]) {
    test(`seed ${seed}: 2000 cases, no divergence`, () => {
      const report = fuzz({ seed, count: 2000, stopAfter: 1 });
      assert.equal(report.divergences.length, 0, report.divergences.map(describeDivergence).join("\n\n"));
      assert.equal(report.cases, 2000);
      // The generators must reach the fast path, not only compile failures or fallbacks.
      assert.ok(report.compared > 1800, `only ${report.compared} cases compiled`);
      assert.ok(report.onFastPath > 1500, `only ${report.onFastPath} expressions ran on the fast path`);
    });
  }

  test("a map literal whose key fails is reported as the planner reports it (a divergence the fuzzing found)", () => {
    // Case 185 of seed 1: `{cluster.labels: {}}` failed with "field not found: labels" on the fast path,
    // "unsupported key type" on the planner.
    const report = fuzz({ seed: 1, count: 0, only: 185 });
    assert.equal(report.cases, 1);
    assert.deepEqual(report.divergences.map(describeDivergence), []);
  });
});

describe("npm run fuzz:cel", () => {
  const cli = fileURLToPath(new URL("./fuzz-cel.ts", import.meta.url));
  const run = (...args: string[]) => spawnSync(process.execPath, [cli, ...args], { encoding: "utf8" });

  for (const [args, message] of [
    [["--count", "many"], /--count must be a whole number from 1 to \d+, got "many"/],
    [["--seed=-3"], /--seed must be a whole number from 0 to 4294967295, got "-3"/],
    [["--count", "0"], /--count must be a whole number from 1 to \d+, got "0"/],
    [["--stop-after", "0"], /--stop-after must be a whole number from 1 to \d+, got "0"/],
    [["--bogus"], /Unknown option '--bogus'/],
  ] as const) {
    test(`${args.join(" ")} is refused with a usage message`, () => {
      const result = run(...args);
      assert.equal(result.status, 2);
      assert.match(result.stderr, message);
      assert.match(result.stderr, /usage: npm run fuzz:cel/);
    });
  }

  test("a short run reports its seed and counts and exits 0", () => {
    const result = run("--count", "40", "--seed", "7");
    assert.equal(result.status, 0, result.stderr);
    assert.match(result.stdout, /fuzz:cel seed 7: 40 cases .* 0 divergences/);
  });
});
