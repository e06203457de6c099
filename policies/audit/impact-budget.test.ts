// The webhook's shared impact scanning time: a PolicyModule write weighs its
// impact only with what the reviews before it left of the rolling budget; one
// that finds it spent is admitted at once with a short warning, so a few
// PolicyModule writes in a row cannot hold up every other review past the
// webhook's timeout.
import assert from "node:assert/strict";
import { join } from "node:path";
import { describe, test } from "node:test";
import { configToCel, loadPlatformConfig } from "../../core/config/index.ts";
import type { KubeObject } from "../../core/kube/object-key.ts";
import { ClusterStateIndex } from "../../core/state/index.ts";
import { makePolicySet } from "../engine/module-loader.ts";
import { admissionInput } from "../testing/admission-scenarios.ts";
import { policyModule } from "../testing/policy-module-cases.ts";
import { decide } from "../verdict.ts";
import type { VerdictEnvironment } from "../verdict.ts";
import { RollingImpactBudget } from "./impact-budget.ts";
import { IMPACT_BUSY, POLICY_IMPACT_RULE } from "./module-impact.ts";

const ROOT = join(import.meta.dirname, "..", "..");
const CONFIG = configToCel(loadPlatformConfig(join(ROOT, "examples", "platform-config.yaml")));
const HARMLESS = policyModule("no-legacy-lb", [{ expression: "object.spec.lb != 'alb-legacy'", message: "alb-legacy is gone" }]);

const routes = (n: number): KubeObject[] =>
  Array.from({ length: n }, (_, i) => ({
    apiVersion: "hostgate.dev/v1alpha1",
    kind: "DomainRoute",
    metadata: { name: `route-${i}`, namespace: "team-a", uid: `uid-${i}` },
    spec: { domain: `route-${i}.example.com`, lb: "alb-in" },
  }));

/** One clock for the scans and the budget: each reading by a scan moves it 1 ms; `wait` moves it by hand. */
function scene(totalMs: number) {
  let t = 0;
  const shared = new RollingImpactBudget({ totalMs, windowMs: 10_000, now: () => t });
  const review = (objects: readonly KubeObject[]) => {
    const env: VerdictEnvironment = {
      policies: makePolicySet([]),
      config: CONFIG,
      cluster: ClusterStateIndex.fromObjects(objects).celValue(),
      impact: { objects: () => objects, now: () => t++, shared },
    };
    return decide(admissionInput("CREATE", HARMLESS, null, null), env, { schema: false, mutate: false, validate: true })
      .warnings.filter((w) => w.policy === POLICY_IMPACT_RULE)
      .map((w) => w.message);
  };
  return { review, wait: (ms: number) => (t += ms) };
}

describe("impact scanning time shared by the webhook's reviews", () => {
  test("a review right after one that spent the shared time answers at once that the impact was not computed", () => {
    const { review } = scene(10);
    assert.deepEqual(review(routes(2000)), [
      "this change would deny no existing object (10 objects checked)",
      "partial answer: checked 10 of 2,000 objects within 0.01 s; run hostgate diff for all",
    ]);
    assert.deepEqual(review(routes(3)), [IMPACT_BUSY]);
  });

  test("a review gets only what the reviews before it left, and says how long it had", () => {
    const { review } = scene(20);
    // 3 objects: the scan reads the clock to start and once per object, then records what it took: 4 ms.
    assert.deepEqual(review(routes(3)), ["this change would deny no existing object (3 objects checked)"]);
    assert.deepEqual(review(routes(2000)), [
      "this change would deny no existing object (16 objects checked)",
      "partial answer: checked 16 of 2,000 objects within 0.016 s; run hostgate diff for all",
    ]);
  });

  test("scans again once the spent time has left the rolling window", () => {
    const { review, wait } = scene(10);
    review(routes(2000));
    wait(9_000);
    assert.deepEqual(review(routes(3)), [IMPACT_BUSY]);
    wait(1_100);
    assert.deepEqual(review(routes(3)), ["this change would deny no existing object (3 objects checked)"]);
  });

  test("the warning fits the API server's 120 characters with its prefix", () => {
    assert.ok(`${POLICY_IMPACT_RULE}: ${IMPACT_BUSY}`.length <= 120);
  });

  test("refuses a budget or window that is not positive", () => {
    assert.throws(() => new RollingImpactBudget({ totalMs: 0 }), /totalMs and windowMs must be positive \(got 0 and 10000\)/);
    assert.throws(() => new RollingImpactBudget({ windowMs: -1 }), /\(got 1500 and -1\)/);
  });
});
