// The deletion-window, Terminating-index and request-namespace scenarios of
// issue 10, as objects: decide(), the webhook and `hostgate check` tests all
// run these same ones, so the three faces are held to one answer.
//
// The cluster: team-a owns shop.example.com and *.shop.example.com (its
// route shop-web holds appId shop-web); team-b owns api.example.com for
// every kind. The attacker is team-b: it put a finalizer of its own on its
// objects, deleted them, and edits them while they stay Terminating.
import { join } from "node:path";
import { loadCrdCatalog } from "../../crds/catalog.ts";
import { configToCel, loadPlatformConfig } from "../../core/config/index.ts";
import { ClusterStateIndex } from "../../core/state/index.ts";
import { loadPolicySet } from "../engine/module-loader.ts";
import type { AdmissionInput, Operation } from "../engine/types.ts";
import { splitApiVersion } from "../engine/types.ts";
import type { VerdictEnvironment } from "../verdict.ts";

export type Json = Record<string, unknown>;

export const DELETED_AT = "2030-01-01T00:00:00Z";
/** The finalizer a tenant adds to keep its object Terminating, and hostgate's own. */
export const TENANT_FINALIZER = "team-b.example.com/hold";
export const HOSTGATE_FINALIZER = "hostgate.dev/cleanup";

export function grant(name: string, namespaces: string[], hostnames: string[]): Json {
  return { apiVersion: "hostgate.dev/v1alpha1", kind: "HostnameGrant", metadata: { name }, spec: { namespaces, hostnames } };
}

export function domainRoute(namespace: string, name: string, spec: Json): Json {
  return {
    apiVersion: "hostgate.dev/v1alpha1",
    kind: "DomainRoute",
    metadata: { name, namespace, uid: `uid-${namespace}-${name}` },
    spec: { lb: "alb-in", backend: { service: { name, port: 8080 } }, ...spec },
  };
}

export function httpRoute(namespace: string, name: string, hostnames: string[]): Json {
  return {
    apiVersion: "gateway.networking.k8s.io/v1",
    kind: "HTTPRoute",
    metadata: { name, namespace, uid: `uid-${namespace}-${name}` },
    spec: { parentRefs: [{ name: "ingress", namespace: "istio-system" }], hostnames, rules: [{ backendRefs: [{ name, port: 8080 }] }] },
  };
}

export function virtualService(namespace: string, name: string, hosts: string[]): Json {
  return {
    apiVersion: "networking.istio.io/v1",
    kind: "VirtualService",
    metadata: { name, namespace, uid: `uid-${namespace}-${name}` },
    spec: { gateways: ["istio-system/ingress"], hosts, http: [{ route: [{ destination: { host: name, port: { number: 8080 } } }] }] },
  };
}

/** The cluster every scenario runs against. */
export const STATE: readonly Json[] = [
  grant("team-a-shop", ["team-a"], ["shop.example.com", "*.shop.example.com"]),
  grant("team-b-api", ["team-b"], ["api.example.com"]),
  domainRoute("team-a", "shop-web", { domain: "shop.example.com", lb: "alb-out", protection: { provider: "sso", appId: "shop-web" } }),
];

const ROOT = join(import.meta.dirname, "..", "..");
let library: ReturnType<typeof loadPolicySet> | undefined;

/** The built-in library, the example config, the CRD catalog, and `state` indexed: what decide() and the webhook judge with. */
export function scenarioEnvironment(state: readonly Json[] = STATE): VerdictEnvironment {
  library ??= loadPolicySet([join(ROOT, "policies", "library")]);
  const crds = loadCrdCatalog();
  return {
    policies: library,
    config: configToCel(loadPlatformConfig(join(ROOT, "examples", "platform-config.yaml"))),
    cluster: ClusterStateIndex.fromObjects(state).celValue(),
    crdFor: (apiVersion, kind) => crds.lookup(apiVersion, kind),
  };
}

/**
 * The object as the API server stores it once deleted: server metadata
 * filled in, a deletionTimestamp, and finalizers (hostgate's and the tenant's).
 */
