// The gateway-endpoints controller's one reconcile (one queue key for the
// cluster), with dns.provider external-dns: keeps the gateway records of the
// two-step load balancers (render-gateway-endpoints.ts) as DNSEndpoints in
// the gateway namespace. Written (created, else server-side applied over
// hostgate's own copy, apply/apply-object.ts applyOwned) only when their
// content differs from the cache's copy, so an unchanged gateway costs no
// write and a hand edit or a deletion is reverted on the next pass.
//
// Never over someone else's object: the gateway namespace is the platform's,
// and a DNSEndpoint a person or another tool made there at the name this
// controller would use (the single-region name, hostgate-gateway-<lb>, is
// easy to guess) is left exactly as it is. Only an object hostgate's field
// manager wrote (ownGatewayRecord) is applied over, so one whose labels were
// removed by hand is still taken back. The pass fails naming the object, and
// is retried with backoff until someone deletes or renames it.
//
// Fail-safe: a gateway Service (or pooled Gateway) that has no address (its
// status lost the ingress for a moment, the Service is being re-created, the
// Gateway is not programmed yet, the cache is behind) leaves that load
// balancer's existing endpoints exactly as they are. A pooled Gateway no
// route is placed on any more is not published at all: its endpoints are
// deleted (pool-member-records.ts publishedTwoStepMembers). So are those of
// a pooled Gateway that no longer exists, though routes are still placed on
// its member (none of them gets a listener there, so the pool Gateways
// controller deleted it: the cloud may hand its address to someone else),
// and of one at a member's name that hostgate did not write (its address is
// never published: gateway-address.ts). Deleting a working gateway record because the address is briefly
// unknown would take every route on the load balancer off the air; keeping
// the last one costs at most a stale address until the Service has one
// again. The pass reports such load balancers as pending.
//
// Deletes only what this controller made: in the gateway namespace,
// managed-by=hostgate, the gateway-record label naming a load balancer,
// written by hostgate's field manager, and named exactly as this cluster
// names that load balancer's record (for its cluster label and region
// label), so another cluster's record (one that reached this API through a
// hub) or anything a person made is never touched. Deletes carry the uid and
// resourceVersion seen, so a same-named object made since is left alone.
// The orphan sweep never sees these: they carry no route uid.
import type { PlatformConfig } from "../../../core/config/platform-config.ts";
import { KubeApiError } from "../../../core/kube/api-error.ts";
import type { ObjectApi } from "../../../core/kube/object-api.ts";
import type { KubeObject } from "../../../core/kube/object-key.ts";
import { keyOf } from "../../../core/kube/object-key.ts";
import type { Logger } from "../../../core/logger.ts";
import { applyOwned } from "../../apply/apply-object.ts";
import { writtenByReconciler } from "../../apply/ownership.ts";
import { contains, withAppliedHash } from "../../apply/plan-apply.ts";
import type { ObjectReader } from "../../cluster/object-reader.ts";
import { LABEL_CLUSTER, LABEL_MANAGED_BY, LABEL_REGION, LABEL_ROUTE_UID, MANAGED_BY_HOSTGATE } from "../../domainroute/render/metadata.ts";
import { DNS_ENDPOINT_RESOURCE } from "../../domainroute/render/produced-resources.ts";
import type { DomainRoute } from "../../../crds/types.ts";
import { DOMAIN_ROUTES, FIELD_MANAGER, GATEWAYS, MANAGED_SELECTOR, SERVICES } from "../../resources.ts";
import type { PendingGateway } from "./render-gateway-endpoints.ts";
import { gatewayEndpointName, gatewayEndpointNameIn, gatewayRegions, LABEL_GATEWAY_RECORD, renderGatewayEndpoints } from "./render-gateway-endpoints.ts";

/** The single queue key: any gateway Service or gateway DNSEndpoint change recomputes them all. */
export const GATEWAY_ENDPOINTS_KEY = "gateway-endpoints";

