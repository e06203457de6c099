// The cluster's objects for `check`, `audit` and `diff --kubeconfig FILE`:
// every kind a state folder holds, listed once through the project's one
// client (the connection `serve` resolves, client-node's list adapter), so
// the commands then run exactly as on a folder.
import { KubeApiError } from "../kube/api-error.ts";
import { resolveClusterConnection } from "../kube/cluster-connection.ts";
import { ClientNodeListWatch } from "../kube/client-node-list-watch.ts";
import { listAllPages } from "../kube/list-pages.ts";
import type { ListWatchClient } from "../kube/list-watch-client.ts";
import type { KubeObject } from "../kube/object-key.ts";
import type { ResourceRef } from "../kube/resource.ts";
import { apiVersionOf, describeResource } from "../kube/resource.ts";
import { DOMAIN_ROUTES, HOSTNAME_GRANTS } from "../state/sources/indexed-resources.ts";
import { HOSTGATE_GROUP } from "../state/kinds.ts";
import { UsageError } from "../errors.ts";

/** What the commands take from outside, so tests can hand them an in-memory API server. */
export interface ClusterDeps {
  /** The API client for --kubeconfig FILE; default the client-node adapter on the resolved connection. */
  clientFor?: (kubeconfig: string) => ListWatchClient;
}

const DOMAIN_CLAIMS: ResourceRef = { group: HOSTGATE_GROUP, version: "v1alpha1", resource: "domainclaims", kind: "DomainClaim", namespaced: false };
const REGION_POLICIES: ResourceRef = { group: HOSTGATE_GROUP, version: "v1alpha1", resource: "regionpolicies", kind: "RegionPolicy", namespaced: true };

/** The kinds a state folder holds (examples/state), in a stable order. */
export const STATE_RESOURCES: readonly ResourceRef[] = [DOMAIN_ROUTES, DOMAIN_CLAIMS, HOSTNAME_GRANTS, REGION_POLICIES];

/** @throws KubeconfigError (exit 2) when the kubeconfig is missing or broken. */
function defaultClient(kubeconfig: string): ListWatchClient {
  const connection = resolveClusterConnection({ kubeconfig });
  if (!connection.configured) throw new UsageError(`--kubeconfig ${kubeconfig}: ${connection.reason}`);
  return new ClientNodeListWatch(connection.config);
}

/**
 * Every object of STATE_RESOURCES, each stamped with its apiVersion and kind
 * (list items may omit them). A kind the cluster does not serve (404: its CRD
 * is not installed) is read as none, with a note.
 * @throws UsageError (exit 2) when the API server cannot be reached or refuses us.
 */
export async function readClusterObjects(command: string, kubeconfig: string, deps: ClusterDeps = {}): Promise<{ objects: KubeObject[]; notes: string[] }> {
  const client = (deps.clientFor ?? defaultClient)(kubeconfig);
  const objects: KubeObject[] = [];
  const notes: string[] = [];
  const signal = new AbortController().signal;
  for (const resource of STATE_RESOURCES) {
    const items: KubeObject[] = [];
    try {
      await listAllPages(client, resource, {
        limit: 500,
        signal,
        maxRestarts: 3,
        onPage: (page) => items.push(...page),
        onRestart: () => items.splice(0),
      });
    } catch (error) {
      if (error instanceof KubeApiError && error.status === 404) {
        notes.push(`${command}: the cluster serves no ${describeResource(resource)} (404; its CRD is not installed): read as none`);
        continue;
      }
      const message = error instanceof Error ? error.message : String(error);
      throw new UsageError(`${command}: cannot list ${describeResource(resource)} from ${client.describe()}: ${message}`);
    }
    for (const item of items) objects.push({ ...item, apiVersion: item.apiVersion ?? apiVersionOf(resource), kind: item.kind ?? resource.kind });
  }
  return { objects, notes };
}
