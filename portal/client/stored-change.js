// @ts-check
// An open edit meets a change of the same route on the server. Pure, no DOM,
// so it is unit-tested in Node (portal/browser/client-model.test.ts).
//
// For a CRD with a status subresource the API server moves
// metadata.generation on every change outside metadata and status. So:
// - same uid and generation: the spec the person edits is still the stored
//   one; only metadata (labels, annotations, finalizers, ownerReferences,
//   resourceVersion) and status moved. The edit re-bases on the latest
//   object, so the save carries everyone else's metadata (the reconciler's
//   finalizer among them) and only the person's spec edits on top. Moving
//   just the resourceVersion would defeat the precondition and silently
//   revert their metadata.
// - anything else (a new generation: someone changed the spec, or the route
//   was deleted and made again): a conflict, said to the person, never merged.

/** @typedef {import("./types.js").Route} Route */

/**
 * The object an open edit should build its save on after the stored route changed, or undefined for a conflict.
 * @param {Route} base the object the edit is based on
 * @param {Route} latest the route as stored now
 * @returns {Route | undefined}
 */
export function rebasedEdit(base, latest) {
  if (latest.metadata.uid !== base.metadata.uid || latest.metadata.generation !== base.metadata.generation) return undefined;
  return structuredClone(latest);
}
