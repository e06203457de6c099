import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { percentValue, SAMPLING_PERCENT_PATTERN, THRESHOLD_PERCENT_PATTERN } from "./percent.ts";

describe("percentages", () => {
  const cases: { text: string; threshold: boolean; sampling: boolean; value?: number }[] = [
    { text: "5%", threshold: true, sampling: true, value: 5 },
    { text: "0.5%", threshold: true, sampling: true, value: 0.5 },
    { text: "0.1%", threshold: true, sampling: true, value: 0.1 },
    { text: "0.25%", threshold: true, sampling: true, value: 0.25 },
    { text: "100%", threshold: true, sampling: true, value: 100 },
    { text: "100.0%", threshold: true, sampling: true, value: 100 },
    { text: "99.99%", threshold: true, sampling: true, value: 99.99 },
    { text: "0.05%", threshold: false, sampling: true, value: 0.05 },
    { text: "0.01%", threshold: false, sampling: true, value: 0.01 },
    { text: "0%", threshold: false, sampling: true, value: 0 },
    { text: "100.5%", threshold: false, sampling: false, value: 100.5 },
    { text: "101%", threshold: false, sampling: false, value: 101 },
    { text: "05%", threshold: false, sampling: false, value: 5 },
    { text: "0.125%", threshold: false, sampling: false },
    { text: "5", threshold: false, sampling: false },
    { text: "0.05", threshold: false, sampling: false },
    { text: "-5%", threshold: false, sampling: false },
    { text: ".5%", threshold: false, sampling: false },
    { text: "5 %", threshold: false, sampling: false },
  ];
  for (const { text, threshold, sampling, value } of cases) {
    it(`"${text}" is ${threshold ? "a" : "no"} threshold and ${sampling ? "a" : "no"} sample rate`, () => {
      assert.equal(new RegExp(THRESHOLD_PERCENT_PATTERN).test(text), threshold);
      assert.equal(new RegExp(SAMPLING_PERCENT_PATTERN).test(text), sampling);
      if (value === undefined) assert.throws(() => percentValue(text), /is not a percentage such as 5% or 0.5%/);
      else assert.equal(percentValue(text), value);
    });
  }
});
