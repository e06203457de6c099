import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { prometheusDurationMs } from "./prometheus-duration.ts";

describe("Prometheus durations", () => {
  const cases: { text: string; ms?: number }[] = [
    { text: "5m", ms: 300_000 },
    { text: "30s", ms: 30_000 },
    { text: "1h30m", ms: 5_400_000 },
    { text: "1d", ms: 86_400_000 },
    { text: "2w", ms: 14 * 86_400_000 },
    { text: "1y", ms: 365 * 86_400_000 },
    { text: "1m500ms", ms: 60_500 },
    { text: "0", ms: 0 },
    { text: "0s", ms: 0 },
    { text: "" },
    { text: "5" },
    { text: "1.5h" },
    { text: "5m1h" },
    { text: "-5m" },
    { text: "5 m" },
    { text: "5M" },
  ];
  for (const { text, ms } of cases) {
    const name = ms === undefined ? `"${text}" is refused` : `"${text}" is ${ms} ms`;
    it(name, () => {
      if (ms === undefined) assert.throws(() => prometheusDurationMs(text), /is not a Prometheus duration such as 30s, 5m, 1h30m or 1d/);
      else assert.equal(prometheusDurationMs(text), ms);
    });
  }
});
