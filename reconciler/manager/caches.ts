// The reconciler's view of the cluster: one shared informer per resource it
// reads, narrowed as far as the API allows, so the watches carry only what
// a reconcile may look at:
//   - every DomainRoute and DomainClaim;
//   - the kinds it produces (the Istio ones; external-dns's DNSEndpoints only
//     with dns.provider external-dns, whose CRD may not exist otherwise), only
//     those labelled managed-by=hostgate, and those that live in the gateway
//     namespace only there;
//   - its appId-table EnvoyFilter and ConfigMap, in the gateway namespace,
//     only when Istio runs the gateways (app-id-table-needed.ts): otherwise
//     Istio's CRDs may not be installed, and a watch on one never syncs;
//   - Services, in every namespace, cut down to their type and externalName:
//     a route's backend Service must not be an ExternalName (a DNS alias out
//     of the cluster), and a Service changing type must re-queue the routes
//     naming it, which a read by name per reconcile could not do. The watch
//     is cluster-wide because backends may be in any namespace (RBAC cannot
//     narrow a watch to the names routes use); each cached Service is a few
//     hundred bytes, so even 10,000 Services cost a few MiB. Their
//     status.loadBalancer.ingress addresses are kept too (only a LoadBalancer
//     Service has any): a two-step load balancer entry's gateway record is
//     its gateway Service's address;
//   - on a platform with regions (config.regions), every namespace's
//     RegionPolicy (few, small): how its routes' names spread across regions.
//     Without regions nothing reads them (a route is published once), and a
//     platform that never installed the RegionPolicy CRD (an upgrade that
//     kept its CRDs) must not wait forever for an informer that cannot sync;
//   - with certificates.provider cert-manager, its Certificates labelled
//     managed-by=hostgate in certManager.namespace, and with importToAcm the
//     Secrets they issue into (labelled the same through secretTemplate);
//   - with gateway.provider gateway-api, the pooled Gateways (Gateway API)
//     labelled managed-by=hostgate in the gateway namespace, status included:
//     the pool Gateways controller keeps them, and the DNS controllers read
//     their status.addresses for the members' gateway records. With istio
//     nothing watches them: the Gateway API's CRDs may not be installed;
//   - with implementation envoy-gateway, the pooled Gateways' identity-header
//     ClientTrafficPolicies, labelled the same in the gateway namespace (the
//     pool Gateways controller keeps them; Envoy Gateway's CRDs exist only there);
//   - with the background audit on (ReconcilerManagerOptions.audit),
//     hostgate's own OpenReports (Report and ClusterReport labelled
//     managed-by=hostgate) and, with policies from the cluster, the
//     PolicyModules. Off, none of them is watched: a cluster without the
//     OpenReports CRDs must not wait for a cache that never syncs. The objects
//     it judges are not cached here: the leader's audit holds them for its
//     term (audit/audit-controller.ts), every kind the webhooks intercept.
// RBAC (deploy/base/reconciler-rbac.yaml) grants list and watch on exactly
// these, in exactly these namespaces.
import type { Clock } from "../../core/clock.ts";
import type { Logger } from "../../core/logger.ts";
import type { ListWatchClient } from "../../core/kube/list-watch-client.ts";
import type { KubeObject } from "../../core/kube/object-key.ts";
import type { ResourceRef } from "../../core/kube/resource.ts";
import { resourceName } from "../../core/kube/resource.ts";
import type { PlatformConfig } from "../../core/config/platform-config.ts";
import { certManagerCertificates, certManagerSecrets } from "../certificates/cert-manager-resources.ts";
import { appIdTableNeeded } from "../app-id-table/app-id-table-needed.ts";
import { CLIENT_TRAFFIC_POLICY_RESOURCE } from "../domainroute/render/gateway-api/identity-header-strip.ts";
import { identityHeaderStripsNeeded } from "../edge/gateways/identity-header-strips.ts";
import { InformerReader } from "../cluster/informer-reader.ts";
import type { ObjectReader } from "../cluster/object-reader.ts";
import { LABEL_MANAGED_BY, LABEL_ROUTE_UID, MANAGED_BY_HOSTGATE } from "../domainroute/render/metadata.ts";
import { producedResources } from "../domainroute/render/produced-resources.ts";
import { CONFIG_MAPS, DOMAIN_CLAIMS, DOMAIN_ROUTES, ENVOY_FILTERS, GATEWAYS, MANAGED_SELECTOR, REGION_POLICIES, SERVICES } from "../resources.ts";
import { SharedInformer } from "../runtime/informer.ts";
import { moduleDocument, POLICY_MODULES } from "../../webhook/policy-set/cluster-policy-modules.ts";
import type { BackgroundAuditSettings } from "../audit/background-audit.ts";
import { CLUSTER_REPORTS, REPORTS } from "../audit/report-resources.ts";

