// What a reflector hands its consumers and reports about itself.
import type { ObjectKey } from "./object-key.ts";
import type { ResourceRef } from "./resource.ts";

export type ReflectorChange<T> =
  | { type: "added" | "modified"; key: ObjectKey; object: T }
  /**
   * `object` is the last state when a watch saw the deletion; undefined when
   * a relist found the object gone (only its key is known then, see
   * `tombstone` in object-key.ts).
   */
  | { type: "deleted"; key: ObjectKey; object: T | undefined };

export interface ReflectorBatch<T> {
  resource: ResourceRef;
  /**
   * `list`: the first complete list (every object arrives as added);
   * `relist`: a later complete list, as the difference from what was held;
   * `watch`: one watch event.
   */
  cause: "list" | "relist" | "watch";
  changes: readonly ReflectorChange<T>[];
}

/**
 * Receives every batch synchronously and must apply it before returning:
 * a reader that runs between two batches then never sees half a relist.
 */
export type ReflectorHandler<T> = (batch: ReflectorBatch<T>) => void;

export type ReflectorPhase = "idle" | "listing" | "watching" | "waiting" | "stopped";

export interface ReflectorError {
  /** Clock time (ms since the epoch). */
  time: number;
  operation: "list" | "watch";
  /** HTTP status; 0 when no response arrived. */
  status: number;
  reason: string;
  message: string;
}

/** Per-resource health for metrics, logs and /readyz. Times are clock milliseconds. */
export interface ReflectorStatus {
  /** `domainroutes.hostgate.dev`. */
  resource: string;
  phase: ReflectorPhase;
  /** True once the first complete list was delivered; stays true. */
  synced: boolean;
  objects: number;
  /** Where the next watch resumes from. */
  resourceVersion: string;
  lastSyncTime?: number;
  lastEventTime?: number;
  lastError?: ReflectorError;
  /** When the next attempt starts, while waiting. */
  nextAttemptTime?: number;
  /** Complete lists delivered, the first included. */
  lists: number;
  /** Lists forced by a 410 Gone on the watch. */
  relists: number;
  /** Lists started over because a continue token expired. */
  listRestarts: number;
  /** Watches opened. */
  watches: number;
  /** ADDED, MODIFIED and DELETED events applied. */
  events: number;
  bookmarks: number;
  /** Failed list or watch attempts. */
  errors: number;
  /** Failures since the last success; drives the backoff. */
  consecutiveFailures: number;
}
