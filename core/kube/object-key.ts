// Identity of a stored object within one resource: namespace and name, the
// `namespace/name` key client-go's MetaNamespaceKeyFunc uses, and the bare
// "tombstone" that stands for an object known only by its key.
import type { ResourceRef } from "./resource.ts";
import { apiVersionOf } from "./resource.ts";

/** A Kubernetes object as JSON; only what the cache machinery reads is typed. */
export interface KubeObject {
  apiVersion?: string;
  kind?: string;
  metadata?: {
    name?: string;
    namespace?: string;
    uid?: string;
    resourceVersion?: string;
    [field: string]: unknown;
  };
  [field: string]: unknown;
}

export interface ObjectKey {
  /** Absent for cluster-scoped objects. */
  namespace?: string;
  name: string;
}

/** `namespace/name`, or `name` when cluster-scoped. */
export function formatKey(key: ObjectKey): string {
  return key.namespace === undefined ? key.name : `${key.namespace}/${key.name}`;
}

/** The inverse of formatKey: `namespace/name` or a bare `name` (namespaces and names never contain `/`). */
export function parseKey(key: string): ObjectKey {
  const slash = key.indexOf("/");
  return slash < 0 ? { name: key } : { namespace: key.slice(0, slash), name: key.slice(slash + 1) };
}

function metadataOf(object: unknown): Record<string, unknown> | undefined {
  if (object === null || typeof object !== "object") return undefined;
  const metadata = (object as Record<string, unknown>).metadata;
  return metadata !== null && typeof metadata === "object" && !Array.isArray(metadata) ? (metadata as Record<string, unknown>) : undefined;
}

/** The object's key, or undefined when it has no name (it could never be found again). */
export function keyOf(object: unknown): ObjectKey | undefined {
  const metadata = metadataOf(object);
  const name = metadata?.name;
  if (typeof name !== "string" || name === "") return undefined;
  const namespace = metadata?.namespace;
  return typeof namespace === "string" && namespace !== "" ? { namespace, name } : { name };
}

/** `metadata.resourceVersion`, or "" when absent. */
export function resourceVersionOf(object: unknown): string {
  const rv = metadataOf(object)?.resourceVersion;
  return typeof rv === "string" ? rv : "";
}

/**
 * Stands in for an object that is gone and of which only the key is known
 * (a relist found it missing): apiVersion, kind, namespace and name. That is
 * all a store needs to remove it.
 */
export function tombstone(resource: ResourceRef, key: ObjectKey): KubeObject {
  return { apiVersion: apiVersionOf(resource), kind: resource.kind, metadata: { ...key } };
}
