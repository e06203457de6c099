import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { KubeObject } from "../../core/kube/object-key.ts";
import { withAppliedHash } from "../apply/plan-apply.ts";
import { FIELD_MANAGER } from "../resources.ts";
import { planGatewayTelemetry } from "./plan-gateway-telemetry.ts";
import { baseConfig, contractTelemetry, telemetryConfig } from "./testing/telemetry-fixtures.ts";

const desired = withAppliedHash(contractTelemetry(telemetryConfig())!);

/** What reading the applied object back looks like: server metadata, hostgate's field manager, others' additions. */
function stored(object: KubeObject, manager = FIELD_MANAGER): KubeObject {
  const copy = structuredClone(object);
  Object.assign(copy.metadata!, { uid: "u1", resourceVersion: "7", managedFields: [{ manager, operation: "Apply" }] });
  return copy;
}
const labels = (o: KubeObject) => o.metadata!.labels as Record<string, string>;
const spec = (o: KubeObject) => o.spec as Record<string, unknown>;

describe("planGatewayTelemetry", () => {
  const cases: { name: string; current: () => KubeObject | undefined; desired: KubeObject | undefined; action: string }[] = [
    { name: "nothing at the name and nothing asked plans nothing", current: () => undefined, desired: undefined, action: "none" },
    { name: "nothing at the name is created", current: () => undefined, desired, action: "write" },
    { name: "the object as applied, with server metadata, needs no write", current: () => stored(desired), desired, action: "none" },
    {
      name: "labels and annotations others added need no write",
      current: () => {
        const o = stored(desired);
        labels(o).team = "platform";
        return o;
      },
      desired,
      action: "none",
    },
    {
      name: "a hand-edited spec is reverted",
      current: () => {
        const o = stored(desired);
        spec(o).accessLogging = [{ disabled: true }];
        return o;
      },
      desired,
      action: "write",
    },
    {
      name: "hostgate's own object without its labels (removed by hand) is applied over",
      current: () => {
        const o = stored(desired);
        delete o.metadata!.labels;
        return o;
      },
      desired,
      action: "write",
    },
    {
      name: "a config change (another sampling) is written",
      current: () => stored(desired),
      desired: withAppliedHash(contractTelemetry(telemetryConfig(undefined, "50%"))!),
      action: "write",
    },
    { name: "someone else's object at the name is left, even with hostgate's labels", current: () => stored(desired, "kubectl"), desired, action: "leave" },
    { name: "hostgate's object no longer asked for is deleted", current: () => stored(desired), desired: undefined, action: "delete" },
    { name: "someone else's object is not deleted when nothing is asked", current: () => stored(desired, "kubectl"), desired: undefined, action: "none" },
    {
      name: "hostgate's object stripped of its managed-by label is not deleted (labels and field manager both needed)",
      current: () => {
        const o = stored(desired);
        delete o.metadata!.labels;
        return o;
      },
      desired: undefined,
      action: "none",
    },
    {
      name: "an object carrying a route's uid is no Telemetry of the gateway's: neither written over nor deleted",
      current: () => {
        const o = stored(desired);
        labels(o)["hostgate.dev/route-uid"] = "r1";
        return o;
      },
      desired: undefined,
      action: "none",
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      assert.equal(planGatewayTelemetry(c.current(), c.desired, baseConfig).action, c.action);
    });
  }

  it("is idempotent: planning again over what the planned write stored finds nothing to do", () => {
    const next = withAppliedHash(contractTelemetry(telemetryConfig("response.code >= 500", "10%"))!);
    const plan = planGatewayTelemetry(stored(desired), next, baseConfig);
    assert.equal(plan.action, "write");
    const after = stored((plan as { object: KubeObject }).object);
    assert.deepEqual(planGatewayTelemetry(after, next, baseConfig), { action: "none" });
    assert.deepEqual(planGatewayTelemetry(after, withAppliedHash(contractTelemetry(telemetryConfig("response.code >= 500", "10%"))!), baseConfig), {
      action: "none",
    });
  });
});
