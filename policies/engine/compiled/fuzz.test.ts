// The differential fuzzing's fixed run, part of `npm test` (longer runs:
// `npm run fuzz:cel`). Fixed seeds, so the run is the same on every machine;
// a divergence fails with fast-check's report (the shrunk case, both
// outcomes) and the command that replays it.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { describe, test } from "node:test";
import { describeDivergence, describeFailure, fuzz, runCase } from "./fuzz.ts";
import type { FuzzCase } from "./fuzz.ts";

describe("the compiled fast path agrees with the planner on generated expressions, modules and hostile inputs", () => {
  for (const seed of [1, 20261204]) {
    test(`seed ${seed}: 2000 cases, no divergence`, () => {
      const run = fuzz({ seed, count: 2000 });
      assert.equal(run.details.failed, false, describeFailure(run));
      assert.equal(run.report.cases, 2000);
      // The generators must reach the fast path, not only compile failures or fallbacks.
      assert.ok(run.report.compared > 1800, `only ${run.report.compared} cases compiled`);
      assert.ok(run.report.onFastPath > 1500, `only ${run.report.onFastPath} expressions ran on the fast path`);
    });
  }

  test("a map literal whose key fails is reported as the planner reports it (a divergence the fuzzing found)", () => {
    // `{cluster.labels: {}}` failed with "field not found: labels" on the fast path, "unsupported key type" on the planner.
    const found: FuzzCase = {
      kind: "expression",
      expression: "{cluster.labels: {}}",
      input: {
        operation: "CREATE",
        kind: { group: "hostgate.dev", version: "v1alpha1", kind: "DomainRoute" },
        namespace: "team-a",
        name: "web",
        object: { spec: {} },
        oldObject: null,
        userInfo: { username: "alice", groups: ["team-a"] },
      },
    };
    const report = { cases: 0, compared: 0, onFastPath: 0 };
    const divergence = runCase(found, report);
    assert.equal(divergence === undefined ? undefined : describeDivergence(divergence), undefined);
    assert.deepEqual(report, { cases: 1, compared: 1, onFastPath: 1 });
  });

  test("a replay path runs the one case it names", () => {
    const run = fuzz({ seed: 1, count: 2000, path: "17" });
    assert.equal(run.details.failed, false, describeFailure(run));
    assert.equal(run.report.cases, 1);
  });
});

describe("npm run fuzz:cel", () => {
  const cli = fileURLToPath(new URL("./fuzz-cel.ts", import.meta.url));
  const run = (...args: string[]) => spawnSync(process.execPath, [cli, ...args], { encoding: "utf8" });

  for (const [args, message] of [
    [["--count", "many"], /--count must be a whole number from 1 to \d+, got "many"/],
    [["--seed=-3"], /--seed must be a whole number from 0 to 4294967295, got "-3"/],
    [["--count", "0"], /--count must be a whole number from 1 to \d+, got "0"/],
    [["--path", "12:x"], /--path must be a fast-check replay path like 185:3:0 \(whole numbers joined by colons\), got "12:x"/],
    [["--case", "3"], /Unknown option '--case'/],
    [["--bogus"], /Unknown option '--bogus'/],
  ] as const) {
    test(`${args.join(" ")} is refused with a usage message`, () => {
      const result = run(...args);
      assert.equal(result.status, 2);
      assert.match(result.stderr, message);
      assert.match(result.stderr, /usage: npm run fuzz:cel -- \[--count N\] \[--seed S\] \[--path P\]/);
    });
  }

  test("a short run reports its seed and counts and exits 0", () => {
    const result = run("--count", "40", "--seed", "7");
    assert.equal(result.status, 0, result.stderr);
    assert.match(result.stdout, /fuzz:cel seed 7: 40 cases .* 0 divergences/);
  });

  test("--path replays one case of the seed and exits 0 when it agrees", () => {
    const result = run("--seed", "7", "--path", "3");
    assert.equal(result.status, 0, result.stderr);
    assert.match(result.stdout, /fuzz:cel seed 7 path 3: 1 cases .* 0 divergences/);
  });
});
