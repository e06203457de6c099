// Routes, claims and records for the DNS planner and controller tests: a
// route holding its claim by default, changed by options, so each case states
// only what matters.
import type { PlatformConfig } from "../../../core/config/platform-config.ts";
import type { DomainClaim, DomainRoute, DnsSpec, LoadBalancer } from "../../../crds/types.ts";
import { claimFor, route } from "../../app-id-table/testing/fixtures.ts";
import { aConfig } from "../../domainroute/render/testing/platform-config.ts";
import type { ConfigOptions } from "../../domainroute/render/testing/platform-config.ts";
import type { PassFindings } from "../dns-outcomes.ts";
import type { DnsRecord } from "../route53-port.ts";

export const OWNER_ID = "hostgate-prod";
export const ZONE = "Z0123456789ABC";
export const PRIVATE_ZONE = "ZPRIVATE0000001";
export const OTHER_APEX_ZONE = "ZOTHER00000001";
export const ALB_ZONE = "Z35SXDOTRQ7X7K";
export const ALB_OUT = "public-1.us-east-1.elb.amazonaws.com";
export const ALB_IN = "internal-1.us-east-1.elb.amazonaws.com";

export interface DnsRouteOptions {
  domain?: string;
  namespace?: string;
  uid?: string;
  lb?: LoadBalancer;
  dns?: DnsSpec;
  deleting?: boolean;
}

/** DomainRoute `name` in team-a for `<name>.example.com` on alb-out, uid `uid-<name>`. */
export function dnsRoute(name: string, options: DnsRouteOptions = {}): DomainRoute {
  const base = route(name, {
    ...(options.domain === undefined ? {} : { domain: options.domain }),
    ...(options.namespace === undefined ? {} : { namespace: options.namespace }),
    ...(options.uid === undefined ? {} : { uid: options.uid }),
    ...(options.deleting === undefined ? {} : { deleting: options.deleting }),
  });
  return { ...base, spec: { ...base.spec, lb: options.lb ?? "alb-out", ...(options.dns === undefined ? {} : { dns: options.dns }) } };
}

/** Routes and the claims that make each of them hold its domain. */
export function holding(...routes: DomainRoute[]): { routes: DomainRoute[]; claims: DomainClaim[] } {
  return { routes, claims: routes.map((r) => claimFor(r)) };
}

/**
 * A route53 config: example.com in ZONE (with PRIVATE_ZONE as an additional
 * zone) and other.org in OTHER_APEX_ZONE; alb-out dualstack when asked.
 */
export function dnsConfig(options: { recordType?: "alias" | "cname"; dualstack?: boolean; resyncInterval?: string } & ConfigOptions = {}): PlatformConfig {
  const base = aConfig({
    ...options,
    dns: { provider: "route53", ownerId: OWNER_ID, recordType: options.recordType ?? "alias", resyncInterval: options.resyncInterval ?? "5m", ...options.dns },
  });
  return {
    ...base,
    domains: [
      { apex: "example.com", zoneId: ZONE, additionalZoneIds: [PRIVATE_ZONE] },
      { apex: "other.org", zoneId: OTHER_APEX_ZONE, additionalZoneIds: [] },
    ],
    loadBalancers: { ...base.loadBalancers, "alb-out": { ...base.loadBalancers["alb-out"], ipAddressType: options.dualstack ? "dualstack" : "ipv4" } },
  };
}

export function aliasRecord(name: string, type = "A", dnsName = ALB_OUT): DnsRecord {
  return { name, type, alias: { hostedZoneId: ALB_ZONE, dnsName, evaluateTargetHealth: true } };
}

export function cnameRecord(name: string, target = ALB_OUT, ttl = 300): DnsRecord {
  return { name, type: "CNAME", ttl, values: [target] };
}

export function txtRecord(name: string, ...values: string[]): DnsRecord {
  return { name, type: "TXT", ttl: 300, values };
}

/** The registry value external-dns (or hostgate) writes for `owner` and `resource`. */
export function ownedBy(owner: string, resource: string): string {
  return `"heritage=external-dns,external-dns/owner=${owner},external-dns/resource=${resource}"`;
}

/** A DNS pass's findings with nothing unusual (every zone read, nothing pending or refused), changed by `over`. */
export function passFindings(over: Partial<PassFindings> = {}): PassFindings {
  return { unavailable: new Map(), conflicts: new Map(), rejected: new Map(), pending: new Set(), owned: new Set(), allZonesKnown: true, ...over };
}
