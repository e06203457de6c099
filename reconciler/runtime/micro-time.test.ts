import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { formatMicroTime, parseMicroTime } from "./micro-time.ts";

describe("MicroTime", () => {
  it("writes UTC with exactly six fractional digits, as metav1.MicroTime", () => {
    assert.equal(formatMicroTime(Date.UTC(2030, 0, 1)), "2030-01-01T00:00:00.000000Z");
    assert.equal(formatMicroTime(Date.UTC(2030, 0, 1, 12, 30, 5, 123)), "2030-01-01T12:30:05.123000Z");
  });

  const reads: { text: string | undefined; ms: number | undefined }[] = [
    { text: "2030-01-01T00:00:00.000000Z", ms: Date.UTC(2030, 0, 1) },
    { text: "2030-01-01T00:00:00.123456Z", ms: Date.UTC(2030, 0, 1, 0, 0, 0, 123) },
    { text: "2030-01-01T00:00:00Z", ms: Date.UTC(2030, 0, 1) },
    { text: "2030-01-01T02:00:00.5+02:00", ms: Date.UTC(2030, 0, 1, 0, 0, 0, 500) },
    { text: "yesterday", ms: undefined },
    { text: "2030-01-01", ms: undefined },
    { text: undefined, ms: undefined },
  ];
  for (const r of reads) {
    it(`reads ${JSON.stringify(r.text)} as ${r.ms === undefined ? "no time" : new Date(r.ms).toISOString()}`, () => {
      assert.equal(parseMicroTime(r.text), r.ms);
    });
  }

  it("reads back what it writes", () => {
    const ms = Date.UTC(2031, 5, 30, 23, 59, 59, 999);
    assert.equal(parseMicroTime(formatMicroTime(ms)), ms);
  });
});
