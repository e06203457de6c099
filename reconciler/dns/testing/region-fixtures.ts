// A two-region platform for the DNS tests: regions weu (eu-west-1) and eus
// (us-east-1), one cluster in each, and alb-in as a two-step entry whose
// gateway Service (istio-system/internal-gateway) is published at the
// cluster's own gateway hostname. Each case states only what matters.
import type { PlatformConfig, RegionConfig } from "../../../core/config/platform-config.ts";
import type { KubeObject } from "../../../core/kube/object-key.ts";
import type { RegionModeName, RegionPolicy } from "../../../crds/types.ts";
import type { ServiceLookup } from "../gateway-records.ts";
import { dnsConfig } from "./dns-fixtures.ts";

export const WEU: RegionConfig = { name: "weu", dnsControllerLabels: { "router.io/region": "weu" }, route53Region: "eu-west-1" };
export const EUS: RegionConfig = { name: "eus", dnsControllerLabels: { "router.io/region": "eus" }, route53Region: "us-east-1" };
export const GATEWAY_SERVICE = { namespace: "istio-system", name: "internal-gateway" } as const;

/** The cluster of each region, its owner id and its gateway hostname. */
export const CLUSTERS = {
  weu: { name: "aks01-weu", region: "weu", gatewayHostname: "aks01-weu-internal.example.com" },
  eus: { name: "aks01-eus", region: "eus", gatewayHostname: "aks01-eus-internal.example.com" },
} as const;

export interface RegionConfigOptions {
  /** The platform default (dns.regionMode); Active when absent. */
  regionMode?: { mode: RegionModeName; sourceRegion?: string };
  recordType?: "alias" | "cname";
}

/** The route53 config of the cluster in `region`, owner id = its cluster name, alb-in two-step. */
export function regionConfig(region: keyof typeof CLUSTERS, options: RegionConfigOptions = {}): PlatformConfig {
  const cluster = CLUSTERS[region];
  const base = dnsConfig({
    regions: [WEU, EUS],
    cluster: { name: cluster.name, region: cluster.region },
    ...(options.recordType === undefined ? {} : { recordType: options.recordType }),
  });
  return {
    ...base,
    dns: { ...base.dns, ownerId: cluster.name, regionMode: options.regionMode ?? { mode: "Active" } },
    loadBalancers: {
      ...base.loadBalancers,
      "alb-in": { ipAddressType: "ipv4", service: GATEWAY_SERVICE, gatewayHostname: cluster.gatewayHostname },
    },
  };
}

/** The namespace's RegionPolicy `default`. */
export function regionPolicy(namespace: string, mode: RegionModeName, sourceRegion?: string): RegionPolicy {
  return {
    apiVersion: "hostgate.dev/v1alpha1",
    kind: "RegionPolicy",
    metadata: { namespace, name: "default" },
    spec: { mode, ...(sourceRegion === undefined ? {} : { sourceRegion }) },
  };
}

/** The gateway Service of type LoadBalancer with these ingress entries (`{ip}` or `{hostname}`). */
export function gatewayService(...ingress: ({ ip: string } | { hostname: string })[]): KubeObject {
  return {
    apiVersion: "v1",
    kind: "Service",
    metadata: { ...GATEWAY_SERVICE, uid: "uid-gateway" },
    spec: { type: "LoadBalancer" },
    status: { loadBalancer: { ingress } },
  } as KubeObject;
}

/** A lookup finding only these Services. */
export function servicesOf(...services: KubeObject[]): ServiceLookup {
  return (ref) => services.find((s) => s.metadata?.namespace === ref.namespace && s.metadata?.name === ref.name);
}
