// hostgate's one way of changing an object it owns: server-side apply under
// its field manager (hostgate-reconciler), forced. The applied body is the
// whole rendered object, and hostgate is the only owner of everything outside
// metadata (managed-fields-upgrade.ts takes over what its create or another
// writer holds there first): a field it stops rendering, or one someone else
// added to the spec, is removed; the labels, annotations and owner references
// other managers set stay theirs.
//
// The body carries the metadata.uid and metadata.resourceVersion the object
// was judged by, and the API server treats both as preconditions of the apply:
//   - a uid that is not the stored object's is 409 Conflict, and an apply with
//     a uid never creates an object (kubernetes' integration test
//     TestCreateOnApplyFailsWithUID, test/integration/apiserver/apply: PATCH
//     with the apply content type and a uid, for a pod that does not exist,
//     must fail with a Conflict);
//   - a resourceVersion that is not current is 409 Conflict, as for any patch
//     whose object names a resourceVersion (kubernetes/kubernetes#63104: the
//     server sets it on the object it is about to store, which makes it a
//     precondition); the 1.36 release notes (#138908) restate that "UID and
//     resourceVersion preconditions are still honored" for created-via-apply.
// So an apply can never land on an object re-created at the name (by a
// tenant, say) since it was judged the route's, nor on one changed since: the
// retry re-reads and judges again. A NEW object is never applied: it is created
// (POST), which fails with AlreadyExists when the name was taken meanwhile.
//
// Envoy Gateway's kinds are written with fieldValidation Strict
// (writeOptionsFor): their CRDs gain fields release by release, and on an
// install older than a field hostgate renders (SecurityPolicy
// extAuth.contextExtensions, envoyproxy/gateway#7383) the API server's default
// (Warn) would drop it and accept the write: the stored object would never
// contain the render, so every pass would write it again, and the auth server
// would never get the appId. Strict refuses the write naming the field, which
// the route reports (ApplyFailed). Kubernetes' and Istio's kinds keep the
// default.
import { KubeApiError } from "../../core/kube/api-error.ts";
import type { ApplyOptions, ObjectApi, WriteOptions } from "../../core/kube/object-api.ts";
import type { KubeObject } from "../../core/kube/object-key.ts";
import { formatKey, keyOf } from "../../core/kube/object-key.ts";
import type { ResourceRef } from "../../core/kube/resource.ts";
import { ENVOY_GATEWAY_GROUP } from "../domainroute/render/gateway-api/kinds.ts";
import { FIELD_MANAGER } from "../resources.ts";
import type { ManagedFieldsEntry } from "./managed-fields-upgrade.ts";
import { mayNeedTakeOver, takeOverManagedFields } from "./managed-fields-upgrade.ts";

/** Groups whose writes are refused, not trimmed, when the installed CRD lacks a field hostgate sends. */
const STRICT_FIELD_VALIDATION_GROUPS: ReadonlySet<string> = new Set([ENVOY_GATEWAY_GROUP]);

/** How hostgate creates or replaces an object of `resource`: under its field manager, Strict for the groups above. */
export function writeOptionsFor(resource: ResourceRef): WriteOptions & { fieldManager: string } {
  return STRICT_FIELD_VALIDATION_GROUPS.has(resource.group) ? { fieldManager: FIELD_MANAGER, fieldValidation: "Strict" } : { fieldManager: FIELD_MANAGER };
}

/** How hostgate applies an object of `resource`: forced, as writeOptionsFor. */
export function applyOptionsFor(resource: ResourceRef): ApplyOptions {
  return { ...writeOptionsFor(resource), force: true };
}

/**
 * Applies `desired` over `current`, an object already judged hostgate's (for
 * a route: ownership.ts), preconditioned on the uid and resourceVersion it
 * was judged by. @throws KubeApiError 409 Conflict when it changed or was re-created since
 */
export async function applyOwned(api: ObjectApi, resource: ResourceRef, current: KubeObject, desired: KubeObject): Promise<KubeObject> {
  const judged = await takeOver(api, resource, current);
  const metadata = { ...desired.metadata, uid: judged.metadata?.uid, resourceVersion: judged.metadata?.resourceVersion };
  return api.apply(resource, { ...desired, metadata }, applyOptionsFor(resource));
}

/**
 * Makes the cluster hold `desired`, an object that is hostgate's alone at its
 * name (the appId table's EnvoyFilter and ConfigMap, in the gateway namespace
 * where only the platform and hostgate write): created when `current` (the
 * cache's copy) is absent, applied over it otherwise. An object at the name
 * that the cache does not hold (its managed-by label was removed, or the cache
 * is a moment behind) is read and applied over, label included.
 */
export async function applyObject(api: ObjectApi, resource: ResourceRef, desired: KubeObject, current: KubeObject | undefined): Promise<KubeObject> {
  if (current === undefined) {
    try {
      return await api.create(resource, desired, writeOptionsFor(resource));
    } catch (error) {
      if (!(error instanceof KubeApiError && error.status === 409)) throw error;
      current = await api.get(resource, keyOf(desired)!);
      if (current === undefined) throw error;
    }
  }
  return applyOwned(api, resource, current, desired);
}

/**
 * `current` with hostgate the only owner of what it must own before it
 * applies (managed-fields-upgrade.ts): its create's Update entry, and other
 * writers' fields outside metadata, moved into its Apply entry. The cache
 * keeps managers but no field sets, so when its copy names any other entry
 * the live object is read; it must still be the one judged (same uid and
 * resourceVersion), and the rewrite is an update from that resourceVersion,
 * sent only when there is something to move.
 */
async function takeOver(api: ObjectApi, resource: ResourceRef, current: KubeObject): Promise<KubeObject> {
  if (!mayNeedTakeOver(current, FIELD_MANAGER)) return current;
  const key = keyOf(current)!;
  const live = await api.get(resource, key);
  const what = `${resource.kind} ${formatKey(key)}`;
  if (live === undefined || live.metadata?.uid !== current.metadata?.uid || live.metadata?.resourceVersion !== current.metadata?.resourceVersion) {
    const judged = `uid ${current.metadata?.uid}, resourceVersion ${current.metadata?.resourceVersion}`;
    throw new KubeApiError(`409 Conflict: ${what} changed or went away since it was judged (${judged}); the retry judges it again`, 409, "Conflict");
  }
  const entries = (live.metadata?.managedFields ?? []) as ManagedFieldsEntry[];
  const managedFields = takeOverManagedFields(entries, FIELD_MANAGER);
  if (managedFields === entries) return live;
  return api.update(resource, { ...live, metadata: { ...live.metadata, managedFields } }, { fieldManager: FIELD_MANAGER });
}
