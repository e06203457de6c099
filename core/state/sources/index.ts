// Where the `cluster` CEL variable comes from: the live cluster or local files.
export type { StateSource, StateSourceStatus, ClusterSourceStatus, LocalSourceStatus } from "./state-source.ts";
export { ClusterStateSource } from "./cluster-state-source.ts";
export type { ClusterStateSourceOptions } from "./cluster-state-source.ts";
export { FileStateSource, StateDirectoryError } from "./file-state-source.ts";
export type { FileStateSourceOptions } from "./file-state-source.ts";
export { fsDirectoryWatcher } from "./directory-watcher.ts";
export type { DirectoryWatch, DirectoryWatcher, DirectoryWatchEvents } from "./directory-watcher.ts";
export { selectStateSource } from "./select-state-source.ts";
export type { SelectedStateSource, StateSourceChoice } from "./select-state-source.ts";
export { projectForIndex } from "./index-projection.ts";
export { DOMAIN_ROUTES, HOSTNAME_GRANTS, INDEXED_RESOURCES } from "./indexed-resources.ts";
export { ExistingObjectsCache, DEFAULT_MAX_EXISTING_OBJECTS, DEFAULT_NOT_SERVED_RECHECK_MS } from "./existing-objects-cache.ts";
export type { ExistingObjectsCacheOptions } from "./existing-objects-cache.ts";
