// ObservabilityReady for each situation a route's alerts can be in, decided
// purely from the route, the config and whether prometheus-operator's CRDs
// are served; and what of the route's monitoring objects goes.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { KubeObject } from "../../core/kube/object-key.ts";
import type { PlatformConfig } from "../../core/config/platform-config.ts";
import type { Condition, DomainRoute } from "../../crds/types.ts";
import { anAlertingConfig, aProbeConfig, configWith, gatewayApi } from "../observability/testing/observability-config.ts";
import type { MonitoringState } from "./observability-plan.ts";
import { planObservability } from "./observability-plan.ts";
import { aRoute } from "./render/testing/route-builder.ts";

const alerting = configWith({ alerting: anAlertingConfig({ probes: aProbeConfig() }) });
const served: MonitoringState = { kind: "served" };
/** One of the route's PrometheusRules, as listed: whatever it holds, it goes when the route gets none. */
const ownedRule: KubeObject = { apiVersion: "monitoring.coreos.com/v1", kind: "PrometheusRule", metadata: { name: "shop", namespace: "team-a", uid: "r1" } };

describe("planObservability", () => {
  const cases: {
    name: string;
    config?: PlatformConfig;
    route?: DomainRoute;
    monitoring?: MonitoringState;
    serving?: boolean;
    expected: string;
    prunes: boolean;
  }[] = [
    {
      name: "the Envoy Gateway data plane is DataPlaneUnsupported (False), and the route's monitoring objects go",
      config: configWith({ alerting: anAlertingConfig() }, gatewayApi("envoy-gateway")),
      expected: "False DataPlaneUnsupported",
      prunes: true,
    },
    {
      name: "the AWS Load Balancer Controller data plane is DataPlaneUnsupported (False)",
      config: configWith({ alerting: anAlertingConfig() }, gatewayApi("aws-load-balancer-controller")),
      expected: "False DataPlaneUnsupported",
      prunes: true,
    },
    { name: "a route that serves nothing is NotServed (False), and its monitoring objects go", serving: false, expected: "False NotServed", prunes: true },
    {
      name: "an override the CRD schema should have refused is InvalidSpec (False)",
      route: { ...aRoute().build(), spec: { ...aRoute().build().spec, observability: { errorRate: { threshold: "lots" } } } },
      expected: "False InvalidSpec",
      prunes: true,
    },
    {
      name: "the CRDs missing is PrometheusOperatorMissing (False)",
      monitoring: { kind: "missing", missing: ["probes.monitoring.coreos.com"], recheckMs: 300_000 },
      expected: "False PrometheusOperatorMissing",
      prunes: true,
    },
    {
      name: "while the lookup has not answered, Unknown ObservabilityPending, and nothing goes",
      monitoring: { kind: "unknown" },
      expected: "Unknown ObservabilityPending",
      prunes: false,
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const plan = planObservability(
        { route: c.route ?? aRoute().build(), config: c.config ?? alerting, monitoring: c.monitoring ?? served, owned: [ownedRule], occupants: [] },
        c.serving ?? true,
      );
      assert.equal(`${plan.condition.status} ${plan.condition.reason}`, c.expected);
      assert.deepEqual(plan.apply, []);
      assert.deepEqual(plan.prune, c.prunes ? [ownedRule] : []);
    });
  }

  it("keeps the condition the status holds while the lookup has not answered (a restart writes nothing)", () => {
    const applied: Condition = {
      type: "ObservabilityReady",
      status: "True",
      reason: "Applied",
      message: "in place",
      lastTransitionTime: "2030-01-01T00:00:00Z",
    };
    const route = { ...aRoute().build(), status: { conditions: [applied] } };
    const plan = planObservability({ route, config: alerting, monitoring: { kind: "unknown" }, owned: [], occupants: [] }, true);
    assert.deepEqual(plan.condition, { type: "ObservabilityReady", status: "True", reason: "Applied", message: "in place" });
  });
});
