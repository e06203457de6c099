// SecretsClient on @kubernetes/client-node v2 (CoreV1Api, object-style
// parameters, ApiException with the HTTP status in `.code`).
import type { CoreV1Api, V1Secret } from "@kubernetes/client-node";
import { apiFailure, kubernetesError } from "./kubernetes-errors.ts";
import type { SecretObject, SecretsClient } from "./secret-store.ts";
import { StoreConflictError } from "./store.ts";

export function kubernetesSecretsClient(api: CoreV1Api, namespace: string): SecretsClient {
  const where = (name: string) => `Secret ${namespace}/${name}`;
  return {
    async read(name) {
      try {
        return (await api.readNamespacedSecret({ name, namespace })) as unknown as SecretObject;
      } catch (error) {
        if (apiFailure(error).code === 404) return undefined;
        throw kubernetesError(`reading ${where(name)}`, error, `get on secrets in namespace ${namespace}`);
      }
    },
    async create(secret) {
      try {
        return (await api.createNamespacedSecret({ namespace, body: secret as unknown as V1Secret })) as unknown as SecretObject;
      } catch (error) {
        if (apiFailure(error).code === 409) throw new StoreConflictError(`${where(secret.metadata.name)} was created by someone else meanwhile`);
        throw kubernetesError(`creating ${where(secret.metadata.name)}`, error, `create on secrets in namespace ${namespace}`);
      }
    },
    async replace(secret) {
      const name = secret.metadata.name;
      try {
        return (await api.replaceNamespacedSecret({ name, namespace, body: secret as unknown as V1Secret })) as unknown as SecretObject;
      } catch (error) {
        if (apiFailure(error).code === 409) throw new StoreConflictError(`${where(name)} changed since resourceVersion ${secret.metadata.resourceVersion ?? "?"} was read`);
        // Deleted between our read and our write: the next read starts over.
        if (apiFailure(error).code === 404) throw new StoreConflictError(`${where(name)} was deleted since it was read`);
        throw kubernetesError(`updating ${where(name)}`, error, `update on secrets in namespace ${namespace}`);
      }
    },
  };
}
