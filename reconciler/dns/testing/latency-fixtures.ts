// Two clusters in two regions sharing example.com's zone, each publishing
// latency records under its own set identifier (its cluster name) and owner
// id: what the planner, the fake and the two-cluster tests build zones from.
import type { DnsRecord } from "../route53-port.ts";
import { ALB_ZONE, OWNER_ID, ownedBy } from "./dns-fixtures.ts";

/** This cluster (the planner under test): owner OWNER_ID. */
export const CLUSTER_A = { name: "aks01-weu", region: "eu-west-1", ownerId: OWNER_ID, alb: "alb-a.eu-west-1.elb.amazonaws.com" } as const;
/** The other cluster sharing the zone. */
export const CLUSTER_B = { name: "aks01-use", region: "us-east-1", ownerId: "hostgate-use", alb: "alb-b.us-east-1.elb.amazonaws.com" } as const;

export type Cluster = { readonly name: string; readonly region: string; readonly ownerId: string; readonly alb: string };

/** The cluster's latency A (or AAAA) alias to its own load balancer at `name`. */
export function latencyAlias(name: string, cluster: Cluster, type = "A"): DnsRecord {
  return {
    name,
    type,
    setIdentifier: cluster.name,
    region: cluster.region,
    alias: { hostedZoneId: ALB_ZONE, dnsName: cluster.alb, evaluateTargetHealth: true },
  };
}

/** The cluster's latency CNAME to its gateway hostname (a two-step load balancer). */
export function latencyCname(name: string, cluster: Cluster, target = `gw.${cluster.name}.example.net`): DnsRecord {
  return { name, type: "CNAME", setIdentifier: cluster.name, region: cluster.region, ttl: 300, values: [target] };
}

/** The cluster's registry TXT at `txtName` for `resource`, with its set identifier and region. */
export function latencyTxt(txtName: string, cluster: Cluster, resource: string): DnsRecord {
  return { name: txtName, type: "TXT", setIdentifier: cluster.name, region: cluster.region, ttl: 300, values: [ownedBy(cluster.ownerId, resource)] };
}
