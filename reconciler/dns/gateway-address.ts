// The gateway record of a two-step load balancer entry (config
// loadBalancers.<lb>: {service, gatewayHostname}): what the gateway Service's
// status.loadBalancer.ingress says its address is, as DNS records at
// gatewayHostname. Shared by both DNS back ends (Route53 writes the records,
// external-dns gets them in a DNSEndpoint). Pure.
//
// - IP addresses (Azure, GCP, MetalLB, kube-vip): an A record with every
//   IPv4 address and an AAAA record with every IPv6 one, sorted.
// - Host names only (an AWS NLB): a CNAME to the first in sorted order (a
//   CNAME has one value; a Service with several host names is unusual).
// - An entry with both an ip and a hostname counts by its ip.
// - Nothing yet (the cloud has not provisioned the address): no record; the
//   routes on that load balancer say they wait for it.
import { isIPv4, isIPv6 } from "node:net";
import { compareStrings } from "../../core/compare-strings.ts";
import type { KubeObject } from "../../core/kube/object-key.ts";

export type GatewayAddress =
  | { readonly kind: "ips"; readonly ipv4: readonly string[]; readonly ipv6: readonly string[] }
  | { readonly kind: "hostname"; readonly hostname: string }
  | { readonly kind: "none"; readonly reason: string };

/** The TTL of a gateway record: short, so a new gateway address is seen within a minute. */
export const GATEWAY_RECORD_TTL_SECONDS = 60;

/** The gateway's address from its Service as cached (undefined when the Service does not exist). */
export function gatewayAddress(service: KubeObject | undefined, ref: { namespace: string; name: string }): GatewayAddress {
  const what = `Service ${ref.namespace}/${ref.name}`;
  if (service === undefined) return { kind: "none", reason: `${what}, named by the platform config as the gateway, does not exist` };
  const status = service.status as { loadBalancer?: { ingress?: unknown } } | undefined;
  const ingress = Array.isArray(status?.loadBalancer?.ingress) ? (status.loadBalancer.ingress as unknown[]) : [];
  const ipv4 = new Set<string>();
  const ipv6 = new Set<string>();
  const hostnames = new Set<string>();
  for (const entry of ingress) {
    if (typeof entry !== "object" || entry === null) continue;
    const { ip, hostname } = entry as { ip?: unknown; hostname?: unknown };
    if (typeof ip === "string" && isIPv4(ip)) ipv4.add(ip);
    else if (typeof ip === "string" && isIPv6(ip)) ipv6.add(ip.toLowerCase());
    else if (typeof hostname === "string" && hostname !== "") hostnames.add(hostname.toLowerCase().replace(/\.$/, ""));
  }
  if (ipv4.size > 0 || ipv6.size > 0) return { kind: "ips", ipv4: [...ipv4].sort(compareStrings), ipv6: [...ipv6].sort(compareStrings) };
  if (hostnames.size > 0) return { kind: "hostname", hostname: [...hostnames].sort(compareStrings)[0]! };
  const type = (service.spec as { type?: unknown } | undefined)?.type;
  const reason =
    type === "LoadBalancer"
      ? `${what} has no address in status.loadBalancer.ingress yet (its cloud load balancer is still being provisioned, or failed: see its events)`
      : `${what} is of type ${String(type ?? "ClusterIP")}, not LoadBalancer, so it gets no external address; the platform config's loadBalancers entry must name the gateway's LoadBalancer Service`;
  return { kind: "none", reason };
}
