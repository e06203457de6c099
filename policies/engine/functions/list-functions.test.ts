import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { errorOf, show, celValueOf } from "./testing.ts";

// Expressions are compared with CEL `==` where the expected value is not a
// plain JS value (uint, duration), so the check itself is CEL's equality.
describe("isSorted", () => {
  const cases: [string, boolean][] = [
    ["[]", true],
    ["[1]", true],
    ["[1, 2, 2, 3]", true],
    ["[3, 1]", false],
    ["['a', 'b', 'c']", true],
    ["['b', 'a']", false],
    ["[1, 2.5, 3]", true],
    ["[1.0, 1]", true],
    ["[false, true]", true],
    ["[duration('1s'), duration('2m')]", true],
  ];
  for (const [list, want] of cases) {
    test(`${list}.isSorted() is ${want}`, () => {
      assert.equal(celValueOf(`${list}.isSorted()`), want);
    });
  }
});

describe("sum", () => {
  const cases: [string, unknown][] = [
    ["[]", 0n],
    ["[1, 2, 3]", 6n],
    ["[-5]", -5n],
    ["[1.5, 2.5]", 4],
  ];
  for (const [list, want] of cases) {
    test(`${list}.sum() is ${show(want)}`, () => {
      assert.equal(celValueOf(`${list}.sum()`), want);
    });
  }

  for (const expr of ["[1u, 2u].sum() == 3u", "[duration('1s'), duration('2s')].sum() == duration('3s')"]) {
    test(`${expr} holds`, () => {
      assert.equal(celValueOf(expr), true);
    });
  }
});

describe("min and max", () => {
  const cases: [string, unknown, unknown][] = [
    ["[3, 1, 2]", 1n, 3n],
    ["['b', 'a', 'c']", "a", "c"],
    ["[2, 1.5]", 1.5, 2n],
    ["[true, false]", false, true],
    ["[7]", 7n, 7n],
  ];
  for (const [list, min, max] of cases) {
    test(`${list}.min() is ${show(min)}`, () => {
      assert.equal(celValueOf(`${list}.min()`), min);
    });
    test(`${list}.max() is ${show(max)}`, () => {
      assert.equal(celValueOf(`${list}.max()`), max);
    });
  }

  test("min and max order timestamps", () => {
    const list = "[timestamp('2024-01-02T00:00:00Z'), timestamp('2024-01-01T00:00:00Z')]";
    assert.equal(celValueOf(`${list}.min() == timestamp('2024-01-01T00:00:00Z')`), true);
    assert.equal(celValueOf(`${list}.max() == timestamp('2024-01-02T00:00:00Z')`), true);
  });
});

describe("indexOf and lastIndexOf", () => {
  const cases: [string, string, bigint, bigint][] = [
    ["[1, 2, 3]", "2", 1n, 1n],
    ["[1, 2, 1]", "1", 0n, 2n],
    ["[1, 2, 3]", "4", -1n, -1n],
    ["[]", "1", -1n, -1n],
    ["[1, 2]", "2.0", 1n, 1n],
    ["[1u, 2]", "1", 0n, 0n],
    ["['a', 1]", "1", 1n, 1n],
    ["['1']", "1", -1n, -1n],
    ["[[1, 2], [3]]", "[3]", 1n, 1n],
    ["[{'a': 1}, {'a': 1}]", "{'a': 1.0}", 0n, 1n],
    ["[0.0 / 0.0]", "0.0 / 0.0", -1n, -1n],
  ];
  for (const [list, value, first, last] of cases) {
    test(`${list}.indexOf(${value}) is ${first}`, () => {
      assert.equal(celValueOf(`${list}.indexOf(${value})`), first);
    });
    test(`${list}.lastIndexOf(${value}) is ${last}`, () => {
      assert.equal(celValueOf(`${list}.lastIndexOf(${value})`), last);
    });
  }

  test("the string extension's indexOf still works beside the list one", () => {
    assert.equal(celValueOf("'abcb'.indexOf('b')"), 1n);
    assert.equal(celValueOf("'abcb'.lastIndexOf('b')"), 3n);
  });
});

describe("list errors", () => {
  const cases: [string, RegExp][] = [
    ["[].min()", /^min called on empty list$/],
    ["[].max()", /^max called on empty list$/],
    ["[1, 'a'].min()", /no such overload/],
    ["['a', 1].max()", /no such overload/],
    ["[1, 'a'].isSorted()", /no such overload/],
    ["[[1], [2]].isSorted()", /not supported/],
    ["[{'a': 1}].max()", /not supported/],
    ["[1, 2.0].sum()", /no such overload/],
    ["['a', 'b'].sum()", /not supported/],
    ["[9223372036854775807, 1].sum()", /overflow/],
  ];
  for (const [expr, message] of cases) {
    test(`${expr} fails with an error matching ${message}`, () => {
      assert.match(errorOf(expr).message, message);
    });
  }
});
