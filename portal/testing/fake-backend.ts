// A PortalBackend for the HTTP server's tests: routes held in memory per
// namespace, every call recorded with the identity it was made for, refusals
// and read failures set by the test, and open watches the test drives by hand
// (emit an event, end one with a 410). It decides nothing itself: the real
// verdicts come from the backends in portal/backends/.
import { KubeApiError } from "../../core/kube/api-error.ts";
import type { ListPage, WatchCallbacks, WatchEvent, WatchHandle } from "../../core/kube/list-watch-client.ts";
import type { KubeObject } from "../../core/kube/object-key.ts";
import type { FormChoices, Identity, NamespaceAccess, PortalBackend, Refusal, WriteOutcome } from "../portal-backend.ts";

export interface RecordedCall {
  method: string;
  who: Identity;
  args: unknown[];
}

export interface FakeWatch {
  who: Identity;
  namespace: string;
  resourceVersion: string;
  callbacks: WatchCallbacks;
  aborted: boolean;
}

export class FakeBackend implements PortalBackend {
  readonly mode: "cluster" | "local";
  readonly calls: RecordedCall[] = [];
  readonly watches: FakeWatch[] = [];
  /** namespace → name → object. */
  readonly stored = new Map<string, Map<string, KubeObject>>();
  /** Namespaces whose reads throw this error (e.g. a 403 for a person without list rights). */
  readonly failingReads = new Map<string, KubeApiError>();
  /** The answer of the next writes and removes (dry run or not) instead of success. */
  refusal: Refusal | undefined;
  warnings: string[] = [];
  /** What namespaces() answers: by default team-a and team-b with every verb (event streams follow only these). */
  namespaceList: NamespaceAccess[] = ["team-a", "team-b"].map((name) => ({ name, may: { list: true, create: true, update: true, delete: true } }));
  /** When set, namespaces() throws it (e.g. the page's own impersonation refused). */
  namespacesError: KubeApiError | undefined;
  #version = 1;
  #watchWaiters: Array<() => void> = [];

  constructor(mode: "cluster" | "local" = "cluster") {
    this.mode = mode;
  }

