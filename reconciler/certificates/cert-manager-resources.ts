// The cert-manager resources the certificate controller reads and writes
// with provider cert-manager. Both are watched in certificates.certManager.
// namespace only (the caches the lead wires): Certificates labelled
// app.kubernetes.io/managed-by=hostgate, and the Secrets they issue into
// (read, with importToAcm, to import them into ACM; never written).
import type { ResourceRef } from "../../core/kube/resource.ts";
import { MANAGED_SELECTOR } from "../resources.ts";

/** cert-manager.io/v1 Certificates hostgate made, in `namespace`. */
export function certManagerCertificates(namespace: string): ResourceRef {
  return {
    group: "cert-manager.io",
    version: "v1",
    resource: "certificates",
    kind: "Certificate",
    namespaced: true,
    namespace,
    labelSelector: MANAGED_SELECTOR,
  };
}

/**
 * The Secrets of those Certificates (type kubernetes.io/tls), in `namespace`;
 * read only. cert-manager copies the Certificate's secretTemplate labels
 * (render-certificate.ts sets hostgate's) onto them, so the cache holds only
 * these, not every Secret of the namespace.
 */
export function certManagerSecrets(namespace: string): ResourceRef {
  return { group: "", version: "v1", resource: "secrets", kind: "Secret", namespaced: true, namespace, labelSelector: MANAGED_SELECTOR };
}
