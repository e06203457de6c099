import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { Telemetry } from "@kubernetes-models/istio/telemetry.istio.io/v1/Telemetry";
import type { ObservabilityConfig } from "../../core/config/observability-config.ts";
import { renderGatewayTelemetry } from "./render-gateway-telemetry.ts";
import { anAlertingConfig, configWith, gatewayApi } from "./testing/observability-config.ts";

describe("renderGatewayTelemetry", () => {
  const cases: { name: string; observability: ObservabilityConfig; spec: object }[] = [
    {
      name: "access logging with a filter",
      observability: { accessLogging: { providers: ["envoy"], filter: "response.code >= 400" } },
      spec: {
        selector: { matchLabels: { istio: "ingressgateway" } },
        accessLogging: [{ filter: { expression: "response.code >= 400" }, providers: [{ name: "envoy" }] }],
      },
    },
    {
      name: "access logging of every request",
      observability: { accessLogging: { providers: ["envoy", "otel-logs"] } },
      spec: { selector: { matchLabels: { istio: "ingressgateway" } }, accessLogging: [{ providers: [{ name: "envoy" }, { name: "otel-logs" }] }] },
    },
    {
      name: "tracing, its sampling as the number Istio wants",
      observability: { tracing: { providers: ["otel"], sampling: "0.5%" } },
      spec: { selector: { matchLabels: { istio: "ingressgateway" } }, tracing: [{ providers: [{ name: "otel" }], randomSamplingPercentage: 0.5 }] },
    },
    {
      name: "both",
      observability: { accessLogging: { providers: ["envoy"] }, tracing: { providers: ["otel"], sampling: "100%" } },
      spec: {
        selector: { matchLabels: { istio: "ingressgateway" } },
        accessLogging: [{ providers: [{ name: "envoy" }] }],
        tracing: [{ providers: [{ name: "otel" }], randomSamplingPercentage: 100 }],
      },
    },
  ];
  for (const c of cases) {
    it(`renders ${c.name} for the gateway pods, matching Istio's telemetry.istio.io/v1 schema`, () => {
      const object = renderGatewayTelemetry(configWith(c.observability))!;
      assert.doesNotThrow(() => new Telemetry(object as never).validate());
      assert.deepEqual(object, {
        apiVersion: "telemetry.istio.io/v1",
        kind: "Telemetry",
        metadata: { name: "hostgate-gateway", namespace: "istio-system", labels: { "app.kubernetes.io/managed-by": "hostgate" } },
        spec: c.spec,
      });
    });
  }

  it("lives in the gateway namespace and selects the gateway pods, the selector's keys sorted", () => {
    const a = renderGatewayTelemetry(configWith({ tracing: { providers: ["otel"], sampling: "1%" } }, { namespace: "edge", selector: { b: "2", a: "1" } }))!;
    assert.equal(a.metadata?.namespace, "edge");
    assert.equal(JSON.stringify((a.spec as { selector: object }).selector), '{"matchLabels":{"a":"1","b":"2"}}');
  });

  it("renders on the Gateway API implemented by Istio", () => {
    assert.notEqual(renderGatewayTelemetry(configWith({ accessLogging: { providers: ["envoy"] } }, gatewayApi("istio"))), undefined);
  });

  const none: { name: string; observability: ObservabilityConfig | undefined; gateway?: ReturnType<typeof gatewayApi> }[] = [
    { name: "there is no observability config", observability: undefined },
    { name: "only alerting is configured", observability: { alerting: anAlertingConfig() } },
    { name: "the data plane is Envoy Gateway", observability: { accessLogging: { providers: ["envoy"] } }, gateway: gatewayApi("envoy-gateway") },
    {
      name: "the data plane is the AWS Load Balancer Controller",
      observability: { accessLogging: { providers: ["envoy"] } },
      gateway: gatewayApi("aws-load-balancer-controller"),
    },
  ];
  for (const c of none) it(`renders nothing when ${c.name}`, () => assert.equal(renderGatewayTelemetry(configWith(c.observability, c.gateway)), undefined));
});
