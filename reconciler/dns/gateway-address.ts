// The gateway record of a two-step load balancer entry (config
// loadBalancers.<lb>: {service, gatewayHostname}, or on the Gateway API data
// plane a pooled Gateway: {gateway, gatewayHostname}): what the gateway
// Service's status.loadBalancer.ingress, or the Gateway's status.addresses,
// says its address is, as DNS records at gatewayHostname. Shared by both DNS back ends (Route53 writes the records,
// external-dns gets them in a DNSEndpoint). Pure.
//
// - IP addresses (Azure, GCP, MetalLB, kube-vip): an A record with every
//   IPv4 address and an AAAA record with every IPv6 one, sorted.
// - Host names only (an AWS NLB): a CNAME to the first in sorted order (a
//   CNAME has one value; a Service with several host names is unusual).
// - An entry with both an ip and a hostname counts by its ip.
// - Nothing yet (the cloud has not provisioned the address, the Gateway is
//   not programmed yet or was only just created for a new member): no record;
//   the routes on that load balancer say they wait for it. What was published
//   stays (`pending`: the fail-safe), except for a pooled Gateway that does
//   not exist (`gone`: hostgate deleted it, or has not made it yet) or is not
//   hostgate's (`not-owned`): a record kept then would point at an address the
//   cloud may hand to someone else, or that someone else's object chose.
// - Only the address of a pooled Gateway hostgate's pool Gateways controller
//   wrote (ownPoolGateway: its field manager, no route's) is taken: a Gateway
//   someone else made at a member's name (labels prove nothing) is one that
//   controller leaves alone, so its load balancer's listeners are not
//   hostgate's to vouch for. `hostgate render` reads Gateways given as files,
//   where the managedFields are usually left out: they count as hostgate's.
// - A Gateway's addresses (GatewayStatusAddress: `type` defaults to
//   IPAddress): IPAddress ones count as a Service's ip, Hostname ones as its
//   hostname; NamedAddress and implementation-specific types, and a wildcard
//   host name, name no address DNS can point at and are skipped.
import { isIPv4, isIPv6 } from "node:net";
import { compareStrings } from "../../core/compare-strings.ts";
import type { KubeObject } from "../../core/kube/object-key.ts";
import { ownPoolGateway } from "../edge/gateways/reconcile-pool-gateways.ts";
import { FIELD_MANAGER } from "../resources.ts";

/**
 * Why a source gives no address: `pending` (it has none now; what was published stays), `gone` (a pooled Gateway that
 * does not exist; nothing stays), `not-owned` (a pooled Gateway hostgate did not write; nothing stays, and it is refused).
 */
export type NoAddress = "pending" | "gone" | "not-owned";

export type GatewayAddress =
  | { readonly kind: "ips"; readonly ipv4: readonly string[]; readonly ipv6: readonly string[] }
  | { readonly kind: "hostname"; readonly hostname: string }
  | { readonly kind: "none"; readonly why: NoAddress; readonly reason: string };

/** The TTL of a gateway record: short, so a new gateway address is seen within a minute. */
export const GATEWAY_RECORD_TTL_SECONDS = 60;

/** Where a two-step member's address is read: its gateway Service, or (Gateway API data plane) its pooled Gateway. */
export type AddressSource =
  | { readonly kind: "service"; readonly namespace: string; readonly name: string }
  | { readonly kind: "gateway"; readonly namespace: string; readonly name: string };

/** Reads the objects an address comes from, from the cache (or, offline, the files given): undefined when there is none. */
export interface AddressObjects {
  readonly service: (ref: { namespace: string; name: string }) => KubeObject | undefined;
  readonly gateway: (ref: { namespace: string; name: string }) => KubeObject | undefined;
  /** Whether a pooled Gateway is hostgate's (its address may be published); default ownPoolGateway. render: every one given. */
  readonly ownGateway?: (gateway: KubeObject) => boolean;
}

/** How messages name the source: `gateway Service istio-system/ingress`, `pooled Gateway edge/public-01`. */
export function describeSource(source: AddressSource): string {
  return `${source.kind === "service" ? "gateway Service" : "pooled Gateway"} ${source.namespace}/${source.name}`;
}

/** The source's address, read from the object it names. */
export function addressOf(source: AddressSource, objects: AddressObjects): GatewayAddress {
  const ref = { namespace: source.namespace, name: source.name };
  if (source.kind === "service") return gatewayAddress(objects.service(ref), ref);
  return pooledGatewayAddress(objects.gateway(ref), ref, objects.ownGateway ?? ownPoolGateway);
}

