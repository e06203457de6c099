// A PlatformConfig for rendering tests, with only what rendering reads made
// adjustable: the gateway's namespace and selector and the providers.
import type { PlatformConfig } from "../../../../core/config/platform-config.ts";

export interface ConfigOptions {
  gatewayNamespace?: string;
  gatewaySelector?: Record<string, string>;
  providers?: string[];
}

export function aConfig(options: ConfigOptions = {}): PlatformConfig {
  return {
    apiVersion: "hostgate.dev/v1alpha1",
    kind: "PlatformConfig",
    domains: [{ apex: "example.com", zoneId: "Z0123456789ABC" }],
    loadBalancers: {
      "alb-out": { dnsName: "public-1.us-east-1.elb.amazonaws.com", hostedZoneId: "Z35SXDOTRQ7X7K" },
      "alb-in": { dnsName: "internal-1.us-east-1.elb.amazonaws.com", hostedZoneId: "Z35SXDOTRQ7X7K" },
    },
    protection: { providers: options.providers ?? ["sso"], requireOnPublic: true, identityHeader: "x-app-id" },
    gateway: { namespace: options.gatewayNamespace ?? "istio-system", selector: options.gatewaySelector ?? { istio: "ingressgateway" } },
    externalBackends: { deniedCidrs: ["169.254.0.0/16"] },
    serviceBackends: { allowCrossNamespace: true },
  };
}
