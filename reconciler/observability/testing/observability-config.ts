// PlatformConfigs for the observability renderers' tests: the rendering
// test config (aConfig) with observability settings, each case changing only
// what matters to it.
import type { AlertingConfig, ObservabilityConfig, ProbeConfig } from "../../../core/config/observability-config.ts";
import type { GatewayConfig, PlatformConfig } from "../../../core/config/platform-config.ts";
import { aConfig } from "../../domainroute/render/testing/platform-config.ts";

/** The config loader's defaults, as a platform that turns alerting on gets them. */
export function anAlertingConfig(overrides: Partial<AlertingConfig> = {}): AlertingConfig {
  return {
    errorRate: { threshold: "5%", window: "5m", for: "5m" },
    availability: { window: "5m", for: "5m" },
    severity: "warning",
    teamLabelKey: "team",
    labels: {},
    ...overrides,
  };
}

export function aProbeConfig(overrides: Partial<ProbeConfig> = {}): ProbeConfig {
  return {
    proberUrl: "blackbox-exporter.monitoring.svc:9115",
    proberPath: "/probe",
    httpModule: "http_2xx",
    tcpModule: "tcp_connect",
    interval: "30s",
    for: "2m",
    ...overrides,
  };
}

/** aConfig() with `observability` and, optionally, another gateway. */
export function configWith(observability: ObservabilityConfig | undefined, gateway?: Partial<GatewayConfig>): PlatformConfig {
  const base = aConfig();
  return {
    ...base,
    gateway: { ...base.gateway, ...gateway },
    ...(observability === undefined ? {} : { observability }),
  };
}

/** gateway.provider gateway-api with the given implementation. */
export function gatewayApi(implementation: "istio" | "envoy-gateway" | "aws-load-balancer-controller"): Partial<GatewayConfig> {
  return { provider: "gateway-api", gatewayApi: { implementation, gatewayClassName: implementation, authServices: {} } };
}
