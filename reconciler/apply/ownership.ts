// Whose an existing object is, as the reconciler must judge it before it
// writes or deletes anything at a name it generated. The rule:
//
//   an object is the route's, and only then may the reconciler update or
//   delete it, when it carries BOTH hostgate labels (managed-by=hostgate and
//   route-uid=<the route's uid>) AND its metadata.managedFields show that the
//   reconciler's field manager (hostgate-reconciler) wrote it, or (objects in
//   the route's own namespace) the controller owner reference hostgate gave
//   it names that route.
//
// Why the owner reference: the API server keeps at most ten Update entries in
// managedFields and merges the oldest into one named "ancient-changes". hostgate
// writes only on drift, so ten other clients touching a route's
// VirtualService (labels, annotations, GitOps) erase its entry. The owner
// reference stays, and it can only be written where the route lives: a forgery
// there hurts nobody else, as for the labels (below).
//
// Labels alone prove nothing: anyone who may edit an object may add them. The
// field manager records who wrote the object. Neither can be forged by a
// tenant outside its own namespace, and the objects hostgate writes into a
// tenant's namespace belong to that tenant's routes only, so a forgery there
// hurts nobody else. In the gateway namespace only the platform and hostgate
// write. An object hostgate wrote for another route (its route-uid differs)
// is that route's; one without the labels or without hostgate's field
// manager is nobody's to take: a person's, or another tool's. Either way the
// reconciler leaves it exactly as it is and says so in the route's status.
import type { KubeObject } from "../../core/kube/object-key.ts";
import { ANNOTATION_ROUTE, LABEL_MANAGED_BY, LABEL_ROUTE_UID, MANAGED_BY_HOSTGATE } from "../domainroute/render/metadata.ts";
import { FIELD_MANAGER } from "../resources.ts";
import { controlledByRoute } from "../../core/kube/controlled-by-route.ts";

// In core/ so the policies' audit applies the same check (policies/audit/audit-requester.ts).
export { controlledByRoute };

export const OWNERSHIP_REASON = {
  /** The object at the generated name was not written by hostgate (no labels, or another field manager). */
  ObjectNotOwned: "ObjectNotOwned",
  /** The object at the generated name is hostgate's, for another DomainRoute. */
  ObjectOwnedByAnotherRoute: "ObjectOwnedByAnotherRoute",
} as const;

export type Ownership = { owner: "route" } | { owner: "another-route"; routeUid: string; route?: string } | { owner: "not-hostgate"; why: string };

/** True when the object's managedFields name the reconciler's field manager (any operation: it creates (Update) and then applies (Apply)). */
export function writtenByReconciler(object: KubeObject): boolean {
  const entries = object.metadata?.managedFields;
  return Array.isArray(entries) && entries.some((e) => (e as { manager?: unknown } | null)?.manager === FIELD_MANAGER);
}

/** Whose `object` is, judged for the route with uid `routeUid` (see the rule above). */
export function ownershipOf(object: KubeObject, routeUid: string): Ownership {
  const labels = (object.metadata?.labels ?? {}) as Record<string, string>;
  const uid = labels[LABEL_ROUTE_UID];
  if (labels[LABEL_MANAGED_BY] !== MANAGED_BY_HOSTGATE || uid === undefined || uid === "") {
    return { owner: "not-hostgate", why: `it lacks hostgate's labels (${LABEL_MANAGED_BY}=${MANAGED_BY_HOSTGATE} and ${LABEL_ROUTE_UID})` };
  }
  if (!writtenByReconciler(object) && !controlledByRoute(object, uid)) {
    return { owner: "not-hostgate", why: `its metadata.managedFields name no write by ${FIELD_MANAGER}, so hostgate's labels on it were set by someone else` };
  }
  if (uid !== routeUid) {
    const route = (object.metadata?.annotations as Record<string, string> | undefined)?.[ANNOTATION_ROUTE];
    return { owner: "another-route", routeUid: uid, ...(route === undefined ? {} : { route }) };
  }
  return { owner: "route" };
}

/** True when the reconciler may update or delete `object` on behalf of the route with uid `routeUid`. */
export function ownedByRoute(object: KubeObject, routeUid: string): boolean {
  return ownershipOf(object, routeUid).owner === "route";
}
