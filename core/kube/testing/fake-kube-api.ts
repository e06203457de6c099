// A hand-written in-memory API server behind the KubeApi port (reads,
// writes, lists and watches), for tests of controllers. It keeps the rules
// controllers depend on: one resourceVersion counter, uids and generations,
// 409 AlreadyExists on create and 409 Conflict on a stale update, the status
// subresource, finalizers that turn a delete into a deletionTimestamp, watch
// events for every write. There is no server-side apply: hostgate never
// applies (a force apply would take over an object at a colliding name).
// Every create or update that changes an object records its writer in
// metadata.managedFields (manager, operation Update; the field sets are left
// empty), as the API server does, so ownership by field manager can be
// tested. It records every write, so a test can assert that a second
// reconcile wrote nothing.
import { KubeApiError } from "../api-error.ts";
import type { ListPage, ListRequest, WatchCallbacks, WatchHandle, WatchRequest } from "../list-watch-client.ts";
import type { DeletePreconditions, KubeApi, WriteOptions } from "../object-api.ts";
import type { KubeObject, ObjectKey } from "../object-key.ts";
import { formatKey } from "../object-key.ts";
import type { ResourceRef } from "../resource.ts";
import { apiVersionOf, resourceName } from "../resource.ts";
import { FakeListWatchClient } from "./fake-list-watch.ts";
import { jsonEqual } from "../../json.ts";
import { formatTime } from "../../clock.ts";

export type WriteVerb = "create" | "update" | "updateStatus" | "delete";

export interface RecordedWrite {
  verb: WriteVerb;
  /** `domainroutes.hostgate.dev` */
  resource: string;
  /** `namespace/name` */
  key: string;
}

/** Kinds whose status is part of the object (no status subresource). */
const NO_STATUS_SUBRESOURCE = new Set(["ConfigMap", "Secret", "Lease", "Event"]);
/** What the server owns in metadata: never taken from a request. */
const SERVER_METADATA = ["uid", "resourceVersion", "generation", "creationTimestamp", "deletionTimestamp", "managedFields"] as const;
/** The manager a create or update without `fieldManager` is recorded under (the API server uses the User-Agent). */
export const DEFAULT_FIELD_MANAGER = "unknown-client";

/** One metadata.managedFields entry, as the API server writes it (without the field set). The fake writes only Update entries; Apply ones (an older hostgate applied) come from objects a test stores directly. */
export interface ManagedFieldsEntry {
  manager: string;
  operation: "Apply" | "Update";
  apiVersion: string;
  time: string;
  fieldsType: "FieldsV1";
  fieldsV1: Record<string, never>;
}

export class FakeKubeApi implements KubeApi {
  /** The store, its watches and their failure scripting (see FakeListWatchClient). */
  readonly server = new FakeListWatchClient();
  readonly writes: RecordedWrite[] = [];
  #uids = 0;
  #now: () => number;
  #failures: { verb: WriteVerb | "get"; kind?: string; error: KubeApiError }[] = [];

  constructor(options: { now?: () => number } = {}) {
    this.#now = options.now ?? (() => Date.UTC(2030, 0, 1));
  }

  describe(): string {
    return "in-memory API server";
  }

  list(resource: ResourceRef, request: ListRequest): Promise<ListPage> {
    return this.server.list(resource, request);
  }

  watch(resource: ResourceRef, request: WatchRequest, callbacks: WatchCallbacks): WatchHandle {
    return this.server.watch(resource, request, callbacks);
  }

  /** The next `verb` (on `kind`, if given) fails with `error` instead of running. */
  failNext(verb: WriteVerb | "get", error: KubeApiError, kind?: string): void {
    this.#failures.push({ verb, error, ...(kind === undefined ? {} : { kind }) });
  }

  /** Writes recorded since the last call, then forgets them. */
  takeWrites(): RecordedWrite[] {
    return this.writes.splice(0);
  }

  /** Stored objects of a resource (its namespace and label selector narrow them), in key order. */
  objects(resource: ResourceRef): KubeObject[] {
    return this.server.objects(resource);
  }

