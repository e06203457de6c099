// The narrow port through which hostgate changes the cluster: read one
// object, create, replace, replace the status, delete. No server-side apply:
// a force apply takes over whatever object holds the name, so the reconciler
// creates (refused when the name is taken) and replaces with preconditions.
// The real adapter is http-object-api.ts; tests use the in-memory API server
// in testing/fake-kube-api.ts. Errors are KubeApiErrors with the HTTP status
// and the metav1.Status reason (409 AlreadyExists, 409 Conflict, 404 ...).
import type { ListWatchClient } from "./list-watch-client.ts";
import type { KubeObject, ObjectKey } from "./object-key.ts";
import type { ResourceRef } from "./resource.ts";

/** Options of a create or a replace. */
export interface WriteOptions {
  /**
   * Recorded in the object's managedFields as the writer (operation Update).
   * Without it the API server names the writer after the request's User-Agent.
   */
  fieldManager?: string;
}

export interface DeletePreconditions {
  /** Delete only this incarnation: a same-named object created since is left alone. */
  uid?: string;
  resourceVersion?: string;
}

export interface ObjectApi {
  /** The object, or undefined when it does not exist. */
  get(resource: ResourceRef, key: ObjectKey): Promise<KubeObject | undefined>;
  /** @throws KubeApiError 409 AlreadyExists */
  create(resource: ResourceRef, object: KubeObject, options?: WriteOptions): Promise<KubeObject>;
  /**
   * Replaces the object; `metadata.resourceVersion` must be current, and a
   * `metadata.uid`, when given, must be the stored one. @throws KubeApiError 409 Conflict, 404
   */
  update(resource: ResourceRef, object: KubeObject, options?: WriteOptions): Promise<KubeObject>;
  /** Replaces only the status subresource; `metadata.resourceVersion` must be current. @throws KubeApiError 409 Conflict, 404 */
  updateStatus(resource: ResourceRef, object: KubeObject): Promise<KubeObject>;
  /** True when deleted (or deletion started: finalizers may hold it), false when it did not exist. @throws KubeApiError 409 on a failed precondition */
  delete(resource: ResourceRef, key: ObjectKey, preconditions?: DeletePreconditions): Promise<boolean>;
}

/** Everything a controller needs from the API server: reads and writes, lists and watches. */
export interface KubeApi extends ObjectApi, ListWatchClient {}
