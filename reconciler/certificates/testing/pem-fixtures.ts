// Real certificates for tests of import paths: a CA and leaves it signs,
// made by the project's own issuer (ECDSA P-256), dated around a given instant.
import type { KeyPairPem } from "../../../certs/issuer.ts";
import { createCertificateIssuer } from "../../../certs/issuer.ts";

const DAY = 86_400_000;
const issuer = createCertificateIssuer();

export interface ServerPair extends KeyPairPem {
  /** The CA that signed it, as PEM. */
  caPem: string;
}

export async function testAuthority(now: number, commonName = "test ca"): Promise<KeyPairPem> {
  return issuer.createAuthority({ commonName, notBefore: new Date(now - DAY), notAfter: new Date(now + 3650 * DAY) });
}

/** A server certificate for `dnsNames` (the first is the common name), valid from a day before `now` for `days`. */
export async function serverPair(now: number, dnsNames: readonly string[], options: { days?: number; signer?: KeyPairPem } = {}): Promise<ServerPair> {
  const signer = options.signer ?? (await testAuthority(now));
  const pair = await issuer.issueServing({
    signer,
    commonName: dnsNames[0] ?? "",
    dnsNames,
    ipAddresses: [],
    notBefore: new Date(now - DAY),
    notAfter: new Date(now + (options.days ?? 90) * DAY),
  });
  return { ...pair, caPem: signer.certPem };
}
