// Rules the JSON schema cannot express. Written defensively against data
// that failed the schema, so they can run anyway and every problem shows up
// in the same report.
import { stringAt } from "./data-fields.ts";
import type { Issue } from "./schema-problems.ts";
import { asRecord } from "../json.ts";
import { acmListenerIssues } from "./listener-checks.ts";
import { autoscaleIssues } from "./autoscale-checks.ts";
import { durationMs } from "./duration.ts";
import { gatewayApiIssues } from "./gateway-api-checks.ts";
import { labelIssues } from "./label-checks.ts";
import { loadBalancerIssues } from "./load-balancer-checks.ts";
import { observabilityIssues } from "./observability-checks.ts";
import { regionIssues } from "./region-checks.ts";

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

/**
 * A zone named twice is ambiguous: listed as an apex's own zone and as
 * another's additional zone, or as an additional zone of two apexes.
 */
function additionalZoneIssues(domains: unknown): Issue[] {
  if (!Array.isArray(domains)) return [];
  const issues: Issue[] = [];
  const holder = new Map<string, string>();
  domains.forEach((d, i) => {
    const zoneId = stringAt(d, "zoneId");
    if (zoneId !== undefined && !holder.has(zoneId)) holder.set(zoneId, `domains[${i}].zoneId`);
  });
  domains.forEach((d, i) => {
    const extra = asRecord(d)?.additionalZoneIds;
    if (!Array.isArray(extra)) return;
    extra.forEach((zoneId, j) => {
      if (typeof zoneId !== "string") return;
      const first = holder.get(zoneId);
      if (first === undefined) holder.set(zoneId, `domains[${i}].additionalZoneIds[${j}]`);
      else
        issues.push({
          path: ["domains", i, "additionalZoneIds", j],
          anchor: "value",
          message: `"${zoneId}" is already listed as ${first}; a hosted zone belongs to one apex, once, so remove this entry`,
        });
    });
  });
  return issues;
}

const MIN_RESYNC_MS = 30_000;
const MAX_RESYNC_MS = 24 * 3_600_000;
const MIN_AUDIT_INTERVAL_MS = 5 * 60_000;

/** The DNS and certificate settings that only make sense together. */
function providerIssues(config: Record<string, unknown>): Issue[] {
  const issues: Issue[] = [];
  const dns = asRecord(config.dns) ?? {};
  const certificates = asRecord(config.certificates) ?? {};
  const dnsProvider = stringAt(dns, "provider") ?? "none";
  const certificateProvider = stringAt(certificates, "provider") ?? "none";
  const certManager = asRecord(certificates.certManager);
  const importToAcm = certManager?.importToAcm === true;
  const usesAcm = certificateProvider === "acm" || (certificateProvider === "cert-manager" && importToAcm);
  if ((dnsProvider === "route53" || usesAcm) && stringAt(dns, "ownerId") === undefined) {
    const why = dnsProvider === "route53" ? "dns.provider is route53" : "certificates go to ACM";
    issues.push({
      path: ["dns"],
      anchor: "key",
      message: `needs ownerId because ${why}: set dns.ownerId to a name for this installation, e.g. hostgate-prod (two clusters sharing a zone or an account use two ids), or set cluster, whose name is the default`,
    });
  }
  const resync = stringAt(dns, "resyncInterval");
  if (resync !== undefined && /^(?=[0-9])([0-9]+h)?([0-9]+m)?([0-9]+s)?$/.test(resync)) {
    const ms = durationMs(resync);
    if (ms < MIN_RESYNC_MS || ms > MAX_RESYNC_MS)
      issues.push({
        path: ["dns", "resyncInterval"],
        anchor: "value",
        message: `"${resync}" is outside 30s..24h: shorter spends Route53's request quota (about 5 requests per second per account), longer leaves hand-made changes in place for too long`,
      });
  }
  const auditInterval = stringAt(asRecord(config.audit) ?? {}, "interval");
  if (auditInterval !== undefined && /^(?=[0-9])([0-9]+h)?([0-9]+m)?([0-9]+s)?$/.test(auditInterval)) {
    const ms = durationMs(auditInterval);
    if (ms < MIN_AUDIT_INTERVAL_MS || ms > MAX_RESYNC_MS)
      issues.push({
        path: ["audit", "interval"],
        anchor: "value",
        message: `"${auditInterval}" is outside 5m..24h: each pass judges every audited object, so shorter spends the reconciler's CPU; changes are audited at once anyway`,
      });
  }
  if (certificateProvider === "acm" && dnsProvider !== "route53")
    issues.push({
      path: ["certificates", "provider"],
      anchor: "value",
      message: `is acm, but dns.provider is ${dnsProvider}: hostgate validates ACM certificates with records it writes in Route53, so set dns.provider to route53, or use certificates.provider cert-manager`,
    });
  if (certificateProvider === "cert-manager" && certManager === undefined)
    issues.push({
      path: ["certificates"],
      anchor: "key",
      message:
        "needs certManager because provider is cert-manager: set certificates.certManager.issuerRef to the issuer that signs them, e.g. {kind: ClusterIssuer, name: letsencrypt-dns}",
    });
  if (certificateProvider !== "cert-manager" && certManager !== undefined)
    issues.push({
      path: ["certificates", "certManager"],
      anchor: "key",
      message: `is only used with certificates.provider cert-manager (it is ${certificateProvider}): remove it, or set the provider to cert-manager`,
    });
  if (usesAcm) issues.push(...acmListenerIssues(config, certificateProvider === "acm" ? "certificates.provider acm" : "certManager.importToAcm"));
  return issues;
}

export function semanticIssues(data: unknown): Issue[] {
  const config = asRecord(data);
  if (config === undefined) return [];
  return [
    ...domainIssues(config.domains),
    ...additionalZoneIssues(config.domains),
    ...loadBalancerIssues(config),
    ...gatewayApiIssues(config),
    ...autoscaleIssues(config),
    ...providerIssues(config),
    ...regionIssues(config),
    ...labelIssues(config),
    ...observabilityIssues(config),
  ];
}
