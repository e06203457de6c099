// The indexed cluster state that policies read as `cluster`.
export { ClusterStateIndex } from "./cluster-state-index.ts";
export type { ClusterCelValue, ClusterStateCounts } from "./cluster-state-index.ts";
export { loadClusterState } from "./load-cluster-state.ts";
export type { GrantValue } from "./grant.ts";
export type { RouteValue } from "./route-ref.ts";
export { normalizeHostname } from "./fields.ts";
export { HOSTGATE_GROUP } from "./kinds.ts";
