// Rules the JSON schema cannot express. Written defensively against data
// that failed the schema, so they can run anyway and every problem shows up
// in the same report.
import type { Issue } from "./schema-problems.ts";
import { asRecord } from "../json.ts";

function stringAt(value: unknown, key: string): string | undefined {
  const field = asRecord(value)?.[key];
  return typeof field === "string" ? field : undefined;
}

/**
 * Each routed domain must map to exactly one hosted zone: an apex listed
 * twice, nested under another, or two apexes sharing one zone ID (a Route53
 * zone has a single name) would make that choice ambiguous.
 */
function domainIssues(domains: unknown): Issue[] {
  if (!Array.isArray(domains)) return [];
  const issues: Issue[] = [];
  // Lowercased here so a mis-cased apex (already a schema problem) still gets its overlap reported.
  const entries = domains.map((d, i) => ({ i, apex: stringAt(d, "apex")?.toLowerCase(), zoneId: stringAt(d, "zoneId") }));
  for (const a of entries) {
    if (a.apex === undefined) continue;
    for (const b of entries) {
      if (b.apex === undefined || b.i === a.i) continue;
      if (b.apex === a.apex && b.i < a.i) {
        issues.push({
          path: ["domains", a.i, "apex"],
          anchor: "value",
          message: `"${a.apex}" is already listed at domains[${b.i}]; remove one of the two entries`,
        });
        break;
      }
      if (a.apex.endsWith(`.${b.apex}`)) {
        issues.push({
          path: ["domains", a.i, "apex"],
          anchor: "value",
          message: `"${a.apex}" is under domains[${b.i}].apex "${b.apex}"; apexes must not nest, so remove the narrower one (routes under it already fall under "${b.apex}")`,
        });
        break;
      }
    }
  }
  const firstByZone = new Map<string, { i: number; apex?: string }>();
  for (const { i, apex, zoneId } of entries) {
    if (zoneId === undefined) continue;
    const first = firstByZone.get(zoneId);
    if (first === undefined) firstByZone.set(zoneId, { i, apex });
    else if (first.apex !== apex) {
      issues.push({
        path: ["domains", i, "zoneId"],
        anchor: "value",
        message: `"${zoneId}" is also the zone of domains[${first.i}] ("${first.apex}"); a hosted zone has one apex, so give each apex its own zone ID`,
      });
    }
  }
  return issues;
}

/** Publishing internal routes on the public load balancer would expose them. */
function loadBalancerIssues(loadBalancers: unknown): Issue[] {
  const outside = stringAt(asRecord(loadBalancers)?.["alb-out"], "dnsName");
  const inside = stringAt(asRecord(loadBalancers)?.["alb-in"], "dnsName");
  if (outside === undefined || outside.toLowerCase() !== inside?.toLowerCase()) return [];
  return [
    {
      path: ["loadBalancers", "alb-in", "dnsName"],
      anchor: "value",
      message: `is the same load balancer as loadBalancers.alb-out.dnsName; internal routes would be reachable from the internet, so set the internal load balancer's DNS name`,
    },
  ];
}

export function semanticIssues(data: unknown): Issue[] {
  const config = asRecord(data);
  if (config === undefined) return [];
  return [...domainIssues(config.domains), ...loadBalancerIssues(config.loadBalancers)];
}
