// The gateway records Route53 should hold: for each two-step load balancer
// pool member (loadBalancers.<lb>: {service, gatewayHostname}, or such an
// entry of loadBalancers.<lb>.members; on the Gateway API data plane a pooled
// Gateway, configured or autoscaled: pool-member-records.ts), the gateway
// Service's (or Gateway's) address (gateway-address.ts) at gatewayHostname,
// in the zone of the apex gatewayHostname is under, owned in the TXT registry
// by `gateway/<svc-namespace>/<svc-name>` (a Gateway:
// `gateway/gateway.networking.k8s.io/<namespace>/<name>`, so a Service and a
// Gateway of one name are two owners). Routes on that load balancer get a
// CNAME to gatewayHostname (desired-records.ts), so a new gateway address
// changes these records only. Pure.
//
// - Simple records (no set identifier) in every region mode: gatewayHostname
//   names this cluster's gateway, so no other cluster writes it.
// - Two entries naming the same Service and hostname are one gateway record.
// - Every gateway Service member gets its record, whether or not a route is
//   placed on it yet: a route placed there finds its gateway name resolving.
//   A pooled Gateway member gets one while a route is placed on it
//   (publishedTwoStepMembers) and its Gateway exists and is hostgate's
//   (gateway-address.ts). A route placed there whose Gateway does not exist
//   (not made yet, or deleted: no route there gets a listener) leaves nothing
//   (`absent`): what an earlier pass wrote is deleted, since the cloud may
//   hand the deleted load balancer's address to someone else. A Gateway
//   hostgate did not write is refused (ObjectNotOwned): its address is never
//   published and nothing is kept for it.
// - Without an address yet (no ingress, Service missing, Gateway not
//   programmed or just created) nothing is desired
//   and what an earlier pass wrote stays (`keep`): an address that went away
//   for a moment must not take every route on the gateway out of DNS; the
//   routes say they wait for it (GatewayAddressPending). That holds for what
//   any of hostgate's gateway resources holds at the hostname
//   (heldForWaitingGateways): an entry switched to another Service keeps the
//   old Service's record until the new one has an address, which then
//   replaces it in one group.
import type { PoolMember } from "../../core/config/edge-pool.ts";
import type { PlatformConfig, ServiceRef } from "../../core/config/platform-config.ts";
import type { DomainRoute } from "../../crds/types.ts";
import { compareStrings } from "../../core/compare-strings.ts";
import { loadBalancerTarget } from "../../core/config/load-balancer-target.ts";
import type { KubeObject } from "../../core/kube/object-key.ts";
import { apexOf } from "../../policies/engine/functions/hostname.ts";
import { OWNERSHIP_REASON } from "../apply/ownership.ts";
import type { DnsRefusalReason } from "./desired-records.ts";
import type { AddressObjects, AddressSource } from "./gateway-address.ts";
import { addressOf, describeSource, GATEWAY_RECORD_TTL_SECONDS } from "./gateway-address.ts";
import { registryNameTooLong } from "./registry-name-length.ts";
import type { TwoStepMember } from "./pool-member-records.ts";
import { memberPath, publishedTwoStepMembers, twoStepMemberAt, twoStepMembers } from "./pool-member-records.ts";
import { registryName, ZoneRegistry } from "./txt-registry.ts";
import type { DnsRecord } from "./route53-port.ts";

/** Reads a Service from the cache (or, offline, from the files given): undefined when it does not exist. */
export type ServiceLookup = (ref: ServiceRef) => KubeObject | undefined;

/** Which gateway record a route's CNAME points at: its owner resource and its name. */
export interface GatewayRef {
  /** `gateway/<namespace>/<name>` of the Service (gatewayResource). */
  readonly resource: string;
  readonly hostname: string;
}

