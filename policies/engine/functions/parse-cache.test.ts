import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { parseCIDR } from "./cidr.ts";
import { parseIP } from "./ip-address.ts";
import { MAX_CACHED_TEXT, PARSE_CACHE_SIZE, cachedParser } from "./parse-cache.ts";
import { celValueOf } from "./testing.ts";

/** A parser that counts the texts it really parses. */
function counting<T extends object>(parse: (text: string) => T | undefined): { parse: (text: string) => T | undefined; parsed: string[] } {
  const parsed: string[] = [];
  return {
    parsed,
    parse: (text) => {
      parsed.push(text);
      return parse(text);
    },
  };
}

describe("cachedParser", () => {
  test("a text is parsed once and its parse is given back after that", () => {
    const counter = counting(parseIP);
    const parse = cachedParser(counter.parse);
    const first = parse("10.0.0.1");
    assert.equal(parse("10.0.0.1"), first);
    assert.deepEqual(counter.parsed, ["10.0.0.1"]);
  });

  test("a text that does not parse is remembered as not parsing", () => {
    const counter = counting(parseCIDR);
    const parse = cachedParser(counter.parse);
    assert.deepEqual([parse("10.0.0.0/33"), parse("10.0.0.0/33")], [undefined, undefined]);
    assert.deepEqual(counter.parsed, ["10.0.0.0/33"]);
  });

  test("a text longer than any address or prefix is parsed every time and not kept", () => {
    const counter = counting(parseIP);
    const parse = cachedParser(counter.parse);
    const long = "1".repeat(MAX_CACHED_TEXT + 1);
    parse(long);
    parse(long);
    assert.equal(counter.parsed.length, 2);
  });

  test("the cache keeps at most PARSE_CACHE_SIZE texts: one more starts it over, keeping only the newest", () => {
    const counter = counting(parseIP);
    const parse = cachedParser(counter.parse);
    const text = (i: number) => `10.0.${i >> 8}.${i & 255}`;
    for (let i = 0; i < PARSE_CACHE_SIZE; i++) parse(text(i));
    parse(text(PARSE_CACHE_SIZE - 1)); // still kept: the cache is full, not over
    assert.equal(counter.parsed.length, PARSE_CACHE_SIZE);
    parse(text(PARSE_CACHE_SIZE)); // one more: the cache starts over with it
    parse(text(PARSE_CACHE_SIZE));
    parse(text(0)); // dropped: parsed again
    assert.equal(counter.parsed.length, PARSE_CACHE_SIZE + 2);
  });

  test("the longest IPv6 address and prefix are short enough to be kept", () => {
    assert.ok("ffff:ffff:ffff:ffff:ffff:ffff:255.255.255.255/128".length <= MAX_CACHED_TEXT);
  });
});

describe("IP and CIDR functions with kept parses", () => {
  // The same text through every function that parses it, twice: a kept parse must answer as a fresh one did.
  const cases: Array<[expression: string, expected: unknown]> = [
    ["[isIP('10.0.0.1'), isIP('10.0.0.1'), '10.0.0.1'.family(), '10.0.0.1'.isPrivate(), ip('10.0.0.1')]", [true, true, 4n, true, "10.0.0.1"]],
    [
      "[isCIDR('10.1.2.3/8'), cidr('10.1.2.3/8'), '10.1.2.3/8'.masked(), '10.1.2.3/8'.masked(), '10.1.2.3/8'.prefixLength()]",
      [true, "10.1.2.3/8", "10.0.0.0/8", "10.0.0.0/8", 8n],
    ],
    ["['10.1.2.3/8'.masked(), '10.1.2.3/8'.containsIP('10.200.0.1'), '10.1.2.3/8'.containsCIDR('10.1.2.3/8')]", ["10.0.0.0/8", true, true]],
  ];
  for (const [expression, expected] of cases) {
    test(`${expression} answers as fresh parses do`, () => {
      const value = celValueOf(expression) as Iterable<unknown>;
      assert.deepEqual([...value], expected);
    });
  }
});