/** The gateway's address from its Service as cached (undefined when the Service does not exist). */
export function gatewayAddress(service: KubeObject | undefined, ref: { namespace: string; name: string }): GatewayAddress {
  const what = `Service ${ref.namespace}/${ref.name}`;
  // A Service is the platform's and outlives any route: one being re-created keeps its record (pending).
  if (service === undefined) return { kind: "none", why: "pending", reason: `${what}, named by the platform config as the gateway, does not exist` };
  const status = service.status as { loadBalancer?: { ingress?: unknown } } | undefined;
  const ingress = Array.isArray(status?.loadBalancer?.ingress) ? (status.loadBalancer.ingress as unknown[]) : [];
  const found = new Addresses();
  for (const entry of ingress) {
    if (typeof entry !== "object" || entry === null) continue;
    const { ip, hostname } = entry as { ip?: unknown; hostname?: unknown };
    if (!found.ip(ip)) found.hostname(hostname);
  }
  const address = found.address();
  if (address !== undefined) return address;
  const type = (service.spec as { type?: unknown } | undefined)?.type;
  const reason =
    type === "LoadBalancer"
      ? `${what} has no address in status.loadBalancer.ingress yet (its cloud load balancer is still being provisioned, or failed: see its events)`
      : `${what} is of type ${String(type ?? "ClusterIP")}, not LoadBalancer, so it gets no external address; the platform config's loadBalancers entry must name the gateway's LoadBalancer Service`;
  return { kind: "none", why: "pending", reason };
}

/**
 * A pooled Gateway's address from the Gateway as cached (undefined when it
 * does not exist: the pool Gateways controller creates it once a route placed
 * on its member gets a listener there, and deletes it when none does), taken
 * only when `owns` it is hostgate's.
 */
export function pooledGatewayAddress(
  gateway: KubeObject | undefined,
  ref: { namespace: string; name: string },
  owns: (gateway: KubeObject) => boolean = ownPoolGateway,
): GatewayAddress {
  const what = `pooled Gateway ${ref.namespace}/${ref.name}`;
  if (gateway === undefined) {
    const reason =
      `${what} does not exist yet, or no longer (hostgate creates it once a route placed on its member gets a listener there, ` +
      "and deletes it when none does), so no gateway record is published for it";
    return { kind: "none", why: "gone", reason };
  }
  if (!owns(gateway)) {
    const reason =
      `Gateway ${ref.namespace}/${ref.name} exists and hostgate did not create it (its metadata.managedFields name no write by ${FIELD_MANAGER}, ` +
      "or it carries a route's uid label), so hostgate does not publish its address at the member's gateway hostname " +
      "(and the pool Gateways controller leaves it as it is); delete it (or give it another name) so hostgate can write the member's Gateway";
    return { kind: "none", why: "not-owned", reason };
  }
  const status = gateway.status as { addresses?: unknown; conditions?: unknown } | undefined;
  const addresses = Array.isArray(status?.addresses) ? (status.addresses as unknown[]) : [];
  const found = new Addresses();
  for (const entry of addresses) {
    if (typeof entry !== "object" || entry === null) continue;
    const { type = "IPAddress", value } = entry as { type?: unknown; value?: unknown };
    if (type === "IPAddress") found.ip(value);
    else if (type === "Hostname" && typeof value === "string" && !value.startsWith("*")) found.hostname(value);
  }
  const address = found.address();
  if (address !== undefined) return address;
  const conditions = Array.isArray(status?.conditions)
    ? (status.conditions as { type?: unknown; status?: unknown; reason?: unknown; message?: unknown }[])
    : [];
  const programmed = conditions.find((c) => c?.type === "Programmed");
  const said =
    programmed === undefined
      ? "it has no Programmed condition yet: its GatewayClass's controller has not taken it up"
      : `Programmed is ${String(programmed.status)} (${String(programmed.reason ?? "")}${typeof programmed.message === "string" && programmed.message !== "" ? `: ${programmed.message}` : ""})`;
  return {
    kind: "none",
    why: "pending",
    reason: `${what} has no IP address or host name in status.addresses yet (its load balancer is still being provisioned, or failed: ${said})`,
  };
}

/** The addresses seen so far: IPv4 and IPv6 ones, and host names (lower case, no root dot). */
class Addresses {
  readonly #ipv4 = new Set<string>();
  readonly #ipv6 = new Set<string>();
  readonly #hostnames = new Set<string>();

  /** Takes `value` when it is an IP address; false when it is not one. */
  ip(value: unknown): boolean {
    if (typeof value === "string" && isIPv4(value)) this.#ipv4.add(value);
    else if (typeof value === "string" && isIPv6(value)) this.#ipv6.add(value.toLowerCase());
    else return false;
    return true;
  }

  hostname(value: unknown): void {
    if (typeof value === "string" && value !== "") this.#hostnames.add(value.toLowerCase().replace(/\.$/, ""));
  }

  /** IPs win over host names; undefined when nothing usable was seen. */
  address(): GatewayAddress | undefined {
    if (this.#ipv4.size > 0 || this.#ipv6.size > 0)
      return { kind: "ips", ipv4: [...this.#ipv4].sort(compareStrings), ipv6: [...this.#ipv6].sort(compareStrings) };
    if (this.#hostnames.size > 0) return { kind: "hostname", hostname: [...this.#hostnames].sort(compareStrings)[0]! };
    return undefined;
  }
}
