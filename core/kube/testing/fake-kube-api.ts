// A hand-written in-memory API server behind the KubeApi port (reads,
// writes, lists and watches), for tests of controllers. It keeps the rules
// controllers depend on: one resourceVersion counter, uids and generations,
// 409 AlreadyExists on create and 409 Conflict on a stale update, the status
// subresource, finalizers that turn a delete into a deletionTimestamp, watch
// events for every write, and server-side apply as the API server does it
// (field-set.ts says which fields it models):
//   - every create, update and apply records which fields its manager owns in
//     metadata.managedFields (FieldsV1): an update or create takes the fields it
//     changed (operation Update), an apply the fields of its body (operation Apply);
//   - an apply removes the fields its manager applied last time and leaves out
//     now, unless another manager owns them too; other managers' fields stay;
//     a field another manager holds at another value is a 409 Conflict unless
//     the apply forces (then it changes hands);
//   - metadata.uid and metadata.resourceVersion in an apply body are
//     preconditions (409 Conflict), and an apply with a uid never creates;
//   - managedFields sent in an update replace the stored ones (how a client
//     moves fields from its Update entry to its Apply entry);
//   - a field a test says the kind's schema does not declare (undeclared(): a
//     CRD older than the writer) is dropped from a write, which succeeds, as
//     the API server's default field validation (Warn) does; a write with
//     fieldValidation Strict naming it is refused with 400 BadRequest.
// It records every write, so a test can assert that a second reconcile wrote nothing.
//
// Requests made as a person (as(who), the ImpersonatingClient port) are
// first put to the injected impersonation filter (may the caller act as
// them?), then to the injected authorizer (fake-admission.ts Authorize: RBAC),
// which also answers can(). Every create, update and delete, whoever makes it,
// goes through the injected admission chain (Admit) after decoding, with the
// API server's order around it: authorization, decoding (field validation),
// admission, then storage (404, 409 AlreadyExists and Conflict, preconditions).
// A dry run (WriteOptions.dryRun) runs every step and stores nothing: no
// watch event, no recorded write; a created object comes back with a uid and
// no resourceVersion, an updated one at the stored resourceVersion, as the
// API server answers `dryRun=All`. Admission warnings go to onWarning.
// Applies and status updates are authorized but not admitted.
import { KubeApiError } from "../api-error.ts";
import type { AccessQuestion, Identity, ImpersonatingClient } from "../impersonation.ts";
import type { ListPage, ListRequest, WatchCallbacks, WatchHandle, WatchRequest } from "../list-watch-client.ts";
import type { ApplyOptions, DeleteOptions, DeletePreconditions, FieldValidation, KubeApi, WriteOptions } from "../object-api.ts";
import type { KubeObject, ObjectKey } from "../object-key.ts";
import { formatKey } from "../object-key.ts";
import type { ResourceRef } from "../resource.ts";
import { apiVersionOf, resourceName } from "../resource.ts";
import type { FieldPath } from "./field-set.ts";
import { fieldPaths, fromFieldsV1, mergeApplied, pathKey, removeAt, sameAt, toFieldsV1 } from "./field-set.ts";
import { FakeListWatchClient } from "./fake-list-watch.ts";
import { strictDecodingError } from "./fake-admission.ts";
import type { AccessResource, AccessVerb, AdmissionRequest, Admit, Authorize, Impersonate } from "./fake-admission.ts";
import { isRecord, jsonEqual } from "../../json.ts";
import { formatTime } from "../../clock.ts";

export type WriteVerb = "create" | "apply" | "update" | "updateStatus" | "delete";

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

/** One metadata.managedFields entry, as the API server writes it. */
export interface ManagedFieldsEntry {
  manager: string;
  operation: "Apply" | "Update";
  apiVersion: string;
  time: string;
  fieldsType: "FieldsV1";
  fieldsV1: Record<string, unknown>;
}

