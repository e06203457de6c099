// Which certificates the routes need, all routes at once (pure). A route
// counts when it holds its claim: the DomainClaim named after its domain
// names its uid. Each needed wildcard (certificate-names.ts wildcardFor) is
// one certificate whatever the number of routes it serves: its `routes` are
// its reference count, and it goes on the HTTPS listener of every load
// balancer pool member those routes are placed on (reconciler/edge/
// placed-member.ts), and on no other: a wildcard shared by routes on two
// members goes on both members' listeners. When certificates go on listeners,
// a route with no member yet is `unplaced`: it counts for no certificate and
// is attached nowhere until it is placed. With the AWS Load Balancer
// Controller (acm-settings.ts certificatesByDiscovery) the certificate still
// waits for placement (the member's Gateway gets the route's listener only
// then, and the certificate counts against that member's ALB), but it goes on
// no listener of hostgate's: the controller finds it in ACM by the listener's
// hostname. A route being deleted needs nothing; it is listed with what it
// used, so the planner can tell when it is released.
import type { LoadBalancerName, PlatformConfig } from "../../core/config/platform-config.ts";
import { compareStrings } from "../../core/compare-strings.ts";
import type { DomainClaim, DomainRoute } from "../../crds/types.ts";
import { certificatesInAcm, certificatesOnListeners } from "../../core/config/acm-settings.ts";
import { apexOf } from "../../policies/engine/functions/hostname.ts";
import { placedMember } from "../edge/placed-member.ts";
import { certificateName, wildcardFor } from "./certificate-names.ts";

export interface DesiredCertificate {
  /** `*.example.com` or `*.team-a.example.com`: the key of the certificate. */
  readonly wildcard: string;
  /** Its names: the wildcard, plus the apex for the apex's own wildcard. */
  readonly names: readonly string[];
  readonly apex: string;
  /** The apex's hosted zone, where ACM's validation records go. */
  readonly zoneId: string;
  /** certificateName(wildcard): the cert-manager object and the validation records' registry name. */
  readonly name: string;
  /** The routes (`namespace/name`) it serves, sorted: its reference count. */
  readonly routes: readonly string[];
  /** The listeners it must be on, sorted (none when listeners are not used). */
  readonly listenerArns: readonly string[];
}

/** What one route needs; `uid` and `domain` as seen, for the outcome. */
export type RouteNeed = { readonly routeRef: string; readonly uid: string; readonly domain: string; readonly lb: LoadBalancerName } & (
  | { readonly kind: "uses"; readonly wildcard: string; readonly listenerArn?: string }
  /** Being deleted: needs nothing; `wildcard`/`listenerArn` say what it used, when it used one. */
  | { readonly kind: "deleting"; readonly wildcard?: string; readonly listenerArn?: string }
  | { readonly kind: "notClaimed" }
  | { readonly kind: "noApex" }
  /** The load balancer has no listenerArn configured, so nothing can serve the certificate. */
  | { readonly kind: "noListener" }
  /** Certificates go on listeners and the route has no pool member yet: nothing is attached for it. */
  | { readonly kind: "unplaced" }
);

export interface DesiredCertificates {
  /** Sorted by wildcard. */
  readonly certificates: readonly DesiredCertificate[];
  /** Every route, keyed by `namespace/name`. */
  readonly routes: ReadonlyMap<string, RouteNeed>;
}

export interface DesiredOptions {
  /** True when hostgate puts certificates on the load balancers' listeners (certificatesOnListeners). */
  readonly listeners: boolean;
  /**
   * True when a route counts only once it is placed on a pool member (`listeners` implies it). True with the AWS Load
   * Balancer Controller too: its certificate serves on the member's ALB, so it waits for the member like a listener's.
   */
  readonly placement?: boolean;
}

/** The options the certificate controller and `hostgate render` use for this config. */
export function desiredOptions(config: PlatformConfig): DesiredOptions {
  return { listeners: certificatesOnListeners(config), placement: certificatesInAcm(config) };
}

export function desiredCertificates(
  routes: readonly DomainRoute[],
  claims: readonly DomainClaim[],
  config: PlatformConfig,
  options: DesiredOptions,
): DesiredCertificates {
  const claimOwner = new Map(claims.map((claim) => [claim.metadata.name ?? "", claim.spec.owner.uid]));
  const apexes = config.domains.map((d) => d.apex);
  const needs = new Map<string, RouteNeed>();
  const byWildcard = new Map<string, { names: string[]; apex: string; zoneId: string; routes: string[]; listeners: Set<string> }>();
  for (const route of routes) {
    const routeRef = `${route.metadata.namespace}/${route.metadata.name}`;
    const domain = route.spec.domain.toLowerCase();
    const seen = { routeRef, uid: route.metadata.uid ?? "", domain, lb: route.spec.lb };
    const apex = apexOf(domain, apexes);
    const wanted = apex === "" ? undefined : wildcardFor(domain, apex);
    // Listeners are the members': a certificate on listeners always waits for its member.
    const placement = options.listeners || (options.placement ?? false);
    const member = placement ? placedMember(route, config) : undefined;
    const listenerArn = options.listeners ? member?.entry.listenerArn : undefined;
    const where = { ...(wanted === undefined ? {} : { wildcard: wanted.wildcard }), ...(listenerArn === undefined ? {} : { listenerArn }) };
    if (route.metadata.deletionTimestamp !== undefined) needs.set(routeRef, { ...seen, kind: "deleting", ...where });
    else if (seen.uid === "" || claimOwner.get(domain) !== seen.uid) needs.set(routeRef, { ...seen, kind: "notClaimed" });
    else if (wanted === undefined) needs.set(routeRef, { ...seen, kind: "noApex" });
    else if (placement && member === undefined) needs.set(routeRef, { ...seen, kind: "unplaced" });
    else if (options.listeners && listenerArn === undefined) needs.set(routeRef, { ...seen, kind: "noListener" });
    else {
      needs.set(routeRef, { ...seen, kind: "uses", ...where, wildcard: wanted.wildcard });
      const zoneId = config.domains.find((d) => d.apex === apex)!.zoneId;
      let entry = byWildcard.get(wanted.wildcard);
      if (entry === undefined) {
        entry = { names: wanted.names, apex, zoneId, routes: [], listeners: new Set() };
        byWildcard.set(wanted.wildcard, entry);
      }
      entry.routes.push(routeRef);
      if (listenerArn !== undefined) entry.listeners.add(listenerArn);
    }
  }
  const certificates = [...byWildcard]
    .sort(([a], [b]) => compareStrings(a, b))
    .map(([wildcard, entry]) => ({
      wildcard,
      names: entry.names,
      apex: entry.apex,
      zoneId: entry.zoneId,
      name: certificateName(wildcard),
      routes: entry.routes.sort(compareStrings),
      listenerArns: [...entry.listeners].sort(compareStrings),
    }));
  return { certificates, routes: needs };
}
