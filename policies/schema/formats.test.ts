import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { FORMATS } from "./formats.ts";

describe("FORMATS", () => {
  const cases: [string, string, boolean][] = [
    ["date-time", "2024-05-01T12:30:00Z", true],
    ["date-time", "2024-05-01T12:30:00.123456789+02:00", true],
    ["date-time", "2024-05-01T12:30Z", true],
    ["date-time", "2024-05-01 12:30:00", true],
    ["date-time", "", true],
    ["date-time", "2024-02-30T00:00:00Z", false],
    ["date-time", "yesterday", false],
    ["date", "2024-02-29", true],
    ["date", "2023-02-29", false],
    ["uuid", "0b7a2c1e-4d5f-4a6b-8c9d-0e1f2a3b4c5d", true],
    ["uuid", "not-a-uuid", false],
    ["ipv4", "10.20.30.40", true],
    ["ipv4", "10.020.30.40", false],
    ["ipv6", "fd00::1", true],
    ["cidr", "10.0.0.0/8", true],
    ["cidr", "10.0.0.0/33", false],
    ["byte", "aGVsbG8=", true],
    ["byte", "not base64!", false],
  ];
  for (const [format, value, ok] of cases) {
    it(`${ok ? "accepts" : "rejects"} ${JSON.stringify(value)} as ${format}`, () => {
      assert.equal(FORMATS[format]!(value), ok);
    });
  }
});
