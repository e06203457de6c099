// Expressions the compiled fast path declines are listed with their reason
// (the webhook logs each at start) and counted in a bounded metric.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { createWebhookMetrics } from "../../webhook/metrics.ts";
import { logPlannerFallbacks, plannerFallbacks, reasonLabel } from "./fallbacks.ts";
import { compileModule, makePolicySet } from "./module-loader.ts";

function module(name: string, validations: Array<{ expression: string; messageExpression?: string }>) {
  const result = compileModule(
    {
      apiVersion: "hostgate.dev/v1alpha1",
      kind: "PolicyModule",
      metadata: { name },
      spec: { description: "t", match: [{ apiGroups: ["*"], kinds: ["*"], operations: ["*"] }], validations: validations.map((v) => ({ message: "m", ...v })) },
    },
    `${name}.yaml`,
  );
  if ("problems" in result) assert.fail(result.problems.join("\n"));
  return result.module;
}

const TIMESTAMPS = "timestamp('2024-01-01T00:00:00Z') < timestamp('2025-01-01T00:00:00Z')";

describe("expressions that run on the planner", () => {
  const set = makePolicySet([
    module("dates", [{ expression: TIMESTAMPS }, { expression: "true", messageExpression: "string(timestamp('2024-01-01T00:00:00Z'))" }]),
    module("plain", [{ expression: "has(object.spec)" }]),
  ]);

  test("each one is listed with its policy, field, reason and source; compiled ones are not", () => {
    assert.deepEqual(
      plannerFallbacks(set).map((f) => [f.policy, f.field, f.reason, f.expression]),
      [
        ["dates", "spec.validations[0].expression", "timestamp() produces a protobuf message", TIMESTAMPS],
        ["dates", "spec.validations[1].messageExpression", "timestamp() produces a protobuf message", "string(timestamp('2024-01-01T00:00:00Z'))"],
      ],
    );
  });

  test("each one is logged as a warning naming the policy, field, reason and expression", () => {
    const lines: Array<[string, Record<string, unknown>, string]> = [];
    const record = (level: string) => (fields: Record<string, unknown>, message: string) => void lines.push([level, fields, message]);
    logPlannerFallbacks(plannerFallbacks(set), { debug: record("debug"), info: record("info"), warn: record("warn"), error: record("error") });
    assert.deepEqual(lines[0], [
      "warn",
      { policy: "dates", field: "spec.validations[0].expression", reason: "timestamp() produces a protobuf message", expression: TIMESTAMPS },
      "policy expression runs on the CEL planner, not the compiled fast path",
    ]);
    assert.equal(lines.length, 2);
  });

  test("the metric counts them by policy and reason", async () => {
    const metrics = createWebhookMetrics(
      {
        cacheCounts: () => ({}) as never,
        cacheSynced: () => true,
        certificateNotAfter: () => undefined,
        policiesLoaded: () => 2,
        plannerFallbacks: () => plannerFallbacks(set),
      },
      { defaultMetrics: false },
    );
    const text = await metrics.registry.metrics();
    assert.match(text, /^hostgate_policy_expressions_interpreted\{policy="dates",reason="timestamp\(\) produces a protobuf message"\} 2$/m);
    assert.doesNotMatch(text, /policy="plain"/);
  });

  for (const [reason, label] of [
    ["two-variable comprehension", "two-variable comprehension"],
    ["the compiler failed: Cannot read properties of undefined (reading 'x')", "the compiler failed"],
    ["x".repeat(300), `${"x".repeat(79)}…`],
  ] as const) {
    test(`the reason "${reason.slice(0, 40)}" becomes the bounded label "${label.slice(0, 40)}"`, () => {
      assert.equal(reasonLabel(reason), label);
    });
  }
});
