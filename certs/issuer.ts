// Makes keys and signs certificates: ECDSA P-256 keys, ECDSA-with-SHA-256
// signatures, built with pkijs on node's WebCrypto. P-256 because every TLS
// client (Go's API server included) supports it, keys take a millisecond to
// make (RSA-2048 takes ~100 ms), and handshakes are cheaper than with RSA.
// The profile follows RFC 5280 and what the CA/Browser Forum requires of
// leaf certificates, so strict verifiers accept it:
//   CA:      basicConstraints CA:TRUE pathlen:0 (critical), keyUsage
//            keyCertSign+cRLSign (critical), subjectKeyIdentifier.
//   serving: basicConstraints CA:FALSE (critical), keyUsage digitalSignature
//            (critical; ECDSA keys never encipher), extKeyUsage serverAuth,
//            subjectAltName (DNS and IP), subject/authority key identifiers.
import { createHash, randomBytes, webcrypto } from "node:crypto";
import * as asn1js from "asn1js";
import * as pkijs from "pkijs";
import { ipToBytes } from "./ip-address.ts";
import { parsePem, toPem } from "./pem.ts";

export interface KeyPairPem {
  certPem: string;
  /** PKCS#8 PEM ("PRIVATE KEY"). */
  keyPem: string;
}

export interface AuthorityRequest {
  commonName: string;
  notBefore: Date;
  notAfter: Date;
}

export interface ServingRequest {
  signer: KeyPairPem;
  commonName: string;
  dnsNames: readonly string[];
  ipAddresses: readonly string[];
  notBefore: Date;
  notAfter: Date;
}

/** The only place that generates keys and signs: the planner stays pure, tests can count calls. */
export interface CertificateIssuer {
  createAuthority(request: AuthorityRequest): Promise<KeyPairPem>;
  issueServing(request: ServingRequest): Promise<KeyPairPem>;
}

const OID = {
  commonName: "2.5.4.3",
  basicConstraints: "2.5.29.19",
  keyUsage: "2.5.29.15",
  extKeyUsage: "2.5.29.37",
  subjectAltName: "2.5.29.17",
  subjectKeyIdentifier: "2.5.29.14",
  authorityKeyIdentifier: "2.5.29.35",
  serverAuth: "1.3.6.1.5.5.7.3.1",
};
const EC_P256 = { name: "ECDSA", namedCurve: "P-256" } as const;

export function createCertificateIssuer(): CertificateIssuer {
  const engine = new pkijs.CryptoEngine({ name: "node", crypto: webcrypto as unknown as ConstructorParameters<typeof pkijs.CryptoEngine>[0]["crypto"] });

  async function sign(certificate: pkijs.Certificate, privateKey: webcrypto.CryptoKey): Promise<string> {
    await certificate.sign(privateKey, "SHA-256", engine);
    return toPem("CERTIFICATE", new Uint8Array(certificate.toSchema(true).toBER(false)));
  }

  async function newKeyPair(): Promise<webcrypto.CryptoKeyPair> {
    return (await engine.generateKey(EC_P256, true, ["sign", "verify"])) as webcrypto.CryptoKeyPair;
  }

  async function exportKey(key: webcrypto.CryptoKey): Promise<string> {
    return toPem("PRIVATE KEY", new Uint8Array(await engine.exportKey("pkcs8", key)));
  }

  return {
    async createAuthority(request) {
      const keys = await newKeyPair();
      const certificate = await skeleton(request.notBefore, request.notAfter, keys.publicKey, engine);
      setName(certificate.subject, request.commonName);
      setName(certificate.issuer, request.commonName);
      const keyId = subjectKeyId(certificate);
      certificate.extensions = [
        extension(OID.basicConstraints, true, new pkijs.BasicConstraints({ cA: true, pathLenConstraint: 0 }).toSchema()),
        extension(OID.keyUsage, true, keyUsage({ keyCertSign: true, cRLSign: true })),
        extension(OID.subjectKeyIdentifier, false, new asn1js.OctetString({ valueHex: keyId })),
      ];
      return { certPem: await sign(certificate, keys.privateKey), keyPem: await exportKey(keys.privateKey) };
    },

    async issueServing(request) {
      const signer = pkijs.Certificate.fromBER(derOf(request.signer.certPem, "CERTIFICATE"));
      const signerKey = await engine.importKey("pkcs8", derOf(request.signer.keyPem, "PRIVATE KEY"), EC_P256, false, ["sign"]);
      const keys = await newKeyPair();
      const certificate = await skeleton(request.notBefore, request.notAfter, keys.publicKey, engine);
      setName(certificate.subject, request.commonName);
      // The issuer name is the signer's subject, byte for byte, so name chaining matches.
      certificate.issuer = signer.subject;
      const altNames = [
        ...request.dnsNames.map((name) => new pkijs.GeneralName({ type: 2, value: name })),
        ...request.ipAddresses.map((ip) => new pkijs.GeneralName({ type: 7, value: new asn1js.OctetString({ valueHex: ipBytes(ip) }) })),
      ];
      certificate.extensions = [
        extension(OID.basicConstraints, true, new pkijs.BasicConstraints({ cA: false }).toSchema()),
        extension(OID.keyUsage, true, keyUsage({ digitalSignature: true })),
        extension(OID.extKeyUsage, false, new pkijs.ExtKeyUsage({ keyPurposes: [OID.serverAuth] }).toSchema()),
        extension(OID.subjectAltName, false, new pkijs.AltName({ altNames }).toSchema()),
        extension(OID.subjectKeyIdentifier, false, new asn1js.OctetString({ valueHex: subjectKeyId(certificate) })),
        extension(
          OID.authorityKeyIdentifier,
          false,
          new pkijs.AuthorityKeyIdentifier({ keyIdentifier: new asn1js.OctetString({ valueHex: subjectKeyId(signer) }) }).toSchema(),
        ),
      ];
      return { certPem: await sign(certificate, signerKey), keyPem: await exportKey(keys.privateKey) };
    },
  };
}