export interface FakeKubeApiOptions {
  now?: () => number;
  /** Asked for every request made through as(who), and by can(); without it everyone may do everything. */
  authorize?: Authorize;
  /** Asked for every create, update and delete; without it everything is admitted unchanged. */
  admit?: Admit;
  /** Asked before anything else for every request made through as(who), and by can(); without it impersonation is always allowed. */
  impersonate?: Impersonate;
}

export class FakeKubeApi implements KubeApi, ImpersonatingClient {
  /** The store, its watches and their failure scripting (see FakeListWatchClient). */
  readonly server = new FakeListWatchClient();
  readonly writes: RecordedWrite[] = [];
  #uids = 0;
  #now: () => number;
  #failures: { verb: WriteVerb | "get"; kind?: string; error: KubeApiError }[] = [];
  #undeclared = new Map<string, string[]>();
  #dryRunUids = 0;
  #authorize: Authorize | undefined;
  #admit: Admit | undefined;
  #impersonate: Impersonate | undefined;

  constructor(options: FakeKubeApiOptions = {}) {
    this.#now = options.now ?? (() => Date.UTC(2030, 0, 1));
    this.#authorize = options.authorize;
    this.#admit = options.admit;
    this.#impersonate = options.impersonate;
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

  /** The API server as `who`: each request authorized first, and admitted with `who` as the requester. */
  as(who: Identity): KubeApi {
    const identity: Identity = { user: who.user, groups: [...who.groups] };
    return {
      describe: () => `in-memory API server as ${identity.user}`,
      list: async (resource, request) => {
        await Promise.resolve();
        this.#check(identity, "list", resource, resource.namespace);
        return this.server.list(resource, request);
      },
      watch: (resource, request, callbacks) => {
        const refused = this.#impersonate?.(identity) ?? this.#authorize?.(identity, "watch", accessResource(resource), resource.namespace);
        if (refused === undefined) return this.server.watch(resource, request, callbacks);
        // Failures to open arrive through onEnd, never as a throw (the ListWatchClient contract).
        let open = true;
        queueMicrotask(() => open && callbacks.onEnd(refused));
        return { abort: () => (open = false) };
      },
      get: (resource, key) => this.#get(resource, key, identity),
      create: (resource, object, options) => this.#create(resource, object, options, identity),
      apply: (resource, object, options) => this.#apply(resource, object, options, identity),
      update: (resource, object, options) => this.#update(resource, object, options, identity),
      updateStatus: (resource, object) => this.#updateStatus(resource, object, identity),
      delete: (resource, key, preconditions, options) => this.#delete(resource, key, preconditions, options, identity),
    };
  }

  /** What the authorizer answers for `who` (a SelfSubjectAccessReview); true without an authorizer. */
  async can(who: Identity, question: AccessQuestion): Promise<boolean> {
    await Promise.resolve();
    // The review is created as `who`: refused impersonation fails the request itself.
    const refused = this.#impersonate?.(who);
    if (refused !== undefined) throw refused;
    return this.#authorize?.(who, question.verb, { group: question.group, resource: question.resource }, question.namespace) === undefined;
  }

  /** The next `verb` (on `kind`, if given) fails with `error` instead of running. */
  failNext(verb: WriteVerb | "get", error: KubeApiError, kind?: string): void {
    this.#failures.push({ verb, error, ...(kind === undefined ? {} : { kind }) });
  }

  /** Fields (dotted paths, e.g. `spec.extAuth.contextExtensions`) that `kind`'s schema does not declare, as in a CRD older than the writer. */
  undeclared(kind: string, ...paths: string[]): void {
    this.#undeclared.set(kind, [...(this.#undeclared.get(kind) ?? []), ...paths]);
  }

  /**
   * `object` as the API server keeps it: without the fields its schema does
   * not declare (pruned, the write succeeds), or, with fieldValidation Strict,
   * refused naming them.
   */
  #validateFields(resource: ResourceRef, object: KubeObject, validation: FieldValidation | undefined): KubeObject {
    const present = (this.#undeclared.get(resource.kind) ?? []).filter((p) => valueAt(object, p.split(".")) !== undefined);
    if (present.length === 0) return object;
    if (validation === "Strict") throw strictDecodingError(resource, present);
    const pruned = structuredClone(object);
    for (const p of present) {
      const path = p.split(".");
      delete (valueAt(pruned, path.slice(0, -1)) as Record<string, unknown>)[path.at(-1)!];
    }
    return pruned;
  }

  /** Writes recorded since the last call, then forgets them. */
  takeWrites(): RecordedWrite[] {
    return this.writes.splice(0);
  }

  /** Stored objects of a resource (its namespace and label selector narrow them), in key order. */
  objects(resource: ResourceRef): KubeObject[] {
    return this.server.objects(resource);
  }

  get(resource: ResourceRef, key: ObjectKey): Promise<KubeObject | undefined> {
    return this.#get(resource, key, undefined);
  }

  create(resource: ResourceRef, object: KubeObject, options?: WriteOptions): Promise<KubeObject> {
    return this.#create(resource, object, options, undefined);
  }

  apply(resource: ResourceRef, object: KubeObject, options: ApplyOptions): Promise<KubeObject> {
    return this.#apply(resource, object, options, undefined);
  }

  update(resource: ResourceRef, object: KubeObject, options?: WriteOptions): Promise<KubeObject> {
    return this.#update(resource, object, options, undefined);
  }

  updateStatus(resource: ResourceRef, object: KubeObject): Promise<KubeObject> {
    return this.#updateStatus(resource, object, undefined);
  }

  delete(resource: ResourceRef, key: ObjectKey, preconditions?: DeletePreconditions, options?: DeleteOptions): Promise<boolean> {
    return this.#delete(resource, key, preconditions, options, undefined);
  }

  async #get(resource: ResourceRef, key: ObjectKey, who: Identity | undefined): Promise<KubeObject | undefined> {
    await Promise.resolve();
    this.#check(who, "get", resource, key.namespace ?? resource.namespace, key.name);
    this.#maybeFail("get", resource);
    return this.server.get(resource, this.#key(resource, key));
  }

  async #create(resource: ResourceRef, object: KubeObject, options: WriteOptions | undefined, who: Identity | undefined): Promise<KubeObject> {
    await Promise.resolve();
    const key = this.#keyOfObject(resource, object);
    this.#check(who, "create", resource, key.namespace);
    this.#maybeFail("create", resource);
    object = this.#validateFields(resource, object, options?.fieldValidation);
    const dryRun = options?.dryRun === true;
    object = this.#admitted(
      { operation: "CREATE", resource, object: withKey(object, key), oldObject: undefined, identity: who, dryRun, fieldValidation: options?.fieldValidation },
      options?.onWarning,
    )!;
    if (this.server.get(resource, key) !== undefined) {
      // As the API server words it (NewAlreadyExists): the resource qualified by its group, the Status message without the code.
      const message = `${resourceName(resource)} "${key.name}" already exists`;
      throw new KubeApiError(`409 AlreadyExists: ${message}`, 409, "AlreadyExists", { statusMessage: message });
    }
    const fresh = this.#fresh(resource, object, key, dryRun);
    const fields = fieldPaths(fresh, statusIsSubresource(resource));
    fresh.metadata!.managedFields = [this.#entry(resource, options?.fieldManager ?? DEFAULT_FIELD_MANAGER, "Update", fields.values())];
    // A dry run answers what would be stored: a uid, no resourceVersion (none was taken).
    if (dryRun) return fresh;
    this.#record("create", resource, key);
    return this.server.put(resource, fresh);
  }

