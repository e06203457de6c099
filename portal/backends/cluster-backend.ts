// Cluster mode: every read and write is made as the person
// (ImpersonatingClient), so the cluster's RBAC decides what they see and
// may do, and every dry run is the API server's own (`dryRun=All`): the CRD
// schema, its CEL rules and the webhook's policies give every verdict, in
// their own words. The portal's own identity only lists HostnameGrants, to
// know which namespaces to ask about (app teams usually cannot list
// namespaces; a grant names the namespaces that may hold DomainRoutes). That
// list costs the portal's own API-server share (APF classifies it under the
// portal, not the person), so it is made at most once per GRANTS_TTL_MS and
// shared by every request meanwhile; and what it reveals (a namespace's
// granted hostnames) is given only for the namespaces the person is offered.
// Over the in-memory API server (portal/testing/memory-cluster.ts) this same
// backend runs the HTTP and browser tests.
import { KubeApiError } from "../../core/kube/api-error.ts";
import type { AccessQuestion, Identity, ImpersonatingClient } from "../../core/kube/impersonation.ts";
import type { ListPage, ListWatchClient, WatchCallbacks, WatchHandle } from "../../core/kube/list-watch-client.ts";
import type { WriteOptions } from "../../core/kube/object-api.ts";
import type { KubeObject } from "../../core/kube/object-key.ts";
import type { ResourceRef } from "../../core/kube/resource.ts";
import type { PlatformConfig } from "../../core/config/index.ts";
import { compareStrings } from "../../core/compare-strings.ts";
import { DOMAIN_ROUTES, HOSTNAME_GRANTS } from "../../core/state/sources/indexed-resources.ts";
import type { FormChoices, NamespaceAccess, PortalBackend, Refusal, WriteOutcome } from "../portal-backend.ts";
import { refusalFromError } from "../refusal.ts";
import { grantedHostnames, grantedNamespaces, routeGrants } from "./grants.ts";
import type { GrantEntry } from "../../core/state/grant.ts";
import { listAll } from "../../core/kube/list-all.ts";
import { checkRoute } from "./route-shape.ts";
import { serviceChoices } from "./service-choices.ts";

/** The writer the cluster records in managedFields for the page's writes. */
export const PORTAL_FIELD_MANAGER = "hostgate-portal";

const SERVICES: ResourceRef = { group: "", version: "v1", resource: "services", kind: "Service", namespaced: true };
const WRITE_VERBS = ["create", "update", "delete"] as const;
/** How long a person's namespaces are reused: each answer costs the API server a review per namespace and verb. Only what the page offers: every request is still authorized. */
export const NAMESPACES_TTL_MS = 60_000;
/** People whose namespaces are remembered at once; the oldest answer goes first. */
const MAX_REMEMBERED = 200;
/**
 * How long one list of every HostnameGrant (made as the portal) is reused, by every person: however many pages load,
 * the portal lists them at most once in this time. A grant added meanwhile is offered this much later.
 */
export const GRANTS_TTL_MS = 10_000;
/** A failed list of the grants is given as the answer this long, so that failures do not turn every request into a list. */
const GRANTS_FAILURE_TTL_MS = 1_000;

export interface ClusterBackendOptions {
  /** Requests as the person. */
  client: ImpersonatingClient;
  /** The portal's own identity (its ServiceAccount): lists HostnameGrants. */
  own: ListWatchClient;
  config: PlatformConfig;
  /** Seconds each upstream watch lasts before the server ends it; default 300–600 at random, as client-go spreads reconnects. */
  watchTimeoutSeconds?: () => number;
  /** Milliseconds since the epoch, for NAMESPACES_TTL_MS; default Date.now. */
  now?: () => number;
}

export class ClusterBackend implements PortalBackend {
  readonly mode = "cluster" as const;
  readonly #client: ImpersonatingClient;
  readonly #own: ListWatchClient;
  readonly #config: PlatformConfig;
  readonly #watchTimeout: () => number;
  readonly #now: () => number;
  readonly #remembered = new Map<string, { at: number; answer: Promise<NamespaceAccess[]> }>();
  /** The last list of the grants: shared while it runs (one list for any number of callers), then reused until it ages. */
  #grants: { at: number; ttl: number; answer: Promise<GrantEntry[]> } | undefined;

