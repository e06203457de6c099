// The deletion window: an object whose stored copy has a deletionTimestamp
// stays in the API (and in every controller's cache, Istio's included) until
// its last finalizer is gone, and its spec can still change meanwhile. So an
// UPDATE of a Terminating object is judged like any other UPDATE, with one
// exception: the update that removes finalizers and changes nothing else is
// allowed without policies. Refusing it (say, the object's grant was revoked
// since) would leave the object, and its namespace, Terminating forever.
import { isRecord, jsonEqual } from "../core/json.ts";

/**
 * Metadata the API server sets or restores itself on every UPDATE, whatever
 * the request carries (k8s.io/apiserver registry/rest BeforeUpdate, and the
 * field manager before admission), so a difference in them is no change the
 * requester made:
 * - `resourceVersion`: the requester's precondition (absent on an
 *   unconditional update); the server writes a new one;
 * - `managedFields`: rewritten by the server's field manager on every write,
 *   before admission;
 * - `generation`: reset to the stored value, then bumped by the server only
 *   when the spec changed (which this comparison catches anyway);
 * - `creationTimestamp`, `deletionTimestamp`: restored from the stored object;
 *   `deletionGracePeriodSeconds` restored when the request leaves it out, and
 *   any other change of it rejected (immutable);
 * - `uid`: filled in from the stored object when empty, and any other change
 *   rejected (immutable).
 * Everything else, labels and annotations included, is the requester's and
 * counts. `status` counts too: for kinds with a status subresource the server
 * throws away a status sent on the main resource before validating
 * admission, so it already equals the stored one there; for kinds without
 * one, a status change is a real change of the object.
 */
const SERVER_MANAGED_METADATA = [
  "resourceVersion",
  "managedFields",
  "generation",
  "creationTimestamp",
  "deletionTimestamp",
  "deletionGracePeriodSeconds",
  "uid",
] as const;

/**
 * True when the stored object is being deleted. Only the stored object's
 * deletionTimestamp counts: a client cannot set one (the server restores the
 * stored value), but it can write one into its request.
 */
export function beingDeleted(stored: unknown): boolean {
  const metadata = isRecord(stored) && isRecord(stored.metadata) ? stored.metadata : undefined;
  return typeof metadata?.deletionTimestamp === "string" && metadata.deletionTimestamp !== "";
}

/**
 * True when `object` is `stored` with finalizers removed (or kept, or
 * reordered) and nothing else changed but server-managed metadata: the only
 * UPDATE of a Terminating object that is allowed without policies. A
 * finalizer `stored` does not have makes it false: the API server forbids
 * adding one to an object being deleted, so no legitimate release adds one.
 */
export function onlyReleasesFinalizers(object: unknown, stored: unknown): boolean {
  if (!isRecord(object) || !isRecord(stored)) return false;
  const kept = finalizersOf(object);
  const held = finalizersOf(stored);
  if (kept === undefined || held === undefined || !kept.every((f) => held.includes(f))) return false;
  return jsonEqual(withoutReleaseFields(object), withoutReleaseFields(stored));
}

/** The finalizer names; [] when there are none; undefined when the field is not a list of strings. */
function finalizersOf(object: Record<string, unknown>): string[] | undefined {
  const metadata = object.metadata;
  if (!isRecord(metadata) || metadata.finalizers === undefined || metadata.finalizers === null) return [];
  const finalizers = metadata.finalizers;
  return Array.isArray(finalizers) && finalizers.every((f) => typeof f === "string") ? finalizers : undefined;
}

/** The object without its finalizers and server-managed metadata: what a finalizer release must leave unchanged. */
function withoutReleaseFields(object: Record<string, unknown>): Record<string, unknown> {
  if (!isRecord(object.metadata)) return object;
  const metadata: Record<string, unknown> = { ...object.metadata };
  delete metadata.finalizers;
  for (const field of SERVER_MANAGED_METADATA) delete metadata[field];
  return { ...object, metadata };
}
