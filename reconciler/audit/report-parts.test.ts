import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { clipNote, clipToBytes, jsonBytes, splitByBytes } from "./report-parts.ts";
import { auditReportName, auditReportPart } from "./report-resources.ts";

describe("splitByBytes", () => {
  // Items of the given JSON sizes ("x" is 3 bytes of JSON, "xxxx" 6), with their commas counted.
  const cases = [
    { name: "puts nothing into no parts", items: [], budget: 10, parts: [] },
    { name: "keeps items that fit together in one part", items: ["x", "x", "x"], budget: 11, parts: [["x", "x", "x"]] },
    { name: "counts the comma between items (3 + 1 + 3 + 1 + 3 = 11 > 10)", items: ["x", "x", "x"], budget: 10, parts: [["x", "x"], ["x"]] },
    {
      name: "fills the parts in order, never moving a later item back to pack tighter",
      items: ["xxxx", "xxxx", "x"],
      budget: 10,
      parts: [["xxxx"], ["xxxx", "x"]],
    },
    { name: "gives an item over the budget a part of its own", items: ["x", "xxxxxxxxxxxx", "x"], budget: 10, parts: [["x"], ["xxxxxxxxxxxx"], ["x"]] },
  ];
  for (const c of cases) {
    it(c.name, () => {
      assert.deepEqual(splitByBytes(c.items, c.budget), c.parts);
    });
  }
});

describe("clipToBytes", () => {
  const result = (message: string, rule = "spec.domain") => ({ policy: "p", rule, message });

  it("returns a result that fits unchanged (the same object)", () => {
    const r = result("short");
    assert.equal(clipToBytes(r, 1000, ["message", "rule"]), r);
  });

  const cases = [
    { name: "ASCII", message: "a".repeat(5000) },
    { name: "characters of 2 and 4 bytes", message: "é😀".repeat(2000) },
    { name: "characters JSON escapes (quotes, newlines)", message: '"\n'.repeat(3000) },
  ];
  for (const c of cases) {
    it(`cuts the message's tail to fit, ending with the note of how much was cut (${c.name})`, () => {
      const clipped = clipToBytes(result(c.message), 1000, ["message", "rule"]);
      assert.ok(jsonBytes(clipped) <= 1000, `${jsonBytes(clipped)} bytes`);
      const cut = [...c.message].length - [...clipped.message.slice(0, clipped.message.indexOf(" … [clipped"))].length;
      assert.ok(clipped.message.endsWith(clipNote(cut)), clipped.message.slice(-160));
      assert.ok(c.message.startsWith(clipped.message.slice(0, clipped.message.indexOf(" … [clipped"))), "the kept text is the message's start");
      assert.equal(clipped.rule, "spec.domain", "the rule is left alone while the message can absorb the cut");
    });
  }

  it("cuts the rule too when emptying the message is not enough", () => {
    const clipped = clipToBytes(result("m".repeat(500), "spec.f, ".repeat(500)), 1000, ["message", "rule"]);
    assert.ok(jsonBytes(clipped) <= 1000, `${jsonBytes(clipped)} bytes`);
    assert.ok(clipped.message.startsWith(" … [clipped by hostgate: 500 more characters"), clipped.message);
    assert.match(clipped.rule, /^spec\.f, .* … \[clipped by hostgate: \d+ more characters/);
  });
});

describe("report part names", () => {
  const cases: { name: string | undefined; part: number | undefined }[] = [
    { name: "hostgate-audit", part: 1 },
    { name: "hostgate-audit-2", part: 2 },
    { name: "hostgate-audit-10", part: 10 },
    { name: "hostgate-audit-1", part: undefined },
    { name: "hostgate-audit-0", part: undefined },
    { name: "hostgate-audit-02", part: undefined },
    { name: "hostgate-audit-x", part: undefined },
    { name: "hostgate-audit-", part: undefined },
    { name: "hostgate-audit-2-old", part: undefined },
    { name: "kyverno-audit-2", part: undefined },
    { name: undefined, part: undefined },
  ];
  for (const c of cases) {
    it(`reads ${JSON.stringify(c.name)} as ${c.part === undefined ? "none of hostgate's names" : `part ${c.part}`}`, () => {
      assert.equal(auditReportPart(c.name), c.part);
      if (c.part !== undefined) assert.equal(auditReportName(c.part), c.name);
    });
  }
});
