import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { jsonEqual } from "./json.ts";

describe("jsonEqual", () => {
  const cases: { name: string; a: unknown; b: unknown; equal: boolean }[] = [
    {
      name: "objects with the same keys in another order are equal",
      a: { a: 1, b: { c: [1, 2], d: "x" } },
      b: { b: { d: "x", c: [1, 2] }, a: 1 },
      equal: true,
    },
    { name: "arrays in another order are not equal", a: [1, 2], b: [2, 1], equal: false },
    { name: "an extra key makes objects differ", a: { a: 1 }, b: { a: 1, b: 2 }, equal: false },
    { name: "a key holding undefined equals a missing key", a: { a: 1, b: undefined }, b: { a: 1 }, equal: true },
    { name: "a deep value change makes objects differ", a: { a: { b: { c: "x" } } }, b: { a: { b: { c: "y" } } }, equal: false },
    { name: "a number and its string differ", a: { a: 1 }, b: { a: "1" }, equal: false },
    { name: "null and an empty object differ", a: null, b: {}, equal: false },
    { name: "an empty array and an empty object differ", a: [], b: {}, equal: false },
    { name: "a missing value and an object differ", a: undefined, b: {}, equal: false },
  ];
  for (const c of cases) {
    it(c.name, () => {
      assert.equal(jsonEqual(c.a, c.b), c.equal);
      assert.equal(jsonEqual(c.b, c.a), c.equal);
    });
  }
});