export interface CachedResource {
  resource: ResourceRef;
  /** What its events mean to the controllers. */
  role:
    | "routes"
    | "claims"
    | "produced"
    | "appIdTable"
    | "services"
    | "certificates"
    | "regionPolicies"
    | "gateways"
    | "gatewayPolicies"
    | "auditReports"
    | "policyModules";
  indexedLabels?: readonly string[];
  /** What of each object is kept in the cache (default: all but the managedFields' field sets). */
  transform?: (object: KubeObject) => KubeObject;
}

/** Every resource the reconciler caches, with the namespace and selector its informer uses. */
export function cachedResources(config: PlatformConfig, audit?: BackgroundAuditSettings): CachedResource[] {
  const gatewayNamespace = config.gateway.namespace;
  // Gateway API data plane: the Services hostgate writes for external backends are read through the one Services
  // informer below (the reader holds one informer per resource), kept whole and indexed by route like produced objects.
  const isServices = (resource: ResourceRef) => resourceName(resource) === resourceName(SERVICES);
  const producesServices = producedResources(config).some(isServices);
  return [
    { resource: DOMAIN_ROUTES, role: "routes" },
    { resource: DOMAIN_CLAIMS, role: "claims" },
    ...producedResources(config)
      .filter((produced) => !isServices(produced))
      .map((produced): CachedResource => {
        const { scope: _scope, ...ref } = produced;
        return {
          resource: { ...ref, labelSelector: MANAGED_SELECTOR, ...(produced.scope === "gateway" ? { namespace: gatewayNamespace } : {}) },
          role: "produced",
          indexedLabels: [LABEL_ROUTE_UID],
        };
      }),
    ...(appIdTableNeeded(config)
      ? ([
          { resource: { ...ENVOY_FILTERS, namespace: gatewayNamespace, labelSelector: MANAGED_SELECTOR }, role: "appIdTable" },
          { resource: { ...CONFIG_MAPS, namespace: gatewayNamespace, labelSelector: MANAGED_SELECTOR }, role: "appIdTable" },
        ] as const)
      : []),
    producesServices
      ? { resource: SERVICES, role: "services", transform: producedOrServiceType, indexedLabels: [LABEL_ROUTE_UID] }
      : { resource: SERVICES, role: "services", transform: serviceType },
    ...(config.regions.length === 0 ? [] : [{ resource: REGION_POLICIES, role: "regionPolicies" } as const]),
    ...certManagerResources(config),
    ...(config.gateway.provider === "gateway-api"
      ? [{ resource: { ...GATEWAYS, namespace: gatewayNamespace, labelSelector: MANAGED_SELECTOR }, role: "gateways" } as const]
      : []),
    ...(identityHeaderStripsNeeded(config)
      ? [{ resource: { ...CLIENT_TRAFFIC_POLICY_RESOURCE, namespace: gatewayNamespace, labelSelector: MANAGED_SELECTOR }, role: "gatewayPolicies" } as const]
      : []),
    ...auditResources(audit),
  ];
}

/** The background audit's caches, only when it is on (see above). */
function auditResources(audit: BackgroundAuditSettings | undefined): CachedResource[] {
  if (audit === undefined) return [];
  return [
    { resource: { ...REPORTS, labelSelector: MANAGED_SELECTOR }, role: "auditReports" },
    { resource: { ...CLUSTER_REPORTS, labelSelector: MANAGED_SELECTOR }, role: "auditReports" },
    ...(audit.policies === "cluster" ? [{ resource: POLICY_MODULES, role: "policyModules", transform: moduleDocument } as const] : []),
  ];
}

/**
 * The caches as the controllers read them: on a platform without regions no
 * RegionPolicy is cached (above) and none applies (region-placement.ts
 * publishes every route once), so a read of them finds none instead of
 * failing as a read of an uncached resource does.
 */
export function controllerReader(reader: ObjectReader, config: Pick<PlatformConfig, "regions">): ObjectReader {
  if (config.regions.length > 0) return reader;
  const isRegionPolicies = (resource: ResourceRef) => resourceName(resource) === resourceName(REGION_POLICIES);
  return {
    get: (resource, key) => (isRegionPolicies(resource) ? undefined : reader.get(resource, key)),
    list: (resource) => (isRegionPolicies(resource) ? [] : reader.list(resource)),
  };
}

/**
 * With provider cert-manager: hostgate's Certificates in certManager.namespace,
 * and with importToAcm the Secrets they issue into (read to import them).
 */
