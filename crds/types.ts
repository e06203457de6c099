// TypeScript shapes of hostgate's custom resources, mirroring the CRD
// manifests beside this file (hostgate.dev_*.yaml). The manifests are the
// source of truth: the API server enforces them, these types only describe
// what a well-formed object looks like to code that reads or writes one.

export const GROUP = "hostgate.dev";
export const VERSION = "v1alpha1";
export const API_VERSION = `${GROUP}/${VERSION}` as const;

export const KIND_DOMAIN_ROUTE = "DomainRoute";
export const KIND_HOSTNAME_GRANT = "HostnameGrant";
export const KIND_DOMAIN_CLAIM = "DomainClaim";
export const KIND_REGION_POLICY = "RegionPolicy";
/** The security team's policies as cluster objects; their shape is PolicyModuleSource (policies/engine/module-schema.ts), a module file's. */
export const KIND_POLICY_MODULE = "PolicyModule";
export const KINDS = [KIND_DOMAIN_ROUTE, KIND_HOSTNAME_GRANT, KIND_DOMAIN_CLAIM, KIND_REGION_POLICY, KIND_POLICY_MODULE] as const;
export type HostgateKind = (typeof KINDS)[number];

/** `spec.lb`: the internet-facing and the internal load balancer. */
export const LB_PUBLIC = "alb-out";
export const LB_INTERNAL = "alb-in";
export const LOAD_BALANCERS = [LB_PUBLIC, LB_INTERNAL] as const;
export type LoadBalancer = (typeof LOAD_BALANCERS)[number];

/** `spec.routing.mode`. Managed is the default the API server fills in. */
export const MODE_MANAGED = "Managed";
export const MODE_EXTERNAL = "External";
export const ROUTING_MODES = [MODE_MANAGED, MODE_EXTERNAL] as const;
export type RoutingMode = (typeof ROUTING_MODES)[number];

export const EXTERNAL_PROTOCOLS = ["HTTP", "HTTPS", "TCP"] as const;
export type ExternalProtocol = (typeof EXTERNAL_PROTOCOLS)[number];

export const PROTECTION_ACTIONS = ["Allow", "Authenticate"] as const;
export type ProtectionAction = (typeof PROTECTION_ACTIONS)[number];

/** Kinds a HostnameGrant can be restricted to with `spec.kinds`. */
export const GRANTABLE_KINDS = ["DomainRoute", "HTTPRoute", "GRPCRoute", "TLSRoute", "VirtualService", "Gateway"] as const;
export type GrantableKind = (typeof GRANTABLE_KINDS)[number];

/** DomainRoute condition types (status.conditions[].type). */
export const CONDITION_CLAIMED = "Claimed";
export const CONDITION_GATEWAY_READY = "GatewayReady";
export const CONDITION_PROTECTION_READY = "ProtectionReady";
export const CONDITION_DNS_READY = "DNSReady";
export const CONDITION_CERTIFICATE_READY = "CertificateReady";
/** The route is placed on a member of its load balancer pool (reasons Placed, EdgePoolFull, MoveRefused). */
export const CONDITION_EDGE_PLACED = "EdgePlaced";
/**
 * Observability (issue 18): the route's alerts and probe are in place (reasons Applied, NotRequested,
 * PrometheusOperatorMissing, …). Not part of Ready: a route without its alerts still serves.
 */
export const CONDITION_OBSERVABILITY_READY = "ObservabilityReady";
export const CONDITION_READY = "Ready";
export const CONDITION_TYPES = [
  CONDITION_CLAIMED,
  CONDITION_GATEWAY_READY,
  CONDITION_PROTECTION_READY,
  CONDITION_DNS_READY,
  CONDITION_CERTIFICATE_READY,
  CONDITION_EDGE_PLACED,
  CONDITION_OBSERVABILITY_READY,
  CONDITION_READY,
] as const;
export type ConditionType = (typeof CONDITION_TYPES)[number];

/** Schema defaults the API server applies; code reading a stored object can rely on them. */
export const DEFAULT_DNS_TTL_SECONDS = 300;
export const MIN_DNS_TTL_SECONDS = 60;
export const MAX_DNS_TTL_SECONDS = 86400;
export const DEFAULT_EXTERNAL_PROTOCOL: ExternalProtocol = "HTTP";

