// Step 1 of a route reconcile: read everything the decision needs into one
// plain value (RouteInput). Reads come from the informers' caches; the only
// live reads are for names the route renders that the caches do not hold
// (they hold hostgate-labelled objects only, so a person's object at such a
// name is invisible to them). Nothing here decides or writes.
//
// DNS records, certificates and the route's pool member are decided by their
// own wholesale controllers; what they decided for the route is read here
// like the appId table's outcome.
import type { KubeApi } from "../../core/kube/object-api.ts";
import type { KubeObject, ObjectKey } from "../../core/kube/object-key.ts";
import type { PlatformConfig } from "../../core/config/platform-config.ts";
import type { DomainClaim, DomainRoute, RegionPolicy } from "../../crds/types.ts";
import { REGION_POLICY_NAME } from "../../crds/types.ts";
import type { AppIdOutcomeLookup, AppIdOutcomeReader } from "../app-id-table/app-id-outcomes.ts";
import type { CertificateOutcome } from "../certificates/certificate-outcomes.ts";
import type { DnsOutcome } from "../dns/dns-outcomes.ts";
import type { EdgeOutcome } from "../edge/edge-outcomes.ts";
import type { GatewayRecordState } from "../dns/external-dns/external-dns-status.ts";
import { madeHere } from "../dns/external-dns/gateway-endpoints.ts";
import { gatewayEndpointNameIn, gatewayRegions } from "../dns/external-dns/render-gateway-endpoints.ts";
import { addressOf } from "../dns/gateway-address.ts";
import { cachedAddressObjects } from "../dns/cached-addresses.ts";
import { twoStepMemberOf } from "../dns/pool-member-records.ts";
import type { OutcomeLookup, OutcomeReader } from "../status/outcomes.ts";
import { ownedByRoute } from "../apply/ownership.ts";
import { objectId } from "../apply/plan-apply.ts";
import { resourceFor } from "../apply/write-objects.ts";
import type { ObjectReader } from "../cluster/object-reader.ts";
import { DOMAIN_CLAIMS, DOMAIN_ROUTES, GATEWAYS, MANAGED_SELECTOR, REGION_POLICIES, SERVICES } from "../resources.ts";
import { listenerNameFor } from "./render/gateway-api/names.ts";
import { backendServiceKey } from "./backend-service.ts";
import { placedRoute } from "./placed-route.ts";
import { routeSelector } from "./render/metadata.ts";
import { DNS_ENDPOINT_RESOURCE, MONITORING_RESOURCES, producedResources } from "./render/produced-resources.ts";
import { observabilityObjects } from "./observability-objects.ts";
import type { MonitoringState } from "./observability-plan.ts";
import { renderRoute } from "./render/render-route.ts";
import type { RenderedRoute } from "./render/render-route.ts";

/** `appId`: the route's effective appId (protection-condition.ts), for the data planes that carry it in the route's own objects. */
export type RenderRoute = (route: DomainRoute, config: PlatformConfig, regionPolicy?: RegionPolicy, appId?: string) => RenderedRoute;

/** Everything one reconcile of one route decides from. Plain data: no functions, no clients. */
export interface RouteInput {
  route: DomainRoute;
  /** The DomainClaim named after spec.domain, as cached. */
  claim?: DomainClaim;
  /** The route the claim names, as cached (its uid and domain), when it exists. */
  claimHolder?: { uid: string; domain: string };
  /** The backend Service (spec.backend.service) as cached, cut down to its type; absent when there is none. */
  backendService?: KubeObject;
  /**
   * The RegionPolicy (`default`) of the route's namespace, as cached, on a
   * platform with regions: rendering and DNSReady read the route's placement
   * from it, so both see the same one.
   */
  regionPolicy?: RegionPolicy;
  /** With dns.provider external-dns, for a route placed (in this reconcile) on a two-step pool member: this cluster's gateway record for it (DNSReady waits for it). */
  gateway?: GatewayRecordState;
  /** The route's own objects (apply/ownership.ts), in apply order. */
  owned: KubeObject[];
  /** What the cluster holds at the names the route renders, other than `owned`: judged by the plan. */
  occupants: KubeObject[];
  /** What the appId table decided for the route. */
  appId: AppIdOutcomeLookup;
  /** What the DNS controller decided for the route (provider route53). */
  dns: OutcomeLookup<DnsOutcome>;
  /** What the certificate controller decided for the route. */
  certificate: OutcomeLookup<CertificateOutcome>;
  /** What the pool controller decided for the route: its member (status.edge, EdgePlaced). */
  edge: OutcomeLookup<EdgeOutcome>;
  config: PlatformConfig;
  /** Milliseconds since the epoch: the time a condition that changes now records. */
  nowMs: number;
  /**
   * Gateway API data plane: a cached pooled Gateway lists the route's listener
   * (listenerNameFor(domain)). A protected route's login stays until it does not
   * (plan-route.ts holdLogins): the listener admits the team's own HTTPRoutes.
   */
  listenerListed?: boolean;
  /** Set by the executor when carrying out this input's plan failed: the plan then reports it. */
  applyError?: string;
  /** Whether the cluster serves prometheus-operator's CRDs (observability-plan.ts), as the manager last found. */
  monitoring: MonitoringState;
  /** Set by the executor when writing the route's monitoring objects failed: ObservabilityReady reports it. */
  observabilityError?: string;
}

