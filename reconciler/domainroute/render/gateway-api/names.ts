// Names of what the Gateway API data plane holds for one domain. Like the
// Istio objects' names (../names.ts) they are a readable prefix plus a hash of
// the whole domain, so two domains never share one and the same domain always
// gets the same one (a recompute renames nothing).
import { hashedName, objectNameFor } from "../names.ts";

/**
 * The domain's listener on its pool member's Gateway (`spec.listeners[].name`,
 * a Gateway API SectionName) and what an HTTPRoute's parentRefs[].sectionName
 * names to attach to it only: `shop-example-com-<hash>`.
 */
export function listenerNameFor(domain: string): string {
  return objectNameFor(domain);
}

/**
 * The HTTPRoute (and Envoy Gateway SecurityPolicy) of a Managed route, in the
 * route's namespace: named after the domain, like the Istio objects.
 */
export function routeObjectNameFor(domain: string): string {
  return objectNameFor(domain);
}

/**
 * The selectorless Service (and its EndpointSlice) standing for an external
 * backend, in the route's namespace. A Service name is a DNS-1035 label (it
 * must start with a letter), which a domain such as `1shop.example.com` would
 * not give: `hg-1shop-example-com-<hash>`.
 */
export function externalServiceNameFor(domain: string): string {
  return hashedName(`hg-${domain}`, domain);
}
