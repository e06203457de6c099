import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { RegexSearcher } from "./regex-search.ts";
import { show } from "./testing.ts";

function findAll(pattern: string, text: string): string[] {
  return new RegexSearcher(pattern).searchAll(text, -1).map(([start, end]) => text.slice(start, end));
}

describe("searchAll agrees with Go regexp", () => {
  // Rows from Go's regexp findTests (find_test.go): every match, in order.
  const cases: [string, string, string[]][] = [
    ["", "", [""]],
    ["^abcdefg", "abcdefg", ["abcdefg"]],
    ["a+", "baaab", ["aaa"]],
    ["abcd..", "abcdef", ["abcdef"]],
    ["x", "y", []],
    ["b", "abc", ["b"]],
    [".*", "abcdef", ["abcdef"]],
    ["^", "abcde", [""]],
    ["$", "abcde", [""]],
    ["^abcd$", "abcd", ["abcd"]],
    ["^abcd$", "abcde", []],
    ["a*", "baaab", ["", "aaa", ""]],
    ["[a-z]+", "abcd", ["abcd"]],
    ["[^a-z]+", "ab1234cd", ["1234"]],
    ["[a\\-\\]z]+", "az]-bcz", ["az]-", "z"]],
    ["[^\\n]+", "abcd\n", ["abcd"]],
    ["[日本語]+", "日本語日本語", ["日本語日本語"]],
    ["日本語+", "日本語語語語", ["日本語語語語"]],
    ["(|a)*", "aa", ["", "", ""]],
    ["(|a)+", "aa", ["", "", ""]],
    ["(?:.|(?:.a))", "", []],
    ["(?:A(?:A|a))", "Aa", ["Aa"]],
    ["(?:A|(?:A|a))", "a", ["a"]],
    ["(a){0}", "", [""]],
    ["(?-s)(?:(?:^).)", "\n", []],
    ["(?s)(?:(?:^).)", "\n", ["\n"]],
    ["\\b", "x", ["", ""]],
    ["\\b", "xx yy", ["", "", "", ""]],
    ["\\B", "x", []],
    ["\\B", "xx", [""]],
    ["\\B", "xx yy", ["", ""]],
    ["[^\\S\\s]", "abcd", []],
    ["[^\\D\\d]", "abcd", []],
    ["(?i)\\W", "k", []],
    ["\\!\\\\", "!\\", ["!\\"]],
    ["(?m)^[a-z]+$", "ab\ncd\n", ["ab", "cd"]],
    ["a|ab", "ab ab", ["a", "a"]],
    ["ab|a", "ab ab", ["ab", "ab"]],
    ["a*?", "aaa", ["", "", "", ""]],
    ["😀|x", "😀x😀", ["😀", "x", "😀"]],
  ];
  for (const [pattern, text, want] of cases) {
    test(`${show(pattern)} finds ${show(want)} in ${show(text)}`, () => {
      assert.deepEqual(findAll(pattern, text), want);
    });
  }
});

describe("searchAll limits", () => {
  test("a limit returns only the first n matches", () => {
    assert.deepEqual(new RegexSearcher("[0-9]").searchAll("12345", 2), [
      [0, 1],
      [1, 2],
    ]);
  });

  test("a rescanning pattern on a long input fails instead of taking quadratic time", () => {
    const searcher = new RegexSearcher("a.*z|a");
    assert.throws(() => searcher.searchAll("a".repeat(3000), -1), /too costly/);
    // The same pattern on a short input is fine.
    assert.equal(searcher.searchAll("a".repeat(100), -1).length, 100);
  });
});

// A seeded random comparison with JavaScript's engine, whose leftmost-first
// (backtracking) semantics give the same first match as RE2's for the syntax
// both share. JS RegExp is used only on these test-generated patterns.
describe("search agrees with a backtracking engine on generated patterns", () => {
  let seed = 20240607;
  const random = (n: number) => {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    return seed % n;
  };
  const atoms = ["a", "b", "c", ".", "[ab]", "[^a]", "\\b", "^", "$", "x", "(?:ab)", "\\d", " "];
  const generate = (depth: number): string => {
    const kind = random(depth > 2 ? 3 : 7);
    if (kind < 3) return atoms[random(atoms.length)] as string;
    if (kind === 3) return generate(depth + 1) + generate(depth + 1);
    if (kind === 4) return `(${generate(depth + 1)}|${generate(depth + 1)})`;
    if (kind === 5) return `(${generate(depth + 1)})${["*", "+", "?", "*?", "+?", "??", "{1,2}"][random(7)]}`;
    return generate(depth + 1) + generate(depth + 1) + generate(depth + 1);
  };
  const flagsFor = ["", "i", "m"];

  test("3000 random patterns find the same first match from random offsets", () => {
    for (let i = 0; i < 3000; i++) {
      const pattern = generate(0);
      const flags = flagsFor[random(3)] as string;
      let text = "";
      for (let n = random(8); n > 0; n--) text += "abcxAB1 \n"[random(9)];
      const from = random(text.length + 1);
      const reference = new RegExp(pattern, `g${flags}`);
      reference.lastIndex = from;
      const m = reference.exec(text);
      const want = m === null ? null : [m.index, m.index + m[0].length];
      const got = new RegexSearcher(flags ? `(?${flags})${pattern}` : pattern).search(text, from);
      assert.deepEqual(got, want, `pattern ${show(pattern)} flags ${show(flags)} text ${show(text)} from ${from}`);
    }
  });
});
