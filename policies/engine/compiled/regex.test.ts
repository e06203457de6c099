import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { RE2JS } from "@bufbuild/re2";
import { re2Matches, withEmptyWidthMemo } from "./regex.ts";

// Patterns with zero-width assertions (the states the memo serves) and without; texts that sit on
// either side of each assertion: line ends, word boundaries, surrogate pairs, empty text.
const PATTERNS = [
  "^/[A-Za-z0-9_~-][A-Za-z0-9._~-]*(/|$)",
  "^/[^/*{}]+(/|$)",
  "^/([.]|%2[eE]){0,2}(;[^/]*)?(/|$)",
  "^/[^/]*([\\\\]|%2[fF]|%5[cC])",
  "^/(/|$)",
  "^/;",
  "\\bword\\b",
  "\\Bor\\B",
  "(?m)^b$",
  "(?m)^$",
  "a$|^b",
  "^$",
  "x*$",
  "\\b",
  "(?s).\\z",
  "(?i)^É[a-z]*\\b",
  "😀$",
  "^[a-z]+$",
  "abc",
];
const TEXTS = [
  "",
  "/",
  "//",
  "/healthz",
  "/static/*",
  "/a/b",
  "/.",
  "/..;/x",
  "/%2e%2E/x",
  "/;x/",
  "/x%2Fy",
  "/x\\y",
  "/{*}",
  "/*",
  "word",
  " word ",
  "words",
  "a word.",
  "for",
  "oro",
  "b",
  "a\nb",
  "a\nb\n",
  "\n",
  "\n\n",
  "ab",
  "a",
  "ba",
  "xx",
  "x\n",
  "é",
  "Éclair",
  "éclair bis",
  "😀",
  "a😀",
  "😀\n",
  "abc",
  "xabcx",
  "ABC",
  "/ü/",
  "/a b",
  "tab\there",
];

describe("withEmptyWidthMemo", () => {
  it("answers every pattern and text as the unwrapped engine does, on first and repeated matches", () => {
    for (const pattern of PATTERNS) {
      const memo = withEmptyWidthMemo(RE2JS.compile(pattern));
      for (let round = 0; round < 3; round++) {
        for (const text of TEXTS) {
          const expected = RE2JS.compile(pattern).test(text);
          assert.equal(memo.test(text), expected, `${JSON.stringify(pattern)} on ${JSON.stringify(text)} (round ${round})`);
        }
      }
    }
  });

  it("answers alike when texts are tried in another order (a memo filled by one text serves the next)", () => {
    for (const pattern of PATTERNS) {
      const memo = withEmptyWidthMemo(RE2JS.compile(pattern));
      for (const text of [...TEXTS].reverse())
        assert.equal(memo.test(text), RE2JS.compile(pattern).test(text), `${JSON.stringify(pattern)} on ${JSON.stringify(text)}`);
    }
  });

  it("answers alike on long texts that make the DFA build many states", () => {
    const texts = [`/${"a".repeat(5000)}`, `/${"ab\n".repeat(2000)}`, `${"word ".repeat(1000)}x`, `/${"a/".repeat(3000)}$`];
    for (const pattern of PATTERNS) {
      const memo = withEmptyWidthMemo(RE2JS.compile(pattern));
      for (const text of texts)
        assert.equal(memo.test(text), RE2JS.compile(pattern).test(text), `${JSON.stringify(pattern)} on a ${text.length}-character text`);
    }
  });

  it("wraps the resolver of that pattern's DFA only, never the library's shared prototype", () => {
    const wrapped = withEmptyWidthMemo(RE2JS.compile("^/[a-z]+(/|$)"));
    const own = (regex: RE2JS) => Object.hasOwn((regex.re2() as unknown as { dfa: object }).dfa, "resolveEmptyWidth");
    assert.equal(own(wrapped), true);
    assert.equal(own(RE2JS.compile("^/[a-z]+(/|$)")), false);
    assert.equal(re2Matches("/healthz", "^/[a-z]+(/|$)"), true);
    assert.equal(re2Matches("healthz", "^/[a-z]+(/|$)"), false);
  });
});
