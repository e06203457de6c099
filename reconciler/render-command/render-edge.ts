// What `hostgate render` shows of DNS and certificates: the records and
// certificates the DNS and certificate controllers would want for the routes
// it renders, computed by their own planners. Offline, it cannot know what
// Route53 or ACM hold: records are planned against empty zones (what a first
// pass would create: each record with its TXT owner record), certificates
// are listed as needed, whether they exist or not. cert-manager Certificates
// are Kubernetes objects and are rendered as such. Pure.
import { certificatesInAcm } from "../../core/config/acm-settings.ts";
import type { PlatformConfig } from "../../core/config/platform-config.ts";
import type { KubeObject } from "../../core/kube/object-key.ts";
import type { DomainClaim, DomainRoute } from "../../crds/types.ts";
import { desiredCertificates } from "../certificates/desired-certificates.ts";
import { renderWildcardCertificate } from "../certificates/plan-cert-manager.ts";
import { desiredDns } from "../dns/desired-records.ts";
import { planZone } from "../dns/plan-dns.ts";
import type { DnsRecord } from "../dns/route53-port.ts";

export interface RenderedRecord {
  zoneId: string;
  name: string;
  type: string;
  /** The alias target, or the values. */
  target: string;
  ttl?: number;
  /** `domainroute/<namespace>/<name>`, or the TXT owner record's owner. */
  resource: string;
}

export interface RenderedCertificate {
  names: string[];
  /** `acm`: requested from ACM; `cert-manager`: a Certificate (rendered among the objects). */
  provider: string;
  listenerArns: string[];
  routes: string[];
}

export interface RenderedEdge {
  records: RenderedRecord[];
  certificates: RenderedCertificate[];
  /** cert-manager Certificates, to print with the other objects. */
  objects: KubeObject[];
  /** Why a route would get no record or certificate, one line each. */
  notes: string[];
}

export function renderEdge(routes: readonly DomainRoute[], claims: readonly DomainClaim[], config: PlatformConfig): RenderedEdge {
  const edge: RenderedEdge = { records: [], certificates: [], objects: [], notes: [] };
  if (config.dns.provider === "route53") addRecords(edge, routes, claims, config);
  const certificates = config.certificates;
  if (certificates.provider === "none") return edge;
  const desired = desiredCertificates(routes, claims, config, { listeners: certificatesInAcm(config) });
  for (const [routeRef, need] of [...desired.routes].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    if (need.kind === "noApex")
      edge.notes.push(
        `DomainRoute ${routeRef}: ${need.domain} is under none of the platform's domains; no certificate (CertificateReady=False, DomainOutsideApexes)`,
      );
    if (need.kind === "noListener")
      edge.notes.push(`DomainRoute ${routeRef}: loadBalancers.${need.lb}.listenerArn is not set; no certificate (CertificateReady=False, NoListener)`);
  }
  for (const certificate of desired.certificates) {
    edge.certificates.push({
      names: [...certificate.names],
      provider: certificates.provider,
      listenerArns: [...certificate.listenerArns],
      routes: [...certificate.routes],
    });
    if (certificates.provider === "cert-manager" && certificates.certManager !== undefined)
      edge.objects.push(renderWildcardCertificate(certificate, certificates.certManager));
  }
  return edge;
}

function addRecords(edge: RenderedEdge, routes: readonly DomainRoute[], claims: readonly DomainClaim[], config: PlatformConfig): void {
  const desired = desiredDns({ routes, claims, config, requests: [] });
  for (const intent of desired.routes)
    if (intent.kind === "refused") edge.notes.push(`DomainRoute ${intent.routeRef}: ${intent.message} (DNSReady=False, ${intent.reason})`);
  for (const zone of desired.zones) {
    const plan = planZone({
      zone,
      ownerId: config.dns.ownerId ?? "",
      desired: desired.records.filter((d) => d.zoneId === zone.zoneId),
      current: [],
      deletable: () => false,
    });
    for (const [resource, messages] of plan.conflicts) for (const message of messages) edge.notes.push(`${resource}: ${message}`);
    for (const group of plan.groups)
      for (const change of group.changes) edge.records.push({ zoneId: zone.zoneId, ...shown(change.record), resource: group.resources.join(", ") });
  }
}

function shown(record: DnsRecord): Pick<RenderedRecord, "name" | "type" | "target" | "ttl"> {
  const target = record.alias !== undefined ? `alias ${record.alias.dnsName} (zone ${record.alias.hostedZoneId})` : (record.values ?? []).join(" ");
  return { name: record.name, type: record.type, target, ...(record.ttl === undefined ? {} : { ttl: record.ttl }) };
}

/** The records and certificates as YAML comments: kubectl ignores them, so the output can still be piped to `kubectl apply -f -`. */
export function edgeComments(edge: RenderedEdge, config: PlatformConfig): string {
  const lines: string[] = [];
  if (config.dns.provider === "route53") {
    lines.push(
      `Route53 records hostgate would hold (dns.provider route53, owner ${config.dns.ownerId ?? ""}; planned against empty zones: render cannot read Route53):`,
    );
    if (edge.records.length === 0) lines.push("  none");
    for (const r of edge.records) lines.push(`  ${r.zoneId}  ${r.type.padEnd(5)} ${r.name}  ${r.target}${r.ttl === undefined ? "" : `  ttl ${r.ttl}`}`);
  }
  if (config.certificates.provider !== "none") {
    lines.push(`Certificates hostgate would use (certificates.provider ${config.certificates.provider}; found in ACM or requested, render cannot tell which):`);
    if (edge.certificates.length === 0) lines.push("  none");
    for (const c of edge.certificates)
      lines.push(`  ${c.names.join(", ")}  for ${c.routes.join(", ")}${c.listenerArns.length === 0 ? "" : `  on ${c.listenerArns.join(", ")}`}`);
  }
  return lines.map((line) => `# ${line}`.trimEnd()).join("\n");
}
