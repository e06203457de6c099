// How a pooled Gateway's listeners take a route's TLS, for the whole config
// (gateway.provider gateway-api). One answer for every listener, decided by
// the Gateway API implementation and the certificates provider:
//   - cert-manager on envoy-gateway or istio: the Gateway terminates TLS
//     (HTTPS 443, tls.mode Terminate) with the route's wildcard certificate,
//     the Secret cert-manager issues into (certificateName(wildcard), in
//     certManager.namespace, which must be the gateway namespace: a Gateway
//     referring to a Secret elsewhere would need a ReferenceGrant to keep);
//   - the AWS Load Balancer Controller with certificates in ACM (acm, or
//     cert-manager with importToAcm): HTTPS 443 with no tls block. The LBC
//     does not read listener.tls.certificateRefs; it discovers the ACM
//     certificate from the listeners' hostnames (its gateway.md,
//     "Certificate Discovery for secure listeners"), and hostgate's ACM
//     planner requests and validates that certificate;
//   - otherwise TLS ends before the Gateway (acm on an ALB in front of
//     envoy-gateway or istio) or nowhere (certificates none): HTTP 80.
// The AWS Load Balancer Controller with cert-manager alone has no way to take
// the Secret, so no listener is rendered: never a plaintext listener where
// the config asked for TLS.
import { certificatesInAcm } from "../../../core/config/acm-settings.ts";
import type { PlatformConfig } from "../../../core/config/platform-config.ts";

export type ListenerTls =
  /** HTTPS 443, terminated by the Gateway with the route certificate's Secret. */
  | { readonly kind: "secret"; readonly namespace: string }
  /** HTTPS 443, the certificate found in ACM by the listener's hostname (AWS Load Balancer Controller). */
  | { readonly kind: "acm" }
  /** HTTP 80: TLS ends before the Gateway, or there is none. */
  | { readonly kind: "plain" }
  /** No listener can be rendered under this config: what, and how to fix it. */
  | { readonly kind: "unsupported"; readonly message: string };

export function listenerTls(config: PlatformConfig): ListenerTls {
  const implementation = config.gateway.gatewayApi?.implementation;
  const certificates = config.certificates;
  if (implementation === "aws-load-balancer-controller") {
    if (certificatesInAcm(config)) return { kind: "acm" };
    if (certificates.provider === "none") return { kind: "plain" };
    return {
      kind: "unsupported",
      message:
        "gateway.gatewayApi.implementation aws-load-balancer-controller cannot serve a cert-manager Secret (it does not read a listener's " +
        "tls.certificateRefs; it finds certificates in ACM, and cert-manager with importToAcm is not supported with it): set certificates.provider: acm " +
        "(hostgate requests and validates the certificates, the controller finds them by the listener's hostname) or none (plain HTTP)",
    };
  }
  if (certificates.provider !== "cert-manager") return { kind: "plain" };
  const namespace = certificates.certManager?.namespace;
  if (namespace !== config.gateway.namespace) {
    return {
      kind: "unsupported",
      message:
        `certificates.certManager.namespace (${namespace ?? "unset"}) must be gateway.namespace (${config.gateway.namespace}) with ` +
        "gateway.provider gateway-api: the pooled Gateways refer to the certificates' Secrets in their own namespace",
    };
  }
  return { kind: "secret", namespace };
}
