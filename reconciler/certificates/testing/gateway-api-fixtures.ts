// Platform configs on the Gateway API data plane for the certificate tests,
// built on plan-fixtures' certConfig (owner, ACM, the apex example.com):
//   - aws-load-balancer-controller: every member IS an ALB the controller
//     makes from the member's Gateway: alb-out a pool of public-1 and public-2,
//     alb-in a class of one entry, all published at a gateway record, none with
//     a listenerArn (the controller owns those listeners);
//   - envoy-gateway or istio: TLS ends on the ALBs in front, whose listeners
//     (OUT, IN) hostgate puts the certificates on, as on the Istio data plane.
// And `placedOn`, which gives a route the status.edge the pool controller writes.
import type { CertificatesConfig, GatewayApiImplementation, LoadBalancerConfig, PlatformConfig } from "../../../core/config/platform-config.ts";
import type { DomainClaim, DomainRoute } from "../../../crds/types.ts";
import { certConfig } from "./plan-fixtures.ts";

export const GATEWAY_NAMESPACE = "edge";
const CAPACITY = { certificates: 25, rules: 100, targetGroups: 100, listeners: 64 };

export function gatewayApiCertConfig(implementation: GatewayApiImplementation, certificates: Partial<CertificatesConfig> = {}): PlatformConfig {
  const base = certConfig(certificates);
  const gateway = {
    provider: "gateway-api" as const,
    namespace: GATEWAY_NAMESPACE,
    selector: { istio: "ingressgateway" },
    gatewayApi: { implementation, gatewayClassName: "hostgate", authServices: {} },
  };
  if (implementation !== "aws-load-balancer-controller") return { ...base, gateway };
  const member = (name: string) => ({ name, ipAddressType: "ipv4" as const, gatewayHostname: `${name}.gw.example.com`, gateway: name, capacity: CAPACITY });
  const single: LoadBalancerConfig = { ipAddressType: "ipv4", gatewayHostname: "alb-in.gw.example.com", gateway: "alb-in" };
  return { ...base, gateway, loadBalancers: { "alb-out": { ipAddressType: "ipv4", members: [member("public-1"), member("public-2")] }, "alb-in": single } };
}

/** The route with the status.edge placing it on `member` of its class. */
export function placedOn<T extends { route: DomainRoute; claims: DomainClaim[] }>(entry: T, member: string): T {
  const edge = { loadBalancer: entry.route.spec.lb, member, target: `${member}.gw.example.com`, dataPlane: "gateway-api" as const };
  return { ...entry, route: { ...entry.route, status: { ...entry.route.status, edge } } };
}
