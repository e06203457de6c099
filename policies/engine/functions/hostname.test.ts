// The hostname rules are hand-written scans (they run several times per
// admission request, and the first versions split and sliced strings on
// every call); these tests hold them to the rules as written in their doc
// comments, stated directly with split and slice, over every short string of
// a telling alphabet, every short name of telling labels, and the length
// boundaries.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { apexOf, grantCovers, isHostname, isWildcardHostname, labelsBelow } from "./hostname.ts";

/** The rule, stated directly: labels of 1-63 [a-z0-9-] not starting or ending with '-', at most 253 chars, last label not all digits. */
function byDefinition(name: string): boolean {
  if (name.length === 0 || name.length > 253) return false;
  const labels = name.split(".");
  const labelOk = (label: string) => label.length >= 1 && label.length <= 63 && /^[a-z0-9-]+$/.test(label) && !label.startsWith("-") && !label.endsWith("-");
  return labels.every(labelOk) && !/^[0-9]+$/.test(labels[labels.length - 1]!);
}

function* strings(alphabet: string, maxLength: number): Generator<string> {
  let level = [""];
  for (let length = 1; length <= maxLength; length++) {
    const next: string[] = [];
    for (const prefix of level) for (const c of alphabet) next.push(prefix + c);
    yield* next;
    level = next;
  }
}

describe("isHostname against its definition", () => {
  test("every string of up to 5 characters over a, z, 0, 9, -, ., A, * and ä is judged as the definition judges it", () => {
    let checked = 0;
    for (const name of strings("az09-.A*ä", 5)) {
      assert.equal(isHostname(name), byDefinition(name), JSON.stringify(name));
      checked++;
    }
    assert.equal(checked, 9 + 81 + 729 + 6561 + 59049);
  });

  test("labels and names at and past their length limits are judged as the definition judges them", () => {
    const label = (n: number) => "a".repeat(n);
    const names = [label(63), label(64), `${label(63)}.b`, `${label(64)}.b`, `b.${label(63)}`, `b.${label(64)}`];
    for (let total = 250; total <= 256; total++) names.push(`${label(63)}.${label(63)}.${label(63)}.${label(total - 192)}`);
    for (const name of names) assert.equal(isHostname(name), byDefinition(name), `${name.length} chars`);
  });
});

/** grantCovers as its doc comment states it, on strings. */
function coversByDefinition(pattern: string, name: string): boolean {
  pattern = pattern.toLowerCase();
  name = name.toLowerCase();
  if (isHostname(pattern)) return isHostname(name) && name === pattern;
  if (!isWildcardHostname(pattern)) return false;
  const suffix = pattern.slice(2);
  if (isHostname(name)) return name.endsWith(`.${suffix}`);
  if (!isWildcardHostname(name)) return false;
  const target = name.slice(2);
  return target === suffix || target.endsWith(`.${suffix}`);
}

/** labelsBelow as its doc comment states it, on strings. */
function labelsBelowByDefinition(name: string, apex: string): number {
  name = name.toLowerCase();
  apex = apex.toLowerCase();
  if (!isHostname(apex) || !(isHostname(name) || isWildcardHostname(name))) return -1;
  if (name === apex) return 0;
  if (!name.endsWith(`.${apex}`)) return -1;
  return name.slice(0, name.length - apex.length - 1).split(".").length;
}

/** Names of one to three labels drawn from labels that exercise each rule. */
function names(): string[] {
  const labels = ["a", "b", "ab", "*", "B", "1", "-a", ""];
  const out: string[] = [];
  for (const x of labels) {
    out.push(x);
    for (const y of labels) {
      out.push(`${x}.${y}`);
      for (const z of labels) out.push(`${x}.${y}.${z}`);
    }
  }
  return out;
}

describe("grantCovers and labelsBelow against their definitions", () => {
  const all = names();

  test("every pattern and name of up to three labels is judged as grantCovers' definition judges it", () => {
    for (const pattern of all) for (const name of all) assert.equal(grantCovers(pattern, name), coversByDefinition(pattern, name), `${pattern} / ${name}`);
  });

  test("every name and apex of up to three labels counts the labels labelsBelow's definition counts", () => {
    for (const name of all) for (const apex of all) assert.equal(labelsBelow(name, apex), labelsBelowByDefinition(name, apex), `${name} / ${apex}`);
  });
});

describe("apexOf against its definition", () => {
  test("every name and pair of apexes of up to three labels gets the apex the definition picks", () => {
    const all = names();
    const apexes = ["a", "b.a", "B.A", "a.a", "*.a", "", "1", "b"];
    for (const name of all) {
      for (const first of apexes) {
        for (const second of apexes) {
          let expected = "";
          for (const apex of [first, second]) if (apex.length > expected.length && labelsBelowByDefinition(name, apex) >= 0) expected = apex;
          assert.equal(apexOf(name, [first, second]), expected, `${name} / ${first}, ${second}`);
        }
      }
    }
  });
});