function certManagerResources(config: PlatformConfig): CachedResource[] {
  const certManager = config.certificates.certManager;
  if (config.certificates.provider !== "cert-manager" || certManager === undefined) return [];
  const certificates: CachedResource = { resource: certManagerCertificates(certManager.namespace), role: "certificates" };
  if (!certManager.importToAcm) return [certificates];
  return [certificates, { resource: certManagerSecrets(certManager.namespace), role: "certificates" }];
}

export interface ReconcilerCaches {
  reader: InformerReader;
  informers: { cached: CachedResource; informer: SharedInformer<KubeObject> }[];
  start(): void;
  stop(): Promise<void>;
  /** Resolves true once every informer has synced, false if they stop first. */
  whenSynced(): Promise<boolean>;
}

export interface CacheOptions {
  client: ListWatchClient;
  config: PlatformConfig;
  /** The background audit's settings when it is on: its kinds are cached too. */
  audit?: BackgroundAuditSettings;
  clock?: Clock;
  logger: Logger;
  /** Replay every cached object to the controllers this often (the level-triggered safety net). */
  resyncMs: number;
  random?: () => number;
}

export function reconcilerCaches(options: CacheOptions): ReconcilerCaches {
  const reader = new InformerReader();
  const informers = cachedResources(options.config, options.audit).map((cached) => {
    const informer = new SharedInformer<KubeObject>({
      resource: cached.resource,
      client: options.client,
      transform: cached.transform ?? withManagersOnly,
      logger: options.logger,
      resyncMs: options.resyncMs,
      ...(options.clock ? { clock: options.clock } : {}),
      ...(options.random ? { random: options.random } : {}),
    });
    reader.add(cached.resource, informer, cached.indexedLabels);
    return { cached, informer };
  });
  return {
    reader,
    informers,
    start: () => {
      for (const { informer } of informers) informer.start();
    },
    stop: async () => {
      await Promise.all(informers.map(({ informer }) => informer.stop()));
    },
    whenSynced: async () => (await Promise.all(informers.map(({ informer }) => informer.whenSynced()))).every(Boolean),
  };
}

/**
 * managedFields' field sets are often larger than the object and nothing here
 * reads them: dropping them halves the cache. Who wrote the object (manager
 * and operation) is kept: it is part of what proves an object hostgate's
 * (apply/ownership.ts).
 */
export function withManagersOnly(object: KubeObject): KubeObject {
  const entries = object.metadata?.managedFields;
  if (entries === undefined) return object;
  const managers = Array.isArray(entries)
    ? entries.map((e) => ({ manager: (e as { manager?: unknown })?.manager, operation: (e as { operation?: unknown })?.operation }))
    : [];
  return { ...object, metadata: { ...object.metadata, managedFields: managers } };
}

/**
 * A Service hostgate wrote (labelled managed-by=hostgate) whole but for its
 * managedFields' field sets, as a produced object is cached (its ownership and
 * spec are judged); any other Service cut down by serviceType.
 */
export function producedOrServiceType(object: KubeObject): KubeObject {
  const labels = object.metadata?.labels as Record<string, string> | undefined;
  return labels?.[LABEL_MANAGED_BY] === MANAGED_BY_HOSTGATE ? withManagersOnly(object) : serviceType(object);
}

/**
 * A Service as the reconciler needs it: its key, version, whether it is an
 * ExternalName (and to where), and its load balancer addresses (each
 * ingress entry's ip and hostname, nothing else: ports and ipMode are not read).
 */
export function serviceType(object: KubeObject): KubeObject {
  const m = object.metadata ?? {};
  const spec = (object.spec ?? {}) as { type?: unknown; externalName?: unknown };
  const metadata = { name: m.name, namespace: m.namespace, uid: m.uid, resourceVersion: m.resourceVersion };
  const ingress = (object.status as { loadBalancer?: { ingress?: unknown } } | undefined)?.loadBalancer?.ingress;
  const addresses = Array.isArray(ingress)
    ? ingress.map((entry) => {
        const { ip, hostname } = (typeof entry === "object" && entry !== null ? entry : {}) as { ip?: unknown; hostname?: unknown };
        return { ...(ip === undefined ? {} : { ip }), ...(hostname === undefined ? {} : { hostname }) };
      })
    : [];
  return {
    apiVersion: object.apiVersion,
    kind: object.kind,
    metadata,
    spec: { type: spec.type, ...(spec.externalName === undefined ? {} : { externalName: spec.externalName }) },
    ...(addresses.length === 0 ? {} : { status: { loadBalancer: { ingress: addresses } } }),
  } as KubeObject;
}
