// The platform's settings as the rest of hostgate sees them: validated, with
// every default filled in and frozen, so code never re-checks or mutates it.

export type LoadBalancerName = "alb-out" | "alb-in";

export interface DomainConfig {
  /** Lowercase DNS name every routed domain must be equal to or under. */
  readonly apex: string;
  /** Route53 hosted zone of the apex. */
  readonly zoneId: string;
}

export interface LoadBalancerConfig {
  readonly dnsName: string;
  /** The load balancer's own canonical hosted zone, for alias records. */
  readonly hostedZoneId: string;
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
}

export const PLATFORM_CONFIG_API_VERSION = "hostgate.dev/v1alpha1";
export const PLATFORM_CONFIG_KIND = "PlatformConfig";