  /** Stores `object` (its metadata.namespace and name) with a fresh resourceVersion; returns the stored copy. */
  put(object: KubeObject): KubeObject {
    const namespace = object.metadata?.namespace ?? "default";
    const name = object.metadata?.name ?? "";
    const stored = { ...object, metadata: { ...object.metadata, namespace, name, resourceVersion: String(++this.#version) } };
    const inNamespace = this.stored.get(namespace) ?? new Map<string, KubeObject>();
    this.stored.set(namespace, inNamespace);
    inNamespace.set(name, stored);
    return stored;
  }

  /** Calls of one method, in order. */
  callsOf(method: string): RecordedCall[] {
    return this.calls.filter((c) => c.method === method);
  }

  /** Watches not aborted by the server, in the order they were opened. */
  openWatches(namespace?: string): FakeWatch[] {
    return this.watches.filter((w) => !w.aborted && (namespace === undefined || w.namespace === namespace));
  }

  /** Resolves once `count` watches are open (on `namespace`, when given). */
  async waitForWatches(count: number, namespace?: string): Promise<FakeWatch[]> {
    while (this.openWatches(namespace).length < count) await new Promise<void>((resolve) => this.#watchWaiters.push(resolve));
    return this.openWatches(namespace);
  }

  /** Sends one event on every open watch of `namespace`. */
  emit(namespace: string, event: WatchEvent): void {
    for (const watch of this.openWatches(namespace)) watch.callbacks.onEvent(event);
  }

  /** Ends every open watch of `namespace` as the API server would (undefined: a normal close). */
  endWatches(namespace: string, error?: KubeApiError): void {
    for (const watch of this.openWatches(namespace)) {
      watch.aborted = true;
      watch.callbacks.onEnd(error);
    }
  }

  async namespaces(who: Identity): Promise<NamespaceAccess[]> {
    this.#record("namespaces", who);
    if (this.namespacesError !== undefined) throw this.namespacesError;
    return this.namespaceList;
  }

  async choices(who: Identity, namespace: string): Promise<FormChoices> {
    this.#record("choices", who, namespace);
    this.#failIfSet(namespace);
    return {
      hostnames: [`*.${namespace}.example.com`],
      services: [{ name: "web", ports: [{ port: 8080, name: "http", protocol: "TCP" }] }],
      providers: ["corp-sso"],
    };
  }

  async routes(who: Identity, namespace: string): Promise<ListPage> {
    this.#record("routes", who, namespace);
    this.#failIfSet(namespace);
    const items = [...(this.stored.get(namespace)?.values() ?? [])].sort((a, b) => (a.metadata?.name ?? "").localeCompare(b.metadata?.name ?? ""));
    return { items, resourceVersion: String(this.#version) };
  }

  watchRoutes(who: Identity, namespace: string, resourceVersion: string, callbacks: WatchCallbacks): WatchHandle {
    this.#record("watchRoutes", who, namespace, resourceVersion);
    const watch: FakeWatch = { who, namespace, resourceVersion, callbacks, aborted: false };
    this.watches.push(watch);
    const waiters = this.#watchWaiters;
    this.#watchWaiters = [];
    for (const wake of waiters) wake();
    return {
      abort: () => {
        watch.aborted = true;
      },
    };
  }

  async route(who: Identity, namespace: string, name: string): Promise<KubeObject | undefined> {
    this.#record("route", who, namespace, name);
    this.#failIfSet(namespace);
    return this.stored.get(namespace)?.get(name);
  }

  async write(who: Identity, operation: "create" | "update", route: KubeObject, options: { dryRun: boolean }): Promise<WriteOutcome> {
    this.#record("write", who, operation, route, options);
    if (this.refusal !== undefined) return { ok: false, refusal: this.refusal, warnings: this.warnings };
    const object = options.dryRun ? route : this.put(route);
    return { ok: true, object, warnings: this.warnings };
  }

  async remove(
    who: Identity,
    namespace: string,
    name: string,
    preconditions: { uid?: string; resourceVersion?: string },
    options: { dryRun: boolean },
  ): Promise<WriteOutcome> {
    this.#record("remove", who, namespace, name, preconditions, options);
    if (this.refusal !== undefined) return { ok: false, refusal: this.refusal, warnings: this.warnings };
    const object = this.stored.get(namespace)?.get(name);
    if (object === undefined) {
      const refusal: Refusal = { stage: "other", status: 404, reason: "NotFound", fields: {}, general: [`domainroutes "${name}" not found`] };
      return { ok: false, refusal, warnings: [] };
    }
    if (!options.dryRun) this.stored.get(namespace)?.delete(name);
    return { ok: true, object, warnings: this.warnings };
  }

  #record(method: string, who: Identity, ...args: unknown[]): void {
    this.calls.push({ method, who, args });
  }

  #failIfSet(namespace: string): void {
    const error = this.failingReads.get(namespace);
    if (error !== undefined) throw error;
  }
}

/** The 403 the API server answers a person without rights in a namespace. */
export function forbidden(user: string, namespace: string, verb = "list"): KubeApiError {
  const message = `domainroutes.hostgate.dev is forbidden: User "${user}" cannot ${verb} resource "domainroutes" in API group "hostgate.dev" in the namespace "${namespace}"`;
  return new KubeApiError(`403 Forbidden: ${message}`, 403, "Forbidden", { statusMessage: message });
}

/** A DomainRoute as the page would store it. */
export function sampleRoute(namespace: string, name: string, extra: Partial<KubeObject> = {}): KubeObject {
  return {
    apiVersion: "hostgate.dev/v1alpha1",
    kind: "DomainRoute",
    metadata: { name, namespace },
    spec: { domain: `${name}.${namespace}.example.com`, lb: "alb-out", backend: { service: { name: "web", port: 8080 } } },
    ...extra,
  };
}
