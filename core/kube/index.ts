// Talking to the Kubernetes API: where the cluster is, a client-go style
// reflector (list, then watch, resume, relist) over a narrow client port, and
// the ObjectApi port for reads and writes; all of it on @kubernetes/client-node.
export { resolveClusterConnection, KubeconfigError, SERVICE_ACCOUNT_DIR } from "./cluster-connection.ts";
export type { ClusterConnection, NoClusterConfigured, ConnectionOptions, ConnectionSource } from "./cluster-connection.ts";
export { ClientNodeListWatch, toKubeApiError } from "./client-node-list-watch.ts";
export { ClientNodeObjectApi, clusterApi } from "./client-node-object-api.ts";
export type { ApplyOptions, DeletePreconditions, FieldValidation, KubeApi, ObjectApi, WriteOptions } from "./object-api.ts";
export type { ListWatchClient, ListPage, ListRequest, WatchRequest, WatchEvent, WatchCallbacks, WatchHandle } from "./list-watch-client.ts";
export { Reflector } from "./reflector.ts";
export type { ReflectorOptions } from "./reflector.ts";
export type { ReflectorBatch, ReflectorChange, ReflectorHandler, ReflectorStatus, ReflectorPhase, ReflectorError } from "./reflector-types.ts";
export { KubeApiError, isExpired, errorFromStatus, remedyFor } from "./api-error.ts";
export { Backoff, backoffDelay, DEFAULT_BACKOFF } from "../backoff.ts";
export type { BackoffOptions } from "../backoff.ts";
export { apiVersionOf, describeResource, resourceName, resourcePath, resourceProblems } from "./resource.ts";
export type { ResourceRef } from "./resource.ts";
export { formatKey, keyOf, parseKey, resourceVersionOf, tombstone } from "./object-key.ts";
export type { KubeObject, ObjectKey } from "./object-key.ts";
export { listAllPages } from "./list-pages.ts";
