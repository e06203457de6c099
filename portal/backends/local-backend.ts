// Local mode (`hostgate serve --state DIR --portal-listen …`): the page over
// the state folder. A dry run is decide() with every phase (the CRD schema,
// mutation, the policies: what `hostgate check` runs), against the folder's
// HostnameGrants and DomainRoutes; nothing is ever written, so a real write
// is refused with the way to apply the route instead. There is no RBAC here:
// every namespace a grant names is offered with every right (a write still
// writes nothing). Unlike a live dry run, which stops at the first failing
// stage, local mode reports every stage at once.
import { KubeApiError } from "../../core/kube/api-error.ts";
import type { Identity } from "../../core/kube/impersonation.ts";
import type { ListPage, WatchCallbacks, WatchHandle } from "../../core/kube/list-watch-client.ts";
import type { KubeObject } from "../../core/kube/object-key.ts";
import { formatKey } from "../../core/kube/object-key.ts";
import type { PlatformConfig } from "../../core/config/index.ts";
import { jsonEqual } from "../../core/json.ts";
import { compareStrings } from "../../core/compare-strings.ts";
import { verdictEnvironment } from "../../core/environment.ts";
import type { ExistingObjectsHolder } from "../../core/state/existing-objects.ts";
import { ClusterStateIndex } from "../../core/state/index.ts";
import type { CrdCatalog } from "../../crds/catalog.ts";
import { API_VERSION, GROUP, KIND_DOMAIN_ROUTE, VERSION } from "../../crds/types.ts";
import type { PolicySet } from "../../policies/engine/module-loader.ts";
import type { AdmissionInput } from "../../policies/engine/types.ts";
import { ALL_PHASES, decide } from "../../policies/verdict.ts";
import type { FormChoices, NamespaceAccess, PortalBackend, Refusal, WriteOutcome } from "../portal-backend.ts";
import { refusalFromError, refusalFromVerdict } from "../refusal.ts";
import { grantedHostnames, grantedNamespaces, routeGrants } from "./grants.ts";
import { checkRoute } from "./route-shape.ts";
import { warningTexts } from "../../policies/denial-message.ts";

/** Why a real write is refused, and what to do instead. */
export const LOCAL_WRITES_NOTHING =
  "local mode writes nothing: the page checks routes against the state folder only. " +
  "Apply the route's YAML with `kubectl apply -f route.yaml`, or serve the page against a cluster to save from here.";

/** Local mode lists no Services: the person types the name. */
export const LOCAL_NO_SERVICES = "local mode reads no Services; type the Service's name";

export interface LocalBackendOptions {
  /** The state folder's objects and their reloads (FileStateSource.existingObjects()). */
  state: ExistingObjectsHolder;
  config: PlatformConfig;
  policies: PolicySet;
  crds: CrdCatalog;
}

export class LocalBackend implements PortalBackend {
  readonly mode = "local" as const;
  readonly #options: LocalBackendOptions;
  /** Counts the state's changes: the resourceVersion of lists and watch events. */
  #version = 1;