export function terminating(object: Json, finalizers: string[] = [HOSTGATE_FINALIZER, TENANT_FINALIZER]): Json {
  const metadata = object.metadata as Json;
  return {
    ...object,
    metadata: {
      ...metadata,
      resourceVersion: "1001",
      generation: 3,
      creationTimestamp: "2029-12-01T00:00:00Z",
      deletionTimestamp: DELETED_AT,
      deletionGracePeriodSeconds: 0,
      finalizers,
      managedFields: [{ manager: "kubectl", operation: "Apply", time: "2029-12-01T00:00:00Z", fieldsV1: { "f:spec": {} } }],
    },
  };
}

/** `object` with its metadata replaced key by key (a key set to undefined is removed). */
export function withMetadata(object: Json, changes: Json): Json {
  const metadata: Json = { ...(object.metadata as Json), ...changes };
  for (const key of Object.keys(metadata)) if (metadata[key] === undefined) delete metadata[key];
  return { ...object, metadata };
}

/** `object` with its spec merged over (shallow). */
export function withSpec(object: Json, changes: Json): Json {
  return { ...object, spec: { ...(object.spec as Json), ...changes } };
}

export interface UpdateScenario {
  name: string;
  /** The stored object (oldObject). */
  stored: Json;
  /** The incoming object. */
  updated: Json;
  /** The policies the verdict must deny under; [] when it must be allowed. */
  deniedBy: string[];
}

const teamBHttpRoute = terminating(httpRoute("team-b", "api", ["api.example.com"]));
const teamBVirtualService = terminating(virtualService("team-b", "api", ["api.example.com"]));
const teamBRoute = terminating(domainRoute("team-b", "api", { domain: "api.example.com" }));

/** Edits of a Terminating object that change what it serves: each is judged, and denied. */
export const TERMINATING_ATTACKS: readonly UpdateScenario[] = [
  {
    name: "an HTTPRoute whose hostnames are changed to another team's while it is Terminating is denied",
    stored: teamBHttpRoute,
    updated: withSpec(teamBHttpRoute, { hostnames: ["shop.example.com"] }),
    deniedBy: ["hostname-granted"],
  },
  {
    name: 'a gateway-bound VirtualService whose hosts are changed to ["*"] while it is Terminating is denied',
    stored: teamBVirtualService,
    updated: withSpec(teamBVirtualService, { hosts: ["*"] }),
    deniedBy: ["hostname-granted"],
  },
  {
    name: "a DomainRoute given another route's appId while it is Terminating is denied",
    stored: teamBRoute,
    updated: withSpec(teamBRoute, { protection: { provider: "sso", appId: "shop-web" } }),
    deniedBy: ["appid-unique"],
  },
  {
    name: "a DomainRoute pointed at the metadata address (SSRF) while it is Terminating is denied",
    stored: teamBRoute,
    updated: withSpec(teamBRoute, { backend: { external: { ip: "169.254.169.254", port: 80 } } }),
    deniedBy: ["safe-external-backend"],
  },
  {
    name: "a DomainRoute given an unknown protection provider while it is Terminating is denied",
    stored: teamBRoute,
    updated: withSpec(teamBRoute, { protection: { provider: "evil-idp", appId: "team-b-api" } }),
    deniedBy: ["registered-provider"],
  },
];

// Terminating objects the policies would deny today (the grant for their
// hostname was revoked after they were admitted; a VirtualService for every
// host). Their finalizers must still come off.
const revokedRoute = terminating(domainRoute("team-b", "legacy", { domain: "legacy.example.com" }));
const revokedHttpRoute = terminating(httpRoute("team-b", "old", ["shop.example.com"]));
const everyHost = terminating(virtualService("team-b", "all", ["*"]));
const released = (object: Json, changes: Json = {}): Json => withMetadata(object, { finalizers: [HOSTGATE_FINALIZER], ...changes });
const serverWrote = {
  resourceVersion: "1002",
  generation: 4,
  managedFields: [{ manager: "hostgate-reconciler", operation: "Update", time: "2030-01-01T00:00:05Z", fieldsV1: { "f:metadata": {} } }],
};

