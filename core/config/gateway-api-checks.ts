// Rules about the data plane (gateway.provider, gateway.gatewayApi) that the
// JSON schema cannot express: the settings the Gateway API data plane needs
// together, and the load balancers it can serve. Written defensively against
// data that failed the schema, as every semantic check is.
import { asRecord } from "../json.ts";
import { stringAt } from "./data-fields.ts";
import type { WrittenLoadBalancer } from "./load-balancer-entries.ts";
import { writtenLoadBalancers } from "./load-balancer-entries.ts";
import { gatewayApiImplementation, gatewayProvider } from "./pooled-gateways.ts";
import type { Issue } from "./schema-problems.ts";

const LBC = "aws-load-balancer-controller";

/** gatewayApi says how the Gateway API data plane is served: needed with it, meaningless without. */
function gatewayApiPresenceIssue(gateway: Record<string, unknown>, provider: string): Issue | undefined {
  const gatewayApi = gateway.gatewayApi;
  if (provider === "gateway-api" && gatewayApi === undefined)
    return {
      path: ["gateway"],
      anchor: "key",
      message:
        "needs gatewayApi because provider is gateway-api: set gateway.gatewayApi.implementation (envoy-gateway, istio or aws-load-balancer-controller) " +
        "and gatewayClassName (the GatewayClass of the pooled Gateways), e.g. {implementation: envoy-gateway, gatewayClassName: eg}",
    };
  if (provider !== "gateway-api" && gatewayApi !== undefined)
    return {
      path: ["gateway", "gatewayApi"],
      anchor: "key",
      message: `is only used with gateway.provider gateway-api (it is ${provider}): remove it, or set gateway.provider to gateway-api`,
    };
  return undefined;
}

/** authServices are the ext_authz services Envoy Gateway's SecurityPolicies call, one per protection provider. */
function authServiceIssues(config: Record<string, unknown>, gatewayApi: Record<string, unknown>): Issue[] {
  const authServices = asRecord(gatewayApi.authServices) ?? {};
  const names = Object.keys(authServices).sort();
  if (names.length === 0) return [];
  const implementation = stringAt(gatewayApi, "implementation");
  const path = ["gateway", "gatewayApi", "authServices"];
  // A missing or unknown implementation is the schema's to report.
  if (implementation === undefined) return [];
  if (implementation !== "envoy-gateway") {
    const instead =
      implementation === "istio"
        ? "with istio, protected routes are checked by Istio's AuthorizationPolicies and the providers registered in its mesh config"
        : `with ${implementation}, protected routes are refused (it offers no external authorization)`;
    return [
      { path, anchor: "key", message: `is only used with implementation envoy-gateway, whose SecurityPolicies call these services; ${instead}: remove it` },
    ];
  }
  const providers = asRecord(config.protection)?.providers;
  const known = Array.isArray(providers) ? providers.filter((p) => typeof p === "string") : [];
  return names
    .filter((name) => !known.includes(name))
    .map((name) => ({
      path: [...path, name],
      anchor: "key" as const,
      message:
        `"${name}" is not one of protection.providers (${known.length === 0 ? "none" : known.join(", ")}); a protected route names one of those, ` +
        "so this service would never be called: add it to protection.providers, or fix the name",
    }));
}

/** Certificates on the Gateway API data plane: where TLS ends decides which provider can supply them. */
function certificateIssues(config: Record<string, unknown>, gateway: Record<string, unknown>, implementation: string | undefined): Issue[] {
  const certificates = asRecord(config.certificates) ?? {};
  const provider = stringAt(certificates, "provider") ?? "none";
  if (implementation === LBC) {
    if (provider === "acm" || provider === "none") return [];
    return [
      {
        path: ["certificates", "provider"],
        anchor: "value",
        message:
          `is ${provider}, but gateway.gatewayApi.implementation is ${LBC}: TLS ends on the ALB the controller creates for each Gateway, ` +
          "and it takes certificates from ACM only; use certificates.provider acm (hostgate requests and validates them, the controller finds them " +
          "by the listener's hostname) or none (plain HTTP)",
      },
    ];
  }
  const certManager = asRecord(certificates.certManager);
  if (provider !== "cert-manager" || certManager === undefined) return [];
  // Both have defaults, filled in before these checks run.
  const namespace = stringAt(certManager, "namespace");
  const gatewayNamespace = stringAt(gateway, "namespace");
  if (namespace === undefined || gatewayNamespace === undefined || namespace === gatewayNamespace) return [];
  return [
    {
      path: ["certificates", "certManager", "namespace"],
      anchor: "value",
      message:
        `puts the certificates' Secrets in ${namespace}, but gateway.namespace is ${gatewayNamespace}: on the Gateway API data plane each pooled Gateway's ` +
        "listener references its route's Secret, and a Gateway reads Secrets of its own namespace only (hostgate keeps no ReferenceGrant), " +
        "so set certificates.certManager.namespace and gateway.namespace to the same namespace",
    },
  ];
}

/** The Gateway API's limits on a Gateway's spec.infrastructure.labels (its CRD: maxProperties, and a key's prefix shorter than 253). */
export const MAX_INFRASTRUCTURE_LABELS = 8;
const MAX_INFRASTRUCTURE_LABEL_PREFIX = 252;