  constructor(options: LocalBackendOptions) {
    this.#options = options;
    options.state.onChange(() => this.#version++);
  }

  async namespaces(_who: Identity): Promise<NamespaceAccess[]> {
    await Promise.resolve();
    return grantedNamespaces(routeGrants(this.#objects())).map((name) => ({ name, may: { list: true, create: true, update: true, delete: true } }));
  }

  async choices(_who: Identity, namespace: string): Promise<FormChoices> {
    await Promise.resolve();
    return {
      hostnames: grantedHostnames(routeGrants(this.#objects()), namespace),
      services: { forbidden: LOCAL_NO_SERVICES },
      providers: [...this.#options.config.protection.providers].sort(),
    };
  }

  async routes(_who: Identity, namespace: string): Promise<ListPage> {
    await Promise.resolve();
    return { items: this.#routesIn(namespace), resourceVersion: String(this.#version) };
  }

  /** Each reload's changes to the namespace's routes; a version other than the current one is 410 Gone (list again). */
  watchRoutes(_who: Identity, namespace: string, resourceVersion: string, callbacks: WatchCallbacks): WatchHandle {
    let open = true;
    let known = new Map(this.#routesIn(namespace).map((r) => [formatKey({ namespace, name: r.metadata!.name! }), r]));
    let unsubscribe = (): void => {};
    if (resourceVersion !== String(this.#version)) {
      queueMicrotask(() => open && callbacks.onEnd(new KubeApiError("410 Expired: too old resource version", 410, "Expired")));
    } else {
      unsubscribe = this.#options.state.onChange(() => {
        if (!open) return;
        const now = new Map(this.#routesIn(namespace).map((r) => [formatKey({ namespace, name: r.metadata!.name! }), r]));
        for (const [key, route] of now) {
          const before = known.get(key);
          if (before === undefined) callbacks.onEvent({ type: "ADDED", object: route });
          else if (!sameContent(before, route)) callbacks.onEvent({ type: "MODIFIED", object: route });
        }
        for (const [key, route] of known) if (!now.has(key)) callbacks.onEvent({ type: "DELETED", object: route });
        known = now;
      });
    }
    return {
      abort: () => {
        open = false;
        unsubscribe();
      },
    };
  }

  async route(_who: Identity, namespace: string, name: string): Promise<KubeObject | undefined> {
    await Promise.resolve();
    return this.#routesIn(namespace).find((r) => r.metadata?.name === name);
  }

  async write(who: Identity, operation: "create" | "update", route: KubeObject, options: { dryRun: boolean }): Promise<WriteOutcome> {
    await Promise.resolve();
    const problem = checkRoute(operation, route);
    if (problem !== undefined) return { ok: false, refusal: problem, warnings: [] };
    if (!options.dryRun) return { ok: false, refusal: writesNothing(), warnings: [] };
    const namespace = route.metadata!.namespace!;
    const name = typeof route.metadata?.name === "string" ? route.metadata.name : "";
    const stored = this.#routesIn(namespace).find((r) => r.metadata?.name === name);
    if (operation === "create" && stored !== undefined && name !== "")
      return { ok: false, refusal: apiRefusal(409, "AlreadyExists", `domainroutes.hostgate.dev "${name}" already exists`), warnings: [] };
    if (operation === "update" && stored === undefined)
      return { ok: false, refusal: apiRefusal(404, "NotFound", `domainroutes.hostgate.dev "${name}" not found`), warnings: [] };
    const input: AdmissionInput = {
      operation: operation === "create" ? "CREATE" : "UPDATE",
      kind: { group: GROUP, version: VERSION, kind: KIND_DOMAIN_ROUTE },
      namespace,
      name,
      object: route,
      oldObject: stored ?? null,
      userInfo: { username: who.user, groups: [...who.groups] },
      dryRun: true,
    };
    const { config, policies, crds } = this.#options;
    const verdict = decide(input, verdictEnvironment(config, policies, ClusterStateIndex.fromObjects(this.#objects()), crds), ALL_PHASES);
    const warnings = warningTexts(verdict.warnings);
    const refusal = refusalFromVerdict(verdict);
    if (refusal !== undefined) return { ok: false, refusal, warnings };
    return { ok: true, object: verdict.object as KubeObject, warnings };
  }

  async remove(
    _who: Identity,
    namespace: string,
    name: string,
    preconditions: { uid?: string; resourceVersion?: string },
    options: { dryRun: boolean },
  ): Promise<WriteOutcome> {
    await Promise.resolve();
    if (!options.dryRun) return { ok: false, refusal: writesNothing(), warnings: [] };
    const stored = this.#routesIn(namespace).find((r) => r.metadata?.name === name);
    if (stored === undefined) return { ok: false, refusal: apiRefusal(404, "NotFound", `domainroutes.hostgate.dev "${name}" not found`), warnings: [] };
    if (preconditions.uid !== undefined && stored.metadata?.uid !== undefined && stored.metadata.uid !== preconditions.uid)
      return {
        ok: false,
        refusal: apiRefusal(409, "Conflict", `Precondition failed: UID in precondition: ${preconditions.uid}, UID in object meta: ${stored.metadata.uid}`),
        warnings: [],
      };
    return { ok: true, object: stored, warnings: [] };
  }

  #objects(): readonly KubeObject[] {
    return this.#options.state.snapshot().objects;
  }

  /** Copies of the namespace's DomainRoutes (the snapshot shares its values), sorted by name, each at the state's version unless its file names one. */
  #routesIn(namespace: string): KubeObject[] {
    return this.#objects()
      .filter(
        (o) => o.apiVersion === API_VERSION && o.kind === KIND_DOMAIN_ROUTE && o.metadata?.namespace === namespace && typeof o.metadata?.name === "string",
      )
      .map((o) => structuredClone({ ...o, metadata: { resourceVersion: String(this.#version), ...o.metadata } }))
      .sort((a, b) => compareStrings(a.metadata.name!, b.metadata.name!));
  }
}

/** Equal but for the resourceVersion (which every reload moves). */
function sameContent(a: KubeObject, b: KubeObject): boolean {
  const strip = (o: KubeObject) => ({ ...o, metadata: { ...o.metadata, resourceVersion: undefined } });
  return jsonEqual(strip(a), strip(b));
}

function writesNothing(): Refusal {
  return { stage: "other", status: 405, reason: "MethodNotAllowed", fields: {}, general: [LOCAL_WRITES_NOTHING] };
}

/** What the API server would have answered (the page words it as for a cluster). */
function apiRefusal(status: number, reason: string, message: string): Refusal {
  return refusalFromError(new KubeApiError(`${status} ${reason}: ${message}`, status, reason, { statusMessage: message }));
}