/** The subset of metav1.ObjectMeta hostgate reads and writes. */
export interface ObjectMeta {
  name?: string;
  generateName?: string;
  namespace?: string;
  uid?: string;
  resourceVersion?: string;
  generation?: number;
  creationTimestamp?: string;
  deletionTimestamp?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  finalizers?: string[];
  ownerReferences?: OwnerReference[];
}

export interface OwnerReference {
  apiVersion: string;
  kind: string;
  name: string;
  uid: string;
  controller?: boolean;
  blockOwnerDeletion?: boolean;
}

/** metav1.Condition, exactly as the Kubernetes API defines it. */
export interface Condition {
  type: string;
  status: "True" | "False" | "Unknown";
  observedGeneration?: number;
  /** RFC 3339 timestamp. */
  lastTransitionTime: string;
  /** CamelCase identifier, `^[A-Za-z]([A-Za-z0-9_,:]*[A-Za-z0-9_])?$`. */
  reason: string;
  message: string;
}

export interface BackendService {
  /** DNS-1035 label, at most 63 characters. */
  name: string;
  /** Defaults (in the reconciler, not the schema) to the DomainRoute's namespace. */
  namespace?: string;
  port: number;
}

export interface ExternalBackend {
  /** Dotted-decimal IPv4 address without leading zeros. */
  ip: string;
  port: number;
  /** Defaulted to HTTP by the API server. */
  protocol?: ExternalProtocol;
}

/** Exactly one of service/external when the mode is Managed; none when External. */
export interface Backend {
  service?: BackendService;
  external?: ExternalBackend;
}

export interface Routing {
  /** Defaulted to Managed by the API server. */
  mode?: RoutingMode;
}

/** How a route's names spread across regions (RegionPolicy, spec.dns.mode, the platform's dns.regionMode). */
export const REGION_MODE_ACTIVE = "Active";
export const REGION_MODE_REGION_BOUND = "RegionBound";
export const REGION_MODES = [REGION_MODE_ACTIVE, REGION_MODE_REGION_BOUND] as const;
export type RegionModeName = (typeof REGION_MODES)[number];

export interface DnsSpec {
  /** Seconds, 60..86400; defaulted to 300 when `dns` is present. */
  ttl?: number;
  /** Route53 hosted zone ID overriding the platform's zone. */
  zoneId?: string;
  /** Overrides the namespace's RegionPolicy; RegionBound requires sourceRegion, and sourceRegion requires RegionBound. */
  mode?: RegionModeName;
  /** One of the platform's regions (config regions[].name). */
  sourceRegion?: string;
}

export interface ProtectionRule {
  action: ProtectionAction;
  /** 1..64 URL paths, each starting with `/`. */
  paths: string[];
}

export interface Protection {
  provider: string;
  appId: string;
  rules?: ProtectionRule[];
}

export interface DomainRouteSpec {
  /** Lowercase FQDN; immutable. */
  domain: string;
  lb: LoadBalancer;
  /** Defaulted to `{mode: "Managed"}` by the API server. */
  routing?: Routing;
  backend?: Backend;
  dns?: DnsSpec;
  protection?: Protection;
  /** Per-route overrides of the platform's alerting (issue 18). */
  observability?: ObservabilitySpec;
}

export interface ObservabilitySpec {
  /** Overrides observability.alerting.errorRate for this route. */
  errorRate?: {
    /** "0.1%" … "100%". */
    threshold?: string;
    /** A Prometheus duration, e.g. "10m". */
    window?: string;
  };
  /** false: no PrometheusRule and no Probe for this route (ObservabilityReady says so, reason NotRequested); default true. */
  alerts?: boolean;
}

export interface DomainRouteStatus {
  observedGeneration?: number;
  conditions?: Condition[];
  claimedDomain?: string;
  /**
   * `namespace/name` of the gateway serving the domain: its Istio Gateway, or
   * on the Gateway API data plane its pool member's Gateway.
   */
  gateway?: string;
  /** Gateway API data plane only: the route's listener on that Gateway (an HTTPRoute's parentRefs[].sectionName). */
  gatewayListener?: string;
  effectiveAppId?: string;
  /** The records hostgate holds for the domain, sorted by name then type; TXT ownership records not listed. */
  dns?: DnsRecordStatus[];
  certificate?: CertificateStatus;
  /** Where the route is placed in its load balancer pool: kept for life unless a person asks to move it (EDGE_MEMBER_ANNOTATION). */
  edge?: EdgeStatus;
  /** Links built from the platform's observability.links templates (issue 18). */
  observability?: ObservabilityStatus;
}

