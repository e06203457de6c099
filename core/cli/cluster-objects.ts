// The cluster's objects for `check`, `audit` and `diff --kubeconfig FILE [--context NAME]`:
// every kind the admission webhooks intercept (AUDITED_RESOURCES), each read
// once at the first version the cluster serves, through the project's one
// client (the connection `serve` resolves, client-node's list adapter), so
// the commands then run exactly as on a folder holding those objects.
//
// DomainClaims are not read: no webhook intercepts them (so no verdict to
// audit) and the cluster index the policies look up is built from
// DomainRoutes and HostnameGrants alone (ClusterStateIndex), both audited.
import { KubeApiError } from "../kube/api-error.ts";
import { resolveClusterConnection } from "../kube/cluster-connection.ts";
import type { ClusterConnection } from "../kube/cluster-connection.ts";
import { ClientNodeListWatch } from "../kube/client-node-list-watch.ts";
import { listAll } from "../kube/list-all.ts";
import type { ListWatchClient } from "../kube/list-watch-client.ts";
import type { KubeObject } from "../kube/object-key.ts";
import { resourceName } from "../kube/resource.ts";
import { firstServedVersion } from "../kube/served-version.ts";
import { AUDITED_RESOURCES, auditedResourceRef } from "../state/audited-resources.ts";
import type { AuditedResource } from "../state/audited-resources.ts";
import { UsageError } from "../errors.ts";

/** What the commands take from outside, so tests can hand them an in-memory API server. */
export interface ClusterDeps {
  /** The API client for the resolved connection; default the client-node adapter on it. */
  clientFor?: (connection: ClusterConnection) => ListWatchClient;
}

/** Which cluster: --kubeconfig FILE, and --context NAME in it (default its current-context). */
export interface ClusterSource {
  kubeconfig: string;
  context?: string | undefined;
}

/**
 * Every object of AUDITED_RESOURCES, each stamped with its apiVersion and kind
 * (list items may omit them). A kind the cluster serves at none of its
 * versions (its CRD is not installed) is read as none, with a note.
 * @throws KubeconfigError (exit 2) when the kubeconfig or the context is unusable.
 * @throws UsageError (exit 2), one line naming the resource, when the API server cannot be reached or refuses us.
 */
export async function readClusterObjects(command: string, source: ClusterSource, deps: ClusterDeps = {}): Promise<{ objects: KubeObject[]; notes: string[] }> {
  const client = clusterClient(command, source, deps);
  const objects: KubeObject[] = [];
  const notes: string[] = [];
  const signal = new AbortController().signal;
  for (const audited of AUDITED_RESOURCES) {
    let items: KubeObject[] | undefined;
    try {
      items = await readAudited(client, audited, signal);
    } catch (error) {
      throw new UsageError(failureLine(command, client, audited, error));
    }
    if (items === undefined) {
      notes.push(`${command}: the cluster serves no ${resourceName(audited)} at ${orList(audited.versions)} (404; its CRD is not installed): read as none`);
      continue;
    }
    objects.push(...items);
  }
  return { objects, notes };
}

/**
 * The client for --kubeconfig FILE [--context NAME], resolved as `serve` resolves its connection.
 * @throws KubeconfigError (exit 2) when the kubeconfig or the context is unusable.
 */
export function clusterClient(command: string, source: ClusterSource, deps: ClusterDeps = {}): ListWatchClient {
  const connection = resolveClusterConnection({ kubeconfig: source.kubeconfig, ...(source.context === undefined ? {} : { context: source.context }) });
  if (!connection.configured) throw new UsageError(`${command}: --kubeconfig ${source.kubeconfig}: ${connection.reason}`);
  return (deps.clientFor ?? ((c: ClusterConnection) => new ClientNodeListWatch(c.config)))(connection);
}

/** The objects of `audited` at its first served version; undefined when none is served. */
async function readAudited(client: ListWatchClient, audited: AuditedResource, signal: AbortSignal): Promise<KubeObject[] | undefined> {
  const { versions, ...resource } = audited;
  const version = await firstServedVersion(client, resource, versions, signal);
  if (version === undefined) return undefined;
  try {
    return (await listAll(client, auditedResourceRef(audited, version), signal)).items;
  } catch (error) {
    // The CRD went away between the probe and the list: as if it had never been served.
    if (error instanceof KubeApiError && error.status === 404) return undefined;
    throw error;
  }
}

/** One line: which resource could not be listed, from where, why, and for a refusal what RBAC must allow. */
function failureLine(command: string, client: ListWatchClient, audited: AuditedResource, error: unknown): string {
  const name = resourceName(audited);
  const message = error instanceof Error ? error.message : String(error);
  const line = `${command}: cannot list ${name} from ${client.describe()}: ${message}`;
  if (!(error instanceof KubeApiError && error.status === 403)) return line;
  const scope = audited.namespaced ? "in every namespace (a ClusterRole)" : "(cluster-scoped: a ClusterRole)";
  return `${line}; RBAC must allow this identity to list ${name} ${scope}, or pass --state DIR with the objects exported by someone who can`;
}

/** `v1`, `v1 or v1beta1`, `v1, v1beta1 or v1alpha3`. */
function orList(values: readonly string[]): string {
  return values.length <= 1 ? values.join("") : `${values.slice(0, -1).join(", ")} or ${values.at(-1)}`;
}