  /**
   * Server-side apply. A name nobody holds is created from the body (unless
   * the body names a uid or resourceVersion: an apply with a uid never creates,
   * kubernetes' TestCreateOnApplyFailsWithUID expects 409 Conflict).
   */
  async #apply(resource: ResourceRef, object: KubeObject, options: ApplyOptions, who: Identity | undefined): Promise<KubeObject> {
    await Promise.resolve();
    const key = this.#keyOfObject(resource, object);
    this.#check(who, "patch", resource, key.namespace, key.name);
    this.#maybeFail("apply", resource);
    object = this.#validateFields(resource, object, options.fieldValidation);
    const stored = this.server.get(resource, key);
    const uid = object.metadata?.uid;
    const rv = object.metadata?.resourceVersion;
    if (stored === undefined) {
      if (uid !== undefined || rv !== undefined) {
        const message = `the object to apply names uid ${uid ?? "-"} and resourceVersion ${rv ?? "-"}, and none exists`;
        throw new KubeApiError(`409 Conflict: Operation cannot be fulfilled on ${resource.resource} "${key.name}": ${message}`, 409, "Conflict");
      }
      this.#record("apply", resource, key);
      const fresh = this.#fresh(resource, object, key);
      fresh.metadata!.managedFields = [this.#entry(resource, options.fieldManager, "Apply", fieldPaths(fresh, statusIsSubresource(resource)).values())];
      return this.server.put(resource, fresh);
    }
    if (uid !== undefined && uid !== stored.metadata?.uid) {
      throw new KubeApiError(`409 Conflict: Precondition failed: UID in precondition: ${uid}, UID in object meta: ${stored.metadata?.uid}`, 409, "Conflict");
    }
    this.#current(resource, key, object);
    const body: KubeObject = structuredClone(object);
    if (statusIsSubresource(resource)) delete body.status;
    const applied = fieldPaths(body, statusIsSubresource(resource));
    const owners = ownersOf(stored);
    const mine = owners.find((o) => o.entry.manager === options.fieldManager && o.entry.operation === "Apply");
    const conflicts: string[] = [];
    for (const owner of owners) {
      if (owner === mine) continue;
      for (const [k, path] of applied) {
        if (!owner.paths.has(k) || sameAt(stored, body, path)) continue;
        if (options.force) owner.paths.delete(k);
        else conflicts.push(`conflict with "${owner.entry.manager}": .${path.map((s) => s.replace(/^f:/, "")).join(".")}`);
      }
    }
    if (conflicts.length > 0)
      throw new KubeApiError(`409 Conflict: Apply failed with ${conflicts.length} conflict(s): ${conflicts.join("; ")}`, 409, "Conflict");
    this.#record("apply", resource, key);
    const { metadata: bodyMetadata, ...bodyRest } = body;
    const { uid: _uid, resourceVersion: _rv, ...appliedMetadata } = bodyMetadata ?? {};
    const next = mergeApplied(stored, { ...bodyRest, metadata: appliedMetadata }) as KubeObject;
    next.metadata = { ...next.metadata, ...serverMetadata(stored) };
    for (const [k, path] of mine?.paths ?? []) {
      if (!applied.has(k) && !owners.some((o) => o !== mine && o.paths.has(k))) removeAt(next, path);
    }
    const entry = this.#entry(resource, options.fieldManager, "Apply", applied.values());
    const others = owners.filter((o) => o !== mine).map((o) => withPaths(o));
    return this.#store(resource, key, stored, next, [...others, entry]);
  }

