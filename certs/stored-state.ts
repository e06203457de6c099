// The stored form of the self-managed certificates, one layout for the
// Secret and the local directory, with the key names cert-manager and
// kubernetes.io/tls Secrets use, so tools that know those read ours:
//   ca.crt   the CA bundle clients trust: every CA in it, oldest first;
//   ca.key   private keys of the CAs that may still sign (the serving
//            certificate's issuer and a newer CA waiting to take over),
//            matched to ca.crt by public key, not by position;
//   tls.crt  the serving certificate (leaf only: its issuer is in ca.crt);
//   tls.key  its private key.
// Decoding never throws: what cannot be used is left out and reported, and
// the planner then regenerates it.
import type { ParsedCertificate } from "./certificate-info.ts";
import { describe, keyMatches, readCertificates, readPrivateKeys } from "./certificate-info.ts";

export const CA_BUNDLE_KEY = "ca.crt";
export const CA_KEYS_KEY = "ca.key";
export const TLS_CERT_KEY = "tls.crt";
export const TLS_KEY_KEY = "tls.key";

export interface Authority {
  certificate: ParsedCertificate;
  /** PEM of its private key when stored; without it the CA can be trusted but not sign. */
  keyPem?: string;
}

export interface ServingPair {
  certificate: ParsedCertificate;
  keyPem: string;
}

export interface DecodedCertificates {
  /** Distinct CA certificates of ca.crt, in issue order (notBefore, then fingerprint). */
  authorities: Authority[];
  serving?: ServingPair;
  /** What was stored but cannot be used, one sentence each, naming the key. */
  problems: string[];
}

export function decodeCertificates(data: Readonly<Record<string, string>> | undefined): DecodedCertificates {
  const problems: string[] = [];
  const authorities = decodeAuthorities(data?.[CA_BUNDLE_KEY], data?.[CA_KEYS_KEY], problems);
  const serving = decodeServing(data?.[TLS_CERT_KEY], data?.[TLS_KEY_KEY], problems);
  return { authorities, ...(serving ? { serving } : {}), problems };
}

/** The stored data for these certificates; other keys of `base` are kept as they are. */
export function encodeCertificates(
  authorities: readonly Authority[],
  serving: ServingPair,
  base: Readonly<Record<string, string>> = {},
): Record<string, string> {
  const ordered = [...authorities].sort(byIssueOrder);
  return {
    ...base,
    [CA_BUNDLE_KEY]: ordered.map((a) => a.certificate.pem).join(""),
    [CA_KEYS_KEY]: ordered.flatMap((a) => (a.keyPem === undefined ? [] : [a.keyPem])).join(""),
    [TLS_CERT_KEY]: serving.certificate.pem,
    [TLS_KEY_KEY]: serving.keyPem,
  };
}

export function byIssueOrder(a: Authority, b: Authority): number {
  return a.certificate.notBefore.getTime() - b.certificate.notBefore.getTime() || a.certificate.fingerprint.localeCompare(b.certificate.fingerprint);
}

function decodeAuthorities(bundle: string | undefined, keysText: string | undefined, problems: string[]): Authority[] {
  if (bundle === undefined || bundle.trim() === "") {
    if (keysText !== undefined && keysText.trim() !== "") problems.push(`${CA_KEYS_KEY} holds keys but ${CA_BUNDLE_KEY} holds no CA; discarding the keys`);
    return [];
  }
  const read = readCertificates(bundle);
  problems.push(...read.problems.map((p) => `${CA_BUNDLE_KEY}: ${p}; discarding it`));
  const authorities: Authority[] = [];
  for (const certificate of read.certificates) {
    if (!certificate.isCA) {
      problems.push(`${CA_BUNDLE_KEY}: ${describe(certificate)} is not a CA certificate (basicConstraints CA:FALSE); discarding it`);
    } else if (authorities.some((a) => a.certificate.fingerprint === certificate.fingerprint)) {
      problems.push(`${CA_BUNDLE_KEY}: ${describe(certificate)} appears twice; keeping one`);
    } else {
      authorities.push({ certificate });
    }
  }
  const keys = readPrivateKeys(keysText ?? "");
  problems.push(...keys.problems.map((p) => `${CA_KEYS_KEY}: ${p}; discarding it`));
  keys.keys.forEach((key, i) => {
    const owner = authorities.find((a) => keyMatches(a.certificate, key.key));
    if (owner === undefined) problems.push(`${CA_KEYS_KEY}: key ${i + 1} belongs to no CA in ${CA_BUNDLE_KEY}; discarding it`);
    else if (owner.keyPem === undefined) owner.keyPem = key.pem;
  });
  return authorities.sort(byIssueOrder);
}

function decodeServing(certText: string | undefined, keyText: string | undefined, problems: string[]): ServingPair | undefined {
  const absent = (text: string | undefined) => text === undefined || text.trim() === "";
  if (absent(certText) && absent(keyText)) return undefined;
  if (absent(certText) || absent(keyText)) {
    problems.push(`${absent(certText) ? TLS_KEY_KEY : TLS_CERT_KEY} is stored without ${absent(certText) ? TLS_CERT_KEY : TLS_KEY_KEY}; discarding it`);
    return undefined;
  }
  const certs = readCertificates(certText as string);
  const keys = readPrivateKeys(keyText as string);
  const certificate = certs.certificates[0];
  const key = keys.keys[0];
  if (certificate === undefined) {
    problems.push(`${TLS_CERT_KEY} holds no usable certificate (${certs.problems.join("; ") || "no PEM CERTIFICATE block"}); discarding the pair`);
    return undefined;
  }
  if (key === undefined) {
    problems.push(`${TLS_KEY_KEY} holds no usable private key (${keys.problems.join("; ") || "no PEM PRIVATE KEY block"}); discarding the pair`);
    return undefined;
  }
  if (!keyMatches(certificate, key.key)) {
    problems.push(`${TLS_KEY_KEY} does not belong to the certificate in ${TLS_CERT_KEY} ${describe(certificate)}; discarding the pair`);
    return undefined;
  }
  return { certificate, keyPem: key.pem };
}
