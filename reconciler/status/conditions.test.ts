import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { sameConditions, setConditions } from "./conditions.ts";
import type { Condition } from "../../crds/types.ts";

const T0 = new Date("2030-01-01T00:00:00.123Z");
const T1 = new Date("2030-01-01T01:00:00Z");
const claimed = (status: Condition["status"], reason: string, time = "2030-01-01T00:00:00Z"): Condition => ({
  type: "Claimed",
  status,
  observedGeneration: 1,
  lastTransitionTime: time,
  reason,
  message: "m",
});

describe("condition bookkeeping", () => {
  test("a new condition gets the current time, without fractional seconds", () => {
    assert.deepEqual(setConditions(undefined, [{ type: "Claimed", status: "True", reason: "Claimed", message: "m" }], 1, T0), [claimed("True", "Claimed")]);
  });

  test("the transition time stays when only the reason or message changes", () => {
    const next = setConditions([claimed("False", "DomainTaken")], [{ type: "Claimed", status: "False", reason: "Other", message: "changed" }], 2, T1);
    assert.equal(next[0]!.lastTransitionTime, "2030-01-01T00:00:00Z");
    assert.equal(next[0]!.observedGeneration, 2);
  });

  test("the transition time moves when the status changes", () => {
    const next = setConditions([claimed("False", "DomainTaken")], [{ type: "Claimed", status: "True", reason: "Claimed", message: "m" }], 1, T1);
    assert.equal(next[0]!.lastTransitionTime, "2030-01-01T01:00:00Z");
  });

  test("conditions the caller does not set are kept, and the list is sorted by type", () => {
    const next = setConditions(
      [{ ...claimed("True", "Claimed"), type: "ProtectionReady" }],
      [{ type: "Claimed", status: "True", reason: "Claimed", message: "m" }],
      1,
      T0,
    );
    assert.deepEqual(
      next.map((c) => c.type),
      ["Claimed", "ProtectionReady"],
    );
  });

  test("setting the same conditions twice yields the same list", () => {
    const input = [{ type: "Ready", status: "True" as const, reason: "Ready", message: "m" }];
    const once = setConditions(undefined, input, 1, T0);
    assert.ok(sameConditions(once, setConditions(once, input, 1, T1)));
    assert.ok(!sameConditions(once, setConditions(once, input, 2, T1)));
  });
});
