// The gateway records Route53 should hold: for each two-step load balancer
// pool member (loadBalancers.<lb>: {service, gatewayHostname}, or such an
// entry of loadBalancers.<lb>.members: pool-member-records.ts), the gateway
// Service's address (gateway-address.ts) at gatewayHostname, in the zone of
// the apex gatewayHostname is under, owned in the TXT registry by
// `gateway/<svc-namespace>/<svc-name>`. Routes on that load balancer get a
// CNAME to gatewayHostname (desired-records.ts), so a new gateway address
// changes these records only. Pure.
//
// - Simple records (no set identifier) in every region mode: gatewayHostname
//   names this cluster's gateway, so no other cluster writes it.
// - Two entries naming the same Service and hostname are one gateway record.
// - Every two-step member gets its record, whether or not a route is placed
//   on it yet: a route placed there finds its gateway name resolving.
// - Without an address yet (no ingress, Service missing) nothing is desired
//   and what an earlier pass wrote stays (`keep`): an address that went away
//   for a moment must not take every route on the gateway out of DNS; the
//   routes say they wait for it (GatewayAddressPending). That holds for what
//   any of hostgate's gateway resources holds at the hostname
//   (heldForWaitingGateways): an entry switched to another Service keeps the
//   old Service's record until the new one has an address, which then
//   replaces it in one group.
import type { PoolMember } from "../../core/config/edge-pool.ts";
import type { PlatformConfig, ServiceRef } from "../../core/config/platform-config.ts";
import { compareStrings } from "../../core/compare-strings.ts";
import { loadBalancerTarget } from "../../core/config/load-balancer-target.ts";
import type { KubeObject } from "../../core/kube/object-key.ts";
import { apexOf } from "../../policies/engine/functions/hostname.ts";
import type { DnsRefusalReason } from "./desired-records.ts";
import { GATEWAY_RECORD_TTL_SECONDS, gatewayAddress } from "./gateway-address.ts";
import { registryNameTooLong } from "./registry-name-length.ts";
import { memberPath, twoStepMembers } from "./pool-member-records.ts";
import { registryName, ZoneRegistry } from "./txt-registry.ts";
import type { DnsRecord } from "./route53-port.ts";

/** Reads a Service from the cache (or, offline, from the files given): undefined when it does not exist. */
export type ServiceLookup = (ref: ServiceRef) => KubeObject | undefined;

/** Which gateway record a route's CNAME points at: its owner resource and its name. */
export interface GatewayRef {
  /** `gateway/<namespace>/<name>` of the Service. */
  readonly resource: string;
  readonly hostname: string;
}

export type GatewayState =
  /** The address is known: these records at `hostname` in `zoneId`. */
  | { readonly kind: "records"; readonly zoneId: string; readonly records: readonly DnsRecord[] }
  /** No address yet: nothing desired, what is there stays; `message` says why (gatewayAddress's reason). */
  | { readonly kind: "no-address"; readonly message: string }
  /** The hostname cannot hold the record (the config check should have refused it). */
  | { readonly kind: "refused"; readonly reason: DnsRefusalReason; readonly message: string };

export interface GatewayIntent extends GatewayRef {
  readonly service: ServiceRef;
  /** The pool members (a class of one entry: its name) naming this Service and hostname, sorted. */
  readonly loadBalancers: readonly string[];
  readonly state: GatewayState;
}

/** The TXT registry resource of a gateway Service's records. */
export function gatewayResource(service: ServiceRef): string {
  return `gateway/${service.namespace}/${service.name}`;
}

/** The gateway record the routes placed on a pool member point at, or undefined for a fixed member. */
export function gatewayOf(member: PoolMember): GatewayRef | undefined {
  const target = loadBalancerTarget(member.entry);
  return target.kind === "service" ? { resource: gatewayResource(target.service), hostname: target.gatewayHostname } : undefined;
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
  for (const target of twoStepMembers(config)) {
    const apex = apexOf(target.gatewayHostname, apexes);
    if (!GATEWAY_RECORD_TYPES.some((type) => registryName(target.gatewayHostname, type, apex) === domain)) continue;
    return (
      `${domain} is where the TXT owner record of the gateway record ${target.gatewayHostname} (${memberPath(target.member, config)}) goes, ` +
      `which says the address of gateway Service ${target.service.namespace}/${target.service.name} there is hostgate's, so no route may publish a record ` +
      "at that name (it would keep the gateway record out of the zone). Route another name"
    );
  }
  return undefined;
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

/** One intent per gateway record (Service and hostname), sorted by hostname then resource. */
export function gatewayIntents(config: PlatformConfig, service: ServiceLookup): GatewayIntent[] {
  const byKey = new Map<string, { ref: GatewayRef; service: ServiceRef; loadBalancers: string[] }>();
  for (const target of twoStepMembers(config)) {
    const lb = target.member.name;
    const ref = { resource: gatewayResource(target.service), hostname: target.gatewayHostname };
    const key = `${ref.hostname}\u0000${ref.resource}`;
    const known = byKey.get(key);
    if (known === undefined) byKey.set(key, { ref, service: target.service, loadBalancers: [lb] });
    else known.loadBalancers.push(lb);
  }
  return [...byKey.values()]
    .map(({ ref, service: svc, loadBalancers }) => ({
      ...ref,
      service: svc,
      loadBalancers: loadBalancers.sort(compareStrings),
      state: gatewayState(ref.hostname, svc, service(svc), config),
    }))
    .sort((a, b) => compareStrings(a.hostname, b.hostname) || compareStrings(a.resource, b.resource));
}

function gatewayState(hostname: string, ref: ServiceRef, service: KubeObject | undefined, config: PlatformConfig): GatewayState {
  const apexes = config.domains.map((d) => d.apex);
  const apex = apexOf(hostname, apexes);
  const domain = config.domains.find((d) => d.apex === apex);
  if (apex === "" || domain === undefined) {
    const message = `the gateway hostname ${hostname} is under none of the platform's domains (${apexes.join(", ")}), so hostgate has no zone to write its record in`;
    return { kind: "refused", reason: "DomainNotManaged", message };
  }
  const address = gatewayAddress(service, ref);
  if (address.kind === "none") return { kind: "no-address", message: address.reason };
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
      `and Service ${ref.namespace}/${ref.name}'s address is the host name ${address.hostname}; use a gatewayHostname under the apex`;
    return { kind: "refused", reason: "CnameAtApex", message };
  }
  const tooLong = registryNameTooLong(records, apex);
  if (tooLong !== undefined) return { kind: "refused", reason: "RecordNameTooLong", message: tooLong };
  return { kind: "records", zoneId: domain.zoneId, records };
}
