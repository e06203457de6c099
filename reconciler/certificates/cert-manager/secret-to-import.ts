// A cert-manager Secret (kubernetes.io/tls) as an ACM import, for
// certManager.importToAcm: the leaf from the front of tls.crt, the rest of
// tls.crt plus ca.crt as the chain, the key from tls.key, and the leaf's
// fingerprint and not-after, so the controller re-imports only when the
// Secret holds another certificate (a renewal). Anything ACM would refuse is
// found here first and named as a specific problem: the Secret comes from
// cert-manager, but anyone with write access to the namespace can edit it.
import type { ParsedCertificate } from "../../../certs/certificate-info.ts";
import { keyMatches, readCertificates, readPrivateKeys } from "../../../certs/certificate-info.ts";
import { formatTime } from "../../../core/clock.ts";
import type { KubeObject } from "../../../core/kube/object-key.ts";
import type { CertificateImport } from "../acm-port.ts";

export type SecretProblem =
  | "SecretMissing"
  | "CertificateMissing"
  | "KeyMissing"
  | "CertificateNotPem"
  | "KeyNotPem"
  | "ChainNotPem"
  | "LeafIsCa"
  | "KeyMismatch"
  | "NotYetValid"
  | "Expired";

export type SecretImport =
  | {
      readonly ok: true;
      readonly import: CertificateImport;
      /** SHA-256 of the leaf's DER, colon-separated hex: changes when cert-manager renews. */
      readonly fingerprint: string;
      /** The leaf's not-after, RFC 3339 to the second, as ACM's describe shows it after the import. */
      readonly notAfter: string;
      /** The leaf's DNS names, lowercase, in certificate order. */
      readonly dnsNames: readonly string[];
    }
  | { readonly ok: false; readonly problem: SecretProblem; readonly message: string };

export interface SecretImportOptions {
  /** Milliseconds since the epoch: ACM refuses a certificate outside its validity. Default: validity is not checked. */
  readonly now?: number;
  /** Tags for a new import; never sent on a re-import (ACM refuses tags there). */
  readonly tags?: Readonly<Record<string, string>>;
}

/**
 * @param secret the Secret cert-manager writes (secretName of the Certificate); undefined when it does not exist yet
 * @param arn the ACM certificate to re-import into; absent for a first import
 */
export function secretToImport(secret: KubeObject | undefined, arn?: string, options: SecretImportOptions = {}): SecretImport {
  if (secret === undefined) return problem("SecretMissing", "the Secret does not exist yet: cert-manager writes it once the certificate is issued");
  const name = `Secret ${secret.metadata?.namespace}/${secret.metadata?.name}`;
  const data = (secret.data ?? {}) as Record<string, unknown>;
  const certificateText = decoded(data["tls.crt"]);
  const keyText = decoded(data["tls.key"]);
  const caText = decoded(data["ca.crt"]);
  if (certificateText === undefined) return problem("CertificateMissing", `${name} has no tls.crt: cert-manager has not issued the certificate into it yet`);
  if (keyText === undefined) return problem("KeyMissing", `${name} has no tls.key: cert-manager has not issued the certificate into it yet`);

  const certificates = readCertificates(certificateText);
  const leaf = certificates.certificates[0];
  if (leaf === undefined || certificates.problems.length > 0) {
    return problem("CertificateNotPem", `${name}'s tls.crt is not a PEM certificate chain (${details(certificates.problems, "no CERTIFICATE block")})`);
  }
  const keys = readPrivateKeys(keyText);
  const key = keys.keys[0];
  if (key === undefined || keys.problems.length > 0 || keys.keys.length > 1) {
    return problem("KeyNotPem", `${name}'s tls.key is not one unencrypted PEM private key (${details(keys.problems, `${keys.keys.length} keys`)})`);
  }
  const authorities = caText === undefined ? { certificates: [], problems: [] } : readCertificates(caText);
  if (authorities.problems.length > 0) return problem("ChainNotPem", `${name}'s ca.crt is not PEM certificates (${authorities.problems.join("; ")})`);
  if (leaf.isCA) {
    return problem(
      "LeafIsCa",
      `${name}'s tls.crt starts with a CA certificate: the server certificate must come first (cert-manager writes it so; was the Secret edited?)`,
    );
  }
  if (!keyMatches(leaf, key.key)) return problem("KeyMismatch", `${name}'s tls.key is not the private key of the certificate in its tls.crt`);
  if (options.now !== undefined && options.now < leaf.notBefore.getTime()) {
    return problem(
      "NotYetValid",
      `${name}'s certificate is valid only from ${formatTime(leaf.notBefore.getTime())}: ACM imports a certificate only within its validity`,
    );
  }
  if (options.now !== undefined && options.now >= leaf.notAfter.getTime()) {
    return problem(
      "Expired",
      `${name}'s certificate expired at ${formatTime(leaf.notAfter.getTime())}: check why cert-manager did not renew it (kubectl describe certificate)`,
    );
  }

  const chain = uniqueChain(leaf, [...certificates.certificates.slice(1), ...authorities.certificates]);
  const tags = arn === undefined && options.tags !== undefined && Object.keys(options.tags).length > 0 ? { tags: options.tags } : {};
  return {
    ok: true,
    import: {
      ...(arn === undefined ? {} : { arn }),
      certificate: leaf.pem,
      privateKey: key.pem,
      ...(chain.length === 0 ? {} : { chain: chain.map((c) => c.pem).join("") }),
      ...tags,
    },
    fingerprint: leaf.fingerprint,
    notAfter: formatTime(leaf.notAfter.getTime()),
    dnsNames: leaf.dnsNames,
  };
}

/** The chain in order, each certificate once, never the leaf itself (ca.crt often repeats the last of tls.crt). */
function uniqueChain(leaf: ParsedCertificate, candidates: readonly ParsedCertificate[]): ParsedCertificate[] {
  const seen = new Set([leaf.fingerprint]);
  const chain: ParsedCertificate[] = [];
  for (const candidate of candidates) {
    if (seen.has(candidate.fingerprint)) continue;
    seen.add(candidate.fingerprint);
    chain.push(candidate);
  }
  return chain;
}

/** A Secret's data value as text; undefined when absent or empty (cert-manager writes empty values while issuing). */
function decoded(value: unknown): string | undefined {
  if (typeof value !== "string" || value === "") return undefined;
  const text = Buffer.from(value, "base64").toString("utf8");
  return text.trim() === "" ? undefined : text;
}

function details(problems: readonly string[], fallback: string): string {
  return problems.length > 0 ? problems.join("; ") : fallback;
}

function problem(code: SecretProblem, message: string): SecretImport {
  return { ok: false, problem: code, message };
}
