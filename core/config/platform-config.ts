// The platform's settings as the rest of hostgate sees them: validated, with
// every default filled in and frozen, so code never re-checks or mutates it.

export type LoadBalancerName = "alb-out" | "alb-in";

export interface DomainConfig {
  /** Lowercase DNS name every routed domain must be equal to or under. */
  readonly apex: string;
  /** Route53 hosted zone of the apex. */
  readonly zoneId: string;
  /**
   * Other hosted zones of the same apex (a private zone for internal names,
   * say) that a DomainRoute may choose with spec.dns.zoneId. Any other zone
   * is refused: a tenant must not write records where the platform did not say.
   */
  readonly additionalZoneIds: readonly string[];
}

/** A Service in the cluster, by name. */
export interface ServiceRef {
  readonly namespace: string;
  readonly name: string;
}

/**
 * A load balancer entry is one of two kinds (read it through
 * load-balancer-target.ts, never by testing fields):
 *   - fixed: `dnsName` and `hostedZoneId` of a load balancer outside the
 *     cluster (an ALB); routes get an alias (or CNAME) to it;
 *   - two-step: `service` and `gatewayHostname`: hostgate publishes the
 *     Service's `status.loadBalancer.ingress` at `gatewayHostname` (the
 *     gateway record) and routes get a CNAME to `gatewayHostname`, so a new
 *     gateway address changes one record, never the routes'.
 */
export interface LoadBalancerConfig {
  /** Fixed entries only. */
  readonly dnsName?: string;
  /** Fixed entries only: the load balancer's own canonical hosted zone, for alias records. */
  readonly hostedZoneId?: string;
  /** `dualstack` load balancers also get an AAAA alias record (fixed entries). */
  readonly ipAddressType: "ipv4" | "dualstack";
  /** The HTTPS listener certificates are attached to; required when certificates go to ACM. */
  readonly listenerArn?: string;
  /** Two-step entries only: the gateway's Service (type LoadBalancer). */
  readonly service?: ServiceRef;
  /** Two-step entries only: lowercase, no trailing dot, under one of the domains' apexes (not an apex itself). */
  readonly gatewayHostname?: string;
  /**
   * Gateway API data plane, two-step entries without `service`: the pooled
   * Gateway (in gateway.namespace) whose status.addresses hostgate publishes
   * at gatewayHostname. Never written in the config: filled in when it loads
   * with the member's name (the class's name for an entry without members).
   */
  readonly gateway?: string;
  /**
   * A pool: several load balancers for this class, each with its own
   * listener and capacity (core/config/edge-pool.ts reads them). With
   * members, the entry itself names no load balancer (no dnsName, service…).
   */
  readonly members?: readonly PoolMemberConfig[];
  /**
   * Gateway API data plane only: when no member has room, hostgate adds the
   * next pooled Gateway of this class itself (edge-pool.ts autoscaledMember).
   */
  readonly autoscale?: AutoscaleConfig;
}

/**
 * Pool growth (gateway.provider gateway-api): members `<prefix>-01`,
 * `<prefix>-02`, … up to maxMembers, each a Gateway hostgate creates in the
 * gateway namespace, placed after the configured members, published at
 * `<prefix>-NN.<gatewayDomain>` (a two-step record to the Gateway's
 * status.addresses).
 */
export interface AutoscaleConfig {
  /** DNS label prefix of the members' names; at most 60 characters so `-NN` fits a label. */
  readonly prefix: string;
  /** 1-99. */
  readonly maxMembers: number;
  /** Lowercase DNS name under one of the domains' apexes: the members' gateway records are `<name>.<gatewayDomain>`. */
  readonly gatewayDomain: string;
  /** Capacity of every autoscaled member; defaults filled in when the config loads. */
  readonly capacity: EdgeCapacity;
}

