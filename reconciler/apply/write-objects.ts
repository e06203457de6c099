// The executor between the planner and the API server: writes a route's
// rendered objects so that no write ever lands on an object that is not the
// route's (ownership.ts), and deletes only the route's own.
//
//   - A name the route holds no object at is read first (the caches hold only
//     hostgate-labelled objects, so a person's object there is read live).
//     Taken by anything not the route's: nothing is written at all, and the
//     caller reports which object and why.
//   - A new object is created (POST): create-if-absent, so one made at that
//     name between the read and the write is refused with AlreadyExists,
//     never taken over (an apply would merge into it); the retry judges it.
//   - An existing object of the route's is server-side applied under
//     hostgate-reconciler, forced, carrying the uid and resourceVersion it was
//     judged by as preconditions (apply-object.ts): the API server refuses the
//     write if the object was re-created or changed since. hostgate owns the
//     object outside metadata (a field it stops rendering, or one someone
//     added to the spec, goes away); other writers' labels, annotations and
//     owner references stay theirs.
//   - Deletes carry the same uid and resourceVersion preconditions.
// Writes name the field manager hostgate-reconciler, which is what later
// proves the object hostgate's.
import type { ObjectApi } from "../../core/kube/object-api.ts";
import type { KubeObject } from "../../core/kube/object-key.ts";
import { formatKey } from "../../core/kube/object-key.ts";
import type { ObjectReader } from "../cluster/object-reader.ts";
import { producedResourceFor } from "../domainroute/render/produced-resources.ts";
import type { ProducedResource } from "../domainroute/render/produced-resources.ts";
import { applyOwned, writeOptionsFor } from "./apply-object.ts";
import { OWNERSHIP_REASON, ownershipOf } from "./ownership.ts";
import { contains, objectId, planApply } from "./plan-apply.ts";

export interface ObjectWriterDeps {
  api: ObjectApi;
  reader: ObjectReader;
}

/** An object at a name the route renders that is not the route's: left as it is. */
export interface Refusal {
  reason: (typeof OWNERSHIP_REASON)[keyof typeof OWNERSHIP_REASON];
  /** `Kind namespace/name` */
  object: string;
  message: string;
}

export interface WriteOutcome {
  /** Empty when everything was written; otherwise nothing was. */
  refused: Refusal[];
}

/**
 * Makes the cluster hold `desired` (apply order) for the route with `routeUid`, then
 * deletes what of `ours` (the route's objects, ownedByRoute) is no longer desired.
 */
export async function writeObjects(
  deps: ObjectWriterDeps,
  routeUid: string,
  desired: readonly KubeObject[],
  ours: readonly KubeObject[],
): Promise<WriteOutcome> {
  const targets = new Map(ours.map((o) => [objectId(o), o]));
  const refused: Refusal[] = [];
  for (const object of desired) {
    if (targets.has(objectId(object))) continue;
    const resource = resourceFor(object);
    const key = { namespace: object.metadata!.namespace!, name: object.metadata!.name! };
    const existing = deps.reader.get(resource, key) ?? (await deps.api.get(resource, key));
    if (existing === undefined) continue;
    const ownership = ownershipOf(existing, routeUid);
    const what = `${object.kind} ${formatKey(key)}`;
    if (ownership.owner === "route")
      targets.set(objectId(object), existing); // a cache a moment behind our own write
    else if (ownership.owner === "another-route") {
      const holder =
        ownership.route === undefined ? `the DomainRoute with uid ${ownership.routeUid}` : `DomainRoute ${ownership.route} (uid ${ownership.routeUid})`;
      refused.push({
        reason: OWNERSHIP_REASON.ObjectOwnedByAnotherRoute,
        object: what,
        message: `${what} belongs to ${holder}; hostgate never writes or deletes another route's objects`,
      });
    } else {
      const message = `${what} exists and hostgate did not create it: ${ownership.why}; hostgate leaves it as it is. Delete or rename it to let this route use the name`;
      refused.push({ reason: OWNERSHIP_REASON.ObjectNotOwned, object: what, message });
    }
  }
  if (refused.length > 0) return { refused };

  for (const object of desired) {
    const current = targets.get(objectId(object));
    if (current !== undefined && contains(current, object)) continue;
    const resource = resourceFor(object);
    if (current === undefined) await deps.api.create(resource, object, writeOptionsFor(resource));
    else await applyOwned(deps.api, resource, current, object);
  }
  for (const object of planApply(desired, ours).prune) await deleteOwned(deps.api, object);
  return { refused };
}

/**
 * Deletes one of the route's objects, exactly the incarnation and version it
 * was judged by. A failed precondition (409) is thrown: the retry re-reads and
 * judges again, so a changed object is never deleted blind.
 */
export async function deleteOwned(api: ObjectApi, object: KubeObject): Promise<void> {
  const metadata = object.metadata!;
  const key = { namespace: metadata.namespace!, name: metadata.name! };
  await api.delete(resourceFor(object), key, { uid: metadata.uid!, ...(metadata.resourceVersion ? { resourceVersion: metadata.resourceVersion } : {}) });
}

export function resourceFor(object: KubeObject): Readonly<ProducedResource> {
  const resource = producedResourceFor(object);
  if (resource === undefined) throw new Error(`no produced resource serves ${object.apiVersion} ${object.kind}`);
  return resource;
}
