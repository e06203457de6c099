// Where the `cluster` CEL variable comes from: a live cache of the cluster
// (list+watch) or manifests on disk (local mode). The webhook reads the
// current value per request and reports readiness; it does not care which.
import type { ReflectorStatus } from "../../kube/reflector-types.ts";
import type { ClusterCelValue, ClusterStateCounts } from "../cluster-state-index.ts";

export interface StateSource {
  /**
   * Starts loading. Cluster mode returns at once and syncs in the background
   * (failures are retried, never thrown); local mode returns after the first
   * load.
   * @throws InputError when local mode's directory is missing or its files do not load
   */
  start(): Promise<void>;
  /** Stops watching; no timer or watcher is left behind. */
  stop(): Promise<void>;
  /**
   * True once every indexed resource was loaded completely at least once;
   * stays true, unless the cache outgrew the heap and was dropped (cluster
   * mode with a heap guard), which is for good.
   */
  synced(): boolean;
  /**
   * The `cluster` value for one request: an immutable snapshot, the same
   * object until the next change. Before synced() it is incomplete (empty,
   * or some resources only): callers must not decide on it then.
   */
  current(): ClusterCelValue;
  /** Objects in the cache, for the `hostgate_cache_objects` metric. */
  counts(): ClusterStateCounts;
  /** One line for logs: `cluster https://10.0.0.1:443 (in-cluster service account)`, `local files under examples/state`. */
  describe(): string;
  /** undefined when synced; else why not, for /readyz (`[-]cluster-state failed: <this>`). */
  notReadyReason(): string | undefined;
  /** Called after every change of current(); returns a function that unsubscribes. */
  onChange(listener: () => void): () => void;
  status(): StateSourceStatus;
}

export type StateSourceStatus = ClusterSourceStatus | LocalSourceStatus;

export interface ClusterSourceStatus {
  mode: "cluster";
  synced: boolean;
  resources: ReflectorStatus[];
  /** Set when the cache outgrew the heap and was dropped: the message /readyz and denials give. */
  heapLimitReached?: string;
}

export interface LocalSourceStatus {
  mode: "local";
  synced: boolean;
  directory: string;
  /** Successful loads, the first included. */
  loads: number;
  /** Loads refused because a file did not parse; the previous state stayed. */
  failedLoads: number;
  /** Clock time of the last successful load. */
  lastLoadTime?: number;
  /** The last failed load's problems, until a load succeeds. */
  lastError?: { time: number; problems: readonly string[] };
}
