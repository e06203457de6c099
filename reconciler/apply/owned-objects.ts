// How a wholesale controller (one key for the cluster) keeps the objects it
// alone writes in the gateway namespace: the pooled Gateways
// (edge/gateways/), and the same steps as the gateway records
// (dns/external-dns/gateway-endpoints.ts). Every desired object is written
// only when the cache's copy does not contain it (so an unchanged world costs
// no write, and a hand edit or a deletion is put back), created when the
// cache has none, else server-side applied over it (applyOwned) when `owns`
// says it is hostgate's; one that is not is left exactly as it is and
// reported. Stale objects are deleted with the uid and resourceVersion seen,
// so one re-created at the name since is left alone (409, judged again next
// pass). A failure never stops the rest: each is returned as text for the
// pass to fail with (and be retried) after trying everything.
import { KubeApiError } from "../../core/kube/api-error.ts";
import type { ObjectApi } from "../../core/kube/object-api.ts";
import type { KubeObject, ObjectKey } from "../../core/kube/object-key.ts";
import { formatKey, keyOf } from "../../core/kube/object-key.ts";
import type { ResourceRef } from "../../core/kube/resource.ts";
import { applyOwned, writeOptionsFor } from "./apply-object.ts";
import { contains, withAppliedHash } from "./plan-apply.ts";

export interface OwnedWrites {
  /** The desired objects created or applied (with their applied hash), in the order given. */
  written: KubeObject[];
  failures: string[];
}

export interface OwnedDeletes {
  deleted: KubeObject[];
  failures: string[];
}

export interface WriteOwnedOptions {
  /** The cache's copy at a key (labelled managed-by=hostgate), or undefined. */
  current: (key: ObjectKey) => KubeObject | undefined;
  /** Whether the object at a desired object's name may be applied over (hostgate's field manager wrote it, and so on). */
  owns: (object: KubeObject) => boolean;
  /** The failure for a desired object whose name someone else's object holds: what, and how to fix it. */
  notOwned: (desired: KubeObject) => string;
}

export async function writeOwnedObjects(
  api: ObjectApi,
  resource: ResourceRef,
  desired: readonly KubeObject[],
  options: WriteOwnedOptions,
): Promise<OwnedWrites> {
  const result: OwnedWrites = { written: [], failures: [] };
  for (const object of desired) {
    const wanted = withAppliedHash(object);
    const key = keyOf(wanted)!;
    const current = options.current(key);
    if (current !== undefined && contains(current, wanted)) continue;
    try {
      if (await createOrApply(api, resource, wanted, current, options.owns)) result.written.push(wanted);
      else result.failures.push(options.notOwned(wanted));
    } catch (error) {
      result.failures.push(`writing ${resource.kind} ${formatKey(key)}: ${messageOf(error)}`);
    }
  }
  return result;
}

export async function deleteOwnedObjects(api: ObjectApi, resource: ResourceRef, stale: readonly KubeObject[]): Promise<OwnedDeletes> {
  const result: OwnedDeletes = { deleted: [], failures: [] };
  for (const object of stale) {
    const key = keyOf(object)!;
    try {
      const preconditions = { uid: object.metadata!.uid!, ...(object.metadata!.resourceVersion ? { resourceVersion: object.metadata!.resourceVersion } : {}) };
      if (await api.delete(resource, key, preconditions)) result.deleted.push(object);
    } catch (error) {
      // 409: a precondition failed, so it is no longer the object judged ours; the next pass judges again.
      if (!(error instanceof KubeApiError && error.status === 409)) result.failures.push(`deleting ${resource.kind} ${formatKey(key)}: ${messageOf(error)}`);
    }
  }
  return result;
}

/**
 * Creates the object, or applies it over the one at its name when `owns` says
 * so; false, writing nothing, when it does not. An object the cache does not
 * hold is read once the create finds the name taken.
 */
async function createOrApply(
  api: ObjectApi,
  resource: ResourceRef,
  desired: KubeObject,
  current: KubeObject | undefined,
  owns: (object: KubeObject) => boolean,
): Promise<boolean> {
  if (current === undefined) {
    try {
      await api.create(resource, desired, writeOptionsFor(resource));
      return true;
    } catch (error) {
      if (!(error instanceof KubeApiError && error.status === 409)) throw error;
      current = await api.get(resource, keyOf(desired)!);
      if (current === undefined) throw error;
    }
  }
  if (!owns(current)) return false;
  await applyOwned(api, resource, current, desired);
  return true;
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
