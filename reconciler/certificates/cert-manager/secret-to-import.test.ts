import assert from "node:assert/strict";
import { before, describe, it } from "node:test";
import { readCertificates } from "../../../certs/certificate-info.ts";
import { ManualClock } from "../../../core/clock.ts";
import type { KubeObject } from "../../../core/kube/object-key.ts";
import { FakeAcm } from "../testing/fake-acm.ts";
import type { ServerPair } from "../testing/pem-fixtures.ts";
import { serverPair, testAuthority } from "../testing/pem-fixtures.ts";
import type { SecretProblem } from "./secret-to-import.ts";
import { secretToImport } from "./secret-to-import.ts";

const NOW = new ManualClock().now();
const DAY = 86_400_000;
const ARN = "arn:aws:acm:eu-west-1:123456789012:certificate/00000000-0000-4000-8000-000000000001";
const TAGS = { "hostgate.dev/owner": "prod" };
const b64 = (text: string) => Buffer.from(text).toString("base64");

function tlsSecret(data: Record<string, string | undefined>): KubeObject {
  const encoded = Object.fromEntries(Object.entries(data).flatMap(([k, v]) => (v === undefined ? [] : [[k, b64(v)]])));
  return {
    apiVersion: "v1",
    kind: "Secret",
    metadata: { name: "wildcard-example-com", namespace: "hostgate-system" },
    type: "kubernetes.io/tls",
    data: encoded,
  };
}

let pair: ServerPair;
let other: ServerPair;
let renewal: ServerPair;

before(async () => {
  const ca = await testAuthority(NOW);
  pair = await serverPair(NOW, ["*.example.com", "example.com"], { signer: ca, days: 90 });
  renewal = await serverPair(NOW, ["*.example.com", "example.com"], { signer: ca, days: 120 });
  other = await serverPair(NOW, ["*.example.com"]);
});

describe("secretToImport problems", () => {
  const cases: { name: string; secret: () => KubeObject | undefined; now?: number; problem: SecretProblem; message: RegExp }[] = [
    { name: "no Secret yet", secret: () => undefined, problem: "SecretMissing", message: /does not exist yet/ },
    {
      name: "no tls.crt",
      secret: () => tlsSecret({ "tls.key": pair.keyPem }),
      problem: "CertificateMissing",
      message: /hostgate-system\/wildcard-example-com has no tls\.crt/,
    },
    {
      name: "an empty tls.crt (cert-manager still issuing)",
      secret: () => tlsSecret({ "tls.crt": "", "tls.key": pair.keyPem }),
      problem: "CertificateMissing",
      message: /no tls\.crt/,
    },
    { name: "no tls.key", secret: () => tlsSecret({ "tls.crt": pair.certPem }), problem: "KeyMissing", message: /no tls\.key/ },
    {
      name: "a tls.crt that is not PEM",
      secret: () => tlsSecret({ "tls.crt": "hello", "tls.key": pair.keyPem }),
      problem: "CertificateNotPem",
      message: /no CERTIFICATE block/,
    },
    {
      name: "a tls.crt with a broken block",
      secret: () => tlsSecret({ "tls.crt": `${pair.certPem}-----BEGIN CERTIFICATE-----\n!!!\n-----END CERTIFICATE-----\n`, "tls.key": pair.keyPem }),
      problem: "CertificateNotPem",
      message: /PEM block 2 \(CERTIFICATE\) is not valid base64/,
    },
    { name: "a tls.key that is not PEM", secret: () => tlsSecret({ "tls.crt": pair.certPem, "tls.key": "hello" }), problem: "KeyNotPem", message: /0 keys/ },
    {
      name: "two keys in tls.key",
      secret: () => tlsSecret({ "tls.crt": pair.certPem, "tls.key": pair.keyPem + other.keyPem }),
      problem: "KeyNotPem",
      message: /2 keys/,
    },
    {
      name: "a ca.crt that is not PEM certificates",
      secret: () => tlsSecret({ "tls.crt": pair.certPem, "tls.key": pair.keyPem, "ca.crt": pair.keyPem }),
      problem: "ChainNotPem",
      message: /ca\.crt .*"PRIVATE KEY", not a CERTIFICATE/,
    },
    {
      name: "a CA certificate first in tls.crt",
      secret: () => tlsSecret({ "tls.crt": pair.caPem + pair.certPem, "tls.key": pair.keyPem }),
      problem: "LeafIsCa",
      message: /server certificate must come first/,
    },
    {
      name: "another certificate's key",
      secret: () => tlsSecret({ "tls.crt": pair.certPem, "tls.key": other.keyPem }),
      problem: "KeyMismatch",
      message: /not the private key/,
    },
    {
      name: "a certificate not valid yet",
      secret: () => tlsSecret({ "tls.crt": pair.certPem, "tls.key": pair.keyPem }),
      now: NOW - 2 * DAY,
      problem: "NotYetValid",
      message: /valid only from 2029-12-31T00:00:00Z/,
    },
    {
      name: "an expired certificate",
      secret: () => tlsSecret({ "tls.crt": pair.certPem, "tls.key": pair.keyPem }),
      now: NOW + 90 * DAY,
      problem: "Expired",
      message: /expired at 2030-04-01T00:00:00Z/,
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const result = secretToImport(c.secret(), undefined, { now: c.now });
      assert.equal(result.ok, false);
      if (result.ok) return;
      assert.equal(result.problem, c.problem);
      assert.match(result.message, c.message);
    });
  }
});