export interface GatewayEndpointsDeps {
  /** Writes: create, apply (apply-object.ts), get after a create that found the name taken, delete. */
  api: ObjectApi;
  /**
   * The caches: the gateway Services (SERVICES, with status.loadBalancer.ingress), on the Gateway API data plane the pooled Gateways
   * (GATEWAYS, with status.addresses) and the DomainRoutes (whose status.edge says which pooled Gateways are in use), and the
   * DNSEndpoints labelled managed-by=hostgate.
   */
  reader: ObjectReader;
  config: PlatformConfig;
  logger: Logger;
}

export interface GatewayEndpointsOutcome {
  /** `namespace/name` of each DNSEndpoint created or applied, sorted. */
  written: string[];
  /** `namespace/name` of each DNSEndpoint deleted, sorted. */
  deleted: string[];
  /** Two-step pool members in use whose gateway has no address: their endpoints were left as they were (`keep`), or deleted. */
  pending: PendingGateway[];
  /**
   * Pool members (the LABEL_GATEWAY_RECORD value: a class of one entry's own name) whose gateway endpoints were
   * written or deleted: routes placed on them report DNSReady from these. Sorted.
   */
  changedLoadBalancers: string[];
}

/** Whether the controller has anything to do under this config: dns.provider external-dns (it also removes records of entries no longer two-step). */
export function gatewayEndpointsNeeded(config: Pick<PlatformConfig, "dns">): boolean {
  return config.dns.provider === "external-dns";
}

export async function reconcileGatewayEndpoints(deps: GatewayEndpointsDeps): Promise<GatewayEndpointsOutcome> {
  const { config, reader } = deps;
  const outcome: GatewayEndpointsOutcome = { written: [], deleted: [], pending: [], changedLoadBalancers: [] };
  if (!gatewayEndpointsNeeded(config)) return outcome;
  const namespace = config.gateway.namespace;
  const rendered = renderGatewayEndpoints(config, (ref) => reader.get(SERVICES, ref), {
    gatewayOf: (ref) => reader.get(GATEWAYS, ref),
    routes: reader.list(DOMAIN_ROUTES) as unknown as DomainRoute[],
  });
  outcome.pending = rendered.pending;
  const changed = new Set<string>();
  const failures: string[] = [];
  for (const endpoint of rendered.endpoints) {
    const desired = withAppliedHash(endpoint);
    const name = desired.metadata!.name!;
    const current = reader.get(DNS_ENDPOINT_RESOURCE, { namespace, name });
    if (current !== undefined && contains(current, desired)) continue;
    try {
      if (await writeGatewayRecord(deps.api, desired, current, config)) {
        outcome.written.push(`${namespace}/${name}`);
        changed.add(labelOf(desired, LABEL_GATEWAY_RECORD));
      } else {
        failures.push(
          `DNSEndpoint ${namespace}/${name} exists and hostgate did not create it (its metadata.managedFields name no write by ${FIELD_MANAGER}), ` +
            `so it is left as it is and the gateway record of ${labelOf(desired, LABEL_GATEWAY_RECORD)} is not published; ` +
            "delete it (or give it another name) so hostgate can publish the gateway record there",
        );
      }
    } catch (error) {
      failures.push(`writing DNSEndpoint ${namespace}/${name}: ${messageOf(error)}`);
    }
  }
  const wanted = new Set(rendered.endpoints.map((e) => e.metadata!.name!));
  // Fail-safe: what a load balancer without an address had stays (see the top of this file).
  for (const { loadBalancer } of rendered.pending.filter((p) => p.keep)) {
    for (const region of gatewayRegions(config)) wanted.add(gatewayEndpointNameIn(config, loadBalancer, region));
  }
  const ours = reader.list({ ...DNS_ENDPOINT_RESOURCE, namespace, labelSelector: MANAGED_SELECTOR }).filter((o) => madeHere(o, config));
  for (const stale of ours.filter((o) => !wanted.has(o.metadata!.name!))) {
    const name = stale.metadata!.name!;
    try {
      const preconditions = { uid: stale.metadata!.uid!, ...(stale.metadata!.resourceVersion ? { resourceVersion: stale.metadata!.resourceVersion } : {}) };
      if (await deps.api.delete(DNS_ENDPOINT_RESOURCE, { namespace, name }, preconditions)) {
        outcome.deleted.push(`${namespace}/${name}`);
        changed.add(labelOf(stale, LABEL_GATEWAY_RECORD));
      }
    } catch (error) {
      // 409: a precondition failed, so it is no longer the object judged ours; the next pass judges again.
      if (!(error instanceof KubeApiError && error.status === 409)) failures.push(`deleting DNSEndpoint ${namespace}/${name}: ${messageOf(error)}`);
    }
  }
  outcome.written.sort();
  outcome.deleted.sort();
  outcome.changedLoadBalancers = [...changed].sort();
  if (outcome.written.length > 0 || outcome.deleted.length > 0) {
    deps.logger.info({ written: outcome.written, deleted: outcome.deleted }, "gateway DNSEndpoints updated");
  }
  for (const { loadBalancer, reason, keep } of outcome.pending) {
    const record = keep ? "its gateway record is left as it is" : "no gateway record is published for it (one there is deleted)";
    deps.logger.warn({ loadBalancer }, `the gateway of load balancer ${loadBalancer} has no address, so ${record}: ${reason}`);
  }
  if (failures.length > 0) throw new Error(`gateway DNSEndpoints: ${failures.length} change(s) failed (retried): ${failures.join("; ")}`);
  return outcome;
}

