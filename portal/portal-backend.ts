// The port between the self-service page's HTTP layer (portal-app.ts) and
// where DomainRoutes live. Two implementations:
// - cluster (backends/cluster-backend.ts): every read and write made as the
//   person (core/kube/impersonation.ts), so the cluster's RBAC decides; dry
//   runs are the API server's own (`dryRun=All`), so the CRD schema, its CEL
//   rules and the webhook's policies are the source of every verdict. Tests
//   and screenshots run it over the in-memory API server (portal/testing/).
// - local (backends/local-backend.ts): `hostgate serve --state DIR`; a dry
//   run is the local verdict function decide() over the state folder, and
//   nothing is ever written.
import type { ListPage, WatchCallbacks, WatchHandle } from "../core/kube/list-watch-client.ts";
import type { KubeObject } from "../core/kube/object-key.ts";
import type { Identity } from "../core/kube/impersonation.ts";

export type { Identity };

/** Where in the pipeline a write was refused; the page words each differently. */
export type RefusalStage =
  /** RBAC: the person may not do this (403 without an admission webhook's marker). */
  | "permission"
  /** The CRD's schema or CEL rules (422 Invalid with causes; local mode: decide()'s schema phase). */
  | "schema"
  /** An admission policy (the webhook's denial; local mode: decide()'s validate phase). */
  | "policy"
  /** 409: the name is taken (AlreadyExists), or the object changed since it was read (Conflict). */
  | "conflict"
  /** The API server or the webhook could not be asked (network, 5xx, the portal's own impersonation rights). */
  | "unavailable"
  /** Anything else (400 strict decoding, local mode's "nothing is written"). */
  | "other";

/** A refused write, as the page shows it: messages next to the fields that cause them, the rest above the form. */
export interface Refusal {
  stage: RefusalStage;
  /** The API server's HTTP status (0: no answer; local mode: 422 schema, 403 policy). */
  status: number;
  reason: string;
  /** Field path in the object (`spec.domain`, `spec.backend.external.port`, `metadata.name`) → messages, each as the API or policy wrote it. */
  fields: Record<string, string[]>;
  /** Messages that name no field of the object. */
  general: string[];
}

export type WriteOutcome = { ok: true; object: KubeObject; warnings: string[] } | { ok: false; refusal: Refusal; warnings: string[] };

/** What the person may do in a namespace (the cluster's RBAC, asked as them). */
export interface NamespaceAccess {
  name: string;
  may: { list: boolean; create: boolean; update: boolean; delete: boolean };
}

export interface ServiceChoice {
  name: string;
  ports: Array<{ port: number; name?: string; protocol?: string }>;
}

/** What the form offers for one namespace. */
export interface FormChoices {
  /** Hostnames and patterns (`*.shop.example.com`) HostnameGrants give this namespace, sorted. */
  hostnames: string[];
  /** The namespace's Services, or why they cannot be listed (the person may not: they type the name). */
  services: ServiceChoice[] | { forbidden: string };
  /** Login providers the platform config registers (protection.provider), sorted. */
  providers: string[];
}

export interface PortalBackend {
  readonly mode: "cluster" | "local";
  /** Namespaces the page offers this person: those HostnameGrants name, with what RBAC lets them do there; sorted by name. */
  namespaces(who: Identity): Promise<NamespaceAccess[]>;
  choices(who: Identity, namespace: string): Promise<FormChoices>;
  /** The DomainRoutes of a namespace as stored (status included), and the list's resourceVersion to watch from. @throws KubeApiError */
  routes(who: Identity, namespace: string): Promise<ListPage>;
  /** Changes after `resourceVersion` (the ListWatchClient contract: failures arrive through onEnd). */
  watchRoutes(who: Identity, namespace: string, resourceVersion: string, callbacks: WatchCallbacks): WatchHandle;
  /** @throws KubeApiError */
  route(who: Identity, namespace: string, name: string): Promise<KubeObject | undefined>;
  /**
   * Create or replace `route` (an UPDATE carries the metadata.resourceVersion it was read at: a precondition).
   * Never throws for a refusal: the refusal is the answer.
   */
  write(who: Identity, operation: "create" | "update", route: KubeObject, options: { dryRun: boolean }): Promise<WriteOutcome>;
  /** Delete, only the incarnation read (uid) at the version read (resourceVersion). */
  remove(
    who: Identity,
    namespace: string,
    name: string,
    preconditions: { uid?: string; resourceVersion?: string },
    options: { dryRun: boolean },
  ): Promise<WriteOutcome>;
}
