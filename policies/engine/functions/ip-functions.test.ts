import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { errorOf, show, celValueOf } from "./testing.ts";

describe("isIP", () => {
  const cases: [string, boolean][] = [
    ["1.2.3.4", true],
    ["0.0.0.0", true],
    ["255.255.255.255", true],
    ["::", true],
    ["::1", true],
    ["2001:db8::1", true],
    ["2001:DB8::1", true],
    ["fe80::1", true],
    ["::1.2.3.4", true],
    ["1:2:3:4:5:6:7:8", true],
    ["1:2:3:4:5:6:1.2.3.4", true],
    ["1:2:3:4:5:6:7::", true],
    ["", false],
    [" 1.2.3.4", false],
    ["1.2.3.4 ", false],
    ["1.2.3", false],
    ["1.2.3.4.5", false],
    ["256.0.0.1", false],
    ["1..2.3", false],
    ["1.2.3.-1", false],
    ["+1.2.3.4", false],
    ["010.0.0.1", false],
    ["1.2.3.04", false],
    ["::ffff:1.2.3.4", false],
    ["::ffff:102:304", false],
    ["fe80::1%eth0", false],
    ["1:2:3:4:5:6:7:8:9", false],
    ["1:2:3:4:5:6:7::8", false],
    ["1::2::3", false],
    [":::1", false],
    [":1::2", false],
    ["1:", false],
    ["12345::1", false],
    ["g::1", false],
    ["::1.2.3", false],
    ["::01.2.3.4", false],
    ["1.2.3.4::", false],
    ["[::1]", false],
    ["example.com", false],
  ];
  for (const [text, want] of cases) {
    test(`isIP(${show(text)}) is ${want}`, () => {
      assert.equal(celValueOf("isIP(s)", { s: text }), want);
    });
  }
});

describe("ip", () => {
  const cases: [string, string][] = [
    ["1.2.3.4", "1.2.3.4"],
    ["2001:0DB8:0000:0000:0000:0000:0000:0001", "2001:db8::1"],
    ["2001:db8:0:0:1:0:0:1", "2001:db8::1:0:0:1"],
    ["2001:db8:0:1:1:1:1:1", "2001:db8:0:1:1:1:1:1"],
    ["1:0:0:2:0:0:0:3", "1:0:0:2::3"],
    ["0:0:0:0:0:0:0:0", "::"],
    ["0:0:0:0:0:0:0:1", "::1"],
    ["1:0:0:0:0:0:0:0", "1::"],
    ["fe80:0:0:0:0:0:0:1", "fe80::1"],
    ["::1.2.3.4", "::102:304"],
    ["1:2:3:4:5:6:7::", "1:2:3:4:5:6:7:0"],
  ];
  for (const [text, want] of cases) {
    test(`ip(${show(text)}) is the canonical ${show(want)}`, () => {
      assert.equal(celValueOf("ip(s)", { s: text }), want);
    });
  }

  for (const text of ["", "010.0.0.1", "::ffff:1.2.3.4", "fe80::1%eth0", "300.1.1.1", "not an ip"]) {
    test(`ip(${show(text)}) fails with an invalid IP address error`, () => {
      assert.equal(errorOf("ip(s)", { s: text }).message, `invalid IP address: ${JSON.stringify(text)}`);
    });
  }
});

describe("family", () => {
  const cases: [string, bigint][] = [
    ["10.0.0.1", 4n],
    ["::1", 6n],
    ["::1.2.3.4", 6n],
  ];
  for (const [text, want] of cases) {
    test(`${show(text)}.family() is ${want}`, () => {
      assert.equal(celValueOf("s.family()", { s: text }), want);
    });
  }
});

const PREDICATES = [
  "isLoopback",
  "isUnspecified",
  "isLinkLocalUnicast",
  "isLinkLocalMulticast",
  "isMulticast",
  "isGlobalUnicast",
  "isBroadcast",
  "isPrivate",
] as const;
type Predicate = (typeof PREDICATES)[number];

describe("address classes", () => {
  // Each row lists the predicates that hold; all others must be false.
  const cases: [string, Predicate[]][] = [
    ["127.0.0.1", ["isLoopback"]],
    ["127.0.0.2", ["isLoopback"]],
    ["0.0.0.0", ["isUnspecified"]],
    ["169.254.169.254", ["isLinkLocalUnicast"]],
    ["169.254.0.1", ["isLinkLocalUnicast"]],
    ["224.0.0.251", ["isMulticast", "isLinkLocalMulticast"]],
    ["224.0.1.1", ["isMulticast"]],
    ["239.255.255.250", ["isMulticast"]],
    ["255.255.255.255", ["isBroadcast"]],
    ["10.1.2.3", ["isPrivate", "isGlobalUnicast"]],
    ["172.16.0.1", ["isPrivate", "isGlobalUnicast"]],
    ["172.31.255.255", ["isPrivate", "isGlobalUnicast"]],
    ["172.32.0.1", ["isGlobalUnicast"]],
    ["192.168.1.1", ["isPrivate", "isGlobalUnicast"]],
    ["8.8.8.8", ["isGlobalUnicast"]],
    ["240.0.0.1", ["isGlobalUnicast"]],
    ["::1", ["isLoopback"]],
    ["::", ["isUnspecified"]],
    ["fe80::1", ["isLinkLocalUnicast"]],
    ["febf::1", ["isLinkLocalUnicast"]],
    ["fec0::1", ["isGlobalUnicast"]],
    ["ff02::fb", ["isMulticast", "isLinkLocalMulticast"]],
    ["ff05::1", ["isMulticast"]],
    ["fd00::1", ["isPrivate", "isGlobalUnicast"]],
    ["fc00::1", ["isPrivate", "isGlobalUnicast"]],
    ["fe00::1", ["isGlobalUnicast"]],
    ["2001:4860:4860::8888", ["isGlobalUnicast"]],
  ];
  for (const [text, holds] of cases) {
    for (const predicate of PREDICATES) {
      const want = holds.includes(predicate);
      test(`${show(text)}.${predicate}() is ${want}`, () => {
        assert.equal(celValueOf(`s.${predicate}()`, { s: text }), want);
      });
    }
  }

  for (const method of ["family", ...PREDICATES]) {
    test(`${method}() on a string that is not an IP fails instead of answering`, () => {
      assert.equal(errorOf(`'10.0.0.0/8'.${method}()`).message, 'invalid IP address: "10.0.0.0/8"');
    });
  }
});
