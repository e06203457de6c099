// Builders for config test fixtures: a valid config as plain data, changed
// per case, then written as YAML so tests exercise the real parse path.
import { stringify } from "yaml";
import { ConfigError } from "./config-error.ts";
import { parsePlatformConfig } from "./load.ts";

export type ConfigData = Record<string, unknown>;

/** A complete, valid config; every test starts here. */
export function validConfigData(): ConfigData {
  return {
    apiVersion: "hostgate.dev/v1alpha1",
    kind: "PlatformConfig",
    domains: [
      { apex: "example.com", zoneId: "Z0123456789ABC" },
      { apex: "corp.example.net", zoneId: "Z0INTERNAL42XYZ" },
    ],
    loadBalancers: {
      "alb-out": { dnsName: "public-1.us-east-1.elb.amazonaws.com", hostedZoneId: "Z35SXDOTRQ7X7K" },
      "alb-in": { dnsName: "internal-1.us-east-1.elb.amazonaws.com", hostedZoneId: "Z35SXDOTRQ7X7K" },
    },
    protection: { providers: ["sso"], requireOnPublic: true, identityHeader: "x-app-id" },
    gateway: { namespace: "istio-system", selector: { istio: "ingressgateway" } },
    externalBackends: { deniedCidrs: ["169.254.0.0/16"] },
    serviceBackends: { allowCrossNamespace: false },
  };
}

/** validConfigData() changed by `edit`, as YAML text. */
export function configYaml(edit: (config: ConfigData) => void = () => {}): string {
  const data = validConfigData();
  edit(data);
  return stringify(data);
}

/** The problems the config check reports for validConfigData() changed by `edit`; none when it loads. */
export function problemsOf(edit: (config: ConfigData) => void): readonly string[] {
  try {
    parsePlatformConfig(configYaml(edit), "platform.yaml");
    return [];
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
}

/** A fixed pool member named `name`, its ALB `<name>.us-east-1.elb.amazonaws.com`, with `extra` keys. */
export const fixedMember = (name: string, extra: Record<string, unknown> = {}): ConfigData => ({
  name,
  dnsName: `${name}.us-east-1.elb.amazonaws.com`,
  hostedZoneId: "Z35SXDOTRQ7X7K",
  ...extra,
});

/** A two-step pool member named `name`: Service istio-system/<name>-gateway published at `<name>-gw.example.com`. */
export const twoStepMember = (name: string, extra: Record<string, unknown> = {}): ConfigData => ({
  name,
  service: { namespace: "istio-system", name: `${name}-gateway` },
  gatewayHostname: `${name}-gw.example.com`,
  ...extra,
});

/**
 * The Gateway API data plane on `implementation` (GatewayClass `eg`; with the
 * AWS Load Balancer Controller alb-out's is `eg-public`, as it must differ),
 * both classes single pooled Gateways.
 */
export const gatewayApiMode =
  (implementation = "envoy-gateway", extra: Record<string, unknown> = {}) =>
  (config: ConfigData): void => {
    const classes = implementation === "aws-load-balancer-controller" ? { gatewayClassNames: { "alb-out": "eg-public" } } : {};
    config.gateway = {
      ...(config.gateway as ConfigData),
      provider: "gateway-api",
      gatewayApi: { implementation, gatewayClassName: "eg", ...classes, ...extra },
    };
    config.loadBalancers = { "alb-out": { gatewayHostname: "public-gw.example.com" }, "alb-in": { gatewayHostname: "internal-gw.example.com" } };
  };

/** A pool member that is a pooled Gateway (Gateway API data plane): `<name>-gw.example.com` alone. */
export const gatewayMember = (name: string, extra: Record<string, unknown> = {}): ConfigData => ({ name, gatewayHostname: `${name}-gw.example.com`, ...extra });