  constructor(options: ClusterBackendOptions) {
    this.#client = options.client;
    this.#own = options.own;
    this.#config = options.config;
    this.#watchTimeout = options.watchTimeoutSeconds ?? (() => 300 + Math.floor(Math.random() * 300));
    this.#now = options.now ?? Date.now;
  }

  /** Namespaces the grants name where the person may list DomainRoutes, with what else RBAC lets them do there (the same answer for a minute). */
  namespaces(who: Identity): Promise<NamespaceAccess[]> {
    const key = JSON.stringify([who.user, [...who.groups].sort()]);
    const now = this.#now();
    const remembered = this.#remembered.get(key);
    if (remembered !== undefined && now - remembered.at < NAMESPACES_TTL_MS) return remembered.answer;
    const answer = this.#askNamespaces(who);
    this.#remembered.delete(key);
    this.#remembered.set(key, { at: now, answer });
    if (this.#remembered.size > MAX_REMEMBERED) this.#remembered.delete(this.#remembered.keys().next().value!);
    // A failure is not remembered: the next page load asks again.
    answer.catch(() => this.#remembered.get(key)?.answer === answer && this.#remembered.delete(key));
    return answer;
  }

  async #askNamespaces(who: Identity): Promise<NamespaceAccess[]> {
    const candidates = grantedNamespaces(await this.#routeGrants());
    // Most people may list few of the namespaces: the write verbs are asked only where they may.
    const listable = (await Promise.all(candidates.map(async (name) => ((await this.#client.can(who, routeQuestion("list", name))) ? [name] : [])))).flat();
    return Promise.all(
      listable.map(async (name) => {
        const [create, update, del] = await Promise.all(WRITE_VERBS.map((verb) => this.#client.can(who, routeQuestion(verb, name))));
        return { name, may: { list: true, create: create!, update: update!, delete: del! } };
      }),
    );
  }

  /**
   * The form's choices, only for a namespace the page offers this person (namespaces(): granted, and they may list
   * DomainRoutes there): the grants are read with the portal's own identity, so asking about any other namespace
   * would show the person what another team was granted.
   * @throws KubeApiError 403 Forbidden for any other namespace
   */
  async choices(who: Identity, namespace: string): Promise<FormChoices> {
    if (!(await this.namespaces(who)).some((offered) => offered.name === namespace)) throw notOffered(who, namespace);
    const grants = await this.#routeGrants();
    return {
      hostnames: grantedHostnames(grants, namespace),
      services: await this.#services(who, namespace),
      providers: [...this.#config.protection.providers].sort(),
    };
  }

  /** Sorted by name, as local mode lists them. */
  async routes(who: Identity, namespace: string): Promise<ListPage> {
    const page = await listAll(this.#client.as(who), routesIn(namespace));
    return { ...page, items: page.items.sort((a, b) => compareStrings(a.metadata?.name ?? "", b.metadata?.name ?? "")) };
  }

  watchRoutes(who: Identity, namespace: string, resourceVersion: string, callbacks: WatchCallbacks): WatchHandle {
    return this.#client.as(who).watch(routesIn(namespace), { resourceVersion, allowWatchBookmarks: true, timeoutSeconds: this.#watchTimeout() }, callbacks);
  }

  route(who: Identity, namespace: string, name: string): Promise<KubeObject | undefined> {
    return this.#client.as(who).get(routesIn(namespace), { namespace, name });
  }

  async write(who: Identity, operation: "create" | "update", route: KubeObject, options: { dryRun: boolean }): Promise<WriteOutcome> {
    const warnings: string[] = [];
    const problem = checkRoute(operation, route);
    if (problem !== undefined) return { ok: false, refusal: problem, warnings };
    const resource = routesIn(route.metadata!.namespace!);
    const writeOptions: WriteOptions = {
      fieldManager: PORTAL_FIELD_MANAGER,
      fieldValidation: "Strict",
      dryRun: options.dryRun,
      onWarning: (w) => warnings.push(w),
    };
    try {
      const api = this.#client.as(who);
      const object = operation === "create" ? await api.create(resource, route, writeOptions) : await api.update(resource, route, writeOptions);
      return { ok: true, object, warnings };
    } catch (error) {
      return { ok: false, refusal: refusalFromError(error), warnings };
    }
  }

  async remove(
    who: Identity,
    namespace: string,
    name: string,
    preconditions: { uid?: string; resourceVersion?: string },
    options: { dryRun: boolean },
  ): Promise<WriteOutcome> {
    const warnings: string[] = [];
    const resource = routesIn(namespace);
    try {
      const deleted = await this.#client
        .as(who)
        .delete(resource, { namespace, name }, preconditions, { dryRun: options.dryRun, onWarning: (w) => warnings.push(w) });
      if (!deleted) return { ok: false, refusal: notFound(name), warnings };
      // The port's delete answers yes or no; the page only needs to know which route went.
      const object: KubeObject = {
        apiVersion: "hostgate.dev/v1alpha1",
        kind: "DomainRoute",
        metadata: { namespace, name, ...(preconditions.uid === undefined ? {} : { uid: preconditions.uid }) },
      };
      return { ok: true, object, warnings };
    } catch (error) {
      return { ok: false, refusal: refusalFromError(error), warnings };
    }
  }

  /** The grants that cover DomainRoutes, listed as the portal at most once per GRANTS_TTL_MS (a running list is shared). */
  #routeGrants(): Promise<GrantEntry[]> {
    const now = this.#now();
    const held = this.#grants;
    if (held !== undefined && now - held.at < held.ttl) return held.answer;
    const answer = listAll(this.#own, HOSTNAME_GRANTS).then((page) => routeGrants(page.items));
    const entry = { at: now, ttl: Number.POSITIVE_INFINITY, answer };
    this.#grants = entry;
    // Aged from when the answer arrived: a slow list is not followed at once by another.
    answer.then(
      () => Object.assign(entry, { at: this.#now(), ttl: GRANTS_TTL_MS }),
      () => Object.assign(entry, { at: this.#now(), ttl: GRANTS_FAILURE_TTL_MS }),
    );
    return answer;
  }

  /** The namespace's Services as the person lists them; their 403 is a note for the form (they type the name instead). */
  async #services(who: Identity, namespace: string): Promise<FormChoices["services"]> {
    try {
      return serviceChoices((await listAll(this.#client.as(who), { ...SERVICES, namespace })).items);
    } catch (error) {
      if (error instanceof KubeApiError && error.status === 403) return { forbidden: error.statusMessage };
      throw error;
    }
  }
}

function routesIn(namespace: string): ResourceRef {
  return { ...DOMAIN_ROUTES, namespace };
}

function routeQuestion(verb: AccessQuestion["verb"], namespace: string): AccessQuestion {
  return { verb, group: DOMAIN_ROUTES.group, resource: DOMAIN_ROUTES.resource, namespace };
}

/** The API server's Forbidden, in its shape (the HTTP layer answers 403 with statusMessage), for a namespace not offered. */
function notOffered(who: Identity, namespace: string): KubeApiError {
  const message = `user ${JSON.stringify(who.user)} is not offered namespace ${JSON.stringify(namespace)}: the page shows choices only where a HostnameGrant allows DomainRoutes and you may list them`;
  return new KubeApiError(`403 Forbidden: ${message}`, 403, "Forbidden", { statusMessage: message });
}

function notFound(name: string): Refusal {
  return refusalFromError(
    new KubeApiError(`404 NotFound: domainroutes.hostgate.dev "${name}" not found`, 404, "NotFound", {
      statusMessage: `domainroutes.hostgate.dev "${name}" not found`,
    }),
  );
}
