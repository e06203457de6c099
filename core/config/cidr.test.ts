import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { isCidr } from "./cidr.ts";

describe("isCidr", () => {
  const cases: { text: string; valid: boolean }[] = [
    { text: "10.0.0.0/8", valid: true },
    { text: "169.254.169.254/32", valid: true },
    { text: "0.0.0.0/0", valid: true },
    { text: "10.0.0.1/8", valid: true },
    { text: "fd00:ec2::254/128", valid: true },
    { text: "::/0", valid: true },
    { text: "10.0.0.0", valid: false },
    { text: "10.0.0.0/33", valid: false },
    { text: "10.0.0.0/08", valid: false },
    { text: "10.0.0.0/-1", valid: false },
    { text: "10.0.0/8", valid: false },
    { text: "fd00::/129", valid: false },
    { text: "fe80::1%eth0/64", valid: false },
    { text: "10.0.0.0/8/8", valid: false },
    { text: "example.com/24", valid: false },
    // The engine refuses IPv4-mapped IPv6 (it would dodge IPv4 range checks),
    // so the config must too, or every external-backend route would fail.
    { text: "::ffff:10.0.0.0/104", valid: false },
    { text: "010.0.0.0/8", valid: false },
  ];
  for (const c of cases) {
    it(`${c.valid ? "accepts" : "rejects"} ${c.text}`, () => assert.equal(isCidr(c.text), c.valid));
  }
});
