import assert from "node:assert/strict";
import { createPrivateKey, X509Certificate } from "node:crypto";
import { describe, it } from "node:test";
import { readCertificates } from "./certificate-info.ts";
import { issuer, T0 } from "./testing/fixtures.ts";

const DAY = 86_400_000;

describe("createCertificateIssuer", async () => {
  const ca = await issuer.createAuthority({ commonName: "test-ca@1", notBefore: new Date(T0), notAfter: new Date(T0 + 365 * DAY) });
  const leaf = await issuer.issueServing({
    signer: ca,
    commonName: "hostgate-webhook.hostgate-system.svc",
    dnsNames: ["hostgate-webhook.hostgate-system.svc", "hostgate-webhook.hostgate-system.svc.cluster.local"],
    ipAddresses: ["127.0.0.1", "::1"],
    notBefore: new Date(T0 + 500),
    notAfter: new Date(T0 + 90 * DAY + 999),
  });
  const caCert = new X509Certificate(ca.certPem);
  const leafCert = new X509Certificate(leaf.certPem);

  it("makes a self-signed CA certificate whose key matches it", () => {
    assert.equal(caCert.ca, true);
    assert.equal(caCert.subject, "CN=test-ca@1");
    assert.equal(caCert.issuer, "CN=test-ca@1");
    assert.ok(caCert.verify(caCert.publicKey));
    assert.ok(caCert.checkPrivateKey(createPrivateKey(ca.keyPem)));
    assert.equal(caCert.publicKey.asymmetricKeyDetails?.namedCurve, "prime256v1");
  });

  it("issues a serving certificate the CA signed, for exactly the names asked", () => {
    assert.equal(leafCert.ca, false);
    assert.ok(leafCert.checkIssued(caCert));
    assert.ok(leafCert.verify(caCert.publicKey));
    assert.ok(leafCert.checkPrivateKey(createPrivateKey(leaf.keyPem)));
    const parsed = readCertificates(leaf.certPem).certificates[0];
    assert.deepEqual(parsed?.dnsNames, ["hostgate-webhook.hostgate-system.svc", "hostgate-webhook.hostgate-system.svc.cluster.local"]);
    assert.deepEqual(parsed?.ipAddresses, ["127.0.0.1", "::1"]);
    assert.equal(leafCert.checkHost("hostgate-webhook.hostgate-system.svc"), "hostgate-webhook.hostgate-system.svc");
    assert.equal(leafCert.checkIP("127.0.0.1"), "127.0.0.1");
    assert.equal(leafCert.checkHost("other.svc"), undefined);
  });

  it("marks the serving certificate for server authentication only", () => {
    assert.deepEqual(leafCert.keyUsage, ["1.3.6.1.5.5.7.3.1"]);
  });

  it("truncates validity to whole seconds", () => {
    assert.equal(leafCert.validFromDate.getTime(), T0);
    assert.equal(leafCert.validToDate.getTime(), T0 + 90 * DAY);
  });

  it("gives each certificate its own serial number and key", async () => {
    const again = await issuer.createAuthority({ commonName: "test-ca@1", notBefore: new Date(T0), notAfter: new Date(T0 + DAY) });
    assert.notEqual(new X509Certificate(again.certPem).serialNumber, caCert.serialNumber);
    assert.notEqual(again.keyPem, ca.keyPem);
  });

  it("encodes dates from 2050 on as GeneralizedTime, which verifiers still read", async () => {
    const late = await issuer.createAuthority({
      commonName: "late",
      notBefore: new Date(Date.UTC(2049, 11, 31)),
      notAfter: new Date(Date.UTC(2051, 0, 1, 12)),
    });
    assert.equal(new X509Certificate(late.certPem).validToDate.toISOString(), "2051-01-01T12:00:00.000Z");
  });

  it("refuses a signer that is not PEM, naming what it expected", async () => {
    await assert.rejects(
      issuer.issueServing({
        signer: { certPem: "nonsense", keyPem: ca.keyPem },
        commonName: "x",
        dnsNames: ["x"],
        ipAddresses: [],
        notBefore: new Date(T0),
        notAfter: new Date(T0 + DAY),
      }),
      /expected a PEM "CERTIFICATE" block/,
    );
  });
});