/**
 * With Istio's implementation the selector is every pooled Gateway's
 * spec.infrastructure.labels (the pods its AuthorizationPolicies select):
 * a label map the Gateway's CRD refuses would make the API server refuse
 * every pooled Gateway, and no route would be served. The keys' and values'
 * other rules are the Kubernetes label rules the schema already applies; the
 * Gateway API is stricter only in the count and in the prefix's length.
 */
function selectorIssues(gateway: Record<string, unknown>, implementation: string | undefined): Issue[] {
  if (implementation !== "istio") return [];
  const keys = Object.keys(asRecord(gateway.selector) ?? {});
  const why = "with implementation istio hostgate copies gateway.selector into every pooled Gateway's spec.infrastructure.labels";
  const issues: Issue[] = [];
  if (keys.length > MAX_INFRASTRUCTURE_LABELS)
    issues.push({
      path: ["gateway", "selector"],
      anchor: "key",
      message:
        `has ${keys.length} labels, but ${why}, which the Gateway API allows ${MAX_INFRASTRUCTURE_LABELS} of at most (its Gateway CRD's maxProperties), ` +
        `so every pooled Gateway would be refused: select the gateway pods with ${MAX_INFRASTRUCTURE_LABELS} labels or fewer`,
    });
  for (const key of keys) {
    const slash = key.indexOf("/");
    if (slash > MAX_INFRASTRUCTURE_LABEL_PREFIX)
      issues.push({
        path: ["gateway", "selector", key],
        anchor: "key",
        message:
          `has a prefix of ${slash} characters, but ${why}, whose keys' prefixes the Gateway API limits to ${MAX_INFRASTRUCTURE_LABEL_PREFIX} characters, ` +
          "so every pooled Gateway would be refused: use a label with a shorter prefix",
      });
  }
  return issues;
}

/** Which load balancers the Gateway API data plane can serve routes through. */
function loadBalancerIssue(lb: WrittenLoadBalancer, implementation: string | undefined): Issue | undefined {
  const kind = lb.member ? "member" : "entry";
  if ("service" in lb.entry)
    return {
      path: [...lb.path, "service"],
      anchor: "key",
      message:
        "is a gateway Service (an Istio data plane two-step entry), but gateway.provider is gateway-api: there each two-step member is a Gateway " +
        `hostgate writes in gateway.namespace, named after the ${kind}, whose status.addresses it publishes: remove service and keep gatewayHostname alone`,
    };
  if (implementation !== LBC) return undefined;
  const fixedKey = ["dnsName", "hostedZoneId"].find((key) => key in lb.entry);
  if (fixedKey !== undefined)
    return {
      path: [...lb.path, fixedKey],
      anchor: "key",
      message:
        `is a fixed load balancer's key, but with implementation ${LBC} each member is the ALB the controller creates for that member's Gateway, ` +
        "whose address hostgate reads from the Gateway's status: remove dnsName and hostedZoneId and keep gatewayHostname, the name hostgate publishes it at",
    };
  if ("listenerArn" in lb.entry)
    return {
      path: [...lb.path, "listenerArn"],
      anchor: "key",
      message:
        `is not used with implementation ${LBC}: the controller owns the listeners of the ALBs it creates and finds their ACM certificates by the ` +
        "listeners' hostnames; hostgate never attaches certificates to them, so remove listenerArn",
    };
  return undefined;
}

/**
 * With the AWS Load Balancer Controller each pooled Gateway is an ALB whose
 * scheme (internet-facing or internal) comes from its GatewayClass's
 * LoadBalancerConfiguration, internal when it says none: one GatewayClass for
 * both classes would put alb-out's routes on internal ALBs or, worse, alb-in's
 * on internet-facing ones.
 */
function gatewayClassIssue(gatewayApi: Record<string, unknown>, implementation: string | undefined): Issue | undefined {
  if (implementation !== LBC) return undefined;
  const byClass = asRecord(gatewayApi.gatewayClassNames) ?? {};
  const fallback = stringAt(gatewayApi, "gatewayClassName");
  const out = stringAt(byClass, "alb-out") ?? fallback;
  const inside = stringAt(byClass, "alb-in") ?? fallback;
  if (out === undefined || inside === undefined || out !== inside) return undefined;
  return {
    path: ["gateway", "gatewayApi"],
    anchor: "key",
    message:
      `gives alb-out and alb-in one GatewayClass (${out}), but with ${LBC} a pooled Gateway's ALB is internet-facing or internal by its ` +
      "GatewayClass's LoadBalancerConfiguration (internal when it says none): create a GatewayClass whose LoadBalancerConfiguration says " +
      "scheme: internet-facing for the public class and name it in gatewayClassNames, e.g. gatewayClassNames: {alb-out: alb-public}",
  };
}

export function gatewayApiIssues(config: Record<string, unknown>): Issue[] {
  const gateway = asRecord(config.gateway) ?? {};
  const provider = gatewayProvider(config);
  const presence = gatewayApiPresenceIssue(gateway, provider);
  if (presence !== undefined) return [presence];
  if (provider !== "gateway-api") return [];
  const gatewayApi = asRecord(gateway.gatewayApi) ?? {};
  const implementation = gatewayApiImplementation(config);
  return [
    ...authServiceIssues(config, gatewayApi),
    ...[gatewayClassIssue(gatewayApi, implementation)].filter((issue): issue is Issue => issue !== undefined),
    ...certificateIssues(config, gateway, implementation),
    ...selectorIssues(gateway, implementation),
    ...writtenLoadBalancers(config).flatMap((lb) => loadBalancerIssue(lb, implementation) ?? []),
  ];
}
