// One reading of the platform config's "do certificates go to ACM, and onto
// which listeners": the certificate controller, serve's AWS clients, the
// controller set, `hostgate render` and `hostgate iam-policy` all ask it.
import { compareStrings } from "../compare-strings.ts";
import { allPoolMembers } from "./edge-pool.ts";
import type { PlatformConfig } from "./platform-config.ts";

/** Certificates are requested from or imported into ACM and attached to the listeners: provider acm, or cert-manager with importToAcm. */
export function certificatesInAcm(config: PlatformConfig): boolean {
  const certificates = config.certificates;
  return certificates.provider === "acm" || (certificates.provider === "cert-manager" && certificates.certManager?.importToAcm === true);
}

/** The configured listeners' ARNs (every pool member's), each once, sorted. */
export function listenerArns(config: PlatformConfig): string[] {
  const arns = allPoolMembers(config).flatMap(({ entry }) => (entry.listenerArn === undefined ? [] : [entry.listenerArn]));
  return [...new Set(arns)].sort(compareStrings);
}