describe("secretToImport imports", () => {
  it("takes the leaf first and the rest of tls.crt plus ca.crt, each once, as the chain; tags on a new import", () => {
    const result = secretToImport(tlsSecret({ "tls.crt": pair.certPem + pair.caPem, "tls.key": pair.keyPem, "ca.crt": pair.caPem }), undefined, {
      now: NOW,
      tags: TAGS,
    });
    assert.ok(result.ok);
    assert.equal(result.import.arn, undefined);
    assert.equal(result.import.certificate, pair.certPem);
    assert.equal(result.import.privateKey, pair.keyPem);
    assert.equal(result.import.chain, pair.caPem);
    assert.deepEqual(result.import.tags, TAGS);
    assert.deepEqual(result.dnsNames, ["*.example.com", "example.com"]);
    assert.equal(result.notAfter, "2030-04-01T00:00:00Z");
    assert.equal(result.fingerprint, readCertificates(pair.certPem).certificates[0]!.fingerprint);
  });

  const chains: { name: string; data: () => Record<string, string>; chain: () => string | undefined }[] = [
    { name: "a leaf alone has no chain", data: () => ({ "tls.crt": pair.certPem, "tls.key": pair.keyPem }), chain: () => undefined },
    { name: "ca.crt alone makes the chain", data: () => ({ "tls.crt": pair.certPem, "tls.key": pair.keyPem, "ca.crt": pair.caPem }), chain: () => pair.caPem },
    {
      name: "a ca.crt repeating the leaf adds nothing",
      data: () => ({ "tls.crt": pair.certPem, "tls.key": pair.keyPem, "ca.crt": pair.certPem }),
      chain: () => undefined,
    },
  ];
  for (const c of chains) {
    it(c.name, () => {
      const result = secretToImport(tlsSecret(c.data()));
      assert.ok(result.ok);
      assert.equal(result.import.chain, c.chain());
    });
  }

  it("re-imports into the given ARN and never sends tags there (ACM refuses them)", () => {
    const result = secretToImport(tlsSecret({ "tls.crt": pair.certPem, "tls.key": pair.keyPem }), ARN, { tags: TAGS });
    assert.ok(result.ok);
    assert.equal(result.import.arn, ARN);
    assert.equal(result.import.tags, undefined);
  });

  it("keeps the fingerprint while the Secret is unchanged and changes it on a renewal", () => {
    const fingerprint = (p: ServerPair) => {
      const result = secretToImport(tlsSecret({ "tls.crt": p.certPem, "tls.key": p.keyPem, "ca.crt": p.caPem }));
      assert.ok(result.ok);
      return result.fingerprint;
    };
    assert.equal(fingerprint(pair), fingerprint(pair));
    assert.notEqual(fingerprint(pair), fingerprint(renewal));
  });

  it("produces imports ACM takes: a first import, then the renewal into the same ARN", async () => {
    const acm = new FakeAcm();
    const first = secretToImport(tlsSecret({ "tls.crt": pair.certPem, "tls.key": pair.keyPem, "ca.crt": pair.caPem }), undefined, { now: NOW, tags: TAGS });
    assert.ok(first.ok);
    const arn = await acm.importCertificate(first.import);
    const second = secretToImport(tlsSecret({ "tls.crt": renewal.certPem, "tls.key": renewal.keyPem, "ca.crt": renewal.caPem }), arn, { now: NOW, tags: TAGS });
    assert.ok(second.ok);
    assert.equal(await acm.importCertificate(second.import), arn);
    assert.equal(acm.peek(arn)?.notAfter, second.notAfter);
    assert.deepEqual(acm.peek(arn)?.tags, TAGS);
  });
});
