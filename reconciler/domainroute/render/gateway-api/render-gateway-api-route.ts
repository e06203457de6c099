// The objects a DomainRoute gets on the Gateway API data plane, in apply
// order; the route controller (render-route.ts) calls it with
// gateway.provider gateway-api. Pure: the same route, config and member
// always give the same objects, so applying them again changes nothing. The
// route's listener on its member's Gateway is the pool Gateways controller's;
// its DNSEndpoint and DomainClaim are rendered as on the Istio data plane.
import type { PoolMember } from "../../../../core/config/edge-pool.ts";
import type { PlatformConfig } from "../../../../core/config/platform-config.ts";
import type { KubeObject } from "../../../../core/kube/object-key.ts";
import type { DomainRoute, Protection } from "../../../../crds/types.ts";
import { renderAuthorizationPolicy } from "../authorization-policy.ts";
import { routeRefProblems } from "../route-ref-problems.ts";
import { planRouting } from "../routing-plan.ts";
import { gatewayApiRefusal } from "./data-plane-refusal.ts";
import { renderEndpointSlice, renderExternalService } from "./external-service.ts";
import { renderHttpRoute, type ServiceBackend } from "./http-route.ts";
import { ENVOY_GATEWAY_GROUP, GATEWAY_API_GROUP, gatewayApiApplyRank, KIND_GATEWAY, KIND_HTTP_ROUTE, KIND_SECURITY_POLICY } from "./kinds.ts";
import { externalServiceNameFor, routeObjectNameFor } from "./names.ts";
import { renderReferenceGrant } from "./reference-grant.ts";
import { renderSecurityPolicy } from "./security-policy.ts";

export interface GatewayApiObjects {
  /** External Service + EndpointSlice, ReferenceGrant, SecurityPolicy or AuthorizationPolicy, HTTPRoute: in apply order. */
  objects: KubeObject[];
  /** What keeps part of the route from being rendered (field, how to fix); its objects are left out, never half-valid. */
  problems: string[];
}

/**
 * @param member the pool member the route is placed on (its Gateway is named after it).
 * @param appId the route's effective appId (protection-condition.ts), or
 *   undefined when none is in effect: Envoy Gateway's SecurityPolicy gives it
 *   to the auth server (security-policy.ts). Unused by the other implementations.
 */
export function renderGatewayApiObjects(route: DomainRoute, config: PlatformConfig, member: PoolMember, appId?: string): GatewayApiObjects {
  const refProblems = routeRefProblems(route);
  if (refProblems.length > 0) return { objects: [], problems: refProblems };
  const gatewayApi = config.gateway.gatewayApi;
  if (config.gateway.provider !== "gateway-api" || gatewayApi === undefined) {
    return {
      objects: [],
      problems: [
        "gateway.provider is not gateway-api (or gateway.gatewayApi is missing): the Gateway API objects of a route are rendered only on that data plane",
      ],
    };
  }
  // Fail closed: a route whose login cannot be rendered gets nothing that
  // serves (and, by the same predicate, no listener).
  const refusal = gatewayApiRefusal(route, config);
  if (refusal !== undefined) return { objects: [], problems: [refusal.message] };

  const objects: KubeObject[] = [];
  const problems: string[] = [];
  const protection = route.spec.protection;
  if (protection !== undefined) {
    if (gatewayApi.implementation === "envoy-gateway") {
      // On the route's listener, so a team's own HTTPRoute there gets the login too (External mode included).
      objects.push(...envoyGatewayLogin(route, config, member, protection, appId));
    } else if (gatewayApi.implementation === "istio") {
      // In the gateway namespace, on the member's Gateway (its pods): Istio
      // applies a policy only to the workloads of its own namespace.
      const targetRefs = [{ group: GATEWAY_API_GROUP, kind: KIND_GATEWAY, name: member.name }];
      objects.push(renderAuthorizationPolicy(route, config, protection, { targetRefs }));
    }
    // aws-load-balancer-controller: refused above.
  }

  const domain = route.spec.domain;
  const routeNamespace = route.metadata.namespace!;
  const plan = planRouting(route);
  switch (plan.kind) {
    case "team-routed":
      break;
    case "unroutable":
      // The login stays: the listener answers 404 until fixed.
      problems.push(...plan.problems);
      break;
    case "service": {
      const service = route.spec.backend!.service!;
      const namespace = service.namespace ?? routeNamespace;
      if (namespace === routeNamespace) {
        objects.push(httpRoute(route, config, member, { name: service.name, port: service.port }));
        break;
      }
      if (!config.serviceBackends.allowCrossNamespace) {
        problems.push(
          `spec.backend.service.namespace is ${JSON.stringify(namespace)}, and the platform config has serviceBackends.allowCrossNamespace false: ` +
            `set the Service of namespace ${routeNamespace}, or leave spec.backend.service.namespace out`,
        );
        break;
      }
      // The Service's namespace lets this route's namespace's HTTPRoutes refer to that one Service.
      objects.push(
        renderReferenceGrant(route, {
          purpose: "backend",
          from: { group: GATEWAY_API_GROUP, kind: KIND_HTTP_ROUTE, namespace: routeNamespace },
          to: { namespace, name: service.name },
        }),
        httpRoute(route, config, member, { name: service.name, namespace, port: service.port }),
      );
      break;
    }
    case "external":
      if (plan.protocol === "HTTPS") {
        problems.push(
          `spec.backend.external.protocol is HTTPS: on the Gateway API data plane hostgate cannot originate TLS to an IP address (a BackendTLSPolicy must name the ` +
            `hostname and CA to verify the endpoint by, which spec.backend.external does not give), and never sends plain HTTP to an HTTPS endpoint, so ${domain} is ` +
            "not routed: serve plain HTTP on the endpoint and set protocol HTTP, put a Service in the cluster in front of it, or run the platform with gateway.provider istio",
        );
        break;
      }
      {
        const endpoint = { ip: plan.ip, port: plan.port };
        const routed = httpRoute(route, config, member, { name: externalServiceNameFor(domain), port: plan.port });
        objects.push(renderExternalService(route, endpoint), renderEndpointSlice(route, endpoint), routed);
      }
      break;
  }
  return { objects: [...objects].sort((a, b) => gatewayApiApplyRank(a) - gatewayApiApplyRank(b)), problems };
}

/** The SecurityPolicy, and the ReferenceGrant its auth service needs when it is outside the gateway namespace. */
function envoyGatewayLogin(route: DomainRoute, config: PlatformConfig, member: PoolMember, protection: Protection, appId?: string): KubeObject[] {
  // gatewayApiRefusal has refused a provider without an entry.
  const authService = config.gateway.gatewayApi!.authServices[protection.provider]!;
  const policy = renderSecurityPolicy(route, config, member, authService, appId);
  const policyNamespace = config.gateway.namespace;
  if (authService.namespace === policyNamespace) return [policy];
  const grant = renderReferenceGrant(route, {
    purpose: "auth",
    from: { group: ENVOY_GATEWAY_GROUP, kind: KIND_SECURITY_POLICY, namespace: policyNamespace },
    to: { namespace: authService.namespace, name: authService.name },
  });
  return [grant, policy];
}

function httpRoute(route: DomainRoute, config: PlatformConfig, member: PoolMember, backend: ServiceBackend): KubeObject {
  return renderHttpRoute(route, config, member, backend, { name: routeObjectNameFor(route.spec.domain) });
}
