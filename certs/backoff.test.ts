import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { retryDelay } from "./backoff.ts";

describe("retryDelay", () => {
  const backoff = { initial: 1_000, max: 60_000 };
  const cases: [failures: number, delay: number][] = [
    [1, 1_000],
    [2, 2_000],
    [3, 4_000],
    [6, 32_000],
    [7, 60_000],
    [1_000, 60_000],
  ];
  for (const [failures, delay] of cases) it(`waits ${delay} ms after ${failures} consecutive failure(s)`, () => assert.equal(retryDelay(failures, backoff), delay));
});