/** What a load balancer may hold before hostgate places no more routes on it (AWS's default ALB quotas unless set). */
export interface EdgeCapacity {
  /** Certificates on its HTTPS listener besides the default (ALB: 25). */
  readonly certificates: number;
  /** Listener rules (ALB: 100 per load balancer). */
  readonly rules: number;
  /** Target groups (ALB: 100 per load balancer). */
  readonly targetGroups: number;
  /** Listeners on its Gateway (Gateway API data plane: one per route; the Gateway API allows 64). */
  readonly listeners: number;
}

/** One member of a pool: a load balancer entry (fixed or two-step) with a name and its capacity. */
export interface PoolMemberConfig extends Omit<LoadBalancerConfig, "members"> {
  /** DNS label, unique across every class's members: what status.edge and the move annotation name. */
  readonly name: string;
  /** Defaults filled in when the config loads. */
  readonly capacity: EdgeCapacity;
}

export type DnsProvider = "route53" | "external-dns" | "none";
export type DnsRecordKind = "alias" | "cname";

export interface DnsConfig {
  readonly provider: DnsProvider;
  /**
   * Owner id written in the TXT registry and on ACM certificates; two clusters
   * sharing a zone use two ids. Always set when provider is route53 or
   * certificates go to ACM (the config check refuses it missing).
   */
  readonly ownerId?: string;
  /** alias: A (and AAAA on dualstack) alias to the load balancer; cname: a CNAME with spec.dns.ttl. */
  readonly recordType: DnsRecordKind;
  /** A duration such as `5m`, `90s`, `1h30m` (core/config/duration.ts): how often Route53 is re-read to revert drift. */
  readonly resyncInterval: string;
  readonly externalDns: { readonly labels: Readonly<Record<string, string>> };
  /** How a route's names spread across regions when neither the route nor its namespace's RegionPolicy says: default `{mode: Active}`. */
  readonly regionMode: RegionPlacement;
}

/** How a route's DNS names spread across the platform's regions. */
export type RegionMode = "Active" | "RegionBound";

/**
 * A mode with its source region: `sourceRegion` is set exactly when the
 * mode is RegionBound (the schemas and CRDs enforce the pair whole).
 */
export interface RegionPlacement {
  readonly mode: RegionMode;
  readonly sourceRegion?: string;
}

/** Which cluster this installation runs in. */
export interface ClusterConfig {
  /** DNS label (1-63): the Route53 SetIdentifier of this cluster's latency records and the label on its DNSEndpoints. */
  readonly name: string;
  /** One of `regions[].name`. */
  readonly region: string;
}

export interface RegionConfig {
  /** DNS label (1-63), e.g. `weu`. */
  readonly name: string;
  /** The labels a DNSEndpoint needs for this region's external-dns instance (its --label-filter), e.g. `{router.io/region: weu}`. */
  readonly dnsControllerLabels: Readonly<Record<string, string>>;
  /** The AWS region of this region's latency records (Route53 `Region`), e.g. `eu-west-1`; required with dns.provider route53. */
  readonly route53Region?: string;
}

export type CertificateProvider = "acm" | "cert-manager" | "none";

export interface IssuerRef {
  readonly kind: "Issuer" | "ClusterIssuer";
  readonly name: string;
  /** Default `cert-manager.io`. */
  readonly group: string;
}

export interface CertManagerConfig {
  readonly issuerRef: IssuerRef;
  /** Where hostgate creates its Certificate objects and cert-manager their Secrets. */
  readonly namespace: string;
  /** Import each issued Secret into ACM (the same ARN on every renewal) and attach it to the listener. */
  readonly importToAcm: boolean;
}

export interface CertificatesConfig {
  readonly provider: CertificateProvider;
  /** Certificates a listener may hold before hostgate refuses to attach more (ALB default quota 25, adjustable). */
  readonly listenerCertificateLimit: number;
  /** Present when provider is cert-manager. */
  readonly certManager?: CertManagerConfig;
}

export interface ProtectionConfig {
  readonly providers: readonly string[];
  readonly requireOnPublic: boolean;
  readonly identityHeader: string;
}

