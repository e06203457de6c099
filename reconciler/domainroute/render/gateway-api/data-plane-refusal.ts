// The one predicate both the route controller and the pool Gateways
// controller use to decide that nothing may be served for a route on the
// Gateway API data plane (no listener, no HTTPRoute). Unlike the Istio data
// plane, where a route without its login gets no Gateway at all, a listener
// here is what a team's own HTTPRoute (External mode) attaches to: a listener
// without the login would serve the domain unprotected. So every reason the
// login cannot be rendered refuses the listener too.
import type { PlatformConfig } from "../../../../core/config/platform-config.ts";
import type { DomainRoute } from "../../../../crds/types.ts";
import { MODE_EXTERNAL } from "../../../../crds/types.ts";
import { protectionProblems } from "../authorization-policy.ts";
import { envoyGatewayPublicPaths } from "./public-paths.ts";

export interface DataPlaneRefusal {
  /** Stable condition reason, e.g. `ProtectionUnsupported`. */
  reason: string;
  /** What, where, how to fix. */
  message: string;
}

/** The implementation offers no external authorization hostgate can render for this route. */
export const REASON_PROTECTION_UNSUPPORTED = "ProtectionUnsupported";
/** The route's protection is invalid (the reason the Istio data plane gives the same problems). */
export const REASON_INVALID_SPEC = "InvalidSpec";

/** undefined: the route may be served on the configured Gateway API data plane (or the provider is istio). */
export function gatewayApiRefusal(route: Pick<DomainRoute, "spec">, config: PlatformConfig): DataPlaneRefusal | undefined {
  const gatewayApi = config.gateway.gatewayApi;
  const protection = route.spec.protection;
  if (config.gateway.provider !== "gateway-api" || gatewayApi === undefined || protection === undefined) return undefined;
  const domain = route.spec.domain;

  const invalid = protectionProblems(protection);
  if (invalid.length > 0) return { reason: REASON_INVALID_SPEC, message: `${domain} is not served until its protection is fixed: ${invalid.join("; ")}` };

  const implementation = gatewayApi.implementation;
  switch (implementation) {
    case "aws-load-balancer-controller":
      return {
        reason: REASON_PROTECTION_UNSUPPORTED,
        message:
          `${domain} is protected (spec.protection.provider ${protection.provider}), and the AWS Load Balancer Controller's Gateway API has no external authorization ` +
          "(its ALB can authenticate with OIDC or Cognito only), so hostgate serves nothing rather than serve it without its login: remove spec.protection, or run the " +
          "platform with gateway.gatewayApi.implementation envoy-gateway or istio",
      };
    case "istio":
      // An AuthorizationPolicy on the member's Gateway pods, matched by host:
      // it holds whatever HTTPRoute serves the domain, hostgate's or the team's.
      return undefined;
    case "envoy-gateway": {
      if (gatewayApi.authServices[protection.provider] === undefined) {
        const known = Object.keys(gatewayApi.authServices).sort();
        return {
          reason: REASON_PROTECTION_UNSUPPORTED,
          message:
            `${domain} is protected by ${JSON.stringify(protection.provider)}, which has no entry in gateway.gatewayApi.authServices (Envoy Gateway needs the provider's ` +
            `gRPC ext_authz Service for the SecurityPolicy), so nothing is served: add authServices.${protection.provider} {namespace, name, port} to the platform config, ` +
            `or set spec.protection.provider to one that has an entry${known.length > 0 ? ` (${known.join(", ")})` : ""}`,
        };
      }
      if ((route.spec.routing?.mode ?? "") === MODE_EXTERNAL) {
        return {
          reason: REASON_PROTECTION_UNSUPPORTED,
          message:
            `${domain} is protected and in External mode, and on Envoy Gateway the login is a SecurityPolicy on the HTTPRoute: hostgate writes none in External mode, ` +
            "and one it put on the listener would be overridden by any SecurityPolicy the team attaches to its own HTTPRoute, so nothing is served rather than risk it " +
            "unprotected: use spec.routing.mode Managed, or run the platform with gateway.gatewayApi.implementation istio",
        };
      }
      const { problems } = envoyGatewayPublicPaths(protection);
      if (problems.length > 0) return { reason: REASON_PROTECTION_UNSUPPORTED, message: `${domain} is not served: ${problems.join("; ")}` };
      return undefined;
    }
    default: {
      const unknown: never = implementation;
      return {
        reason: REASON_PROTECTION_UNSUPPORTED,
        message: `${domain} is protected and gateway.gatewayApi.implementation ${JSON.stringify(unknown)} is not one hostgate knows: set envoy-gateway or istio`,
      };
    }
  }
}
