// A platform config on the Gateway API data plane for the pool Gateways
// tests: alb-out a pool of two members (public-1, public-2, each published at
// its own gateway record), alb-in a class of one entry, and the routes and
// claims they place (reconciler/edge/testing/pool-config.ts builds the routes).
import type { CertificateProvider, GatewayApiImplementation, PlatformConfig } from "../../../../core/config/platform-config.ts";
import type { DomainClaim, DomainRoute } from "../../../../crds/types.ts";
import { defaultConfig } from "../../../domainroute/testing/route-world.ts";
import { claimFor, poolRoute } from "../../testing/pool-config.ts";

export const GATEWAY_NAMESPACE = "edge";

export function gatewayApiConfig(
  options: { implementation?: GatewayApiImplementation; certificates?: CertificateProvider; importToAcm?: boolean; certManagerNamespace?: string } = {},
): PlatformConfig {
  const member = (name: string) => ({
    name,
    ipAddressType: "ipv4" as const,
    gatewayHostname: `${name}.gw.example.com`,
    gateway: name,
    capacity: { certificates: 25, rules: 100, targetGroups: 100, listeners: 64 },
  });
  const provider = options.certificates ?? "none";
  return {
    ...defaultConfig,
    loadBalancers: {
      "alb-out": { ipAddressType: "ipv4", members: [member("public-1"), member("public-2")] },
      "alb-in": { ipAddressType: "ipv4", gatewayHostname: "alb-in.gw.example.com", gateway: "alb-in" },
    },
    gateway: {
      provider: "gateway-api",
      namespace: GATEWAY_NAMESPACE,
      selector: { istio: "ingressgateway" },
      gatewayApi: { implementation: options.implementation ?? "envoy-gateway", gatewayClassName: "hostgate", authServices: {} },
    },
    certificates: {
      ...defaultConfig.certificates,
      provider,
      ...(provider === "cert-manager"
        ? {
            certManager: {
              issuerRef: { kind: "ClusterIssuer" as const, name: "letsencrypt", group: "cert-manager.io" },
              namespace: options.certManagerNamespace ?? GATEWAY_NAMESPACE,
              importToAcm: options.importToAcm ?? false,
            },
          }
        : {}),
    },
  };
}

/** A route on alb-out placed on `member` (status.edge), created `minute` minutes into 2026. */
export function placedRoute(name: string, domain: string, member: string, extra: { namespace?: string; minute?: number } = {}): DomainRoute {
  const route = poolRoute(name, domain, extra.minute ?? 0, { edge: member });
  return { ...route, metadata: { ...route.metadata, namespace: extra.namespace ?? "team-a" } };
}

/** The routes with the claims each holds. */
export function claimsOf(routes: readonly DomainRoute[]): DomainClaim[] {
  return routes.map(claimFor);
}

/** The Gateway API data plane on `implementation`, with an auth service for sso (Envoy Gateway needs one). */
export function gatewayApiConfigWithSso(implementation: GatewayApiImplementation): PlatformConfig {
  const config = gatewayApiConfig({ implementation });
  return {
    ...config,
    gateway: {
      ...config.gateway,
      gatewayApi: { ...config.gateway.gatewayApi!, authServices: { sso: { namespace: "sso-system", name: "sso-authz", port: 9001 } } },
    },
  };
}
