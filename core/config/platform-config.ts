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

export interface LoadBalancerConfig {
  readonly dnsName: string;
  /** The load balancer's own canonical hosted zone, for alias records. */
  readonly hostedZoneId: string;
  /** `dualstack` load balancers also get an AAAA alias record. */
  readonly ipAddressType: "ipv4" | "dualstack";
  /** The HTTPS listener certificates are attached to; required when certificates go to ACM. */
  readonly listenerArn?: string;
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

export interface GatewayConfig {
  readonly namespace: string;
  readonly selector: Readonly<Record<string, string>>;
}

export interface ExternalBackendsConfig {
  readonly deniedCidrs: readonly string[];
}

export interface ServiceBackendsConfig {
  readonly allowCrossNamespace: boolean;
}

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
}

export const PLATFORM_CONFIG_API_VERSION = "hostgate.dev/v1alpha1";
export const PLATFORM_CONFIG_KIND = "PlatformConfig";
