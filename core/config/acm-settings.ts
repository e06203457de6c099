// One reading of the platform config's "do certificates go to ACM, and onto
// which listeners": the certificate controller, serve's AWS clients, the
// controller set, `hostgate render` and `hostgate iam-policy` all ask it.
import { compareStrings } from "../compare-strings.ts";
import type { PlatformConfig } from "./platform-config.ts";

/** Certificates are requested from or imported into ACM and attached to the listeners: provider acm, or cert-manager with importToAcm. */
export function certificatesInAcm(config: PlatformConfig): boolean {
  const certificates = config.certificates;
  return certificates.provider === "acm" || (certificates.provider === "cert-manager" && certificates.certManager?.importToAcm === true);
}

/** The configured listeners' ARNs, each once, sorted. */
export function listenerArns(config: PlatformConfig): string[] {
  return [...new Set(Object.values(config.loadBalancers).flatMap((lb) => (lb.listenerArn === undefined ? [] : [lb.listenerArn])))].sort(compareStrings);
}
