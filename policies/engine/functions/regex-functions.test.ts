import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { RE2JS } from "@bufbuild/re2";
import { countingCalls } from "../testing/work-counters.ts";
import { compileRegex, REGEX_CACHE_SIZE } from "./regex-cache.ts";
import { errorOf, show, celValueOf } from "./testing.ts";

describe("find", () => {
  const cases: [string, string, string][] = [
    ["abc 123 def 456", "[0-9]+", "123"],
    ["abc", "[0-9]+", ""],
    ["ab", "a|ab", "a"],
    ["xyz", "", ""],
    ["Hello", "(?i)h.l", "Hel"],
    ["foo.example.com", "^[^.]+", "foo"],
    ["héllo", "é.", "él"],
    ["team-a.apps.example.com", "[a-z]+\\.example\\.com$", "apps.example.com"],
  ];
  for (const [text, pattern, want] of cases) {
    test(`${show(text)}.find(${show(pattern)}) is ${show(want)}`, () => {
      assert.equal(celValueOf("s.find(p)", { s: text, p: pattern }), want);
    });
  }
});

describe("findAll", () => {
  const cases: [string, string, string[]][] = [
    ["a1b22c333", "[0-9]+", ["1", "22", "333"]],
    ["abc", "x", []],
    ["abc", "", ["", "", "", ""]],
    ["baaab", "a*", ["", "aaa", ""]],
    ["a.b.example.com", "[^.]+", ["a", "b", "example", "com"]],
  ];
  for (const [text, pattern, want] of cases) {
    test(`${show(text)}.findAll(${show(pattern)}) is ${show(want)}`, () => {
      assert.deepEqual(celValueOf("s.findAll(p)", { s: text, p: pattern }), want);
    });
  }

  const limited: [bigint, string[]][] = [
    [2n, ["1", "22"]],
    [0n, []],
    [1n, ["1"]],
    [10n, ["1", "22", "333"]],
    [-1n, ["1", "22", "333"]],
    [-5n, ["1", "22", "333"]],
    [9223372036854775807n, ["1", "22", "333"]],
  ];
  for (const [n, want] of limited) {
    test(`findAll with a limit of ${n} returns ${show(want)}`, () => {
      assert.deepEqual(celValueOf("'a1b22c333'.findAll('[0-9]+', n)", { n }), want);
    });
  }
});

describe("regex errors", () => {
  const cases: [string, string][] = [
    ["s.find(p)", "("],
    ["s.find(p)", "a**"],
    ["s.findAll(p)", "[a-"],
    ["s.findAll(p, 1)", "(?P<n>a"],
    ["s.find(p)", "\\p{NotAClass}"],
    ["s.find(p)", "(a)\\1"],
  ];
  for (const [expr, pattern] of cases) {
    test(`${expr} with the invalid pattern ${show(pattern)} fails with an error naming the pattern`, () => {
      const error = errorOf(expr, { s: "abc", p: pattern });
      assert.ok(error.message.includes(JSON.stringify(pattern)), error.message);
      assert.match(error.message, /^invalid regex pattern /);
    });
  }

  test("findAll on input that would take quadratic time fails instead", () => {
    const error = errorOf("s.findAll('a.*z|a')", { s: "a".repeat(3000) });
    assert.match(error.message, /too costly/);
  });
});

describe("linear time", () => {
  // A backtracking engine needs astronomically long on these; RE2 steps each
  // thread over each character once, at most one thread per instruction.
  // What is counted is that work (the comparisons of a character with an
  // instruction of the program), not the time it takes.
  const hostile = `${"a".repeat(5000)}!`;
  const runeInstruction = Object.getPrototypeOf(RE2JS.compile("a").re2().prog.inst[0]) as object;
  const cases: [string, string, unknown][] = [
    ["s.find(p)", "^(a+)+$", ""],
    ["s.find(p)", "(a+)+!", hostile],
    ["s.findAll(p)", "(a|a)*b", []],
    ["s.matches(p)", "^(a+)+$", false],
  ];
  for (const [expr, pattern, want] of cases) {
    test(`${expr} with ${show(pattern)} on 5000 a's and a '!' compares each character with each instruction at most once`, () => {
      const positions = hostile.length + 1;
      const instructions = RE2JS.compile(pattern).re2().prog.inst.length;
      const { result, calls } = countingCalls(
        runeInstruction,
        "matchRune",
        () => true,
        () => celValueOf(expr, { s: hostile, p: pattern }),
      );
      assert.deepEqual(result, want);
      assert.ok(calls <= positions * instructions, `${calls} comparisons for ${positions} positions of ${instructions} instructions`);
    });
  }
});

describe("regex cache", () => {
  test("a pattern is compiled once and then reused", () => {
    assert.equal(compileRegex("cache-[a-z]+"), compileRegex("cache-[a-z]+"));
  });

  test("the cache is bounded, so the oldest patterns are compiled again", () => {
    const first = compileRegex("evict-me");
    for (let i = 0; i < REGEX_CACHE_SIZE; i++) compileRegex(`filler-${i}`);
    assert.notEqual(compileRegex("evict-me"), first);
  });

  test("an invalid pattern keeps failing with the same message when cached", () => {
    assert.throws(() => compileRegex("(cached"), /invalid regex pattern "\(cached"/);
    assert.throws(() => compileRegex("(cached"), /invalid regex pattern "\(cached"/);
  });
});
