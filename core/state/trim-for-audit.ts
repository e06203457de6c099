// What a holder of existing objects (existing-objects.ts) keeps of each one:
// the object as the API server stores it, minus metadata.managedFields and
// kubectl's `kubectl.kubernetes.io/last-applied-configuration` annotation.
// No policy reads either, and together they are most of an object's bytes
// (the annotation is a second copy of the object; managedFields list every
// field again per manager).
//
// Everything else stays, status included: at admission an UPDATE's object
// carries the stored status (the API server copies it over the request's),
// so a policy may read it, and an audit must judge what admission would.
// Unlike the index's projection (sources/index-projection.ts), this keeps any
// field a policy might read, because any policy may read any field.
import type { KubeObject } from "../kube/object-key.ts";

export const LAST_APPLIED_ANNOTATION = "kubectl.kubernetes.io/last-applied-configuration";

/**
 * A shallow copy without managedFields and the last-applied annotation (an
 * `annotations` map left empty stays, empty, as admission would show it).
 * The input is not modified; nested values are shared, not copied.
 */
export function trimForAudit(object: KubeObject): KubeObject {
  const metadata = object.metadata;
  if (metadata === undefined || metadata === null || typeof metadata !== "object") return { ...object };
  const { managedFields: _managedFields, ...kept } = metadata;
  const annotations = kept.annotations;
  if (annotations !== null && typeof annotations === "object" && !Array.isArray(annotations) && LAST_APPLIED_ANNOTATION in annotations) {
    const { [LAST_APPLIED_ANNOTATION]: _lastApplied, ...rest } = annotations as Record<string, unknown>;
    kept.annotations = rest;
  }
  return { ...object, metadata: kept };
}
