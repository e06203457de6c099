// A platform config on the Gateway API data plane for the DNS tests: alb-in is
// a pool of pooled Gateways in namespace `edge`, one configured member
// (edge-a, published at edge-a.gw.example.com) and autoscaled ones
// (edge-01.. edge-03 at <name>.gw.example.com); the Gateways as hostgate's
// pool Gateways controller writes them (or as someone else made one at a
// member's name) and the implementation reports them (status.addresses);
// routes placed on a member.
import type { PlatformConfig } from "../../../core/config/platform-config.ts";
import type { KubeObject } from "../../../core/kube/object-key.ts";
import type { DomainRoute } from "../../../crds/types.ts";
import { LABEL_MANAGED_BY, MANAGED_BY_HOSTGATE } from "../../domainroute/render/metadata.ts";
import { LABEL_EDGE_MEMBER } from "../../edge/gateways/render-pool-gateways.ts";
import { FIELD_MANAGER } from "../../resources.ts";

export const EDGE_NAMESPACE = "edge";
export const GATEWAY_DOMAIN = "gw.example.com";
/** The configured member's gateway hostname. */
export const EDGE_A = `edge-a.${GATEWAY_DOMAIN}`;
/** The first autoscaled member's gateway hostname. */
export const EDGE_01 = `edge-01.${GATEWAY_DOMAIN}`;

const capacity = { certificates: 25, rules: 100, targetGroups: 100, listeners: 64 };

/** `base` on the Gateway API data plane, alb-in a pool of pooled Gateways that autoscales up to three more. */
export function gatewayApiPool(base: PlatformConfig): PlatformConfig {
  return {
    ...base,
    gateway: {
      ...base.gateway,
      provider: "gateway-api",
      namespace: EDGE_NAMESPACE,
      gatewayApi: { implementation: "envoy-gateway", gatewayClassName: "eg", authServices: {} },
    },
    loadBalancers: {
      ...base.loadBalancers,
      "alb-in": {
        ipAddressType: "ipv4",
        members: [{ name: "edge-a", gateway: "edge-a", gatewayHostname: EDGE_A, ipAddressType: "ipv4", capacity }],
        autoscale: { prefix: "edge", maxMembers: 3, gatewayDomain: GATEWAY_DOMAIN, capacity },
      },
    },
  };
}

/** A Gateway API address: `type` left out is IPAddress (the CRD's default). */
export interface Address {
  type?: string;
  value: string;
}

/**
 * The pooled Gateway `name` in the edge namespace with these status.addresses (none: not programmed yet), written by
 * hostgate's field manager with its labels; `madeBy` another manager: someone else's Gateway at the member's name,
 * hostgate's labels copied onto it (labels prove nothing).
 */
export function pooledGateway(name: string, addresses: Address[] = [], madeBy: string = FIELD_MANAGER): KubeObject {
  const programmed =
    addresses.length === 0
      ? { type: "Programmed", status: "False", reason: "AddressNotAssigned", message: "No addresses have been assigned to the Gateway" }
      : { type: "Programmed", status: "True", reason: "Programmed", message: "" };
  return {
    apiVersion: "gateway.networking.k8s.io/v1",
    kind: "Gateway",
    metadata: {
      namespace: EDGE_NAMESPACE,
      name,
      labels: { [LABEL_MANAGED_BY]: MANAGED_BY_HOSTGATE, [LABEL_EDGE_MEMBER]: name },
      managedFields: [{ manager: madeBy, operation: "Apply", apiVersion: "gateway.networking.k8s.io/v1", fieldsType: "FieldsV1", fieldsV1: {} }],
    },
    spec: { gatewayClassName: "eg", listeners: [] },
    status: { addresses, conditions: [programmed] },
  };
}

/** The route with status.edge naming alb-in's member `member` (published at `<member>.gw.example.com`), as the route controller writes it. */
export function onMember<T extends DomainRoute>(route: T, member: string): T {
  return { ...route, status: { ...route.status, edge: { loadBalancer: "alb-in", member, target: `${member}.${GATEWAY_DOMAIN}` } } };
}