export interface GatherDeps {
  api: Pick<KubeApi, "get">;
  reader: ObjectReader;
  config: PlatformConfig;
  clock: { now(): number };
  appIds: AppIdOutcomeReader;
  /** Absent: the DNS controller has published nothing (its conditions then keep what the status says). */
  dnsOutcomes?: OutcomeReader<DnsOutcome>;
  certificateOutcomes?: OutcomeReader<CertificateOutcome>;
  /** Absent: the pool controller has published nothing (EdgePlaced then keeps what the status says). */
  edgeOutcomes?: OutcomeReader<EdgeOutcome>;
  render?: RenderRoute;
  /** What the manager found out about prometheus-operator's CRDs (manager/monitoring-kinds.ts); absent: not looked up. */
  monitoring?: { state(): MonitoringState };
}

const NOTHING_PUBLISHED = { known: false } as const;

/** The route's input, or undefined when the route is gone from the cache. */
export async function gatherRoute(deps: GatherDeps, key: ObjectKey): Promise<RouteInput | undefined> {
  const route = deps.reader.get(DOMAIN_ROUTES, key) as DomainRoute | undefined;
  if (route === undefined) return undefined;
  const monitoring = deps.monitoring?.state() ?? { kind: "unknown" };
  const owned = ownedObjects(deps.reader, deps.config, route, monitoring);
  const regionPolicy = regionPolicyOf(deps.reader, deps.config, route);
  const edge = deps.edgeOutcomes?.lookup(`${key.namespace}/${key.name}`) ?? NOTHING_PUBLISHED;
  // On the member this reconcile places it on (its status.edge once written), not the one the cache's copy names.
  const placed = placedRoute(route, edge, deps.config);
  const gateway = gatewayRecordOf(deps.reader, deps.config, placed);
  const input: RouteInput = {
    route,
    ...(regionPolicy === undefined ? {} : { regionPolicy }),
    ...(gateway === undefined ? {} : { gateway }),
    owned,
    occupants: [],
    appId: deps.appIds.lookup(`${key.namespace}/${key.name}`),
    dns: deps.dnsOutcomes?.lookup(`${key.namespace}/${key.name}`) ?? NOTHING_PUBLISHED,
    certificate: deps.certificateOutcomes?.lookup(`${key.namespace}/${key.name}`) ?? NOTHING_PUBLISHED,
    edge,
    config: deps.config,
    nowMs: deps.clock.now(),
    monitoring,
  };
  if (listenerListed(deps.reader, deps.config, route)) input.listenerListed = true;
  const claim = deps.reader.get(DOMAIN_CLAIMS, { name: route.spec.domain }) as DomainClaim | undefined;
  if (claim !== undefined) input.claim = claim;
  if (route.metadata.deletionTimestamp !== undefined) return input;
  if (claim !== undefined) {
    const owner = claim.spec.owner;
    const holder = deps.reader.get(DOMAIN_ROUTES, { namespace: owner.namespace, name: owner.name }) as DomainRoute | undefined;
    if (holder !== undefined) input.claimHolder = { uid: holder.metadata.uid ?? "", domain: holder.spec.domain };
  }
  const serviceKey = safeBackendServiceKey(route);
  const service = serviceKey === undefined ? undefined : deps.reader.get(SERVICES, serviceKey);
  if (service !== undefined) input.backendService = service;
  input.occupants = await occupantsOf(deps, placed, owned, monitoring, regionPolicy);
  return input;
}

/** Gateway API data plane: whether any cached pooled Gateway (any member: the route may have moved) lists the route's listener. */
function listenerListed(reader: ObjectReader, config: PlatformConfig, route: DomainRoute): boolean {
  if (config.gateway.provider !== "gateway-api") return false;
  const name = listenerNameFor(route.spec.domain.toLowerCase());
  return reader
    .list({ ...GATEWAYS, namespace: config.gateway.namespace, labelSelector: MANAGED_SELECTOR })
    .some((gateway) => ((gateway.spec as { listeners?: { name?: unknown }[] } | undefined)?.listeners ?? []).some((l) => l?.name === name));
}

/** The namespace's RegionPolicy; only read on a platform with regions (without them placement is always one record set). */
function regionPolicyOf(reader: ObjectReader, config: PlatformConfig, route: DomainRoute): RegionPolicy | undefined {
  if (config.regions.length === 0) return undefined;
  return reader.get(REGION_POLICIES, { namespace: route.metadata.namespace!, name: REGION_POLICY_NAME }) as RegionPolicy | undefined;
}

