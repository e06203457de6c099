// The narrow port between the reflector and the API server: one page of a
// list, and one watch stream. The real adapter is client-node-list-watch.ts;
// tests use testing/fake-list-watch.ts. Everything about retrying, resuming
// and relisting lives in the reflector, not behind this port.
import type { KubeApiError } from "./api-error.ts";
import type { KubeObject } from "./object-key.ts";
import type { ResourceRef } from "./resource.ts";

export interface ListRequest {
  /** Page size (the API server's `limit`). */
  limit: number;
  /** The previous page's continue token; absent for the first page. */
  continue?: string;
  /** Aborted when the reflector stops; the request should then end promptly. */
  signal: AbortSignal;
}

export interface ListPage {
  items: KubeObject[];
  /** The list's `metadata.resourceVersion`: watch from here to miss nothing. */
  resourceVersion: string;
  /** Present when more pages follow. */
  continue?: string;
}

export interface WatchRequest {
  /** Changes after this version are sent. */
  resourceVersion: string;
  /** Ask for BOOKMARK events, which advance the version on quiet resources. */
  allowWatchBookmarks: boolean;
  /** The server closes the watch after this long; client-go randomises 5–10 minutes to spread reconnects. */
  timeoutSeconds: number;
}

/** One line of the watch stream, as the server sent it. */
export interface WatchEvent {
  /** ADDED, MODIFIED, DELETED, BOOKMARK or ERROR; anything else is logged and ignored. */
  type: string;
  /** The object; a metav1.Status for ERROR. */
  object: unknown;
}

export interface WatchCallbacks {
  onEvent(event: WatchEvent): void;
  /**
   * The watch is over: `undefined` when the stream ended normally (the
   * server's timeout, an idle connection closed by the client), else why.
   * Called at most once, never after abort().
   */
  onEnd(error?: KubeApiError): void;
}

export interface WatchHandle {
  /** Stops the watch; no callback fires afterwards. */
  abort(): void;
}

export interface ListWatchClient {
  /**
   * One page of the collection.
   * @throws KubeApiError (a 410 on a continue token means the list must restart)
   */
  list(resource: ResourceRef, request: ListRequest): Promise<ListPage>;
  /** Opens a watch; failures to open arrive through onEnd, never as a throw. */
  watch(resource: ResourceRef, request: WatchRequest, callbacks: WatchCallbacks): WatchHandle;
  /** Where it connects, for logs: `https://10.0.0.1:443`. */
  describe(): string;
}