export interface ObservabilityStatus {
  /** The route's dashboard. */
  dashboard?: string;
  /** A query for the route's access logs. */
  logs?: string;
}

export interface EdgeStatus {
  /** The class, `alb-out` or `alb-in` (spec.lb when placed). */
  loadBalancer: string;
  /** The pool member's name (config loadBalancers.<class>.members[].name, or the class for a single load balancer). */
  member: string;
  /** What the route's DNS record points at: the member's DNS name or gatewayHostname. */
  target: string;
  /**
   * The data plane serving the route (gateway.provider when it was placed):
   * `istio` or `gateway-api`. Absent on routes placed before there was a
   * choice, which are served through Istio. The reconciler refuses to start
   * when a route's data plane is not the configured one (data-plane-gate.ts).
   */
  dataPlane?: "istio" | "gateway-api";
  /**
   * On the Gateway API data plane: gateway.gatewayApi.implementation when it
   * was placed (what wrote its login). Absent with istio, and on routes placed
   * before it was recorded. The reconciler refuses to start when it differs.
   */
  implementation?: "envoy-gateway" | "istio" | "aws-load-balancer-controller";
  /** On the Gateway API data plane: gateway.gatewayApi.gatewayClassName when it was placed; absent like implementation. */
  gatewayClassName?: string;
}

/** Set by a person on a DomainRoute to move it to another member of its pool (the only way it moves). */
export const EDGE_MEMBER_ANNOTATION = "hostgate.dev/edge-member";

export interface DnsRecordStatus {
  name: string;
  type: string;
  /** The alias DNS name or the CNAME value. */
  target: string;
  /** Empty when external-dns writes the record. */
  zoneId?: string;
  /** The platform region (config regions[].name) the record is published for; absent on a single-region platform. */
  region?: string;
  /** Route53 latency records: this cluster's set identifier (its cluster name). */
  setIdentifier?: string;
}

/**
 * A namespace's choice of how its routes' names spread across regions. One
 * per namespace, named `default` (the CRD refuses any other name).
 */
export interface RegionPolicySpec {
  mode: RegionModeName;
  /** Required with RegionBound, forbidden with Active. */
  sourceRegion?: string;
}

export interface RegionPolicy {
  apiVersion: typeof API_VERSION;
  kind: typeof KIND_REGION_POLICY;
  metadata: ObjectMeta;
  spec: RegionPolicySpec;
}

/** The one name a RegionPolicy may have. */
export const REGION_POLICY_NAME = "default";

export interface CertificateStatus {
  /** The names the certificate covers, e.g. `*.example.com`, `example.com`. */
  domains: string[];
  arn?: string;
  /** The cert-manager Certificate, `namespace/name`. */
  certificateName?: string;
  /** RFC 3339. */
  notAfter?: string;
}

export interface DomainRoute {
  apiVersion: typeof API_VERSION;
  kind: typeof KIND_DOMAIN_ROUTE;
  metadata: ObjectMeta;
  spec: DomainRouteSpec;
  status?: DomainRouteStatus;
}

export interface HostnameGrantSpec {
  namespaces: string[];
  /** Exact DNS names or `*.`-prefixed wildcards. */
  hostnames: string[];
  /** Absent means every grantable kind. */
  kinds?: GrantableKind[];
  /** Defaulted to false by the API server. */
  allowPublicWithoutProtection?: boolean;
}

export interface HostnameGrant {
  apiVersion: typeof API_VERSION;
  kind: typeof KIND_HOSTNAME_GRANT;
  metadata: ObjectMeta;
  spec: HostnameGrantSpec;
}

export interface DomainClaimOwner {
  namespace: string;
  name: string;
  uid: string;
}

export interface DomainClaimSpec {
  /** Equal to metadata.name; immutable. */
  domain: string;
  /** Immutable. */
  owner: DomainClaimOwner;
}

export interface DomainClaim {
  apiVersion: typeof API_VERSION;
  kind: typeof KIND_DOMAIN_CLAIM;
  metadata: ObjectMeta;
  spec: DomainClaimSpec;
}
