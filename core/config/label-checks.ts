// Labels the platform config asks hostgate to put on the DNSEndpoints it
// writes (dns.externalDns.labels, regions[].dnsControllerLabels) are merged
// under hostgate's own, which win (render-dns-endpoint.ts endpointLabels):
// they are how hostgate finds, prunes and tells apart its objects per route,
// cluster and region. A configured key hostgate also sets would silently be
// written with hostgate's value, so an external-dns --label-filter on it
// would select other objects than the platform team meant; refused instead.
import { asRecord } from "../json.ts";
import type { Issue } from "./schema-problems.ts";

/** The prefix of every label hostgate sets (reconciler/domainroute/render/metadata.ts and the gateway records'). */
export const HOSTGATE_LABEL_PREFIX = "hostgate.dev/";
/** Set to `hostgate` on everything hostgate writes. */
const MANAGED_BY = "app.kubernetes.io/managed-by";

/** True for a label key hostgate sets itself on the objects it writes. */
export function isHostgateLabelKey(key: string): boolean {
  return key.startsWith(HOSTGATE_LABEL_PREFIX) || key === MANAGED_BY;
}

function reservedKeyIssues(labels: unknown, path: readonly (string | number)[], example: string): Issue[] {
  return Object.keys(asRecord(labels) ?? {})
    .filter(isHostgateLabelKey)
    .map((key) => ({
      path: [...path, key],
      anchor: "key" as const,
      message:
        `is hostgate's own label key (hostgate sets ${HOSTGATE_LABEL_PREFIX}* and ${MANAGED_BY} on every DNSEndpoint it writes, and its values win), ` +
        `so this label would never be written as given; use a key of your own, e.g. ${example}`,
    }));
}

export function labelIssues(config: Record<string, unknown>): Issue[] {
  const regions = Array.isArray(config.regions) ? config.regions : [];
  return [
    ...reservedKeyIssues(asRecord(asRecord(config.dns)?.externalDns)?.labels, ["dns", "externalDns", "labels"], "external-dns.example.com/instance"),
    ...regions.flatMap((region, i) => reservedKeyIssues(asRecord(region)?.dnsControllerLabels, ["regions", i, "dnsControllerLabels"], "router.io/region")),
  ];
}
