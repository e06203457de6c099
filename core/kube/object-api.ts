// The narrow port through which hostgate changes the cluster: read one
// object, create, server-side apply, replace, replace the status, delete.
// The real adapter is client-node-object-api.ts (client-node's
// KubernetesObjectApi); tests use the in-memory API server in
// testing/fake-kube-api.ts. Errors are KubeApiErrors with the HTTP status and
// the metav1.Status reason (409 AlreadyExists, 409 Conflict, 404 NotFound,
// 422 Invalid, 403 Forbidden ...).
//
// Apply never stands in for create: an apply to a name nobody holds creates
// the object, and one to a name someone else holds merges into their object.
// So a new object is created (refused when the name is taken), and only an
// object already judged the writer's is applied, its body carrying the uid and
// resourceVersion it was judged by: the API server treats both as
// preconditions of the apply (see apply() below).
import type { ListWatchClient } from "./list-watch-client.ts";
import type { KubeObject, ObjectKey } from "./object-key.ts";
import type { ResourceRef } from "./resource.ts";

/**
 * What the API server does with a field the object's schema does not declare
 * (the `fieldValidation` query parameter). Its default, Warn, drops the field
 * and answers with a warning the caller never sees; Strict refuses the write
 * with 400 BadRequest naming every such field.
 */
export type FieldValidation = "Strict" | "Warn" | "Ignore";

/** Options of a create or a replace. */
export interface WriteOptions {
  /**
   * Recorded in the object's managedFields as the writer (operation Update).
   * Without it the API server names the writer after the request's User-Agent.
   */
  fieldManager?: string;
  /** Unset: the API server's default (Warn). */
  fieldValidation?: FieldValidation;
  /**
   * `dryRun=All`: the API server runs every step of the write (defaults,
   * schema, CEL rules, admission webhooks) and answers as if it had stored
   * the object, but stores nothing.
   */
  dryRun?: boolean;
  /** Receives each admission or server warning of the answer (the `Warning: 299 - "…"` headers), unquoted, in order. */
  onWarning?: (text: string) => void;
}

/** Options of a server-side apply. */
export interface ApplyOptions {
  /** The applier: it owns exactly the fields of its last apply (managedFields, operation Apply). */
  fieldManager: string;
  /** Take over fields another manager set to another value, instead of failing with 409 Conflict. */
  force: boolean;
  /** Unset: the API server's default (Warn). */
  fieldValidation?: FieldValidation;
}

export interface DeletePreconditions {
  /** Delete only this incarnation: a same-named object created since is left alone. */
  uid?: string;
  resourceVersion?: string;
}

/** Options of a delete. */
export interface DeleteOptions {
  /** `dryRun=All`: every check of the delete runs (authorization, preconditions, admission), nothing is deleted. */
  dryRun?: boolean;
  /** As WriteOptions.onWarning. */
  onWarning?: (text: string) => void;
}

export interface ObjectApi {
  /** The object, or undefined when it does not exist. */
  get(resource: ResourceRef, key: ObjectKey): Promise<KubeObject | undefined>;
  /** @throws KubeApiError 409 AlreadyExists */
  create(resource: ResourceRef, object: KubeObject, options?: WriteOptions): Promise<KubeObject>;
  /**
   * Server-side apply (PATCH, application/apply-patch+yaml): the object
   * becomes the applier's fields merged over everyone else's, and a field the
   * applier set last time and leaves out now is removed (unless another
   * manager owns it too). `metadata.uid` and `metadata.resourceVersion` in
   * the body, when given, are preconditions: a mismatch is 409 Conflict, and an
   * apply with a uid never creates an object (409 when none exists).
   * @throws KubeApiError 409 Conflict
   */
  apply(resource: ResourceRef, object: KubeObject, options: ApplyOptions): Promise<KubeObject>;
  /**
   * Replaces the object; `metadata.resourceVersion` must be current, and a
   * `metadata.uid`, when given, must be the stored one. @throws KubeApiError 409 Conflict, 404
   */
  update(resource: ResourceRef, object: KubeObject, options?: WriteOptions): Promise<KubeObject>;
  /** Replaces only the status subresource; `metadata.resourceVersion` must be current. @throws KubeApiError 409 Conflict, 404 */
  updateStatus(resource: ResourceRef, object: KubeObject): Promise<KubeObject>;
  /** True when deleted (or deletion started: finalizers may hold it), false when it did not exist. @throws KubeApiError 409 on a failed precondition */
  delete(resource: ResourceRef, key: ObjectKey, preconditions?: DeletePreconditions, options?: DeleteOptions): Promise<boolean>;
}

/** Everything a controller needs from the API server: reads and writes, lists and watches. */
export interface KubeApi extends ObjectApi, ListWatchClient {}
