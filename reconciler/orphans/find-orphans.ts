// What hostgate produced for a DomainRoute that no longer exists. A route
// deleted the normal way cleans up after itself (its finalizer); one whose
// finalizer was removed by hand, or that vanished with its namespace before
// the reconciler ran, leaves Istio objects in the gateway namespace (no owner
// reference can collect them there) and a DomainClaim that locks its domain.
//
// Pure: the caches in, the candidates out. Only objects hostgate wrote are
// ever candidates: both of hostgate's labels (managed-by and a route uid) and
// the reconciler's field manager in managedFields (apply/ownership.ts), so an
// object someone labelled by hand is never swept. A candidate is only a
// suspicion: the sweep confirms with the API server that the owner is really
// gone before it deletes anything.
//
// On a platform with regions an object labelled for another cluster
// (hostgate.dev/cluster, the DNSEndpoints) is never a candidate, even in an
// API that shows several clusters' objects (a hub collecting DNSEndpoints):
// that cluster's route has the same namespace and name as a route here but
// another uid, so confirming by name would wrongly find its owner gone.
import type { KubeObject, ObjectKey } from "../../core/kube/object-key.ts";
import type { ResourceRef } from "../../core/kube/resource.ts";
import { compareStrings } from "../../core/compare-strings.ts";
import type { DomainClaim, DomainRoute } from "../../crds/types.ts";
import { PRODUCED_KIND_ORDER } from "../domainroute/render/produced-resources.ts";
import { LABEL_CLUSTER, LABEL_MANAGED_BY, LABEL_ROUTE_UID, MANAGED_BY_HOSTGATE, producingRoute } from "../domainroute/render/metadata.ts";
import { writtenByReconciler } from "../apply/ownership.ts";

export interface OrphanCandidate {
  resource: ResourceRef;
  object: KubeObject;
  /** The uid of the route that produced it. */
  ownerUid: string;
  /** That route's namespace/name, when the object says (for the confirming read). */
  owner?: ObjectKey;
}

export interface OrphanInput {
  routes: readonly DomainRoute[];
  claims: readonly DomainClaim[];
  claimResource: ResourceRef;
  produced: readonly { resource: ResourceRef; objects: readonly KubeObject[] }[];
  /** This cluster's name (config cluster.name); objects labelled for any other cluster, or for one when this is unset, are left alone. */
  cluster?: string;
}

export function findOrphans(input: OrphanInput): OrphanCandidate[] {
  const live = new Set(input.routes.map((r) => r.metadata.uid).filter((uid): uid is string => uid !== undefined));
  const candidates: OrphanCandidate[] = [];
  for (const { resource, objects } of input.produced) {
    for (const object of objects) {
      const labels = (object.metadata?.labels ?? {}) as Record<string, string>;
      const uid = labels[LABEL_ROUTE_UID];
      if (labels[LABEL_MANAGED_BY] !== MANAGED_BY_HOSTGATE || uid === undefined || uid === "" || live.has(uid) || !writtenByReconciler(object)) continue;
      if (labels[LABEL_CLUSTER] !== undefined && labels[LABEL_CLUSTER] !== input.cluster) continue;
      const owner = producingRoute(object);
      candidates.push({ resource, object, ownerUid: uid, ...(owner ? { owner } : {}) });
    }
  }
  for (const claim of input.claims) {
    const owner = claim.spec?.owner;
    if (owner?.uid === undefined || live.has(owner.uid)) continue;
    candidates.push({
      resource: input.claimResource,
      object: claim as unknown as KubeObject,
      ownerUid: owner.uid,
      owner: { namespace: owner.namespace, name: owner.name },
    });
  }
  return candidates.sort((a, b) => deletionRank(a) - deletionRank(b) || compareStrings(describe(a), describe(b)));
}

/**
 * The reverse of the apply order, claims last: what routes traffic goes
 * before the AuthorizationPolicy, so a protected domain is never served
 * without its login while the sweep is half done, and the domain is only
 * freed for the next route once nothing of the old one serves it.
 */
function deletionRank(candidate: OrphanCandidate): number {
  const index = (PRODUCED_KIND_ORDER as readonly string[]).indexOf(candidate.resource.kind);
  return index < 0 ? PRODUCED_KIND_ORDER.length : PRODUCED_KIND_ORDER.length - 1 - index;
}

export function describe(candidate: OrphanCandidate): string {
  const m = candidate.object.metadata ?? {};
  return `${candidate.resource.kind} ${m.namespace === undefined ? "" : `${m.namespace}/`}${m.name}`;
}
