// What `hostgate render` shows of DNS and certificates: the records and
// certificates the DNS and certificate controllers would want for the routes
// it renders, computed by their own planners. Offline, it cannot know what
// Route53 or ACM hold: records are planned against empty zones (what a first
// pass would create: each record with its TXT owner record), certificates
// are listed as needed, whether they exist or not. cert-manager Certificates
// are Kubernetes objects and are rendered as such. Pure.
//
// Across regions render shows what THIS cluster (config.cluster) publishes,
// so two regions' outputs can be compared side by side: latency records with
// their set identifier and AWS region, a RegionBound source's simple
// records, and for routes RegionBound elsewhere which region publishes them.
// The namespaces' RegionPolicies come from the input files (none given: the
// platform's dns.regionMode). A gateway record (two-step load balancer entry)
// is shown when its Service, with status.loadBalancer.ingress (on the Gateway
// API data plane its pooled Gateway, with status.addresses), is among the
// input files; otherwise a comment says which object's address it takes. A
// pooled Gateway given counts as existing and as hostgate's (`kubectl get`
// leaves out the managedFields that prove it in the cluster).
//
// With a load balancer pool the routes come placed (place-routes.ts: each
// one's status.edge as the pool controller would write it), so records and
// listener certificates point at each route's member, as the controllers'
// would; the placement itself is listed first.
import type { PlatformConfig } from "../../core/config/platform-config.ts";
import type { KubeObject } from "../../core/kube/object-key.ts";
import type { DomainClaim, DomainRoute, RegionPolicy } from "../../crds/types.ts";
import { desiredCertificates, desiredOptions } from "../certificates/desired-certificates.ts";
import { renderWildcardCertificate } from "../certificates/plan-cert-manager.ts";
import { desiredDns, regionPoliciesByNamespace } from "../dns/desired-records.ts";
import { externalDnsStatus } from "../dns/external-dns/external-dns-status.ts";
import { routePublication } from "../dns/external-dns/render-dns-endpoint.ts";
import type { AddressSource } from "../dns/gateway-address.ts";
import type { GatewayIntent } from "../dns/gateway-records.ts";
import { gatewayRecordMembers, renderGatewayEndpoints } from "../dns/external-dns/render-gateway-endpoints.ts";
import { planZone } from "../dns/plan-dns.ts";
import type { RenderedPlacement } from "./place-routes.ts";
import { placementLines } from "./place-routes.ts";
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
  /** Latency records (Active across regions): this cluster's set identifier (its name). */
  setIdentifier?: string;
  /** Latency records: the AWS region Route53 measures latency to. */
  region?: string;
}

/** A gateway record (two-step load balancer entry) and whether render could show it. */
export interface RenderedGateway {
  hostname: string;
  /** `namespace/name` of the gateway Service whose address the record holds. */
  service?: string;
  /** `namespace/name` of the pooled Gateway (Gateway API data plane) whose address the record holds. */
  gateway?: string;
  loadBalancers: string[];
  /** True when its records are among `records` (or its DNSEndpoints among the objects). */
  shown: boolean;
  /** Why not, when not shown. */
  note?: string;
}

/** A route this cluster publishes nothing for: RegionBound to another region. */
export interface RenderedElsewhere {
  route: string;
  sourceRegion: string;
  message: string;
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
  /** The gateway records of two-step load balancer entries (route53 and external-dns). */
  gateways: RenderedGateway[];
  /** Routes RegionBound to another region (route53 and external-dns): the cluster there publishes them. */
  elsewhere: RenderedElsewhere[];
  /** With a load balancer pool: each route's member (place-routes.ts); empty without one. */
  placements: RenderedPlacement[];
}

/** What render knows of the cluster beyond the routes: the RegionPolicies, gateway Services and pooled Gateways given with -f or --state. */
export interface RenderInputs {
  regionPolicies: readonly RegionPolicy[];
  services: readonly KubeObject[];
  /** Gateway API Gateways (gateway.networking.k8s.io/v1), with status.addresses; none given: no pooled Gateway's address is known. */
  gateways?: readonly KubeObject[];
}

