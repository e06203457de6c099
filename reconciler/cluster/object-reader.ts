// What a reconcile reads: the informers' caches, synchronously. Reads come
// from the cache (cheap, and every reconcile re-reads everything it needs:
// level-triggered); writes go to the API server, whose conflicts (a cache a
// moment behind) end in a retry.
import type { KubeObject, ObjectKey } from "../../core/kube/object-key.ts";
import type { ResourceRef } from "../../core/kube/resource.ts";

export interface ObjectReader {
  get(resource: ResourceRef, key: ObjectKey): KubeObject | undefined;
  /** Objects the resource's namespace and label selector select. */
  list(resource: ResourceRef): KubeObject[];
}
