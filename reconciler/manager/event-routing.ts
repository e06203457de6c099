// Which routes (routeRefs, `namespace/name`: the route queue's keys) an
// informer event concerns. Level-triggered: an event only says "look at
// this route again"; which event it was does not matter.
import type { PlatformConfig } from "../../core/config/platform-config.ts";
import type { KubeObject } from "../../core/kube/object-key.ts";
import type { DomainClaim, DomainRoute } from "../../crds/types.ts";
import { formatKey } from "../../core/kube/object-key.ts";
import { backendServiceKey } from "../domainroute/backend-service.ts";
import { LABEL_ROUTE_UID, producingRoute } from "../domainroute/render/metadata.ts";
import { objectNameFor } from "../domainroute/render/names.ts";
import { dnsEndpointNames } from "../dns/external-dns/render-dns-endpoint.ts";

/** value → routeRefs (`namespace/name`), for one thing routes are looked up by. */
class RouteRefsBy {
  readonly #keys = new Map<string, Set<string>>();

  add(value: string | undefined, key: string): void {
    if (value === undefined) return;
    let keys = this.#keys.get(value);
    if (keys === undefined) {
      keys = new Set();
      this.#keys.set(value, keys);
    }
    keys.add(key);
  }

  remove(value: string | undefined, key: string): void {
    if (value === undefined) return;
    const keys = this.#keys.get(value);
    keys?.delete(key);
    if (keys?.size === 0) this.#keys.delete(value);
  }

  get(value: string | undefined): Iterable<string> {
    return (value === undefined ? undefined : this.#keys.get(value)) ?? [];
  }
}

/**
 * The routes an event concerns, kept up to date from the route informer, so
 * that an event reaches every route it matters to without scanning them all:
 *   - a claim's: every route declaring its domain (the next in line takes a
 *     released one) and its owner;
 *   - a produced object's: EVERY route that claims its name (whose domain
 *     renders that name, routeObjectNames), plus the routes its label and
 *     annotation name. With names that collide, or an object a route was
 *     refused, the route that is waiting for the name hears of it, not only
 *     the one that wrote it last;
 *   - a Service's: every route whose backend it is;
 *   - a RegionPolicy's: every route in its namespace (it decides where their
 *     names are published);
 *   - a gateway record's (external-dns): every route on its load balancer.
 */
export class RouteIndex {
  readonly #byDomain = new RouteRefsBy();
  readonly #byObjectName = new RouteRefsBy();
  readonly #byUid = new RouteRefsBy();
  readonly #byService = new RouteRefsBy();
  readonly #byNamespace = new RouteRefsBy();
  readonly #byLoadBalancer = new RouteRefsBy();
  readonly #objectNames: (domain: string) => readonly string[];

  /** @param objectNames the names a domain's objects get (routeObjectNames; a test may make two domains collide) */
  constructor(objectNames: (domain: string) => readonly string[] = (domain) => [objectNameFor(domain)]) {
    this.#objectNames = objectNames;
  }

  set(key: string, route: DomainRoute | undefined, previous?: DomainRoute): void {
    if (previous !== undefined) this.delete(key, previous);
    if (route === undefined) return;
    const domain = typeof route.spec?.domain === "string" ? route.spec.domain : undefined;
    this.#byDomain.add(domain, key);
    for (const name of domain === undefined ? [] : this.#objectNames(domain)) this.#byObjectName.add(name, key);
    this.#byUid.add(route.metadata?.uid, key);
    this.#byService.add(serviceOf(route), key);
    this.#byNamespace.add(route.metadata?.namespace, key);
    this.#byLoadBalancer.add(loadBalancerOf(route), key);
  }

  delete(key: string, route: DomainRoute): void {
    const domain = typeof route.spec?.domain === "string" ? route.spec.domain : undefined;
    this.#byDomain.remove(domain, key);
    for (const name of domain === undefined ? [] : this.#objectNames(domain)) this.#byObjectName.remove(name, key);
    this.#byUid.remove(route.metadata?.uid, key);
    this.#byService.remove(serviceOf(route), key);
    this.#byNamespace.remove(route.metadata?.namespace, key);
    this.#byLoadBalancer.remove(loadBalancerOf(route), key);
  }

  /** Routes declaring the claim's domain, and the claim's owner. */
  claimRouteRefs(claim: DomainClaim): string[] {
    const keys = new Set(this.#byDomain.get(claim.spec?.domain ?? claim.metadata?.name));
    const owner = claim.spec?.owner;
    if (owner?.namespace !== undefined && owner.name !== undefined) keys.add(`${owner.namespace}/${owner.name}`);
    return [...keys].sort();
  }

  /** Every route claiming the produced object's name, and the routes its route-uid label and route annotation name. */
  producedRouteRefs(object: KubeObject): string[] {
    const keys = new Set(this.#byObjectName.get(object.metadata?.name));
    for (const key of this.#byUid.get((object.metadata?.labels as Record<string, string> | undefined)?.[LABEL_ROUTE_UID])) keys.add(key);
    const annotated = producingRoute(object);
    if (annotated !== undefined) keys.add(formatKey(annotated));
    return [...keys].sort();
  }

  /** Routes whose backend is this Service. */
  serviceRouteRefs(service: KubeObject): string[] {
    const m = service.metadata ?? {};
    return [...this.#byService.get(m.namespace === undefined || m.name === undefined ? undefined : `${m.namespace}/${m.name}`)].sort();
  }

  /** Routes in the namespace (a RegionPolicy's). */
  namespaceRouteRefs(namespace: string | undefined): string[] {
    return [...this.#byNamespace.get(namespace)].sort();
  }

  /** Routes on the load balancer entry (`alb-in`). */
  loadBalancerRouteRefs(loadBalancer: string): string[] {
    return [...this.#byLoadBalancer.get(loadBalancer)].sort();
  }
}

/**
 * Every name a domain's objects can have on this config: objectNameFor(domain)
 * and, on a platform with regions, its DNSEndpoint's name in each region,
 * whatever the route's placement now: an object at any of them may be in its way.
 */
export function routeObjectNames(config: Pick<PlatformConfig, "cluster" | "regions">): (domain: string) => string[] {
  return (domain) => [...new Set([objectNameFor(domain), ...dnsEndpointNames(domain, config)])];
}

function loadBalancerOf(route: DomainRoute): string | undefined {
  return typeof route.spec?.lb === "string" ? route.spec.lb : undefined;
}

function serviceOf(route: DomainRoute): string | undefined {
  try {
    const key = backendServiceKey(route);
    return key === undefined ? undefined : formatKey(key);
  } catch {
    return undefined; // a route too malformed to plan routes to no Service
  }
}