/** Finalizer removals of objects the policies would deny: allowed without policies. */
export const FINALIZER_RELEASES: readonly UpdateScenario[] = [
  { name: "removing one finalizer of a DomainRoute whose grant was revoked is allowed", stored: revokedRoute, updated: released(revokedRoute), deniedBy: [] },
  { name: "removing the last finalizer (an empty list) is allowed", stored: revokedRoute, updated: released(revokedRoute, { finalizers: [] }), deniedBy: [] },
  {
    name: "removing the finalizers field altogether (a merge patch to null) is allowed",
    stored: revokedRoute,
    updated: released(revokedRoute, { finalizers: undefined }),
    deniedBy: [],
  },
  {
    name: "removing a finalizer while resourceVersion, generation and managedFields differ (the server sets those) is allowed",
    stored: revokedRoute,
    updated: released(revokedRoute, serverWrote),
    deniedBy: [],
  },
  {
    name: "removing a finalizer with a request that leaves out deletionTimestamp, uid and creationTimestamp (the server restores them) is allowed",
    stored: revokedRoute,
    updated: released(revokedRoute, {
      deletionTimestamp: undefined,
      deletionGracePeriodSeconds: undefined,
      uid: undefined,
      creationTimestamp: undefined,
      resourceVersion: undefined,
    }),
    deniedBy: [],
  },
  {
    name: "removing a finalizer of an HTTPRoute on another team's hostname is allowed",
    stored: revokedHttpRoute,
    updated: released(revokedHttpRoute, serverWrote),
    deniedBy: [],
  },
  { name: 'removing a finalizer of a VirtualService for hosts ["*"] is allowed', stored: everyHost, updated: released(everyHost, serverWrote), deniedBy: [] },
];

/** Updates of Terminating objects that carry more than a finalizer removal: judged, so denied here. */
export const NOT_ONLY_RELEASES: readonly UpdateScenario[] = [
  {
    name: "removing a finalizer and adding a label is judged like any other UPDATE",
    stored: revokedRoute,
    updated: released(revokedRoute, { labels: { team: "b" } }),
    deniedBy: ["hostname-granted"],
  },
  {
    name: "removing a finalizer and changing an annotation is judged like any other UPDATE",
    stored: revokedRoute,
    updated: released(revokedRoute, { annotations: { note: "bye" } }),
    deniedBy: ["hostname-granted"],
  },
  {
    name: "adding a finalizer (which the API server forbids while deleting) is judged like any other UPDATE",
    stored: revokedRoute,
    updated: withMetadata(revokedRoute, { finalizers: [HOSTGATE_FINALIZER, TENANT_FINALIZER, "team-b.example.com/another"] }),
    deniedBy: ["hostname-granted"],
  },
  {
    name: "an update that changes nothing but the spec, finalizers untouched, is judged like any other UPDATE",
    stored: revokedHttpRoute,
    updated: withSpec(revokedHttpRoute, { rules: [{ backendRefs: [{ name: "other", port: 8080 }] }] }),
    deniedBy: ["hostname-granted"],
  },
];

/**
 * The admission request for an object, as the API server sends it.
 * `namespace` is request.namespace: by default the object's, null for none (a cluster-scoped kind).
 */
export function admissionInput(operation: Operation, object: Json | null, oldObject: Json | null = null, namespace?: string | null): AdmissionInput {
  const subject = (object ?? oldObject)!;
  const [group, version] = splitApiVersion(String(subject.apiVersion));
  const metadata = subject.metadata as { name?: string; namespace?: string };
  const ns = namespace === null ? undefined : (namespace ?? metadata.namespace);
  return {
    operation,
    kind: { group, version, kind: String(subject.kind) },
    ...(ns !== undefined ? { namespace: ns } : {}),
    ...(metadata.name !== undefined ? { name: metadata.name } : {}),
    object,
    oldObject,
    userInfo: { username: "alice@example.com", groups: ["system:authenticated"] },
  };
}