/** Which data plane serves managed routes: Istio's own API (Gateway/VirtualService) or the Gateway API. */
export type GatewayProvider = "istio" | "gateway-api";

/** The Gateway API implementation behind gatewayApi.gatewayClassName: what it offers for TLS and external authorization. */
export type GatewayApiImplementation = "envoy-gateway" | "istio" | "aws-load-balancer-controller";

export interface GatewayConfig {
  /** Default `istio`. */
  readonly provider: GatewayProvider;
  /** Istio: where the Istio Gateways live. Gateway API: where the pooled Gateways (one per pool member) live. */
  readonly namespace: string;
  /**
   * Istio: the ingress gateway pods' labels. Gateway API with the istio
   * implementation: put on every pooled Gateway's pods (spec.infrastructure.labels),
   * so the identity EnvoyFilter and AuthorizationPolicies select them.
   */
  readonly selector: Readonly<Record<string, string>>;
  /** Present exactly when provider is gateway-api. */
  readonly gatewayApi?: GatewayApiConfig;
}

export interface GatewayApiConfig {
  readonly implementation: GatewayApiImplementation;
  /** spec.gatewayClassName of every pooled Gateway, unless gatewayClassNames names another for its class (gateway-class.ts). */
  readonly gatewayClassName: string;
  /** Per class, where its pooled Gateways use another GatewayClass (default {}). */
  readonly gatewayClassNames?: Readonly<Partial<Record<LoadBalancerName, string>>>;
  /**
   * envoy-gateway only: the gRPC ext_authz service of each protection provider
   * (protection.providers), which a route's SecurityPolicy calls. A provider
   * without an entry cannot protect a route on this data plane.
   */
  readonly authServices: Readonly<Record<string, AuthServiceRef>>;
}

/** A Service port speaking Envoy's gRPC ext_authz protocol. */
export interface AuthServiceRef {
  readonly namespace: string;
  readonly name: string;
  readonly port: number;
}

export interface ExternalBackendsConfig {
  readonly deniedCidrs: readonly string[];
}

export interface ServiceBackendsConfig {
  readonly allowCrossNamespace: boolean;
}

/** The reconciler's background audit (reconciler/audit/background-audit.ts). */
export interface AuditConfig {
  /** Publish OpenReports of every audited object; default false. */
  readonly reports: boolean;
  /** A duration such as `1h` (core/config/duration.ts): how often the audit runs again without a change. */
  readonly interval: string;
  /** The most existing objects the reconciler holds for the audit (its ExistingObjectsCache's bound); default 50,000. Optional: configs built by hand may leave it out. */
  readonly maxObjects?: number;
}

import type { ObservabilityConfig } from "./observability-config.ts";

export interface PlatformConfig {
  readonly apiVersion: "hostgate.dev/v1alpha1";
  readonly kind: "PlatformConfig";
  readonly domains: readonly DomainConfig[];
  readonly loadBalancers: Readonly<Record<LoadBalancerName, LoadBalancerConfig>>;
  readonly protection: ProtectionConfig;
  readonly gateway: GatewayConfig;
  readonly externalBackends: ExternalBackendsConfig;
  readonly serviceBackends: ServiceBackendsConfig;
  readonly dns: DnsConfig;
  readonly certificates: CertificatesConfig;
  /** Filled with its defaults (off) by the loader; absent only in configs built by hand. */
  readonly audit?: AuditConfig;
  /** Access logs, tracing, alerts and links (issue 18); absent or empty: none. */
  readonly observability?: ObservabilityConfig;
  /** Set when the platform spans regions (required with a non-empty `regions`). */
  readonly cluster?: ClusterConfig;
  /** The regions the platform spans, sorted as written; empty: one region, today's single-cluster behaviour. */
  readonly regions: readonly RegionConfig[];
}

export const PLATFORM_CONFIG_API_VERSION = "hostgate.dev/v1alpha1";
export const PLATFORM_CONFIG_KIND = "PlatformConfig";