/**
 * With external-dns, for a route placed on a two-step pool member
 * (pool-member-records.ts): which of this cluster's gateway records for that
 * member exist, and why its gateway has no address. `route` as placed in this reconcile.
 */
function gatewayRecordOf(reader: ObjectReader, config: PlatformConfig, route: DomainRoute): GatewayRecordState | undefined {
  if (config.dns.provider !== "external-dns") return undefined;
  const gateway = twoStepMemberOf(route, config);
  if (gateway === undefined) return undefined;
  // By name (the cache's key), not by listing: a list would scan every cached DNSEndpoint on each route's reconcile.
  const found = gatewayRegions(config)
    .map((region) =>
      reader.get(DNS_ENDPOINT_RESOURCE, { namespace: config.gateway.namespace, name: gatewayEndpointNameIn(config, gateway.member.name, region) }),
    )
    .filter((o): o is KubeObject => o !== undefined);
  const published = found
    .filter((o) => madeHere(o, config))
    .map((o) => o.metadata!.name!)
    .sort();
  const address = addressOf(gateway.source, cachedAddressObjects(reader));
  if (address.kind === "none") return { published, pendingReason: address.reason };
  // hostgate's labels on an object hostgate did not write: the gateway-endpoints controller leaves it alone (and says so).
  const foreign = found.filter((o) => !madeHere(o, config)).map((o) => `${config.gateway.namespace}/${o.metadata!.name}`);
  if (foreign.length === 0) return { published };
  return {
    published,
    pendingReason:
      `DNSEndpoint ${foreign.sort().join(", ")} exists and hostgate did not create it, so hostgate leaves it as it is and cannot publish the gateway record ` +
      "there; delete it (or give it another name)",
  };
}

/**
 * The route's own objects: labelled with its uid and written by the
 * reconciler, and only where the route's objects of that kind live (its own
 * namespace, or the gateway's). An object that only carries the labels is
 * not among them: never updated, never deleted. Nor is one in any other
 * namespace: a tenant can write hostgate's labels and field manager in its
 * own namespace, and must not thereby get another team's route to delete it.
 * The one exception is a ReferenceGrant (Gateway API data plane), below.
 */
function ownedObjects(reader: ObjectReader, config: PlatformConfig, route: DomainRoute, monitoring: MonitoringState): KubeObject[] {
  const uid = route.metadata.uid!;
  // prometheus-operator's kinds only once the cluster serves them and they are cached (manager/monitoring-kinds.ts).
  return [...producedResources(config), ...(monitoring.kind === "served" ? MONITORING_RESOURCES : [])]
    .flatMap((resource) => {
      // A ReferenceGrant lives beside the Service it opens (an auth service, a backend in another namespace), wherever
      // that is or was: listed everywhere, so the one a route no longer needs (its backend moved) is pruned, never left
      // opening that Service. Only the route's own count (labels AND hostgate's writes): a forgery in a tenant's
      // namespace is the tenant's own object, so treating it as the route's hurts nobody else.
      if (resource.scope === "granted") return reader.list({ ...resource, labelSelector: routeSelector(uid) });
      const namespace = resource.scope === "gateway" ? config.gateway.namespace : route.metadata.namespace!;
      return reader.list({ ...resource, namespace, labelSelector: routeSelector(uid) });
    })
    .filter((o) => ownedByRoute(o, uid));
}

/** What holds each name the route renders that none of its own objects holds: the cache, else a live read. */
async function occupantsOf(
  deps: GatherDeps,
  route: DomainRoute,
  owned: readonly KubeObject[],
  monitoring: MonitoringState,
  regionPolicy?: RegionPolicy,
): Promise<KubeObject[]> {
  const ownedIds = new Set(owned.map(objectId));
  const occupants: KubeObject[] = [];
  const rendered = (deps.render ?? renderRoute)(route, deps.config, regionPolicy).objects;
  // The monitoring objects' names only where their kinds are served: a read of one that is not would be a 404 per reconcile.
  const monitored = monitoring.kind === "served" ? observabilityObjects(route, deps.config) : [];
  for (const object of [...rendered, ...monitored]) {
    if (ownedIds.has(objectId(object))) continue;
    const resource = resourceFor(object);
    const key = { namespace: object.metadata!.namespace!, name: object.metadata!.name! };
    const found = deps.reader.get(resource, key) ?? (await deps.api.get(resource, key));
    if (found !== undefined) occupants.push(found);
  }
  return occupants;
}

function safeBackendServiceKey(route: DomainRoute): ObjectKey | undefined {
  try {
    return backendServiceKey(route);
  } catch {
    return undefined; // a route too malformed to plan routes to no Service; rendering says why
  }
}
