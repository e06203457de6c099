// A hand-written in-memory API server behind the ListWatchClient port, for
// tests of anything built on reflectors. It behaves like the real one where
// reflectors care: one resourceVersion counter for everything (like etcd),
// paginated lists from a consistent snapshot, watches that replay history
// after the version they start from, compaction that makes old versions 410
// Gone, and continue tokens that can expire. Tests change objects through it
// and script failures; it records every call.
import { KubeApiError } from "../api-error.ts";
import type { ListPage, ListRequest, ListWatchClient, WatchCallbacks, WatchEvent, WatchHandle, WatchRequest } from "../list-watch-client.ts";
import type { KubeObject } from "../object-key.ts";
import { formatKey, keyOf } from "../object-key.ts";
import type { ResourceRef } from "../resource.ts";
import { describeResource } from "../resource.ts";
import { matchesLabelSelector } from "../label-selector.ts";

type ChangeType = "ADDED" | "MODIFIED" | "DELETED";

interface Stream {
  /** What it watches: a namespace and a label selector narrow what it is sent. */
  resource: ResourceRef;
  callbacks: WatchCallbacks;
  open: boolean;
}

interface ResourceState {
  objects: Map<string, KubeObject>;
  history: { rv: number; type: ChangeType; object: KubeObject }[];
  /** Watches from a version older than this get 410 Gone. */
  oldestWatchable: number;
  streams: Set<Stream>;
  listFailures: (KubeApiError | undefined)[];
  watchFailures: KubeApiError[];
  held: boolean;
}

/** How an expired watch version is reported: an ERROR event after a 200 (the watch cache) or the HTTP status. */
export type ExpiredAs = "event" | "status";

export const GONE_STATUS = { kind: "Status", apiVersion: "v1", status: "Failure", code: 410, reason: "Expired", message: "too old resource version" };

export function goneError(): KubeApiError {
  return new KubeApiError("410 Expired: too old resource version", 410, "Expired");
}

export function networkError(message = "connect ECONNREFUSED 10.0.0.1:443"): KubeApiError {
  return new KubeApiError(message, 0, "NetworkError");
}

/** A paged list in progress: every item as of `rv`, and how far its pages have been handed out. */
type ListSnapshot = { items: KubeObject[]; rv: string; offset: number };

export class FakeListWatchClient implements ListWatchClient {
  readonly listCalls: { resource: string; limit: number; continue?: string }[] = [];
  readonly watchCalls: ({ resource: string } & WatchRequest)[] = [];
  /** How a watch from a compacted version fails. */
  expiredAs: ExpiredAs = "event";

  #rv = 100;
  #resources = new Map<string, ResourceState>();
  #snapshots = new Map<string, ListSnapshot>();
  #tokens = 0;

  describe(): string {
    return "fake API server";
  }

