// Reading certificates and keys: what the planner, the file source and the
// tests need to know about one, extracted once. Parsing and verification use
// node:crypto (OpenSSL); only the subjectAltName list comes from pkijs,
// because node prints it as display text, not as the exact names and bytes.
import { createPrivateKey, X509Certificate } from "node:crypto";
import type { KeyObject } from "node:crypto";
import type * as asn1js from "asn1js";
import * as pkijs from "pkijs";
import { bytesToIp } from "./ip-address.ts";
import { parsePem, toPem } from "./pem.ts";

export interface ParsedCertificate {
  /** Canonical PEM (64-column lines, one block), whatever the input's layout. */
  pem: string;
  x509: X509Certificate;
  /** SHA-256 of the DER, colon-separated hex: the identity used in messages and comparisons. */
  fingerprint: string;
  commonName: string;
  notBefore: Date;
  notAfter: Date;
  isCA: boolean;
  /** subjectAltName DNS names, lower-cased, in certificate order. */
  dnsNames: readonly string[];
  /** subjectAltName IP addresses in canonical text (RFC 5952 for IPv6). */
  ipAddresses: readonly string[];
}

export interface ParsedPrivateKey {
  pem: string;
  key: KeyObject;
}

const SUBJECT_ALT_NAME = "2.5.29.17";
const PRIVATE_KEY_LABELS = new Set(["PRIVATE KEY", "EC PRIVATE KEY", "RSA PRIVATE KEY"]);

/** Parses one DER certificate; throws an Error saying what is wrong. */
export function parseCertificateDer(der: Uint8Array): ParsedCertificate {
  const x509 = new X509Certificate(der);
  const { dnsNames, ipAddresses } = subjectAltNames(der);
  return {
    pem: toPem("CERTIFICATE", der),
    x509,
    fingerprint: x509.fingerprint256,
    commonName: /^CN=(.*)$/m.exec(x509.subject)?.[1] ?? "",
    notBefore: x509.validFromDate,
    notAfter: x509.validToDate,
    isCA: x509.ca,
    dnsNames,
    ipAddresses,
  };
}

/** Every CERTIFICATE block of a PEM text that parses; each other block is a problem. */
export function readCertificates(text: string): { certificates: ParsedCertificate[]; problems: string[] } {
  const { blocks, problems } = parsePem(text);
  const certificates: ParsedCertificate[] = [];
  for (const block of blocks) {
    if (block.label !== "CERTIFICATE") {
      problems.push(`PEM block ${block.index} is a "${block.label}", not a CERTIFICATE`);
      continue;
    }
    try {
      certificates.push(parseCertificateDer(block.der));
    } catch (error) {
      problems.push(`PEM block ${block.index} is not a parseable certificate (${messageOf(error)})`);
    }
  }
  return { certificates, problems };
}

/** Every private-key block of a PEM text that parses; each other block is a problem. */
export function readPrivateKeys(text: string): { keys: ParsedPrivateKey[]; problems: string[] } {
  const { blocks, problems } = parsePem(text);
  const keys: ParsedPrivateKey[] = [];
  for (const block of blocks) {
    if (block.label === "ENCRYPTED PRIVATE KEY") {
      problems.push(`PEM block ${block.index} is an encrypted private key; hostgate needs it unencrypted (openssl pkey -in KEY -out KEY.plain)`);
      continue;
    }
    if (!PRIVATE_KEY_LABELS.has(block.label)) {
      problems.push(`PEM block ${block.index} is a "${block.label}", not a PRIVATE KEY`);
      continue;
    }
    const pem = toPem(block.label, block.der);
    try {
      keys.push({ pem, key: createPrivateKey(pem) });
    } catch (error) {
      problems.push(`PEM block ${block.index} is not a parseable private key (${messageOf(error)})`);
    }
  }
  return { keys, problems };
}

/** Whether the key is the private half of the certificate's public key. */
export function keyMatches(certificate: ParsedCertificate, key: KeyObject): boolean {
  try {
    return certificate.x509.checkPrivateKey(key);
  } catch {
    return false;
  }
}

/** Whether `issuer` signed `certificate`: the names/key identifiers chain and the signature verifies. */
export function isSignedBy(certificate: ParsedCertificate, issuer: ParsedCertificate): boolean {
  try {
    return certificate.x509.checkIssued(issuer.x509) && certificate.x509.verify(issuer.x509.publicKey);
  } catch {
    return false;
  }
}

/** How messages name a certificate: its common name and the start of its fingerprint. */
export function describe(certificate: ParsedCertificate): string {
  return `"${certificate.commonName}" (SHA-256 ${certificate.fingerprint.slice(0, 11)})`;
}

function subjectAltNames(der: Uint8Array): { dnsNames: string[]; ipAddresses: string[] } {
  const dnsNames: string[] = [];
  const ipAddresses: string[] = [];
  const certificate = pkijs.Certificate.fromBER(der);
  const extension = certificate.extensions?.find((e) => e.extnID === SUBJECT_ALT_NAME);
  const altName = extension?.parsedValue as pkijs.AltName | undefined;
  for (const name of altName?.altNames ?? []) {
    if (name.type === 2) dnsNames.push(String(name.value).toLowerCase());
    if (name.type === 7) {
      const bytes = (name.value as asn1js.OctetString).valueBlock.valueHexView;
      // A malformed address still counts as a name, so it can never match a wanted one.
      ipAddresses.push(bytesToIp(bytes) ?? `malformed(${Buffer.from(bytes).toString("hex")})`);
    }
  }
  return { dnsNames, ipAddresses };
}

export function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
