import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { matchesLabelSelector, parseLabelSelector } from "./label-selector.ts";

describe("label selectors", () => {
  const labels = { "app.kubernetes.io/managed-by": "hostgate", tier: "web" };
  const cases: [string, Record<string, string> | undefined, boolean][] = [
    ["app.kubernetes.io/managed-by=hostgate", labels, true],
    ["app.kubernetes.io/managed-by==hostgate,tier=web", labels, true],
    ["tier=db", labels, false],
    ["tier!=db", labels, true],
    ["tier!=web", labels, false],
    ["missing!=x", labels, true],
    ["tier", labels, true],
    ["!tier", labels, false],
    ["!missing", labels, true],
    ["tier", undefined, false],
    ["", undefined, true],
  ];
  for (const [selector, have, expected] of cases) {
    test(`${JSON.stringify(selector)} ${expected ? "matches" : "does not match"} ${JSON.stringify(have ?? null)}`, () => {
      assert.equal(matchesLabelSelector(have, selector), expected);
    });
  }

  test("a set-based selector is refused with the term it could not read", () => {
    assert.throws(() => parseLabelSelector("tier in (web,db)"), /cannot read "tier in \(web"/);
  });
});
