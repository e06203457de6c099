// SecretsClient on the ObjectApi port (core/kube/object-api.ts): the same
// client-node adapter, error type and preconditions as every other write
// hostgate makes. A replace carries the resourceVersion read, so a Secret
// another replica rewrote meanwhile is a conflict, never overwritten.
import type { ObjectApi } from "../core/kube/object-api.ts";
import type { KubeObject } from "../core/kube/object-key.ts";
import type { ResourceRef } from "../core/kube/resource.ts";
import { apiFailure, kubernetesError } from "./kubernetes-errors.ts";
import type { SecretObject, SecretsClient } from "./secret-store.ts";
import { StoreConflictError } from "./store.ts";

export const SECRETS: ResourceRef = { group: "", version: "v1", resource: "secrets", kind: "Secret", namespaced: true };

export function kubernetesSecretsClient(api: ObjectApi, namespace: string): SecretsClient {
  const where = (name: string) => `Secret ${namespace}/${name}`;
  const resource: ResourceRef = { ...SECRETS, namespace };
  const asObject = (secret: SecretObject): KubeObject =>
    ({ apiVersion: "v1", kind: "Secret", ...secret, metadata: { ...secret.metadata, namespace } }) as unknown as KubeObject;
  return {
    async read(name) {
      try {
        return (await api.get(resource, { namespace, name })) as unknown as SecretObject | undefined;
      } catch (error) {
        throw kubernetesError(`reading ${where(name)}`, error, `get on secrets in namespace ${namespace}`);
      }
    },
    async create(secret) {
      try {
        return (await api.create(resource, asObject(secret))) as unknown as SecretObject;
      } catch (error) {
        if (apiFailure(error).code === 409) throw new StoreConflictError(`${where(secret.metadata.name)} was created by someone else meanwhile`);
        throw kubernetesError(`creating ${where(secret.metadata.name)}`, error, `create on secrets in namespace ${namespace}`);
      }
    },
    async replace(secret) {
      const name = secret.metadata.name;
      try {
        return (await api.update(resource, asObject(secret))) as unknown as SecretObject;
      } catch (error) {
        if (apiFailure(error).code === 409)
          throw new StoreConflictError(`${where(name)} changed since resourceVersion ${secret.metadata.resourceVersion ?? "?"} was read`);
        // Deleted between our read and our write: the next read starts over.
        if (apiFailure(error).code === 404) throw new StoreConflictError(`${where(name)} was deleted since it was read`);
        throw kubernetesError(`updating ${where(name)}`, error, `update on secrets in namespace ${namespace}`);
      }
    },
  };
}
