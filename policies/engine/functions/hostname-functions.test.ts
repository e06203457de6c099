import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { errorOf, show, celValueOf } from "./testing.ts";

const label63 = "a".repeat(63);
// 4 labels of 63 + 3 dots = 255; trim to exactly 253 and 254 characters.
const name253 = `${label63}.${label63}.${label63}.${"a".repeat(61)}`;
const name254 = `${label63}.${label63}.${label63}.${"a".repeat(62)}`;

describe("isHostname", () => {
  const cases: [string, boolean][] = [
    ["localhost", true],
    ["example.com", true],
    ["a.b.example.com", true],
    ["xn--bcher-kva.example", true],
    ["a-b.c", true],
    ["1a.example.com", true],
    ["123.example.com", true],
    ["example.com1", true],
    [`${label63}.com`, true],
    [name253, true],
    ["", false],
    ["Example.com", false],
    ["example.com.", false],
    [".example.com", false],
    ["a..b", false],
    ["-a.com", false],
    ["a-.com", false],
    ["a_b.com", false],
    ["exa mple.com", false],
    ["*.example.com", false],
    ["*", false],
    [`${label63}a.com`, false],
    [name254, false],
    ["10.0.0.1", false],
    ["123", false],
    ["example.123", false],
    ["exämple.com", false],
  ];
  for (const [name, want] of cases) {
    test(`isHostname(${show(name.length > 70 ? `${name.length} chars` : name)}) is ${want}`, () => {
      assert.equal(celValueOf("isHostname(s)", { s: name }), want);
    });
  }
});

describe("isWildcardHostname", () => {
  const cases: [string, boolean][] = [
    ["*.example.com", true],
    ["*.com", true],
    ["*.localhost", true],
    ["*", false],
    ["*.", false],
    ["a.*.com", false],
    ["*.*.com", false],
    ["**.com", false],
    ["*example.com", false],
    ["example.com", false],
    ["*.Example.com", false],
    ["*.example.com.", false],
    [`*.${name253}`, false],
  ];
  for (const [name, want] of cases) {
    test(`isWildcardHostname(${show(name.length > 70 ? `${name.length} chars` : name)}) is ${want}`, () => {
      assert.equal(celValueOf("isWildcardHostname(s)", { s: name }), want);
    });
  }
});

describe("grantCovers", () => {
  const cases: [string, string, boolean][] = [
    ["*.example.com", "a.example.com", true],
    ["*.example.com", "a.b.example.com", true],
    ["*.example.com", "*.x.example.com", true],
    ["*.example.com", "*.example.com", true],
    ["*.example.com", "example.com", false],
    ["*.example.com", "*.com", false],
    ["*.example.com", "badexample.com", false],
    ["*.example.com", "a.badexample.com", false],
    ["*.example.com", "a.example.org", false],
    ["a.example.com", "a.example.com", true],
    ["a.example.com", "*.a.example.com", false],
    ["a.example.com", "b.example.com", false],
    ["a.example.com", "x.a.example.com", false],
    ["*.EXAMPLE.com", "A.Example.COM", true],
    ["A.example.com", "a.EXAMPLE.com", true],
    ["", "", false],
    ["*", "a.com", false],
    ["*.example.com", "", false],
    ["a.*.com", "a.b.com", false],
    ["*.example.com", "a..example.com", false],
    ["*.example.com", "a.example.com.", false],
    ["*.example.com", "a_b.example.com", false],
    ["example.com.", "example.com.", false],
  ];
  for (const [pattern, name, want] of cases) {
    test(`grantCovers(${show(pattern)}, ${show(name)}) is ${want}`, () => {
      assert.equal(celValueOf("grantCovers(p, n)", { p: pattern, n: name }), want);
    });
  }
});

describe("hostnameUnder and labelsBelow", () => {
  const cases: [string, string, bigint][] = [
    ["example.com", "example.com", 0n],
    ["www.example.com", "example.com", 1n],
    ["a.b.example.com", "example.com", 2n],
    ["*.example.com", "example.com", 1n],
    ["*.a.example.com", "example.com", 2n],
    ["WWW.Example.com", "example.COM", 1n],
    ["badexample.com", "example.com", -1n],
    ["example.com", "www.example.com", -1n],
    ["example.org", "example.com", -1n],
    ["a.com", "*.com", -1n],
    ["", "", -1n],
    ["a..example.com", "example.com", -1n],
    ["www.example.com.", "example.com", -1n],
  ];
  for (const [name, apex, labels] of cases) {
    test(`labelsBelow(${show(name)}, ${show(apex)}) is ${labels}`, () => {
      assert.equal(celValueOf("labelsBelow(n, a)", { n: name, a: apex }), labels);
    });
    test(`hostnameUnder(${show(name)}, ${show(apex)}) is ${labels >= 0n}`, () => {
      assert.equal(celValueOf("hostnameUnder(n, a)", { n: name, a: apex }), labels >= 0n);
    });
  }
});

describe("apexOf", () => {
  const cases: [string, string[], string][] = [
    ["a.b.example.com", ["example.com", "b.example.com", "x.com"], "b.example.com"],
    ["a.b.example.com", ["b.example.com", "example.com"], "b.example.com"],
    ["www.example.com", ["example.com"], "example.com"],
    ["example.com", ["example.com", "www.example.com"], "example.com"],
    ["example.org", ["example.com"], ""],
    ["a.example.com", [], ""],
    ["WWW.EXAMPLE.COM", ["Example.com"], "Example.com"],
    ["*.apps.example.com", ["example.com", "apps.example.com"], "apps.example.com"],
    ["badexample.com", ["example.com"], ""],
  ];
  for (const [name, apexes, want] of cases) {
    test(`apexOf(${show(name)}, ${show(apexes)}) is ${show(want)}`, () => {
      assert.equal(celValueOf("apexOf(n, a)", { n: name, a: apexes }), want);
    });
  }

  test("apexOf fails on a list holding something other than strings", () => {
    assert.match(errorOf("apexOf('a.com', ['a.com', 1])").message, /list of strings/);
  });
});

describe("hostnameWithoutPort", () => {
  const cases: [string, string][] = [
    ["Example.COM:8443", "example.com"],
    ["example.com", "example.com"],
    ["example.com:", "example.com"],
    ["10.0.0.1:80", "10.0.0.1"],
    ["[::1]:443", "::1"],
    ["[2001:DB8::1]", "2001:db8::1"],
    ["::1", "::1"],
    ["2001:db8::1", "2001:db8::1"],
    ["example.com:http", "example.com:http"],
    ["", ""],
  ];
  for (const [hostPort, want] of cases) {
    test(`hostnameWithoutPort(${show(hostPort)}) is ${show(want)}`, () => {
      assert.equal(celValueOf("hostnameWithoutPort(s)", { s: hostPort }), want);
    });
  }
});
