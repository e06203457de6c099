// Labels, annotations and owner references of the objects hostgate produces.
// The reconciler prunes what a route no longer needs by listing objects with
// routeSelector(uid), so these labels are a contract: changing a key orphans
// every object produced before the change.
import type { DomainRoute, OwnerReference } from "../../../crds/types.ts";
import { API_VERSION, KIND_DOMAIN_ROUTE } from "../../../crds/types.ts";
import { domainHash } from "./names.ts";
import { compareStrings } from "../../../core/compare-strings.ts";
import type { KubeObject } from "../../../core/kube/object-key.ts";
import { LABEL_MANAGED_BY, LABEL_ROUTE_UID, MANAGED_BY_HOSTGATE } from "../../../core/kube/produced-labels.ts";

// In core/ so the policies' audit can read them without importing the reconciler.
export { LABEL_MANAGED_BY, LABEL_ROUTE_UID, MANAGED_BY_HOSTGATE };

/** domainHash(domain): the domain itself can be longer than a label value allows. */
export const LABEL_DOMAIN_HASH = "hostgate.dev/domain-hash";
/** cluster.name of the cluster that wrote the object, on a platform that spans regions (its DNSEndpoints). */
export const LABEL_CLUSTER = "hostgate.dev/cluster";
/** The platform region (regions[].name) a DNSEndpoint publishes in. */
export const LABEL_REGION = "hostgate.dev/region";
/** `namespace/name` of the route, for people reading the object. */
export const ANNOTATION_ROUTE = "hostgate.dev/route";
/** The domain in full, for people reading the object. */
export const ANNOTATION_DOMAIN = "hostgate.dev/domain";

/** The route that produced an object, from its ANNOTATION_ROUTE (`namespace/name`); undefined when absent or malformed. */
export function producingRoute(object: KubeObject): { namespace: string; name: string } | undefined {
  const value = (object.metadata?.annotations as Record<string, string> | undefined)?.[ANNOTATION_ROUTE];
  const match = value === undefined ? null : /^([^/]+)\/([^/]+)$/.exec(value);
  return match === null ? undefined : { namespace: match[1]!, name: match[2]! };
}

/** The label selector matching every Istio object produced for the route with this uid. */
export function routeSelector(uid: string): string {
  return `${LABEL_ROUTE_UID}=${uid}`;
}

export type ProducedMetadata = {
  name: string;
  namespace: string;
  labels: Record<string, string>;
  annotations: Record<string, string>;
  ownerReferences?: OwnerReference[];
};

/**
 * Metadata of one produced Istio object. Owner references only when the
 * object lives in the route's own namespace: an owner reference must name an
 * owner in the same namespace, and an invalid one gets the object garbage
 * collected. Objects in the gateway namespace are pruned by label instead.
 */
export function producedMetadata(route: DomainRoute, name: string, namespace: string): ProducedMetadata {
  const routeNamespace = route.metadata.namespace ?? "";
  const routeName = route.metadata.name ?? "";
  const uid = route.metadata.uid ?? "";
  const domain = route.spec.domain;
  const metadata: ProducedMetadata = {
    name,
    namespace,
    // Keys in sorted order, so rendering twice gives identical JSON.
    labels: {
      [LABEL_MANAGED_BY]: MANAGED_BY_HOSTGATE,
      [LABEL_DOMAIN_HASH]: domainHash(domain),
      [LABEL_ROUTE_UID]: uid,
    },
    annotations: {
      [ANNOTATION_DOMAIN]: domain,
      [ANNOTATION_ROUTE]: `${routeNamespace}/${routeName}`,
    },
  };
  if (namespace === routeNamespace) {
    metadata.ownerReferences = [{ apiVersion: API_VERSION, kind: KIND_DOMAIN_ROUTE, name: routeName, uid, controller: true, blockOwnerDeletion: true }];
  }
  return metadata;
}

/** A copy of `map` with its keys in sorted order, for deterministic JSON. */
export function sortedKeys(map: Readonly<Record<string, string>>): Record<string, string> {
  return Object.fromEntries(Object.entries(map).sort(([a], [b]) => compareStrings(a, b)));
}
