// The route's EdgePlaced, DNSReady and CertificateReady, status.edge,
// status.dns and status.certificate, and whether DNS and certificates let its finalizer go:
// the route controller's reading of what the pool, DNS and certificate controllers
// published for it (their outcome boards), or, with external-dns, of the
// route's own DNSEndpoints. Pure. The route controller is the one writer of
// route status; the wholesale controllers only publish outcomes.
import { gatewayClassNameFor } from "../../core/config/gateway-class.ts";
import type { LoadBalancerName } from "../../core/config/platform-config.ts";
import type { CertificateStatus, DnsRecordStatus, EdgeStatus as PlacementRecord } from "../../crds/types.ts";
import { CONDITION_DNS_READY } from "../../crds/types.ts";
import { certificateReleased, certificateStatus } from "../certificates/certificate-condition.ts";
import { dnsReleased, dnsStatus } from "../dns/dns-condition.ts";
import { externalDnsStatus } from "../dns/external-dns/external-dns-status.ts";
import { placementStatus } from "../edge/edge-condition.ts";
import type { ConditionInput } from "../status/conditions.ts";
import type { RouteInput } from "./gather-route.ts";
import { withPlacement } from "./placed-route.ts";
import type { Refusal } from "./route-conditions.ts";

export interface EdgeStatus {
  /** EdgePlaced (edge/edge-condition.ts). */
  placed: ConditionInput;
  /**
   * status.edge; undefined leaves it out. Its dataPlane is always the
   * configured gateway.provider: the reconciler does not start when a route's
   * is another (data-plane-gate.ts), and a route placed before there was a
   * choice gets it written once.
   */
  placement?: PlacementRecord;
  dns: ConditionInput;
  certificate: ConditionInput;
  /** status.dns; undefined leaves it out. */
  records?: DnsRecordStatus[];
  /** status.certificate; undefined leaves it out. */
  served?: CertificateStatus;
}

/**
 * @param served what the route controller decided: `taken` when another route
 *   holds the claim, a refusal when nothing is served, else `serving`.
 */
export function edgeStatus(input: RouteInput, served: "taken" | "serving" | Refusal): EdgeStatus {
  const { route, config } = input;
  const certificate = certificateStatus(route, input.certificate, config);
  const placement = placementStatus(route, input.edge, config, served !== "taken");
  // With external-dns, DNSReady reads the DNSEndpoint rendered for the member this pass writes to status.edge.
  const dns = dnsStatus(route, input.dns, config) ?? externalDns({ ...input, route: withPlacement(route, placement.edge) }, served);
  return {
    placed: placement.condition,
    ...(placement.edge === undefined ? {} : { placement: placementRecord(placement.edge, config) }),
    dns: dns.condition,
    certificate: certificate.condition,
    ...(dns.records === undefined ? {} : { records: [...dns.records] }),
    ...(certificate.certificate === undefined ? {} : { served: { ...certificate.certificate, domains: [...certificate.certificate.domains] } }),
  };
}

/**
 * status.edge: where the route is placed and what serves it, the config's:
 * gateway.provider, and on the Gateway API data plane its implementation and
 * GatewayClass (the mode-switch gate, data-plane-gate.ts, compares them).
 */
function placementRecord(edge: PlacementRecord, config: RouteInput["config"]): PlacementRecord {
  const { implementation: _implementation, gatewayClassName: _className, dataPlane: _dataPlane, ...placed } = edge;
  const gatewayApi = config.gateway.provider === "gateway-api" ? config.gateway.gatewayApi : undefined;
  return {
    ...placed,
    dataPlane: config.gateway.provider,
    ...(gatewayApi === undefined
      ? {}
      : { implementation: gatewayApi.implementation, gatewayClassName: gatewayClassNameFor(config, placed.loadBalancer as LoadBalancerName) }),
  };
}

/** True when DNS and certificates hold nothing more of the route: its finalizer may go. */
export function edgeReleased(input: RouteInput): boolean {
  return dnsReleased(input.route, input.dns, input.config) && certificateReleased(input.route, input.certificate, input.config);
}

/**
 * What a deleting route waiting on the DNS and certificate controllers says:
 * the conditions of those controllers only. With external-dns the DNSEndpoint
 * goes with the route's other objects and nothing is waited for, so DNSReady
 * is left as it was (reading the endpoint being pruned would say it is about
 * to be created).
 */
export function releaseConditions(input: RouteInput): ConditionInput[] {
  const { route, config } = input;
  const dns = dnsStatus(route, input.dns, config);
  return [...(dns === undefined ? [] : [dns.condition]), certificateStatus(route, input.certificate, config).condition];
}

/** With external-dns the record follows the route's DNSEndpoint, which exists only while the route is served. */
function externalDns(input: RouteInput, served: "taken" | "serving" | Refusal): { condition: ConditionInput; records?: DnsRecordStatus[] } {
  const type = CONDITION_DNS_READY;
  const domain = input.route.spec.domain;
  if (served === "taken")
    return {
      condition: {
        type,
        status: "False",
        reason: "NotClaimed",
        message: `the route does not hold the DomainClaim for ${domain}, so no DNSEndpoint is written for it`,
      },
    };
  if (served !== "serving")
    return {
      condition: {
        type,
        status: "False",
        reason: served.reason,
        message: `no DNSEndpoint is written while nothing is served for ${domain} (see GatewayReady)`,
      },
    };
  // Every DNSEndpoint the route's placement asks for (one per region published in), read with the namespace policy rendering used.
  const context = {
    ...(input.regionPolicy === undefined ? {} : { regionPolicy: input.regionPolicy }),
    ...(input.gateway === undefined ? {} : { gateway: input.gateway }),
  };
  return externalDnsStatus(input.route, input.owned, input.config, context);
}
