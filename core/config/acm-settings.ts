// One reading of the platform config's "do certificates go to ACM, and onto
// which listeners": the certificate controller, serve's AWS clients, the
// controller set, `hostgate render` and `hostgate iam-policy` all ask it.
import { compareStrings } from "../compare-strings.ts";
import { allPoolMembers } from "./edge-pool.ts";
import type { PlatformConfig } from "./platform-config.ts";

/**
 * Certificates are requested from or imported into ACM: provider acm, or cert-manager with importToAcm. They then
 * serve on an ALB's HTTPS listener, so each counts against its pool member's certificate capacity, whoever puts it there
 * (certificatesOnListeners says whether hostgate does).
 */
export function certificatesInAcm(config: PlatformConfig): boolean {
  const certificates = config.certificates;
  return certificates.provider === "acm" || (certificates.provider === "cert-manager" && certificates.certManager?.importToAcm === true);
}

/**
 * The AWS Load Balancer Controller puts the certificates on its ALBs' listeners itself (gateway.provider gateway-api with
 * implementation aws-load-balancer-controller, certificates in ACM): each pool member IS an ALB the controller made from
 * the member's Gateway, it owns that ALB's listeners, and it finds a listener's certificates in ACM by the Gateway
 * listeners' hostnames (it does not read tls.certificateRefs). hostgate requests (or imports) and validates them, and
 * never attaches or detaches one: there is no listenerArn to attach to, and the controller would undo it.
 */
export function certificatesByDiscovery(config: PlatformConfig): boolean {
  return certificatesInAcm(config) && config.gateway.provider === "gateway-api" && config.gateway.gatewayApi?.implementation === "aws-load-balancer-controller";
}

/**
 * hostgate itself attaches the certificates to the members' configured HTTPS listeners (listenerArn) and detaches them:
 * certificates in ACM, except where the AWS Load Balancer Controller does (certificatesByDiscovery). Only then does
 * hostgate call ELBv2 or need its permissions.
 */
export function certificatesOnListeners(config: PlatformConfig): boolean {
  return certificatesInAcm(config) && !certificatesByDiscovery(config);
}

/** The configured listeners' ARNs (every pool member's), each once, sorted. */
export function listenerArns(config: PlatformConfig): string[] {
  const arns = allPoolMembers(config).flatMap(({ entry }) => (entry.listenerArn === undefined ? [] : [entry.listenerArn]));
  return [...new Set(arns)].sort(compareStrings);
}