export type GatewayState =
  /** The address is known: these records at `hostname` in `zoneId`. */
  | { readonly kind: "records"; readonly zoneId: string; readonly records: readonly DnsRecord[] }
  /** No address yet: nothing desired, what is there stays; `message` says why (gatewayAddress's reason). */
  | { readonly kind: "no-address"; readonly message: string }
  /** A pooled Gateway that does not exist: nothing desired, nothing kept (what is there is deleted); `message` says why. */
  | { readonly kind: "absent"; readonly message: string }
  /**
   * The hostname cannot hold the record (the config check should have refused it), or (ObjectNotOwned) the pooled Gateway
   * at the member's name is not hostgate's: nothing desired, nothing kept.
   */
  | { readonly kind: "refused"; readonly reason: DnsRefusalReason | typeof OWNERSHIP_REASON.ObjectNotOwned; readonly message: string };

export interface GatewayIntent extends GatewayRef {
  /** The gateway Service or pooled Gateway whose address it is. */
  readonly source: AddressSource;
  /** The pool members (a class of one entry: its name) naming this source and hostname, sorted. */
  readonly loadBalancers: readonly string[];
  readonly state: GatewayState;
}

/** The API group in a pooled Gateway's registry resource, which a Service's (`gateway/<namespace>/<name>`) never has. */
const GATEWAY_API_GROUP = "gateway.networking.k8s.io";

/** The TXT registry resource of a gateway Service's (or pooled Gateway's) records. */
export function gatewayResource(source: ServiceRef | AddressSource): string {
  if ("kind" in source && source.kind === "gateway") return `gateway/${GATEWAY_API_GROUP}/${source.namespace}/${source.name}`;
  return `gateway/${source.namespace}/${source.name}`;
}

/** How messages name the owner of a gateway resource: `Service istio-system/ingress`, `pooled Gateway edge/public-01`. */
export function gatewayResourceOwner(resource: string): string {
  const parts = resource.split("/");
  return parts.length === 4 && parts[1] === GATEWAY_API_GROUP ? `pooled Gateway ${parts[2]}/${parts[3]}` : `Service ${parts.slice(1).join("/")}`;
}

/** The gateway record the routes placed on a pool member point at, or undefined for a fixed member. */
export function gatewayOf(member: PoolMember, config: PlatformConfig): GatewayRef | undefined {
  const target = loadBalancerTarget(member.entry);
  if (target.kind === "service") return { resource: gatewayResource(target.service), hostname: target.gatewayHostname };
  if (target.kind === "gateway") {
    return { resource: gatewayResource({ kind: "gateway", namespace: config.gateway.namespace, name: target.gateway }), hostname: target.gatewayHostname };
  }
  return undefined;
}

/** The record types a gateway record may have (gatewayState): where their TXT owner records go is the gateway's too. */
const GATEWAY_RECORD_TYPES = ["A", "AAAA", "CNAME"] as const;

/**
 * Why a route may not publish `domain` because a two-step load balancer's
 * gateway record keeps its TXT owner record there (`a-`, `aaaa-` or `cname-`
 * before the gatewayHostname), or undefined. A route's CNAME there would keep
 * the gateway's TXT, and so the gateway record, out of the zone for as long
 * as the route lives (the gatewayHostname itself: reserved-name.ts).
 */
export function gatewayRegistryName(domain: string, config: PlatformConfig): string | undefined {
  const apexes = config.domains.map((d) => d.apex);
  const holds = (target: TwoStepMember) => {
    const apex = apexOf(target.gatewayHostname, apexes);
    return GATEWAY_RECORD_TYPES.some((type) => registryName(target.gatewayHostname, type, apex) === domain);
  };
  // Configured members by their hostnames; autoscaled ones (maxMembers of them, in use or not) by the hostname the type prefix is put before.
  const target =
    twoStepMembers(config).find(holds) ??
    GATEWAY_RECORD_TYPES.map((type) => `${type.toLowerCase()}-`)
      .filter((prefix) => domain.startsWith(prefix))
      .map((prefix) => twoStepMemberAt(domain.slice(prefix.length), config))
      .find((t): t is TwoStepMember => t !== undefined && holds(t));
  if (target === undefined) return undefined;
  return (
    `${domain} is where the TXT owner record of the gateway record ${target.gatewayHostname} (${memberPath(target.member, config)}) goes, ` +
    `which says the address of ${describeSource(target.source)} there is hostgate's, so no route may publish a record ` +
    "at that name (it would keep the gateway record out of the zone). Route another name"
  );
}