  /** The current resourceVersion: the last write's. */
  get resourceVersion(): string {
    return String(this.#rv);
  }

  /** A copy of the stored object, or undefined. */
  get(resource: ResourceRef, key: { namespace?: string; name: string }): KubeObject | undefined {
    const stored = this.#state(resource).objects.get(formatKey(key));
    return stored === undefined ? undefined : structuredClone(stored);
  }

  /** Copies of the stored objects the resource (its namespace and label selector) selects, in key order. */
  objects(resource: ResourceRef): KubeObject[] {
    const state = this.#state(resource);
    return [...state.objects.keys()]
      .sort()
      .map((id) => state.objects.get(id)!)
      .filter((o) => selects(resource, o))
      .map((o) => structuredClone(o));
  }

  /** Creates or replaces an object (ADDED or MODIFIED to open watches); returns the stored copy. */
  put(resource: ResourceRef, object: KubeObject): KubeObject {
    const state = this.#state(resource);
    const id = this.#id(object);
    return this.#write(state, state.objects.has(id) ? "MODIFIED" : "ADDED", object);
  }

  /** Deletes an object by key; DELETED to open watches. */
  delete(resource: ResourceRef, key: { namespace?: string; name: string }): void {
    const state = this.#state(resource);
    const id = formatKey(key);
    const stored = state.objects.get(id);
    if (stored === undefined) throw new Error(`fake API server: ${describeResource(resource)} ${id} does not exist`);
    this.#write(state, "DELETED", stored);
  }

  /** Forgets all history up to now: watches from any earlier version get 410 Gone. */
  compact(resource: ResourceRef): void {
    const state = this.#state(resource);
    state.history = [];
    state.oldestWatchable = this.#rv;
  }

  /** Every continue token handed out so far is refused from now on with 410 Expired. */
  expireContinueTokens(): void {
    this.#snapshots.clear();
  }

  /** The next list calls of this resource fail with these errors, in order; `undefined` lets that call succeed. */
  failLists(resource: ResourceRef, ...errors: (KubeApiError | undefined)[]): void {
    this.#state(resource).listFailures.push(...errors);
  }

  /** The next watch calls of this resource end at once with these errors, in order. */
  failWatches(resource: ResourceRef, ...errors: KubeApiError[]): void {
    this.#state(resource).watchFailures.push(...errors);
  }

  /** Lists of this resource hang until their signal aborts (or `hold(resource, false)`). */
  hold(resource: ResourceRef, held = true): void {
    this.#state(resource).held = held;
  }

  openWatches(resource: ResourceRef): number {
    return [...this.#state(resource).streams].filter((s) => s.open).length;
  }

  /** Ends every open watch of the resource: normally, or with a (network) error. */
  endWatches(resource: ResourceRef, error?: KubeApiError): void {
    for (const stream of this.#state(resource).streams) this.#end(stream, error);
  }

  /** Sends a raw event to every open watch (BOOKMARK, ERROR, junk). */
  send(resource: ResourceRef, event: WatchEvent): void {
    for (const stream of this.#state(resource).streams) if (stream.open) stream.callbacks.onEvent(event);
  }

  /** A BOOKMARK at the current resourceVersion to every open watch. */
  bookmark(resource: ResourceRef): void {
    this.send(resource, { type: "BOOKMARK", object: { kind: resource.kind, apiVersion: "v1", metadata: { resourceVersion: this.resourceVersion } } });
  }

  async list(resource: ResourceRef, request: ListRequest): Promise<ListPage> {
    this.listCalls.push({
      resource: describeResource(resource),
      limit: request.limit,
      ...(request.continue === undefined ? {} : { continue: request.continue }),
    });
    const state = this.#state(resource);
    await Promise.resolve();
    if (state.held)
      await new Promise<never>((_, reject) =>
        request.signal.addEventListener("abort", () => reject(new KubeApiError("aborted", 0, "Aborted")), { once: true }),
      );
    const failure = state.listFailures.shift();
    if (failure !== undefined) throw failure;
    let snapshot: ListSnapshot | undefined;
    if (request.continue === undefined) {
      const items = [...state.objects.values()].filter((o) => selects(resource, o)).map((o) => structuredClone(o));
      snapshot = { items, rv: String(this.#rv), offset: 0 };
    } else {
      snapshot = this.#snapshots.get(request.continue);
      if (snapshot === undefined) throw new KubeApiError("410 Expired: the provided continue parameter is too old", 410, "Expired");
    }
    const items = snapshot.items.slice(snapshot.offset, snapshot.offset + request.limit);
    const offset = snapshot.offset + items.length;
    if (offset >= snapshot.items.length) return { items, resourceVersion: snapshot.rv };
    const token = `continue-${++this.#tokens}`;
    this.#snapshots.set(token, { items: snapshot.items, rv: snapshot.rv, offset });
    return { items, resourceVersion: snapshot.rv, continue: token };
  }

  watch(resource: ResourceRef, request: WatchRequest, callbacks: WatchCallbacks): WatchHandle {
    this.watchCalls.push({ resource: describeResource(resource), ...request });
    const state = this.#state(resource);
    const stream: Stream = { resource, callbacks, open: true };
    state.streams.add(stream);
    const from = Number(request.resourceVersion);
    // Delivered asynchronously, as a real stream would.
    queueMicrotask(() => {
      if (!stream.open) return;
      const failure = state.watchFailures.shift();
      if (failure !== undefined) return this.#end(stream, failure);
      if (!(from >= state.oldestWatchable)) {
        if (this.expiredAs === "status") return this.#end(stream, goneError());
        callbacks.onEvent({ type: "ERROR", object: GONE_STATUS });
        return;
      }
      for (const entry of state.history) {
        if (entry.rv > from && stream.open && selects(resource, entry.object)) callbacks.onEvent({ type: entry.type, object: structuredClone(entry.object) });
      }
    });
    return {
      abort: () => {
        stream.open = false;
        state.streams.delete(stream);
      },
    };
  }

  #write(state: ResourceState, type: ChangeType, object: KubeObject): KubeObject {
    const rv = ++this.#rv;
    const stored = structuredClone(object);
    stored.metadata = { ...stored.metadata, resourceVersion: String(rv) };
    const id = this.#id(stored);
    const previous = state.objects.get(id);
    if (type === "DELETED") state.objects.delete(id);
    else state.objects.set(id, stored);
    state.history.push({ rv, type, object: stored });
    for (const stream of state.streams) {
      if (!stream.open) continue;
      // As the API server does for a filtered watch: an object that comes
      // into the selection is ADDED, one that leaves it is DELETED.
      const was = previous !== undefined && selects(stream.resource, previous);
      const is = selects(stream.resource, stored);
      const seen = type === "DELETED" ? (was ? "DELETED" : undefined) : was && is ? "MODIFIED" : is ? "ADDED" : was ? "DELETED" : undefined;
      if (seen !== undefined) stream.callbacks.onEvent({ type: seen, object: structuredClone(stored) });
    }
    return structuredClone(stored);
  }

  #end(stream: Stream, error?: KubeApiError): void {
    if (!stream.open) return;
    stream.open = false;
    for (const state of this.#resources.values()) state.streams.delete(stream);
    stream.callbacks.onEnd(error);
  }

  #id(object: KubeObject): string {
    const key = keyOf(object);
    if (key === undefined) throw new Error("fake API server: objects need metadata.name");
    return formatKey(key);
  }

  #state(resource: ResourceRef): ResourceState {
    // One store per kind, like etcd: a namespace or label selector only narrows what a request sees.
    const name = describeResource({ ...resource, namespace: undefined, labelSelector: undefined });
    let state = this.#resources.get(name);
    if (state === undefined) {
      state = { objects: new Map(), history: [], oldestWatchable: 0, streams: new Set(), listFailures: [], watchFailures: [], held: false };
      this.#resources.set(name, state);
    }
    return state;
  }
}

function selects(resource: ResourceRef, object: KubeObject): boolean {
  if (resource.namespace !== undefined && object.metadata?.namespace !== resource.namespace) return false;
  if (resource.labelSelector === undefined) return true;
  return matchesLabelSelector(object.metadata?.labels as Record<string, string> | undefined, resource.labelSelector);
}