  async get(resource: ResourceRef, key: ObjectKey): Promise<KubeObject | undefined> {
    await Promise.resolve();
    this.#maybeFail("get", resource);
    return this.server.get(resource, this.#key(resource, key));
  }

  async create(resource: ResourceRef, object: KubeObject, options?: WriteOptions): Promise<KubeObject> {
    await Promise.resolve();
    const key = this.#keyOfObject(resource, object);
    this.#maybeFail("create", resource);
    if (this.server.get(resource, key) !== undefined) throw new KubeApiError(`409 AlreadyExists: ${resource.resource} "${key.name}" already exists`, 409, "AlreadyExists");
    this.#record("create", resource, key);
    const fresh = this.#fresh(resource, object, key);
    fresh.metadata!.managedFields = [this.#entry(resource, options?.fieldManager ?? DEFAULT_FIELD_MANAGER)];
    return this.server.put(resource, fresh);
  }

  async update(resource: ResourceRef, object: KubeObject, options?: WriteOptions): Promise<KubeObject> {
    await Promise.resolve();
    const key = this.#keyOfObject(resource, object);
    this.#maybeFail("update", resource);
    const stored = this.#current(resource, key, object);
    const uid = object.metadata?.uid;
    if (uid !== undefined && uid !== stored.metadata?.uid) {
      throw new KubeApiError(`409 Conflict: Precondition failed: UID in precondition: ${uid}, UID in object meta: ${stored.metadata?.uid}`, 409, "Conflict");
    }
    this.#record("update", resource, key);
    const next: KubeObject = { ...structuredClone(object), metadata: { ...structuredClone(object.metadata), ...serverMetadata(stored) } };
    if (!NO_STATUS_SUBRESOURCE.has(resource.kind)) next.status = structuredClone(stored.status);
    if (next.status === undefined) delete next.status;
    return this.#store(resource, key, stored, next, this.#entry(resource, options?.fieldManager ?? DEFAULT_FIELD_MANAGER));
  }

  async updateStatus(resource: ResourceRef, object: KubeObject): Promise<KubeObject> {
    await Promise.resolve();
    const key = this.#keyOfObject(resource, object);
    this.#maybeFail("updateStatus", resource);
    const stored = this.#current(resource, key, object);
    this.#record("updateStatus", resource, key);
    return this.server.put(resource, { ...stored, status: structuredClone(object.status) });
  }

  async delete(resource: ResourceRef, key: ObjectKey, preconditions?: DeletePreconditions): Promise<boolean> {
    await Promise.resolve();
    const k = this.#key(resource, key);
    this.#maybeFail("delete", resource);
    const stored = this.server.get(resource, k);
    if (stored === undefined) return false;
    if (preconditions?.uid !== undefined && stored.metadata?.uid !== preconditions.uid) {
      throw new KubeApiError(`409 Conflict: Precondition failed: UID in precondition: ${preconditions.uid}, UID in object meta: ${stored.metadata?.uid}`, 409, "Conflict");
    }
    if (preconditions?.resourceVersion !== undefined && stored.metadata?.resourceVersion !== preconditions.resourceVersion) {
      throw new KubeApiError(`409 Conflict: Precondition failed: ResourceVersion in precondition: ${preconditions.resourceVersion}`, 409, "Conflict");
    }
    this.#record("delete", resource, k);
    const finalizers = stored.metadata?.finalizers as string[] | undefined;
    if (finalizers !== undefined && finalizers.length > 0) {
      if (stored.metadata?.deletionTimestamp === undefined) this.server.put(resource, { ...stored, metadata: { ...stored.metadata, deletionTimestamp: formatTime(this.#now()) } });
      return true;
    }
    this.server.delete(resource, k);
    return true;
  }

  /**
   * Stores `next` over `stored`: bumps the generation when the spec changed; an object being deleted goes once its last finalizer is gone.
   * A write that changes something records `writer` in managedFields; a no-op changes nothing, as on the API server.
   */
  #store(resource: ResourceRef, key: ObjectKey, stored: KubeObject, next: KubeObject, writer: ManagedFieldsEntry): KubeObject {
    const metadata = next.metadata!;
    if (!jsonEqual(specOf(stored), specOf(next))) metadata.generation = ((stored.metadata?.generation as number | undefined) ?? 1) + 1;
    const finalizers = metadata.finalizers as string[] | undefined;
    if (metadata.finalizers !== undefined && finalizers!.length === 0) delete metadata.finalizers;
    if (stored.metadata?.deletionTimestamp !== undefined && (finalizers === undefined || finalizers.length === 0)) {
      this.server.delete(resource, key);
      return { ...next, metadata: { ...metadata, resourceVersion: this.server.resourceVersion } };
    }
    if (jsonEqual(stored, { ...next, metadata: { ...metadata, resourceVersion: stored.metadata?.resourceVersion } })) return structuredClone(stored);
    const others = ((stored.metadata?.managedFields as ManagedFieldsEntry[] | undefined) ?? []).filter((e) => !(e.manager === writer.manager && e.operation === writer.operation));
    metadata.managedFields = capUpdateManagers([...others, writer]);
    return this.server.put(resource, next);
  }

  /** The entry of a create or update (operation Update: the fake has no apply). */
  #entry(resource: ResourceRef, manager: string): ManagedFieldsEntry {
    return { manager, operation: "Update", apiVersion: apiVersionOf(resource), time: formatTime(this.#now()), fieldsType: "FieldsV1", fieldsV1: {} };
  }

  #fresh(resource: ResourceRef, object: KubeObject, key: ObjectKey): KubeObject {
    const metadata = { ...structuredClone(object.metadata), ...key, uid: `uid-${++this.#uids}`, generation: 1, creationTimestamp: formatTime(this.#now()) };
    for (const field of ["resourceVersion", "deletionTimestamp", "managedFields"]) delete (metadata as Record<string, unknown>)[field];
    const fresh: KubeObject = { ...structuredClone(object), apiVersion: apiVersionOf(resource), kind: resource.kind, metadata };
    if (!NO_STATUS_SUBRESOURCE.has(resource.kind)) delete fresh.status;
    return fresh;
  }

  #current(resource: ResourceRef, key: ObjectKey, object: KubeObject): KubeObject {
    const stored = this.server.get(resource, key);
    if (stored === undefined) throw new KubeApiError(`404 NotFound: ${resource.resource} "${key.name}" not found`, 404, "NotFound");
    const rv = object.metadata?.resourceVersion;
    if (rv !== undefined && rv !== stored.metadata?.resourceVersion) {
      throw new KubeApiError(`409 Conflict: Operation cannot be fulfilled on ${resource.resource} "${key.name}": the object has been modified; please apply your changes to the latest version and try again`, 409, "Conflict");
    }
    return stored;
  }

  #keyOfObject(resource: ResourceRef, object: KubeObject): ObjectKey {
    const name = object.metadata?.name;
    if (typeof name !== "string" || name === "") throw new KubeApiError("422 Invalid: metadata.name: Required value", 422, "Invalid");
    const namespace = object.metadata?.namespace ?? resource.namespace;
    return this.#key(resource, namespace === undefined ? { name } : { namespace, name });
  }

  #key(resource: ResourceRef, key: ObjectKey): ObjectKey {
    const namespace = key.namespace ?? resource.namespace;
    if (resource.namespaced && namespace === undefined) throw new KubeApiError(`400 BadRequest: ${resource.resource} is namespaced; the request names no namespace`, 400, "BadRequest");
    if (!resource.namespaced && namespace !== undefined) throw new KubeApiError(`400 BadRequest: ${resource.resource} is cluster-scoped; the request names namespace ${namespace}`, 400, "BadRequest");
    return namespace === undefined ? { name: key.name } : { namespace, name: key.name };
  }

  #maybeFail(verb: WriteVerb | "get", resource: ResourceRef): void {
    const index = this.#failures.findIndex((f) => f.verb === verb && (f.kind === undefined || f.kind === resource.kind));
    if (index === -1) return;
    const [failure] = this.#failures.splice(index, 1);
    throw failure!.error;
  }

  #record(verb: WriteVerb, resource: ResourceRef, key: ObjectKey): void {
    this.writes.push({ verb, resource: resourceName(resource), key: formatKey(key) });
  }
}

/**
 * The API server keeps at most this many Update entries in managedFields
 * (DefaultMaxUpdateManagers); past it, the oldest are merged into one entry
 * named ANCIENT_CHANGES (k8s.io/apimachinery managedfields/internal/capmanagers.go).
 * So an object ten other clients updated since hostgate's last write names
 * hostgate's field manager no more.
 */
export const MAX_UPDATE_MANAGERS = 10;
export const ANCIENT_CHANGES = "ancient-changes";

/** `entries` (oldest first) with the oldest Update entries merged into one ancient-changes entry, as the API server caps them. */
function capUpdateManagers(entries: ManagedFieldsEntry[]): ManagedFieldsEntry[] {
  const updates = entries.filter((e) => e.operation === "Update");
  if (updates.length <= MAX_UPDATE_MANAGERS) return entries;
  // Oldest first; entries of the same second keep their order (the fake's clock rarely moves).
  const byAge = updates.map((e, i) => ({ e, i })).sort((a, b) => (a.e.time < b.e.time ? -1 : a.e.time > b.e.time ? 1 : a.i - b.i));
  const merged = new Set(byAge.slice(0, updates.length - MAX_UPDATE_MANAGERS + 1).map(({ e }) => e));
  const newest = [...merged].reduce((a, b) => (b.time > a.time ? b : a));
  const bucket: ManagedFieldsEntry = { ...newest, manager: ANCIENT_CHANGES };
  return [bucket, ...entries.filter((e) => !merged.has(e))];
}

function serverMetadata(stored: KubeObject): Record<string, unknown> {
  const kept: Record<string, unknown> = {};
  for (const field of SERVER_METADATA) if (stored.metadata?.[field] !== undefined) kept[field] = stored.metadata[field];
  return kept;
}

/** Everything but metadata and status: what a generation counts. */
function specOf(object: KubeObject): unknown {
  const { metadata: _metadata, status: _status, ...rest } = object;
  return rest;
}
