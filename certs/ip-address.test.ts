import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { bytesToIp, canonicalIp, ipToBytes } from "./ip-address.ts";

describe("canonicalIp", () => {
  const cases: { text: string; canonical: string | undefined }[] = [
    { text: "127.0.0.1", canonical: "127.0.0.1" },
    { text: "::1", canonical: "::1" },
    { text: "0:0:0:0:0:0:0:1", canonical: "::1" },
    { text: "FE80::0001:2", canonical: "fe80::1:2" },
    { text: "2001:db8:0:0:1:0:0:1", canonical: "2001:db8::1:0:0:1" },
    { text: "2001:db8::", canonical: "2001:db8::" },
    { text: "1:0:1:1:1:1:1:1", canonical: "1:0:1:1:1:1:1:1" },
    { text: "::ffff:10.0.0.1", canonical: "::ffff:a00:1" },
    { text: "1::10.0.0.1", canonical: "1::a00:1" },
    { text: "::10.0.0.1", canonical: "::a00:1" },
    { text: "::", canonical: "::" },
    { text: "fe80::1%eth0", canonical: undefined },
    { text: "localhost", canonical: undefined },
    { text: "256.0.0.1", canonical: undefined },
  ];
  for (const c of cases) {
    it(`gives ${c.text} as ${c.canonical ?? "not an address"}`, () => assert.equal(canonicalIp(c.text), c.canonical));
  }

  it("encodes IPv4 in 4 bytes and IPv6 in 16", () => {
    assert.deepEqual([...(ipToBytes("10.1.2.3") ?? [])], [10, 1, 2, 3]);
    assert.deepEqual([...(ipToBytes("::1") ?? [])], [...new Array<number>(15).fill(0), 1]);
  });

  it("refuses byte strings of any other length", () => assert.equal(bytesToIp(new Uint8Array(5)), undefined));
});
