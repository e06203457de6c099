// Which reconcile keys an informer event concerns. Level-triggered: an event
// only says "look at this key again"; which event it was does not matter.
import type { KubeObject } from "../../core/kube/object-key.ts";
import type { DomainClaim, DomainRoute } from "../../crds/types.ts";
import { formatKey } from "../../core/kube/object-key.ts";
import { producingRoute } from "../domainroute/render/metadata.ts";

/** The key of the route that produced an object (see producingRoute). */
export function producingRouteKey(object: KubeObject): string | undefined {
  const route = producingRoute(object);
  return route === undefined ? undefined : formatKey(route);
}

/**
 * Domain → keys of the routes that declare it, kept up to date from the
 * route informer, so that a claim's event reaches every route waiting for
 * that domain (the next in line takes it when the claim is released)
 * without scanning every route.
 */
export class RoutesByDomain {
  readonly #keys = new Map<string, Set<string>>();

  set(key: string, route: DomainRoute | undefined, previous?: DomainRoute): void {
    if (previous !== undefined) this.#remove(previous.spec?.domain, key);
    if (route !== undefined) {
      const domain = route.spec?.domain;
      if (typeof domain !== "string") return;
      let keys = this.#keys.get(domain);
      if (keys === undefined) this.#keys.set(domain, (keys = new Set()));
      keys.add(key);
    }
  }

  delete(key: string, route: DomainRoute): void {
    this.#remove(route.spec?.domain, key);
  }

  /** Routes declaring the claim's domain, and the claim's owner. */
  keysFor(claim: DomainClaim): string[] {
    const keys = new Set(this.#keys.get(claim.spec?.domain ?? claim.metadata?.name ?? "") ?? []);
    const owner = claim.spec?.owner;
    if (owner?.namespace !== undefined && owner.name !== undefined) keys.add(`${owner.namespace}/${owner.name}`);
    return [...keys];
  }

  #remove(domain: string | undefined, key: string): void {
    if (domain === undefined) return;
    const keys = this.#keys.get(domain);
    keys?.delete(key);
    if (keys?.size === 0) this.#keys.delete(domain);
  }
}
