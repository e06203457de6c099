// A platform config whose alb-out is a pool of two fixed members (public-1,
// public-2) with ACM certificates on their listeners, and the routes and
// claims the pool tests place.
import type { AuthServiceRef, EdgeCapacity, GatewayApiImplementation, PlatformConfig } from "../../../core/config/platform-config.ts";
import type { DomainClaim, DomainRoute } from "../../../crds/types.ts";
import { defaultConfig } from "../../domainroute/testing/route-world.ts";

const LISTENER = "arn:aws:elasticloadbalancing:us-east-1:123456789012:listener/app";

export function poolConfig(capacity: Partial<EdgeCapacity> = {}, provider: PlatformConfig["certificates"]["provider"] = "acm"): PlatformConfig {
  const member = (name: string) => ({
    name,
    dnsName: `${name}.us-east-1.elb.amazonaws.com`,
    hostedZoneId: "Z35SXDOTRQ7X7K",
    ipAddressType: "ipv4" as const,
    listenerArn: `${LISTENER}/${name}/0123456789abcdef/0123456789abcdef`,
    capacity: { certificates: 25, rules: 100, targetGroups: 100, listeners: 64, ...capacity },
  });
  return {
    ...defaultConfig,
    loadBalancers: {
      "alb-out": { ipAddressType: "ipv4", members: [member("public-1"), member("public-2")] },
      "alb-in": { ...defaultConfig.loadBalancers["alb-in"], listenerArn: `${LISTENER}/internal-1/0123456789abcdef/0123456789abcdef` },
    },
    certificates: { ...defaultConfig.certificates, provider },
  };
}

/** poolConfig() on the Gateway API data plane with `implementation` (protection provider `sso` served by an ext_authz Service). */
export function gatewayApiPoolConfig(
  implementation: GatewayApiImplementation,
  provider: PlatformConfig["certificates"]["provider"] = "acm",
  capacity: Partial<EdgeCapacity> = {},
): PlatformConfig {
  const config = poolConfig(capacity, provider);
  const authServices: Record<string, AuthServiceRef> = implementation === "envoy-gateway" ? { sso: { namespace: "auth", name: "ext-authz", port: 9001 } } : {};
  return { ...config, gateway: { ...config.gateway, provider: "gateway-api", gatewayApi: { implementation, gatewayClassName: "edge", authServices } } };
}

/**
 * gatewayApiPoolConfig("envoy-gateway", "none", capacity) whose alb-out grows
 * `gw-NN` members (published at `gw-NN.gw.example.com`) up to maxMembers, each
 * of `grown` capacity.
 */
export function autoscalingPoolConfig(maxMembers: number, capacity: Partial<EdgeCapacity> = {}, grown: Partial<EdgeCapacity> = capacity): PlatformConfig {
  const config = gatewayApiPoolConfig("envoy-gateway", "none", capacity);
  const autoscale = {
    prefix: "gw",
    maxMembers,
    gatewayDomain: "gw.example.com",
    capacity: { certificates: 25, rules: 100, targetGroups: 100, listeners: 64, ...grown },
  };
  return { ...config, loadBalancers: { ...config.loadBalancers, "alb-out": { ...config.loadBalancers["alb-out"], autoscale } } };
}

/** A route on alb-out created `minute` minutes into 2026, holding its claim unless `claimed` is false. */
export function poolRoute(name: string, domain: string, minute: number, extra: { edge?: string; annotation?: string; deleting?: boolean } = {}): DomainRoute {
  return {
    apiVersion: "hostgate.dev/v1alpha1",
    kind: "DomainRoute",
    metadata: {
      name,
      namespace: "team-a",
      uid: `uid-${name}`,
      creationTimestamp: `2026-01-01T00:${String(minute).padStart(2, "0")}:00Z`,
      ...(extra.annotation === undefined ? {} : { annotations: { "hostgate.dev/edge-member": extra.annotation } }),
      ...(extra.deleting === true ? { deletionTimestamp: "2026-01-02T00:00:00Z" } : {}),
    },
    spec: { domain, lb: "alb-out", routing: { mode: "Managed" }, backend: { service: { name: "web", port: 8080 } } },
    ...(extra.edge === undefined
      ? {}
      : { status: { edge: { loadBalancer: "alb-out", member: extra.edge, target: `${extra.edge}.us-east-1.elb.amazonaws.com` } } }),
  } as DomainRoute;
}

export function claimFor(route: DomainRoute): DomainClaim {
  const { name, namespace, uid } = route.metadata;
  return {
    apiVersion: "hostgate.dev/v1alpha1",
    kind: "DomainClaim",
    metadata: { name: route.spec.domain },
    spec: { domain: route.spec.domain, owner: { namespace: namespace!, name: name!, uid: uid! } },
  } as DomainClaim;
}
