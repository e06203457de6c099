import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { errorOf, show, celValueOf } from "./testing.ts";

describe("isCIDR", () => {
  const cases: [string, boolean][] = [
    ["10.0.0.0/8", true],
    ["10.1.2.3/8", true],
    ["0.0.0.0/0", true],
    ["1.2.3.4/32", true],
    ["::/0", true],
    ["::1/128", true],
    ["2001:db8::/32", true],
    ["10.0.0.0", false],
    ["10.0.0.0/", false],
    ["/8", false],
    ["10.0.0.0/33", false],
    ["::/129", false],
    ["10.0.0.0/08", false],
    ["10.0.0.0/+8", false],
    ["10.0.0.0/-1", false],
    ["10.0.0.0/8/8", false],
    [" 10.0.0.0/8", false],
    ["010.0.0.0/8", false],
    ["::ffff:1.2.3.4/128", false],
    ["fe80::1%eth0/64", false],
  ];
  for (const [text, want] of cases) {
    test(`isCIDR(${show(text)}) is ${want}`, () => {
      assert.equal(celValueOf("isCIDR(s)", { s: text }), want);
    });
  }
});

describe("cidr", () => {
  const cases: [string, string][] = [
    ["10.0.0.0/8", "10.0.0.0/8"],
    // Like Kubernetes (Go netip.Prefix), host bits are kept; masked() drops them.
    ["10.1.2.3/8", "10.1.2.3/8"],
    ["2001:DB8:0:0::/32", "2001:db8::/32"],
    ["0:0:0:0:0:0:0:0/0", "::/0"],
  ];
  for (const [text, want] of cases) {
    test(`cidr(${show(text)}) is the canonical ${show(want)}`, () => {
      assert.equal(celValueOf("cidr(s)", { s: text }), want);
    });
  }

  for (const text of ["", "10.0.0.0", "10.0.0.0/33", "::ffff:1.2.3.4/120"]) {
    test(`cidr(${show(text)}) fails with an invalid CIDR error`, () => {
      assert.equal(errorOf("cidr(s)", { s: text }).message, `invalid CIDR: ${JSON.stringify(text)}`);
    });
  }
});

describe("containsIP", () => {
  const cases: [string, string, boolean][] = [
    ["10.0.0.0/8", "10.1.2.3", true],
    ["10.0.0.0/8", "11.0.0.1", false],
    ["10.1.2.3/8", "10.200.0.1", true],
    ["192.168.1.128/25", "192.168.1.127", false],
    ["192.168.1.128/25", "192.168.1.255", true],
    ["1.2.3.4/32", "1.2.3.4", true],
    ["0.0.0.0/0", "203.0.113.9", true],
    ["2001:db8::/32", "2001:db8:ffff::1", true],
    ["2001:db8::/32", "2001:db9::1", false],
    ["10.0.0.0/8", "::1", false],
    ["0.0.0.0/0", "::1", false],
    ["::/0", "1.2.3.4", false],
    ["::/0", "::1.2.3.4", true],
    // Prefixes ending inside a byte, at both of its edges.
    ["172.16.0.0/12", "172.31.255.255", true],
    ["172.16.0.0/12", "172.32.0.0", false],
    ["172.16.0.0/12", "172.15.255.255", false],
    ["2001:db8::/127", "2001:db8::1", true],
    ["2001:db8::/127", "2001:db8::2", false],
  ];
  for (const [cidr, ip, want] of cases) {
    test(`${show(cidr)}.containsIP(${show(ip)}) is ${want}`, () => {
      assert.equal(celValueOf("c.containsIP(i)", { c: cidr, i: ip }), want);
    });
  }

  test("cidr('10.0.0.0/8').containsIP('10.1.2.3') composes with cidr()", () => {
    assert.equal(celValueOf("cidr('10.0.0.0/8').containsIP('10.1.2.3')"), true);
  });

  test("containsIP fails when its argument is not an IP, even a CIDR", () => {
    assert.equal(errorOf("'10.0.0.0/8'.containsIP('10.0.0.0/8')").message, 'invalid IP address: "10.0.0.0/8"');
  });

  test("containsIP fails when its receiver is not a CIDR", () => {
    assert.equal(errorOf("'10.0.0.1'.containsIP('10.0.0.1')").message, 'invalid CIDR: "10.0.0.1"');
  });
});

describe("containsCIDR", () => {
  const cases: [string, string, boolean][] = [
    ["10.0.0.0/8", "10.1.0.0/16", true],
    ["10.0.0.0/8", "10.0.0.0/8", true],
    ["10.1.2.3/8", "10.9.0.0/16", true],
    ["10.0.0.0/8", "10.255.255.255/32", true],
    ["10.0.0.0/16", "10.0.0.0/8", false],
    ["10.0.0.0/8", "11.0.0.0/16", false],
    ["0.0.0.0/0", "::/0", false],
    ["::/0", "2001:db8::/32", true],
    ["2001:db8::/32", "2001:db8:1::/48", true],
    ["2001:db8::/48", "2001:db8::/32", false],
  ];
  for (const [outer, inner, want] of cases) {
    test(`${show(outer)}.containsCIDR(${show(inner)}) is ${want}`, () => {
      assert.equal(celValueOf("o.containsCIDR(i)", { o: outer, i: inner }), want);
    });
  }

  test("containsCIDR fails when its argument is not a CIDR", () => {
    assert.equal(errorOf("'10.0.0.0/8'.containsCIDR('10.0.0.1')").message, 'invalid CIDR: "10.0.0.1"');
  });
});

describe("prefixLength and masked", () => {
  const cases: [string, bigint, string][] = [
    ["10.1.2.3/8", 8n, "10.0.0.0/8"],
    ["192.168.1.130/25", 25n, "192.168.1.128/25"],
    ["1.2.3.4/32", 32n, "1.2.3.4/32"],
    ["1.2.3.4/0", 0n, "0.0.0.0/0"],
    ["2001:db8::1/32", 32n, "2001:db8::/32"],
    ["2001:db8:abcd:12ff::1/60", 60n, "2001:db8:abcd:12f0::/60"],
  ];
  for (const [text, length, masked] of cases) {
    test(`${show(text)}.prefixLength() is ${length}`, () => {
      assert.equal(celValueOf("s.prefixLength()", { s: text }), length);
    });
    test(`${show(text)}.masked() is ${show(masked)}`, () => {
      assert.equal(celValueOf("s.masked()", { s: text }), masked);
    });
  }

  for (const method of ["prefixLength", "masked"]) {
    test(`${method}() on a plain IP fails instead of answering`, () => {
      assert.equal(errorOf(`'10.0.0.1'.${method}()`).message, 'invalid CIDR: "10.0.0.1"');
    });
  }
});
