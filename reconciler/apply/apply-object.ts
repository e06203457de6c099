// hostgate's one way of changing an object it owns: server-side apply under
// its field manager (hostgate-reconciler), forced. The applied body is the
// whole rendered object, so hostgate owns exactly what it renders: a field it
// stops rendering is removed (it is that field's only manager), and the
// labels, annotations and owner references other managers set stay theirs.
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
import { KubeApiError } from "../../core/kube/api-error.ts";
import type { ObjectApi } from "../../core/kube/object-api.ts";
import type { KubeObject } from "../../core/kube/object-key.ts";
import { formatKey, keyOf } from "../../core/kube/object-key.ts";
import type { ResourceRef } from "../../core/kube/resource.ts";
import { FIELD_MANAGER } from "../resources.ts";
import type { ManagedFieldsEntry } from "./managed-fields-upgrade.ts";
import { hasUpdateEntry, upgradeManagedFields } from "./managed-fields-upgrade.ts";

/**
 * Applies `desired` over `current`, an object already judged hostgate's (for
 * a route: ownership.ts), preconditioned on the uid and resourceVersion it
 * was judged by. @throws KubeApiError 409 Conflict when it changed or was re-created since
 */
export async function applyOwned(api: ObjectApi, resource: ResourceRef, current: KubeObject, desired: KubeObject): Promise<KubeObject> {
  const judged = await upgradeToApply(api, resource, current);
  const metadata = { ...desired.metadata, uid: judged.metadata?.uid, resourceVersion: judged.metadata?.resourceVersion };
  return api.apply(resource, { ...desired, metadata }, { fieldManager: FIELD_MANAGER, force: true });
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
      return await api.create(resource, desired, { fieldManager: FIELD_MANAGER });
    } catch (error) {
      if (!(error instanceof KubeApiError && error.status === 409)) throw error;
      current = await api.get(resource, keyOf(desired)!);
      if (current === undefined) throw error;
    }
  }
  return applyOwned(api, resource, current, desired);
}

/**
 * `current` with hostgate's Update entry (a create's, or an older hostgate's
 * replace) merged into its Apply entry (managed-fields-upgrade.ts), so that
 * the apply that follows removes what hostgate no longer renders. The cache
 * keeps no field sets, so the live object is read; it must still be the one
 * judged (same uid and resourceVersion), and the rewrite is an update from
 * that resourceVersion. Once done, hostgate writes by apply alone.
 */
async function upgradeToApply(api: ObjectApi, resource: ResourceRef, current: KubeObject): Promise<KubeObject> {
  if (!hasUpdateEntry(current, FIELD_MANAGER)) return current;
  const key = keyOf(current)!;
  const live = await api.get(resource, key);
  const what = `${resource.kind} ${formatKey(key)}`;
  if (live === undefined || live.metadata?.uid !== current.metadata?.uid || live.metadata?.resourceVersion !== current.metadata?.resourceVersion) {
    const judged = `uid ${current.metadata?.uid}, resourceVersion ${current.metadata?.resourceVersion}`;
    throw new KubeApiError(`409 Conflict: ${what} changed or went away since it was judged (${judged}); the retry judges it again`, 409, "Conflict");
  }
  const managedFields = upgradeManagedFields((live.metadata?.managedFields ?? []) as ManagedFieldsEntry[], FIELD_MANAGER);
  return api.update(resource, { ...live, metadata: { ...live.metadata, managedFields } }, { fieldManager: FIELD_MANAGER });
}
