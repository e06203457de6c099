// What HostnameGrants give the page: the namespaces it offers and the
// hostnames its Domain field suggests. Read as hostname-granted reads them
// (core/state/grant.ts: names lower-cased without a trailing dot, `kinds`
// empty meaning every kind, a malformed `kinds` granting nothing), and only
// grants that cover DomainRoutes count: a namespace granted names for
// HTTPRoutes alone could never hold a DomainRoute the webhook admits.
import { grantEntry } from "../../core/state/grant.ts";
import type { GrantEntry } from "../../core/state/grant.ts";
import { KIND_DOMAIN_ROUTE } from "../../crds/types.ts";
import { compareStrings } from "../../core/compare-strings.ts";

/** The grants among `objects` that cover DomainRoutes. */
export function routeGrants(objects: readonly unknown[]): GrantEntry[] {
  return objects.map((o) => grantEntry(o)).filter((g): g is GrantEntry => g !== undefined && (g.kinds.length === 0 || g.kinds.includes(KIND_DOMAIN_ROUTE)));
}

/** Every namespace the grants name, sorted. */
export function grantedNamespaces(grants: readonly GrantEntry[]): string[] {
  return sortedUnique(grants.flatMap((g) => g.namespaces));
}

/** The hostnames and patterns (`*.shop.example.com`) granted to `namespace`, sorted. */
export function grantedHostnames(grants: readonly GrantEntry[], namespace: string): string[] {
  return sortedUnique(grants.filter((g) => g.namespaces.includes(namespace)).flatMap((g) => g.hostnames));
}

function sortedUnique(values: readonly string[]): string[] {
  return [...new Set(values)].sort(compareStrings);
}
