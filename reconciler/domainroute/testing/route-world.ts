// One DomainRoute reconciler against the in-memory API server, read straight
// from the store (no informer lag), for the reconcile-route tests.
import { ManualClock } from "../../../core/clock.ts";
import { silentLogger } from "../../../core/logger.ts";
import { loadPlatformConfig } from "../../../core/config/index.ts";
import type { PlatformConfig } from "../../../core/config/platform-config.ts";
import { DEFAULT_CONFIG } from "../../../core/cli/paths.ts";
import { FakeKubeApi } from "../../../core/kube/testing/fake-kube-api.ts";
import type { KubeObject } from "../../../core/kube/object-key.ts";
import type { DomainRoute } from "../../../crds/types.ts";
import type { ObjectReader } from "../../cluster/object-reader.ts";
import type { EventRecorder } from "../../cluster/event-recorder.ts";
import { DOMAIN_ROUTES } from "../../resources.ts";
import { AppIdOutcomes } from "../../app-id-table/app-id-outcomes.ts";
import { CertificateOutcomes } from "../../certificates/certificate-outcomes.ts";
import { DnsOutcomes } from "../../dns/dns-outcomes.ts";
import { EdgeOutcomes } from "../../edge/edge-outcomes.ts";
import { PRODUCED_RESOURCES } from "../render/produced-resources.ts";
import { objectNameFor } from "../render/names.ts";
import { gatherRoute } from "../gather-route.ts";
import type { RouteInput } from "../gather-route.ts";
import { reconcileRoute } from "../reconcile-route.ts";
import type { RouteReconcilerDeps, RouteReconcileResult } from "../reconcile-route.ts";

export const defaultConfig = loadPlatformConfig(DEFAULT_CONFIG);

export function route(name: string, domain: string, spec: Partial<DomainRoute["spec"]> = {}, namespace = "team-a"): KubeObject {
  const defaults = { domain, lb: "alb-in", routing: { mode: "Managed" }, backend: { service: { name: "web", port: 8080 } } };
  return { apiVersion: "hostgate.dev/v1alpha1", kind: "DomainRoute", metadata: { name, namespace }, spec: { ...defaults, ...spec } };
}

export interface World {
  api: FakeKubeApi;
  /** What the appId table controller would publish; empty (not yet published) at first. */
  appIds: AppIdOutcomes;
  /** What the DNS and certificate controllers would publish; nothing at first. */
  dns: DnsOutcomes;
  certificates: CertificateOutcomes;
  /** What the pool controller would publish; nothing at first. */
  edge: EdgeOutcomes;
  deps: RouteReconcilerDeps;
  /** `Type Reason message` of every Event recorded. */
  events: string[];
  reconcile(name: string, namespace?: string): Promise<RouteReconcileResult>;
  /** What a reconcile of the route would gather now. */
  gather(name: string, namespace?: string): Promise<RouteInput>;
  get(name: string, namespace?: string): DomainRoute | undefined;
  /** `Kind namespace/name` of every produced-kind object in the store, sorted. */
  produced(): string[];
  /** `Status Reason` of a condition. */
  condition(name: string, type: string, namespace?: string): string | undefined;
  message(name: string, type: string, namespace?: string): string | undefined;
}

export function world(
  options: { config?: PlatformConfig; render?: RouteReconcilerDeps["render"]; monitoring?: RouteReconcilerDeps["monitoring"] } = {},
): World {
  const api = new FakeKubeApi();
  const clock = new ManualClock();
  const reader: ObjectReader = { get: (r, k) => api.server.get(r, k), list: (r) => api.server.objects(r) };
  const events: string[] = [];
  const recorder: EventRecorder = { record: async (_o, type, reason, message) => void events.push(`${type} ${reason} ${message}`) };
  const appIds = new AppIdOutcomes();
  const dns = new DnsOutcomes();
  const certificates = new CertificateOutcomes();
  const edge = new EdgeOutcomes();
  const deps: RouteReconcilerDeps = {
    api,
    reader,
    config: options.config ?? defaultConfig,
    clock,
    logger: silentLogger,
    events: recorder,
    appIds,
    dnsOutcomes: dns,
    certificateOutcomes: certificates,
    edgeOutcomes: edge,
    ...(options.render ? { render: options.render } : {}),
    ...(options.monitoring ? { monitoring: options.monitoring } : {}),
  };
  const get = (name: string, namespace = "team-a") => api.server.get(DOMAIN_ROUTES, { namespace, name }) as DomainRoute | undefined;
  const find = (name: string, type: string, namespace?: string) => get(name, namespace)?.status?.conditions?.find((x) => x.type === type);
  return {
    api,
    appIds,
    dns,
    certificates,
    edge,
    deps,
    events,
    reconcile: (name, namespace = "team-a") => reconcileRoute(deps, { namespace, name }),
    gather: async (name, namespace = "team-a") => {
      const input = await gatherRoute(deps, { namespace, name });
      if (input === undefined) throw new Error(`no DomainRoute ${namespace}/${name} to gather`);
      return input;
    },
    get,
    produced: () => PRODUCED_RESOURCES.flatMap((r) => api.server.objects(r).map((o) => `${o.kind} ${o.metadata?.namespace}/${o.metadata?.name}`)).sort(),
    condition: (name, type, namespace) => {
      const c = find(name, type, namespace);
      return c === undefined ? undefined : `${c.status} ${c.reason}`;
    },
    message: (name, type, namespace) => find(name, type, namespace)?.message,
  };
}

/** The Gateway kind among the produced resources. */
export const GATEWAYS = PRODUCED_RESOURCES.find((r) => r.kind === "Gateway")!;

/** A claim on shop.example.com whose owner no longer exists. */
export const orphanedClaim = {
  apiVersion: "hostgate.dev/v1alpha1",
  kind: "DomainClaim",
  metadata: { name: "shop.example.com" },
  spec: { domain: "shop.example.com", owner: { namespace: "old", name: "gone", uid: "uid-gone" } },
};

/** A route's protection through the platform's "sso" provider. */
export const sso = { protection: { provider: "sso", appId: "shop-app" } };

/** A Gateway a person created (kubectl, no hostgate labels) at the name hostgate renders for `domain`. */
export async function personsGateway(w: World, domain: string): Promise<void> {
  const metadata = { name: objectNameFor(domain), namespace: defaultConfig.gateway.namespace };
  await w.api.create(GATEWAYS, { apiVersion: "networking.istio.io/v1", kind: "Gateway", metadata, spec: { servers: [] } }, { fieldManager: "kubectl-create" });
}
