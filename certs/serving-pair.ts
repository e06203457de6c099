// Checks a certificate/key pair given as files (--tls-cert/--tls-key): both
// parse, the key belongs to the certificate, and the certificate is in its
// validity period. Each problem names the file, what is wrong and what to do.
import type { ParsedCertificate } from "./certificate-info.ts";
import { keyMatches, readCertificates, readPrivateKeys } from "./certificate-info.ts";
import type { TlsMaterial } from "./source.ts";

export interface PairFiles {
  certFile: string;
  keyFile: string;
}

export type PairCheck = { ok: true; material: TlsMaterial; leaf: ParsedCertificate; notYetValid: boolean } | { ok: false; problems: string[] };

/** `certText`/`keyText` undefined means the file could not be read; `readError` says why. */
export function checkServingPair(
  files: PairFiles,
  cert: { text?: string; readError?: string },
  key: { text?: string; readError?: string },
  now: Date,
): PairCheck {
  const problems: string[] = [];
  if (cert.text === undefined)
    problems.push(
      `--tls-cert ${files.certFile}: cannot be read (${cert.readError ?? "unknown error"}); give the path of the PEM certificate (tls.crt of a cert-manager Secret)`,
    );
  if (key.text === undefined)
    problems.push(
      `--tls-key ${files.keyFile}: cannot be read (${key.readError ?? "unknown error"}); give the path of the PEM private key (tls.key of a cert-manager Secret)`,
    );
  if (cert.text === undefined || key.text === undefined) return { ok: false, problems };

  const certs = readCertificates(cert.text);
  const leaf = certs.certificates[0];
  if (leaf === undefined) {
    const why = certs.problems.length > 0 ? certs.problems.join("; ") : "it holds no PEM CERTIFICATE block";
    problems.push(`--tls-cert ${files.certFile}: no usable certificate (${why}); the file must hold the PEM certificate, leaf first`);
  }
  const keys = readPrivateKeys(key.text);
  const privateKey = keys.keys[0];
  if (privateKey === undefined) {
    const why = keys.problems.length > 0 ? keys.problems.join("; ") : "it holds no PEM PRIVATE KEY block";
    problems.push(`--tls-key ${files.keyFile}: no usable private key (${why}); the file must hold the PEM private key of the certificate`);
  }
  if (leaf === undefined || privateKey === undefined) return { ok: false, problems };

  if (leaf.isCA)
    problems.push(
      `--tls-cert ${files.certFile}: the first certificate is a CA certificate, not a serving certificate; put the server's certificate first and its chain after it`,
    );
  if (!keyMatches(leaf, privateKey.key)) {
    problems.push(
      `--tls-key ${files.keyFile} does not belong to the certificate in --tls-cert ${files.certFile} (their public keys differ); give the key that was issued with this certificate`,
    );
  }
  if (now >= leaf.notAfter)
    problems.push(
      `--tls-cert ${files.certFile}: the certificate expired at ${leaf.notAfter.toISOString()}; renew it (cert-manager renews before expiry: check the Certificate's status)`,
    );
  if (problems.length > 0) return { ok: false, problems };
  return {
    ok: true,
    leaf,
    // The leaf and any chain after it, so clients get the intermediates;
    // text around the blocks (comments, "Bag Attributes") is left behind.
    material: { cert: certs.certificates.map((c) => c.pem).join(""), key: privateKey.pem, ca: "", notBefore: leaf.notBefore, notAfter: leaf.notAfter },
    notYetValid: now < leaf.notBefore,
  };
}
