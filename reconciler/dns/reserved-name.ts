// Names no DomainRoute may publish in DNS: the gatewayHostname of a two-step
// load balancer (loadBalancers.<lb>: {service, gatewayHostname}, or on the
// Gateway API data plane a pooled Gateway's), of every member of a pool
// (loadBalancers.<lb>.members) and every member the class may autoscale to
// (`<prefix>-NN.<gatewayDomain>`, 01 to 99: maxMembers limits growth, and a
// member above a lowered maxMembers stays in use), routes placed there or
// not. hostgate publishes the gateway Service's (or Gateway's) address there (gateway-records.ts for
// Route53, external-dns/render-gateway-endpoints.ts for external-dns), and
// every route on that load balancer is a CNAME to it. A route at the same
// name would ask for a second record there: with external-dns two
// DNSEndpoints for one name race in external-dns's plan, with Route53 the
// route's CNAME cannot sit beside the gateway's A record. Either way the
// gateway name, and so every route behind it, is at stake, so the route is
// refused (reason ReservedName) on both back ends, whatever its load balancer.
//
// Only this cluster's config is known here: another cluster's gatewayHostname
// is reserved by that cluster, which refuses such a route in its own region.
import type { LoadBalancerName, PlatformConfig } from "../../core/config/platform-config.ts";
import { describeSource } from "./gateway-address.ts";
import { memberField, memberName, twoStepMemberAt } from "./pool-member-records.ts";

export const RESERVED_NAME_REASON = "ReservedName";

export interface ReservedName {
  readonly reason: typeof RESERVED_NAME_REASON;
  /** The class (`alb-in`) of the member whose name it is. */
  readonly loadBalancer: LoadBalancerName;
  /** The pool member (the class's name for a class of one entry). */
  readonly member: string;
  readonly gatewayHostname: string;
  /** What is wrong and how to fix it, for DNSReady's message. */
  readonly message: string;
}

/**
 * The two-step load balancer whose gatewayHostname is `domain`; undefined
 * when none is. Both are lowercase without a root dot (the DomainRoute CRD's
 * and the config schema's patterns), so they compare as strings.
 */
export function reservedName(domain: string, config: PlatformConfig): ReservedName | undefined {
  const target = twoStepMemberAt(domain, config);
  if (target === undefined) return undefined;
  const { lbClass: loadBalancer, name: member } = target.member;
  return {
    reason: RESERVED_NAME_REASON,
    loadBalancer,
    member,
    gatewayHostname: target.gatewayHostname,
    message:
      `${domain} is ${memberField(target.member, config, "gatewayHostname")} in the platform config: hostgate publishes the address of ${describeSource(target.source)} ` +
      `there, and routes on ${memberName(target.member, config)} are CNAMEs to it, so no route may publish a record at that name ` +
      "(it would replace or race the gateway's record). Route another name",
  };
}