  async #update(resource: ResourceRef, object: KubeObject, options: WriteOptions | undefined, who: Identity | undefined): Promise<KubeObject> {
    await Promise.resolve();
    const key = this.#keyOfObject(resource, object);
    this.#check(who, "update", resource, key.namespace, key.name);
    this.#maybeFail("update", resource);
    object = this.#validateFields(resource, object, options?.fieldValidation);
    const stored = this.#current(resource, key, object);
    const uid = object.metadata?.uid;
    if (uid !== undefined && uid !== stored.metadata?.uid) {
      throw new KubeApiError(`409 Conflict: Precondition failed: UID in precondition: ${uid}, UID in object meta: ${stored.metadata?.uid}`, 409, "Conflict");
    }
    const dryRun = options?.dryRun === true;
    const request: AdmissionRequest = {
      operation: "UPDATE",
      resource,
      object: withKey(object, key),
      oldObject: stored,
      identity: who,
      dryRun,
      fieldValidation: options?.fieldValidation,
    };
    object = this.#admitted(request, options?.onWarning)!;
    if (!dryRun) this.#record("update", resource, key);
    const next: KubeObject = { ...structuredClone(object), metadata: { ...structuredClone(object.metadata), ...serverMetadata(stored) } };
    if (!NO_STATUS_SUBRESOURCE.has(resource.kind)) next.status = structuredClone(stored.status);
    if (next.status === undefined) delete next.status;
    // managedFields sent with the update replace the stored ones, as on the API server; absent or empty, the stored ones stay.
    const sent = object.metadata?.managedFields;
    const base: KubeObject = Array.isArray(sent) && sent.length > 0 ? { metadata: { managedFields: structuredClone(sent) } } : stored;
    const owners = ownersOf(base);
    const before = fieldPaths(stored, statusIsSubresource(resource));
    const after = fieldPaths(next, statusIsSubresource(resource));
    const changed = [...after].filter(([, path]) => !sameAt(stored, next, path));
    const manager = options?.fieldManager ?? DEFAULT_FIELD_MANAGER;
    const writer = owners.find((o) => o.entry.manager === manager && o.entry.operation === "Update");
    for (const owner of owners) {
      for (const k of before.keys()) if (!after.has(k)) owner.paths.delete(k);
      if (owner !== writer) for (const [k] of changed) owner.paths.delete(k);
    }
    const writerPaths = new Map([...(writer?.paths ?? []), ...changed]);
    const others = owners.filter((o) => o !== writer).map((o) => withPaths(o));
    const written =
      writerPaths.size > 0 || (writer !== undefined && writer.paths.size === 0 && !writer.owned)
        ? this.#entry(resource, manager, "Update", writerPaths.values())
        : undefined;
    const managedFields =
      changed.length === 0 && base === stored ? ((stored.metadata?.managedFields as ManagedFieldsEntry[] | undefined) ?? []) : [...others, written];
    return this.#store(resource, key, stored, next, capUpdateManagers(managedFields.filter((e) => e !== undefined)), dryRun);
  }

  async #updateStatus(resource: ResourceRef, object: KubeObject, who: Identity | undefined): Promise<KubeObject> {
    await Promise.resolve();
    const key = this.#keyOfObject(resource, object);
    this.#check(who, "update", { ...resource, resource: `${resource.resource}/status` }, key.namespace, key.name);
    this.#maybeFail("updateStatus", resource);
    const stored = this.#current(resource, key, object);
    this.#record("updateStatus", resource, key);
    return this.server.put(resource, { ...stored, status: structuredClone(object.status) });
  }

  async #delete(
    resource: ResourceRef,
    key: ObjectKey,
    preconditions: DeletePreconditions | undefined,
    options: DeleteOptions | undefined,
    who: Identity | undefined,
  ): Promise<boolean> {
    await Promise.resolve();
    const k = this.#key(resource, key);
    this.#check(who, "delete", resource, k.namespace, k.name);
    this.#maybeFail("delete", resource);
    const stored = this.server.get(resource, k);
    if (stored === undefined) return false;
    if (preconditions?.uid !== undefined && stored.metadata?.uid !== preconditions.uid) {
      throw new KubeApiError(
        `409 Conflict: Precondition failed: UID in precondition: ${preconditions.uid}, UID in object meta: ${stored.metadata?.uid}`,
        409,
        "Conflict",
      );
    }
    if (preconditions?.resourceVersion !== undefined && stored.metadata?.resourceVersion !== preconditions.resourceVersion) {
      throw new KubeApiError(`409 Conflict: Precondition failed: ResourceVersion in precondition: ${preconditions.resourceVersion}`, 409, "Conflict");
    }
    const dryRun = options?.dryRun === true;
    this.#admitted(
      { operation: "DELETE", resource, object: undefined, oldObject: stored, identity: who, dryRun, fieldValidation: undefined },
      options?.onWarning,
    );
    if (dryRun) return true;
    this.#record("delete", resource, k);
    const finalizers = stored.metadata?.finalizers as string[] | undefined;
    if (finalizers !== undefined && finalizers.length > 0) {
      if (stored.metadata?.deletionTimestamp === undefined)
        this.server.put(resource, { ...stored, metadata: { ...stored.metadata, deletionTimestamp: formatTime(this.#now()) } });
      return true;
    }
    this.server.delete(resource, k);
    return true;
  }

  /**
   * Stores `next` over `stored` with `managedFields`: bumps the generation when the spec changed; an object being deleted goes once its last finalizer is gone.
   * A write that changes nothing (managedFields aside) changes nothing, as on the API server.
   */
  #store(
    resource: ResourceRef,
    key: ObjectKey,
    stored: KubeObject,
    next: KubeObject,
    managedFields: readonly (ManagedFieldsEntry | undefined)[],
    dryRun = false,
  ): KubeObject {
    const metadata = next.metadata!;
    if (!jsonEqual(specOf(stored), specOf(next))) metadata.generation = ((stored.metadata?.generation as number | undefined) ?? 1) + 1;
    const finalizers = metadata.finalizers as string[] | undefined;
    if (metadata.finalizers !== undefined && finalizers!.length === 0) delete metadata.finalizers;
    // A dry run answers the object as it would be stored, at the stored resourceVersion (nothing was written).
    if (dryRun) return { ...next, metadata: { ...metadata, managedFields: managedFields.filter((e) => e !== undefined) } };
    if (stored.metadata?.deletionTimestamp !== undefined && (finalizers === undefined || finalizers.length === 0)) {
      this.server.delete(resource, key);
      return { ...next, metadata: { ...metadata, resourceVersion: this.server.resourceVersion } };
    }
    const entries = managedFields.filter((e) => e !== undefined);
    const sameContent = jsonEqual(stored, {
      ...next,
      metadata: { ...metadata, resourceVersion: stored.metadata?.resourceVersion, managedFields: stored.metadata?.managedFields },
    });
    if (sameContent && sameOwnership(stored.metadata?.managedFields, entries)) return structuredClone(stored);
    metadata.managedFields = entries;
    return this.server.put(resource, next);
  }

  /** A managedFields entry of `manager` owning `paths`, stamped now. */
  #entry(resource: ResourceRef, manager: string, operation: "Apply" | "Update", paths: Iterable<FieldPath>): ManagedFieldsEntry {
    return { manager, operation, apiVersion: apiVersionOf(resource), time: formatTime(this.#now()), fieldsType: "FieldsV1", fieldsV1: toFieldsV1(paths) };
  }

  #fresh(resource: ResourceRef, object: KubeObject, key: ObjectKey, dryRun = false): KubeObject {
    // A dry run's uid is never stored: it takes no number from the real sequence, so later uids do not depend on dry runs.
    const uid = dryRun ? `dry-run-uid-${++this.#dryRunUids}` : `uid-${++this.#uids}`;
    const metadata = { ...structuredClone(object.metadata), ...key, uid, generation: 1, creationTimestamp: formatTime(this.#now()) };
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
      const message = "the object has been modified; please apply your changes to the latest version and try again";
      throw new KubeApiError(`409 Conflict: Operation cannot be fulfilled on ${resource.resource} "${key.name}": ${message}`, 409, "Conflict");
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
    if (resource.namespaced && namespace === undefined)
      throw new KubeApiError(`400 BadRequest: ${resource.resource} is namespaced; the request names no namespace`, 400, "BadRequest");
    if (!resource.namespaced && namespace !== undefined)
      throw new KubeApiError(`400 BadRequest: ${resource.resource} is cluster-scoped; the request names namespace ${namespace}`, 400, "BadRequest");
    return namespace === undefined ? { name: key.name } : { namespace, name: key.name };
  }

  /** The authorizer's answer for a request made as `who` (none for the fake's own callers); throws its 403. */
  #check(who: Identity | undefined, verb: AccessVerb, resource: ResourceRef, namespace: string | undefined, name?: string): void {
    if (who === undefined) return;
    const refused = this.#impersonate?.(who) ?? this.#authorize?.(who, verb, accessResource(resource), resource.namespaced ? namespace : undefined, name);
    if (refused !== undefined) throw refused;
  }

  /** The admission chain's object for `request` (its warnings sent first); throws its refusal. */
  #admitted(request: AdmissionRequest, onWarning: ((text: string) => void) | undefined): KubeObject | undefined {
    if (this.#admit === undefined) return request.object;
    const result = this.#admit(structuredClone(request));
    for (const warning of result.warnings ?? []) onWarning?.(warning);
    if (!result.allowed) throw result.error;
    return result.object ?? request.object;
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
  const bucket: ManagedFieldsEntry = { ...newest, manager: ANCIENT_CHANGES, fieldsV1: toFieldsV1([...merged].flatMap((e) => fromFieldsV1(e.fieldsV1))) };
  return [bucket, ...entries.filter((e) => !merged.has(e))];
}

interface Owner {
  entry: ManagedFieldsEntry;
  paths: Map<string, FieldPath>;
  /** The entry named fields when read (an entry a test stored without a field set owns nothing, and is kept). */
  owned: boolean;
}

/** The managedFields entries of `object` with the fields each owns. */
function ownersOf(object: KubeObject): Owner[] {
  const entries = object.metadata?.managedFields;
  if (!Array.isArray(entries)) return [];
  return entries.filter(isRecord).map((entry) => {
    const paths = new Map(fromFieldsV1(entry.fieldsV1).map((path) => [pathKey(path), path]));
    return { entry: entry as unknown as ManagedFieldsEntry, paths, owned: paths.size > 0 };
  });
}

/** The entry owning `paths` now; undefined when this write took its last field (the API server drops such entries). */
function withPaths(owner: Owner): ManagedFieldsEntry | undefined {
  if (owner.owned && owner.paths.size === 0) return undefined;
  return owner.owned ? { ...owner.entry, fieldsV1: toFieldsV1(owner.paths.values()) } : owner.entry;
}

/** The same managers owning the same fields (the time of an entry aside). */
function sameOwnership(a: unknown, b: readonly ManagedFieldsEntry[]): boolean {
  const strip = (entries: unknown) => (Array.isArray(entries) ? entries.map((e) => ({ ...(e as object), time: undefined })) : []);
  return jsonEqual(strip(a), strip(b));
}

function accessResource(resource: ResourceRef): AccessResource {
  return { group: resource.group, resource: resource.resource };
}

/** `object` with the request's namespace and name in its metadata, as the API server decodes it. */
function withKey(object: KubeObject, key: ObjectKey): KubeObject {
  return { ...object, metadata: { ...object.metadata, ...key } };
}

function statusIsSubresource(resource: ResourceRef): boolean {
  return !NO_STATUS_SUBRESOURCE.has(resource.kind);
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

/** The value at `path` (object keys) in `value`, or undefined. */
function valueAt(value: unknown, path: string[]): unknown {
  let at = value;
  for (const key of path) {
    if (!isRecord(at)) return undefined;
    at = at[key];
  }
  return at;
}
