import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { AwsRetry } from "./aws-retry.ts";

const throttled = () => Object.assign(new Error("Rate exceeded"), { name: "ThrottlingException", $metadata: { httpStatusCode: 400 } });
const invalid = () => Object.assign(new Error("bad"), { name: "ValidationException", $metadata: { httpStatusCode: 400 } });

/** A call failing with `failures` in order, then answering "ok". */
function scripted(failures: Error[]): { send: () => Promise<string>; calls: () => number } {
  let calls = 0;
  return {
    send: async () => {
      const failure = failures[calls++];
      if (failure !== undefined) throw failure;
      return "ok";
    },
    calls: () => calls,
  };
}

describe("AwsRetry", () => {
  const policy = { attempts: 4, backoff: { initialMs: 100, maxMs: 300, factor: 2, jitter: 0.5 } };
  const cases: { name: string; failures: Error[]; random: number; result: "ok" | string; calls: number; sleeps: number[] }[] = [
    { name: "answers at once when the first attempt succeeds", failures: [], random: 0, result: "ok", calls: 1, sleeps: [] },
    {
      name: "backs off exponentially, capped, and then succeeds",
      failures: [throttled(), throttled(), throttled()],
      random: 0,
      result: "ok",
      calls: 4,
      sleeps: [100, 200, 300],
    },
    { name: "jitter shortens each delay by up to half", failures: [throttled(), throttled()], random: 1, result: "ok", calls: 3, sleeps: [50, 100] },
    {
      name: "gives up after the policy's attempts, throwing the last error",
      failures: [throttled(), throttled(), throttled(), throttled(), throttled()],
      random: 0,
      result: "ThrottlingException",
      calls: 4,
      sleeps: [100, 200, 300],
    },
    { name: "throws an error not worth retrying at once", failures: [invalid()], random: 0, result: "ValidationException", calls: 1, sleeps: [] },
    {
      name: "stops retrying at an error not worth retrying",
      failures: [throttled(), invalid()],
      random: 0,
      result: "ValidationException",
      calls: 2,
      sleeps: [100],
    },
  ];
  for (const c of cases) {
    it(c.name, async () => {
      const sleeps: number[] = [];
      const retry = new AwsRetry({ policy, random: () => c.random, sleep: async (ms) => void sleeps.push(ms) });
      const call = scripted(c.failures);
      const result = await retry.run("Test", call.send).catch((error: Error) => error.name);
      assert.equal(result, c.result);
      assert.equal(call.calls(), c.calls);
      assert.deepEqual(sleeps, c.sleeps);
    });
  }

  it("refuses a policy with no attempt", () => {
    assert.throws(() => new AwsRetry({ policy: { attempts: 0, backoff: policy.backoff } }), /attempts must be an integer >= 1 \(got 0\)/);
  });
});
