// Where one object lives in the API: its key from the object and the
// resource, and the URL path of that key. Shared by the client-node adapter
// and the node:https transport, so both refuse a nameless or namespace-less
// object with the same words.
import { KubeApiError } from "./api-error.ts";
import type { KubeObject, ObjectKey } from "./object-key.ts";
import type { ResourceRef } from "./resource.ts";
import { describeResource, resourcePath } from "./resource.ts";

/** The object's key: its name, and its namespace (or the resource's) when the resource is namespaced. @throws KubeApiError 422 */
export function keyFor(resource: ResourceRef, object: KubeObject): ObjectKey {
  const name = object.metadata?.name;
  if (typeof name !== "string" || name === "") throw new KubeApiError(`${describeResource(resource)}: the object has no metadata.name; set it`, 422, "Invalid");
  const namespace = object.metadata?.namespace ?? resource.namespace;
  if (!resource.namespaced) return { name };
  if (namespace === undefined)
    throw new KubeApiError(`${describeResource(resource)} ${name}: the object names no namespace; set metadata.namespace`, 422, "Invalid");
  return { namespace, name };
}

/** The collection path holding `key` (`/apis/G/V/namespaces/NS/R`), without a label selector. */
export function collectionPath(resource: ResourceRef, key: { namespace?: string }): string {
  return resourcePath({ ...resource, namespace: resource.namespaced ? (key.namespace ?? resource.namespace) : undefined, labelSelector: undefined });
}

/** The object's path: `/apis/G/V/namespaces/NS/R/NAME`, or `/api/V/...` for the core group. */
export function objectPath(resource: ResourceRef, key: ObjectKey): string {
  return `${collectionPath(resource, key)}/${encodeURIComponent(key.name)}`;
}
