// The one predicate both the route controller and the pool Gateways
// controller use to decide that nothing may be served for a route on the
// Gateway API data plane (no listener, no HTTPRoute). Unlike the Istio data
// plane, where a route without its login gets no Gateway at all, a listener
// here is what a team's own HTTPRoute (External mode) attaches to: a listener
// without the login would serve the domain unprotected. So every reason the
// login cannot be rendered refuses the listener too, the platform not listing
// the route's provider (known-provider.ts) first: the route controller prunes
// such a route's login, so its listener must go as well.
import type { PlatformConfig } from "../../../../core/config/platform-config.ts";
import type { DomainRoute } from "../../../../crds/types.ts";
import { unknownProviderProblem } from "../../known-provider.ts";
import { allowedPaths, protectionProblems } from "../authorization-policy.ts";

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
/** The route's protection provider is not in protection.providers (the route controller's reason, route-conditions.ts). */
export const REASON_UNKNOWN_PROVIDER = "UnknownProvider";

/** How many Allow paths a refusal names: enough to find the rules, not a condition message of hundreds. */
const MAX_PATHS_SHOWN = 5;

/** undefined: the route may be served on the configured Gateway API data plane (or the provider is istio). */
export function gatewayApiRefusal(route: Pick<DomainRoute, "spec">, config: PlatformConfig): DataPlaneRefusal | undefined {
  const gatewayApi = config.gateway.gatewayApi;
  const protection = route.spec.protection;
  if (config.gateway.provider !== "gateway-api" || gatewayApi === undefined || protection === undefined) return undefined;
  const domain = route.spec.domain;

  const invalid = protectionProblems(protection);
  if (invalid.length > 0) return { reason: REASON_INVALID_SPEC, message: `${domain} is not served until its protection is fixed: ${invalid.join("; ")}` };

  const unknown = unknownProviderProblem(route, config);
  if (unknown !== undefined) return { reason: REASON_UNKNOWN_PROVIDER, message: unknown };

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
      // The login is a SecurityPolicy on the route's listener, so every HTTPRoute there (hostgate's, or the
      // team's own in External mode) goes through it. A listener-level policy has no per-path exception, and
      // the only way to open a path would be a policy on an HTTPRoute, which a team can attach its own
      // HTTPRoute beside: so a route with Allow paths is not served, rather than served with a bypass.
      const opened = allowedPaths(protection);
      if (opened.length > 0) {
        const shown = opened.slice(0, MAX_PATHS_SHOWN).map((p) => JSON.stringify(p));
        if (opened.length > MAX_PATHS_SHOWN) shown.push(`and ${opened.length - MAX_PATHS_SHOWN} more`);
        return {
          reason: REASON_PROTECTION_UNSUPPORTED,
          message:
            `${domain} is protected with Allow paths (${shown.join(", ")}), and on Envoy Gateway the login is a SecurityPolicy on the ` +
            "domain's listener, which cannot leave paths open without opening them to every HTTPRoute on the listener, so nothing is served: remove the Allow " +
            "rules from spec.protection.rules, or run the platform with gateway.gatewayApi.implementation istio",
        };
      }
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
