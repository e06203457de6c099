// The portal's test world: an in-memory API server with RBAC, hostgate's
// admission chain (the built-in policy library, examples/platform-config.yaml,
// the CRDs) and a status driver, seeded with examples/state and a few
// Services (not its DomainClaims: nothing here reads them). HTTP and browser tests, and the README's screenshots, run the
// cluster backend over it exactly as over a real cluster.
//
// Who may do what (teamRules): group team-a in team-a, team-b in team-b,
// marketing in marketing, platform in platform: every verb on DomainRoutes,
// reading Services. Tests add rules (or start from none) through `rbac`.
// Requests on `api` itself (not through api.as) are the portal's own
// ServiceAccount reading HostnameGrants, and the tests' setup: never
// authorized, still admitted.
import type { PlatformConfig } from "../../core/config/index.ts";
import { loadPlatformConfig } from "../../core/config/index.ts";
import { DEFAULT_CONFIG, DEFAULT_STATE, BUILTIN_POLICIES } from "../../core/cli/paths.ts";
import type { KubeObject } from "../../core/kube/object-key.ts";
import type { ResourceRef } from "../../core/kube/resource.ts";
import { FakeKubeApi } from "../../core/kube/testing/fake-kube-api.ts";
import { cannotImpersonateError } from "../../core/kube/testing/fake-admission.ts";
import type { Identity } from "../../core/kube/impersonation.ts";
import { readManifests } from "../../core/objects/index.ts";
import { DOMAIN_ROUTES, HOSTNAME_GRANTS } from "../../core/state/sources/indexed-resources.ts";
import { loadCrdCatalog } from "../../crds/catalog.ts";
import type { CrdCatalog } from "../../crds/catalog.ts";
import { loadPolicySet } from "../../policies/engine/module-loader.ts";
import type { PolicySet } from "../../policies/engine/module-loader.ts";
import { FakeRbac, teamRules } from "./fake-rbac.ts";
import type { RbacRule } from "./fake-rbac.ts";
import { hostgateAdmission } from "./hostgate-admission.ts";
import { StatusDriver } from "./status-driver.ts";

export const SERVICES: ResourceRef = { group: "", version: "v1", resource: "services", kind: "Service", namespaced: true };

/** Who the portal runs as in deploy/ (its ServiceAccount), as the impersonation filter names it. */
export const PORTAL_SERVICE_ACCOUNT = "system:serviceaccount:hostgate-system:hostgate-portal";

/** The default RBAC table: each team's group edits DomainRoutes and reads Services in its namespace. */
export const DEFAULT_RULES: readonly RbacRule[] = ["team-a", "team-b", "marketing", "platform"].flatMap((ns) => teamRules(ns, [ns]));

/** Not in examples/state: a grant for team-b's DomainRoutes (its example grant is for HTTPRoutes only), so team-b is a namespace the page offers. */
export const TEAM_B_GRANT: KubeObject = {
  apiVersion: "hostgate.dev/v1alpha1",
  kind: "HostnameGrant",
  metadata: { name: "team-b-shop" },
  spec: { namespaces: ["team-b"], hostnames: ["*.team-b.example.com"], kinds: ["DomainRoute"] },
};

/** The Services the examples' routes point at, plus one in team-b. */
export const SEED_SERVICES: readonly KubeObject[] = [
  service("team-a", "shop-web", [{ name: "http", port: 8080 }]),
  service("team-a", "shop-admin", [
    { name: "http", port: 8080 },
    { name: "metrics", port: 9090 },
  ]),
  service("team-b", "api", [{ name: "https", port: 8443 }]),
  service("marketing", "website", [{ name: "http", port: 80 }]),
  service("platform", "grafana", [{ name: "http", port: 3000 }]),
];

export interface MemoryCluster {
  /** The API server: `api.as(who)` is a person's client (ImpersonatingClient), `api` itself the portal's own identity. */
  api: FakeKubeApi;
  rbac: FakeRbac;
  config: PlatformConfig;
  policies: PolicySet;
  crds: CrdCatalog;
  /** Writes route conditions as the reconciler would. */
  status: StatusDriver;
}

export interface MemoryClusterOptions {
  /** RBAC rules; default DEFAULT_RULES. */
  rules?: readonly RbacRule[];
  /** Store examples/state, TEAM_B_GRANT and SEED_SERVICES (default true), the routes marked live. */
  seed?: boolean;
  /** False: the portal's ServiceAccount lacks impersonation rights (an install missing its ClusterRoleBinding), so every request as a person is refused. */
  portalMayImpersonate?: boolean;
  now?: () => number;
}

// Compiling the library takes a while; every memory cluster of a process shares the result (nothing mutates it).
let shared: { policies: PolicySet; crds: CrdCatalog; config: PlatformConfig } | undefined;

export async function memoryCluster(options: MemoryClusterOptions = {}): Promise<MemoryCluster> {
  shared ??= { policies: loadPolicySet([BUILTIN_POLICIES]), crds: loadCrdCatalog(), config: loadPlatformConfig(DEFAULT_CONFIG) };
  const { policies, crds, config } = shared;
  const rbac = new FakeRbac(options.rules ?? DEFAULT_RULES);
  const api: FakeKubeApi = new FakeKubeApi({
    ...(options.now === undefined ? {} : { now: options.now }),
    authorize: rbac.authorize,
    ...(options.portalMayImpersonate === false ? { impersonate: (who: Identity) => cannotImpersonateError(PORTAL_SERVICE_ACCOUNT, who) } : {}),
    admit: hostgateAdmission({ config, policies, crds, stateObjects: () => [...api.objects(HOSTNAME_GRANTS), ...api.objects(DOMAIN_ROUTES)] }),
  });
  const status = new StatusDriver(api, options.now);
  if (options.seed !== false) await seed(api, status);
  return { api, rbac, config, policies, crds, status };
}

/** The example state (grants first: the routes are judged against them), the Services, every route live. */
async function seed(api: FakeKubeApi, status: StatusDriver): Promise<void> {
  const objects = (await readManifests([DEFAULT_STATE])).map((m) => m.object as KubeObject);
  const grants = [...objects.filter((o) => o.kind === "HostnameGrant"), TEAM_B_GRANT];
  const routes = objects.filter((o) => o.kind === "DomainRoute");
  for (const grant of grants) await api.create(HOSTNAME_GRANTS, withoutUid(grant));
  for (const route of routes) {
    const stored = await api.create(DOMAIN_ROUTES, withoutUid(route));
    await status.live(stored.metadata!.namespace!, stored.metadata!.name!);
  }
  for (const svc of SEED_SERVICES) await api.create(SERVICES, svc);
}

/** The files name uids of a cluster they were read from; the server gives its own. */
function withoutUid(object: KubeObject): KubeObject {
  const { uid: _uid, ...metadata } = object.metadata ?? {};
  return { ...object, metadata };
}

function service(namespace: string, name: string, ports: { name: string; port: number }[]): KubeObject {
  return {
    apiVersion: "v1",
    kind: "Service",
    metadata: { name, namespace },
    spec: { selector: { app: name }, ports: ports.map((p) => ({ ...p, protocol: "TCP", targetPort: p.port })) },
  };
}