/**
 * Creates the record, or applies it over the object at its name when that is
 * hostgate's own (ownGatewayRecord); false, writing nothing, when it is not.
 * `current` is the cache's copy (labelled managed-by=hostgate) or undefined;
 * an object the cache does not hold is read once the create finds the name taken.
 */
async function writeGatewayRecord(api: ObjectApi, desired: KubeObject, current: KubeObject | undefined, config: PlatformConfig): Promise<boolean> {
  if (current === undefined) {
    try {
      await api.create(DNS_ENDPOINT_RESOURCE, desired, { fieldManager: FIELD_MANAGER });
      return true;
    } catch (error) {
      if (!(error instanceof KubeApiError && error.status === 409)) throw error;
      current = await api.get(DNS_ENDPOINT_RESOURCE, keyOf(desired)!);
      if (current === undefined) throw error;
    }
  }
  if (!ownGatewayRecord(current, config)) return false;
  await applyOwned(api, DNS_ENDPOINT_RESOURCE, current, desired);
  return true;
}

/**
 * True when the object at a gateway record's name may be applied over: the
 * reconciler's field manager wrote it (labels alone prove nothing), it is no
 * route's, and it is labelled for no other cluster. Its labels may be gone (a
 * hand edit that took it out of the cache): the name is the one this
 * controller gives, so the write puts them back.
 */
export function ownGatewayRecord(object: KubeObject, config: PlatformConfig): boolean {
  const labels = (object.metadata?.labels ?? {}) as Record<string, string>;
  if (!writtenByReconciler(object) || labels[LABEL_ROUTE_UID] !== undefined) return false;
  return labels[LABEL_CLUSTER] === undefined || labels[LABEL_CLUSTER] === config.cluster?.name;
}

/**
 * True for a gateway record this cluster's controller made: its labels, its
 * field manager, and its name exactly what gatewayEndpointName gives for its
 * load balancer, region and this cluster. A record labelled for another
 * cluster, or with a region but no cluster configured here, is not judged
 * ours: it is left alone.
 */
export function madeHere(object: KubeObject, config: PlatformConfig): boolean {
  const labels = (object.metadata?.labels ?? {}) as Record<string, string>;
  const loadBalancer = labels[LABEL_GATEWAY_RECORD];
  if (labels[LABEL_MANAGED_BY] !== MANAGED_BY_HOSTGATE || loadBalancer === undefined || loadBalancer === "") return false;
  if (object.metadata?.namespace !== config.gateway.namespace || !writtenByReconciler(object)) return false;
  const cluster = labels[LABEL_CLUSTER];
  const region = labels[LABEL_REGION];
  if (cluster === undefined && region === undefined) return object.metadata?.name === gatewayEndpointName(loadBalancer);
  if (cluster === undefined || region === undefined || cluster !== config.cluster?.name) return false;
  return object.metadata?.name === gatewayEndpointName(loadBalancer, { cluster, region });
}

function labelOf(object: KubeObject, key: string): string {
  return ((object.metadata?.labels ?? {}) as Record<string, string>)[key] ?? "";
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