export function renderEdge(
  routes: readonly DomainRoute[],
  claims: readonly DomainClaim[],
  config: PlatformConfig,
  inputs: RenderInputs = { regionPolicies: [], services: [] },
): RenderedEdge {
  const edge: RenderedEdge = { records: [], certificates: [], objects: [], notes: [], gateways: [], elsewhere: [], placements: [] };
  if (config.dns.provider === "route53") addRecords(edge, routes, claims, config, inputs);
  if (config.dns.provider === "external-dns") {
    addExternalDnsRoutes(edge, routes, config, inputs);
    addGatewayEndpoints(edge, routes, config, inputs);
  }
  const certificates = config.certificates;
  if (certificates.provider === "none") return edge;
  const desired = desiredCertificates(routes, claims, config, desiredOptions(config));
  for (const [routeRef, need] of [...desired.routes].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    if (need.kind === "noApex")
      edge.notes.push(
        `DomainRoute ${routeRef}: ${need.domain} is under none of the platform's domains; no certificate (CertificateReady=False, DomainOutsideApexes)`,
      );
    if (need.kind === "noListener")
      edge.notes.push(`DomainRoute ${routeRef}: loadBalancers.${need.lb}.listenerArn is not set; no certificate (CertificateReady=False, NoListener)`);
    // A pool that cannot take the route is already a note (render-command.ts): nothing more to say here.
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

/** A Service among the input objects, by namespace and name. */
function serviceIn(services: readonly KubeObject[]) {
  return objectIn(services, "Service");
}

/** An object of `kind` among the input objects, by namespace and name. */
function objectIn(objects: readonly KubeObject[], kind: string) {
  return (ref: { namespace: string; name: string }) =>
    objects.find((s) => s.kind === kind && s.metadata?.namespace === ref.namespace && s.metadata?.name === ref.name);
}

/** A pooled Gateway given as a file is taken as hostgate's: the files rarely carry managedFields (see the top of this file). */
const givenIsOwn = () => true;

/** Whether the input files hold the object a gateway record's address comes from. */
function sourceGiven(source: AddressSource, inputs: RenderInputs): boolean {
  const ref = { namespace: source.namespace, name: source.name };
  return (source.kind === "service" ? serviceIn(inputs.services)(ref) : objectIn(inputs.gateways ?? [], "Gateway")(ref)) !== undefined;
}

function addRecords(edge: RenderedEdge, routes: readonly DomainRoute[], claims: readonly DomainClaim[], config: PlatformConfig, inputs: RenderInputs): void {
  const services = serviceIn(inputs.services);
  const gateways = objectIn(inputs.gateways ?? [], "Gateway");
  const desired = desiredDns({ routes, claims, config, requests: [], regionPolicies: inputs.regionPolicies, services, gateways, ownGateway: givenIsOwn });
  for (const intent of desired.routes) {
    if (intent.kind === "refused") edge.notes.push(`DomainRoute ${intent.routeRef}: ${intent.message} (DNSReady=False, ${intent.reason})`);
    if (intent.kind === "elsewhere") edge.elsewhere.push({ route: intent.routeRef, sourceRegion: intent.sourceRegion, message: intent.message });
  }
  for (const gateway of desired.gateways) edge.gateways.push(renderedGateway(gateway, sourceGiven(gateway.source, inputs)));
  for (const gateway of desired.gateways)
    if (gateway.state.kind === "refused") edge.notes.push(`gateway record ${gateway.hostname}: ${gateway.state.message} (${gateway.state.reason})`);
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

function renderedGateway(gateway: GatewayIntent, given: boolean): RenderedGateway {
  const base = { hostname: gateway.hostname, ...sourceField(gateway.source), loadBalancers: [...gateway.loadBalancers] };
  if (gateway.state.kind === "records") return { ...base, shown: true };
  if (gateway.state.kind === "refused") return { ...base, shown: false, note: gateway.state.message };
  return { ...base, shown: false, note: given ? `not published: ${gateway.state.message}` : gatewayFromSource(gateway.source) };
}

/** RenderedGateway's `service` or `gateway`: `namespace/name` of the object the address comes from. */
function sourceField(source: AddressSource): Pick<RenderedGateway, "service" | "gateway"> {
  const ref = `${source.namespace}/${source.name}`;
  return source.kind === "service" ? { service: ref } : { gateway: ref };
}

function gatewayFromSource(source: AddressSource): string {
  const ref = `${source.namespace}/${source.name}`;
  return source.kind === "service"
    ? `comes from Service ${ref}'s address (status.loadBalancer.ingress), which render cannot read; give the Service with -f to see it`
    : `comes from pooled Gateway ${ref}'s address (status.addresses), which render cannot read; give the Gateway with -f to see it`;
}

/**
 * With external-dns: each route that gets no DNSEndpoint from this cluster,
 * read as its DNSReady would say it (external-dns-status.ts): refused
 * (CnameAtApex, ZoneNotSelectable, ReservedName, UnknownSourceRegion) as a
 * note, RegionBound to another region among `elsewhere`.
 */
function addExternalDnsRoutes(edge: RenderedEdge, routes: readonly DomainRoute[], config: PlatformConfig, inputs: RenderInputs): void {
  const policies = regionPoliciesByNamespace(inputs.regionPolicies);
  for (const route of routes) {
    const routeRef = `${route.metadata.namespace}/${route.metadata.name}`;
    const regionPolicy = policies.get(route.metadata.namespace ?? "");
    const { condition } = externalDnsStatus(route, [], config, regionPolicy === undefined ? {} : { regionPolicy });
    if (condition.status === "False") edge.notes.push(`DomainRoute ${routeRef}: ${condition.message} (DNSReady=False, ${condition.reason})`);
    const publication = routePublication(route, config, regionPolicy);
    if (publication.kind === "elsewhere") edge.elsewhere.push({ route: routeRef, sourceRegion: publication.sourceRegion, message: condition.message });
  }
}

/** With external-dns: the gateway DNSEndpoints this cluster writes, from the Services (and pooled Gateways) given and the routes as placed. */
function addGatewayEndpoints(edge: RenderedEdge, routes: readonly DomainRoute[], config: PlatformConfig, inputs: RenderInputs): void {
  const rendered = renderGatewayEndpoints(config, serviceIn(inputs.services), {
    gatewayOf: objectIn(inputs.gateways ?? [], "Gateway"),
    ownGateway: givenIsOwn,
    routes,
  });
  edge.objects.push(...rendered.endpoints);
  const pending = new Map(rendered.pending.map((p) => [p.loadBalancer, p.reason]));
  for (const lb of gatewayRecordMembers(config, routes)) {
    const reason = pending.get(lb.name);
    const base = { hostname: lb.gatewayHostname, ...sourceField(lb.source), loadBalancers: [lb.name] };
    if (reason === undefined) edge.gateways.push({ ...base, shown: true });
    else edge.gateways.push({ ...base, shown: false, note: sourceGiven(lb.source, inputs) ? `not published: ${reason}` : gatewayFromSource(lb.source) });
  }
}

function shown(record: DnsRecord): Pick<RenderedRecord, "name" | "type" | "target" | "ttl" | "setIdentifier" | "region"> {
  const target = record.alias !== undefined ? `alias ${record.alias.dnsName} (zone ${record.alias.hostedZoneId})` : (record.values ?? []).join(" ");
  return {
    name: record.name,
    type: record.type,
    target,
    ...(record.ttl === undefined ? {} : { ttl: record.ttl }),
    ...(record.setIdentifier === undefined ? {} : { setIdentifier: record.setIdentifier }),
    ...(record.region === undefined ? {} : { region: record.region }),
  };
}

/** The records and certificates as YAML comments: kubectl ignores them, so the output can still be piped to `kubectl apply -f -`. */
export function edgeComments(edge: RenderedEdge, config: PlatformConfig): string {
  const lines: string[] = edge.placements.length > 0 ? placementLines(edge.placements, config) : [];
  const cluster = config.cluster === undefined ? "" : `, cluster ${config.cluster.name} in region ${config.cluster.region}`;
  if (config.dns.provider === "route53") {
    lines.push(
      `Route53 records hostgate would hold (dns.provider route53, owner ${config.dns.ownerId ?? ""}${cluster}; planned against empty zones: render cannot read Route53):`,
    );
    if (edge.records.length === 0) lines.push("  none");
    for (const r of edge.records) {
      const latency = r.setIdentifier === undefined ? "" : `  set ${r.setIdentifier} region ${r.region ?? "(none)"}`;
      lines.push(`  ${r.zoneId}  ${r.type.padEnd(5)} ${r.name}  ${r.target}${r.ttl === undefined ? "" : `  ttl ${r.ttl}`}${latency}`);
    }
  }
  if (edge.elsewhere.length > 0) lines.push(`Routes this cluster publishes nothing for (RegionBound to another region${cluster}):`);
  for (const e of edge.elsewhere) lines.push(`  ${e.route}: published by the cluster in region ${e.sourceRegion}`);
  const hidden = edge.gateways.filter((g) => !g.shown);
  if (hidden.length > 0) lines.push("Gateway records not shown above:");
  for (const g of hidden) lines.push(`  ${g.hostname} (loadBalancers ${g.loadBalancers.join(", ")}): ${g.note ?? ""}`);
  if (config.certificates.provider !== "none") {
    lines.push(`Certificates hostgate would use (certificates.provider ${config.certificates.provider}; found in ACM or requested, render cannot tell which):`);
    if (edge.certificates.length === 0) lines.push("  none");
    for (const c of edge.certificates)
      lines.push(`  ${c.names.join(", ")}  for ${c.routes.join(", ")}${c.listenerArns.length === 0 ? "" : `  on ${c.listenerArns.join(", ")}`}`);
  }
  return lines.map((line) => `# ${line}`.trimEnd()).join("\n");
}