/**
 * hostgate's gateway resources (under `ownerId`) whose records in `current`
 * (one zone, apex `apex`) sit at the hostname of a gateway without an address
 * yet: their records stay like the waiting gateway's own (`keep`).
 */
export function heldForWaitingGateways(gateways: readonly GatewayIntent[], current: readonly DnsRecord[], apex: string, ownerId: string): Set<string> {
  const waiting = gateways.filter((g) => g.state.kind === "no-address");
  if (waiting.length === 0) return new Set();
  const registry = new ZoneRegistry(current, apex);
  const held = new Set<string>();
  for (const gateway of waiting)
    for (const entry of registry.entriesFor(gateway.hostname)) {
      const resource = entry.labels.resource ?? "";
      if (entry.labels.owner === ownerId && resource.startsWith("gateway/")) held.add(resource);
    }
  return held;
}

/**
 * One intent per gateway record (source and hostname) of the members whose
 * record is published (publishedTwoStepMembers: `routes` tell which pooled
 * Gateways are in use), sorted by hostname then resource.
 */
export function gatewayIntents(config: PlatformConfig, objects: AddressObjects, routes: readonly DomainRoute[] = []): GatewayIntent[] {
  const byKey = new Map<string, { ref: GatewayRef; source: AddressSource; loadBalancers: string[] }>();
  for (const target of publishedTwoStepMembers(config, routes)) {
    const lb = target.member.name;
    const ref = { resource: gatewayResource(target.source), hostname: target.gatewayHostname };
    const key = `${ref.hostname}\u0000${ref.resource}`;
    const known = byKey.get(key);
    if (known === undefined) byKey.set(key, { ref, source: target.source, loadBalancers: [lb] });
    else known.loadBalancers.push(lb);
  }
  return [...byKey.values()]
    .map(({ ref, source, loadBalancers }) => ({
      ...ref,
      source,
      loadBalancers: loadBalancers.sort(compareStrings),
      state: gatewayState(ref.hostname, source, objects, config),
    }))
    .sort((a, b) => compareStrings(a.hostname, b.hostname) || compareStrings(a.resource, b.resource));
}

function gatewayState(hostname: string, source: AddressSource, objects: AddressObjects, config: PlatformConfig): GatewayState {
  const apexes = config.domains.map((d) => d.apex);
  const apex = apexOf(hostname, apexes);
  const domain = config.domains.find((d) => d.apex === apex);
  if (apex === "" || domain === undefined) {
    const message = `the gateway hostname ${hostname} is under none of the platform's domains (${apexes.join(", ")}), so hostgate has no zone to write its record in`;
    return { kind: "refused", reason: "DomainNotManaged", message };
  }
  const address = addressOf(source, objects);
  if (address.kind === "none" && address.why === "not-owned") return { kind: "refused", reason: OWNERSHIP_REASON.ObjectNotOwned, message: address.reason };
  if (address.kind === "none") return { kind: address.why === "gone" ? "absent" : "no-address", message: address.reason };
  const ttl = GATEWAY_RECORD_TTL_SECONDS;
  const records: DnsRecord[] =
    address.kind === "hostname"
      ? [{ name: hostname, type: "CNAME", ttl, values: [address.hostname] }]
      : [
          ...(address.ipv4.length === 0 ? [] : [{ name: hostname, type: "A", ttl, values: [...address.ipv4] }]),
          ...(address.ipv6.length === 0 ? [] : [{ name: hostname, type: "AAAA", ttl, values: [...address.ipv6] }]),
        ];
  if (address.kind === "hostname" && hostname === apex) {
    const message =
      `the gateway hostname ${hostname} is the apex of its zone, where DNS allows no CNAME, ` +
      `and ${source.kind === "service" ? "Service" : "pooled Gateway"} ${source.namespace}/${source.name}'s address is the host name ${address.hostname}; ` +
      "use a gatewayHostname under the apex";
    return { kind: "refused", reason: "CnameAtApex", message };
  }
  const tooLong = registryNameTooLong(records, apex);
  if (tooLong !== undefined) return { kind: "refused", reason: "RecordNameTooLong", message: tooLong };
  return { kind: "records", zoneId: domain.zoneId, records };
}
