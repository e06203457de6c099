// The cert-manager Certificate hostgate asks for (provider cert-manager): one
// per wildcard, in the configured namespace, issued by the configured issuer
// into a Secret of the same name. Deterministic (sorted keys, sorted names),
// so an unchanged set of routes renders byte-identical objects and applies
// write nothing.
import type { IssuerRef } from "../../../core/config/platform-config.ts";
import type { KubeObject } from "../../../core/kube/object-key.ts";
import { sortKeysDeep } from "../../app-id-table/sort-keys.ts";
import { sortedKeys } from "../../domainroute/render/metadata.ts";
import { subjectName } from "../certificate-names.ts";

export const CERTIFICATE_API_VERSION = "cert-manager.io/v1";

export interface CertificateInput {
  /** The Certificate's and its Secret's name. */
  readonly name: string;
  readonly namespace: string;
  /** Every name the certificate covers (`*.example.com`, `example.com`). */
  readonly dnsNames: readonly string[];
  readonly issuerRef: IssuerRef;
  /** On the Certificate and, through secretTemplate, on its Secret (so both can be selected). */
  readonly labels?: Readonly<Record<string, string>>;
}

/**
 * The subject's common name is the first name that fits in 64 octets (the
 * wildcard, else the apex): without one, cert-manager's CA and SelfSigned
 * issuers issue a certificate with an empty subject, which moto's
 * ImportCertificate fails on and whose ACM DomainName is left to the service.
 *
 * The key is pinned, not left to cert-manager's default: ACM refuses a
 * re-import that changes the key type, so a default changing under a cert-manager
 * upgrade would break every renewal. RSA 2048 is what every client and ACM
 * import and ALB accept. rotationPolicy Always: each renewal gets a new key.
 * Usages of a TLS server certificate with an RSA key.
 */
export function renderCertificate(input: CertificateInput): KubeObject {
  const labels = sortedKeys(input.labels ?? {});
  const hasLabels = Object.keys(labels).length > 0;
  const dnsNames = [...new Set(input.dnsNames)].sort();
  const commonName = subjectName(dnsNames);
  return sortKeysDeep({
    apiVersion: CERTIFICATE_API_VERSION,
    kind: "Certificate",
    metadata: { name: input.name, namespace: input.namespace, ...(hasLabels ? { labels } : {}) },
    spec: {
      secretName: input.name,
      ...(commonName === undefined ? {} : { commonName }),
      dnsNames,
      issuerRef: { group: input.issuerRef.group, kind: input.issuerRef.kind, name: input.issuerRef.name },
      privateKey: { algorithm: "RSA", size: 2048, rotationPolicy: "Always" },
      usages: ["digital signature", "key encipherment", "server auth"],
      ...(hasLabels ? { secretTemplate: { labels } } : {}),
    },
  });
}
