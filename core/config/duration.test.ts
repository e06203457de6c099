import assert from "node:assert/strict";
import { test } from "node:test";
import { durationMs } from "./duration.ts";

const cases: { text: string; ms?: number }[] = [
  { text: "5m", ms: 300_000 },
  { text: "90s", ms: 90_000 },
  { text: "1h30m", ms: 5_400_000 },
  { text: "1h0m5s", ms: 3_605_000 },
  { text: "" },
  { text: "5" },
  { text: "m" },
  { text: "1.5h" },
  { text: "5m1h" },
  { text: "-5m" },
];

for (const { text, ms } of cases) {
  const name = ms === undefined ? `"${text}" is refused` : `"${text}" is ${ms} ms`;
  test(name, () => {
    if (ms === undefined) assert.throws(() => durationMs(text), /is not a duration such as 5m, 90s or 1h30m/);
    else assert.equal(durationMs(text), ms);
  });
}
