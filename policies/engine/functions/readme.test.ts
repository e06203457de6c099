// The README is what the security team reads, so its examples are run: a
// stale example fails the build instead of misleading a reviewer.

import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { describe, test } from "node:test";
import { errorOf, celValueOf } from "./testing.ts";

const readme = readFileSync(new URL("README.md", import.meta.url), "utf8");

interface Example {
  expr: string;
  want: { value: string } | { error: string };
}

/** The examples in the last cell of each function table row. */
function examples(): Example[] {
  const found: Example[] = [];
  for (const row of readme.split("\n").filter((line) => line.startsWith("| `"))) {
    const cell = row.slice(row.lastIndexOf(" | ") + 3, row.lastIndexOf(" |"));
    for (const example of cell.split("<br>")) {
      const value = /^`(.+?)` → `(.+)`$/.exec(example);
      const error = /^`(.+?)` → error (`+)(.+?)\2$/.exec(example);
      if (value) found.push({ expr: value[1] as string, want: { value: value[2] as string } });
      else if (error) found.push({ expr: error[1] as string, want: { error: (error[3] as string).trim() } });
      else assert.fail(`README example not understood: ${example}`);
    }
  }
  return found;
}

describe("README examples", () => {
  const all = examples();

  test("the README has examples to check", () => {
    assert.ok(all.length > 40, `only ${all.length} examples found`);
  });

  for (const { expr, want } of all) {
    if ("value" in want) {
      test(`${expr} evaluates to ${want.value}`, () => {
        assert.equal(celValueOf(`(${expr}) == (${want.value})`), true, `${expr} is not ${want.value}`);
      });
    } else {
      test(`${expr} fails with ${want.error}`, () => {
        assert.equal(errorOf(expr).message, want.error);
      });
    }
  }
});
