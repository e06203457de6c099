// A PlatformConfig on the Gateway API data plane and a pool member, for the
// Gateway API rendering tests: the rendering tests' config (../../testing/)
// with gateway.provider gateway-api and the implementation under test.
import type { PoolMember } from "../../../../../core/config/edge-pool.ts";
import { DEFAULT_EDGE_CAPACITY } from "../../../../../core/config/edge-pool.ts";
import type { AuthServiceRef, GatewayApiImplementation, PlatformConfig } from "../../../../../core/config/platform-config.ts";
import { aConfig } from "../../testing/platform-config.ts";

export const GATEWAY_NAMESPACE = "edge";
export const AUTH_SERVICE: AuthServiceRef = { namespace: "auth", name: "ext-authz", port: 9001 };

export interface GatewayApiConfigOptions {
  authServices?: Record<string, AuthServiceRef>;
  allowCrossNamespace?: boolean;
}

export function aGatewayApiConfig(implementation: GatewayApiImplementation, options: GatewayApiConfigOptions = {}): PlatformConfig {
  const base = aConfig({ gatewayNamespace: GATEWAY_NAMESPACE, gatewaySelector: { "hostgate.dev/pool": "edge" } });
  return {
    ...base,
    gateway: {
      ...base.gateway,
      provider: "gateway-api",
      gatewayApi: { implementation, gatewayClassName: "edge", authServices: options.authServices ?? { sso: AUTH_SERVICE } },
    },
    serviceBackends: { allowCrossNamespace: options.allowCrossNamespace ?? true },
  };
}

/** The pool member `edge-01` of alb-in, as a route placed on it sees it. */
export function aMember(name = "edge-01"): PoolMember {
  return {
    lbClass: "alb-in",
    name,
    entry: { ipAddressType: "ipv4", gateway: name, gatewayHostname: `${name}.lb.example.com` },
    capacity: DEFAULT_EDGE_CAPACITY,
  };
}