async function skeleton(notBefore: Date, notAfter: Date, publicKey: webcrypto.CryptoKey, engine: pkijs.CryptoEngine): Promise<pkijs.Certificate> {
  const certificate = new pkijs.Certificate();
  certificate.version = 2; // X.509 v3
  certificate.serialNumber = new asn1js.Integer({ valueHex: serialNumber() });
  certificate.notBefore = time(notBefore);
  certificate.notAfter = time(notAfter);
  await certificate.subjectPublicKeyInfo.importKey(publicKey, engine);
  return certificate;
}

/** 128 random bits, positive and minimally encoded (RFC 5280 4.1.2.2 allows up to 20 octets). */
function serialNumber(): ArrayBuffer {
  const bytes = randomBytes(16);
  bytes[0] = ((bytes[0] as number) & 0x7f) | 0x40;
  return new Uint8Array(bytes).buffer;
}

/** RFC 5280 4.1.2.5: UTCTime through 2049, GeneralizedTime from 2050; whole seconds. */
function time(date: Date): pkijs.Time {
  const value = new Date(Math.floor(date.getTime() / 1000) * 1000);
  return new pkijs.Time({ type: value.getUTCFullYear() < 2050 ? 0 : 1, value });
}

function setName(name: pkijs.RelativeDistinguishedNames, commonName: string): void {
  name.typesAndValues = [new pkijs.AttributeTypeAndValue({ type: OID.commonName, value: new asn1js.Utf8String({ value: commonName }) })];
}

function extension(extnID: string, critical: boolean, value: asn1js.BaseBlock): pkijs.Extension {
  return new pkijs.Extension({ extnID, critical, extnValue: value.toBER(false) });
}

/** The KeyUsage BIT STRING: bit 0 digitalSignature, 5 keyCertSign, 6 cRLSign; DER drops trailing zero bits. */
function keyUsage(usage: { digitalSignature?: boolean; keyCertSign?: boolean; cRLSign?: boolean }): asn1js.BitString {
  const byte = (usage.digitalSignature ? 0x80 : 0) | (usage.keyCertSign ? 0x04 : 0) | (usage.cRLSign ? 0x02 : 0);
  let unusedBits = 0;
  while (unusedBits < 7 && (byte & (1 << unusedBits)) === 0) unusedBits++;
  return new asn1js.BitString({ valueHex: new Uint8Array([byte]).buffer, unusedBits });
}

/** RFC 5280 4.2.1.2 method 1: SHA-1 of the subjectPublicKey bits. */
function subjectKeyId(certificate: pkijs.Certificate): ArrayBuffer {
  const bits = certificate.subjectPublicKeyInfo.subjectPublicKey.valueBlock.valueHexView;
  return new Uint8Array(createHash("sha1").update(bits).digest()).buffer;
}

function derOf(pem: string, label: string): ArrayBuffer {
  const block = parsePem(pem).blocks.find((b) => b.label === label);
  if (block === undefined) throw new Error(`expected a PEM "${label}" block`);
  return new Uint8Array(block.der).buffer;
}

function ipBytes(ip: string): ArrayBuffer {
  const bytes = ipToBytes(ip);
  if (bytes === undefined) throw new Error(`"${ip}" is not an IP address`);
  return new Uint8Array(bytes).buffer;
}
