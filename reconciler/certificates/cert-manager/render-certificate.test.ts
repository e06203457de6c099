import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { Certificate } from "@kubernetes-models/cert-manager/cert-manager.io/v1";
import type { KubeObject } from "../../../core/kube/object-key.ts";
import type { CertificateInput } from "./render-certificate.ts";
import { renderCertificate } from "./render-certificate.ts";

const base: CertificateInput = {
  name: "wildcard-example-com",
  namespace: "hostgate-system",
  dnsNames: ["*.example.com", "example.com"],
  issuerRef: { group: "cert-manager.io", kind: "ClusterIssuer", name: "letsencrypt-dns" },
};

/** Every object's keys in sorted order, at every depth. */
function keysSorted(value: unknown): boolean {
  if (Array.isArray(value)) return value.every(keysSorted);
  if (value === null || typeof value !== "object") return true;
  const keys = Object.keys(value);
  return keys.every((key, i) => i === 0 || keys[i - 1]! < key) && Object.values(value).every(keysSorted);
}

const validate = (object: KubeObject) => new Certificate(object as ConstructorParameters<typeof Certificate>[0]).validate();

describe("renderCertificate", () => {
  const cases: { name: string; input: CertificateInput }[] = [
    { name: "a wildcard with its apex, from a ClusterIssuer", input: base },
    {
      name: "a parent wildcard alone, from a namespaced Issuer",
      input: { ...base, dnsNames: ["*.team-a.example.com"], issuerRef: { ...base.issuerRef, kind: "Issuer" } },
    },
    { name: "labels, put on the Secret too", input: { ...base, labels: { "z.example/x": "1", "app.kubernetes.io/managed-by": "hostgate" } } },
    {
      name: "an issuer of another group (an external issuer)",
      input: { ...base, issuerRef: { group: "awspca.cert-manager.io", kind: "ClusterIssuer", name: "pca" } },
    },
    { name: "ten names", input: { ...base, dnsNames: Array.from({ length: 10 }, (_, i) => `n${i}.example.com`) } },
  ];
  for (const c of cases) {
    it(`renders a Certificate cert-manager's schema accepts: ${c.name}`, () => {
      const object = renderCertificate(c.input);
      assert.doesNotThrow(() => validate(object));
      assert.ok(keysSorted(object), "keys sorted at every depth");
    });
  }

  it("issues into a Secret of its own name with a new RSA key on every renewal, for a TLS server", () => {
    assert.deepEqual(renderCertificate({ ...base, labels: { b: "2", a: "1" } }), {
      apiVersion: "cert-manager.io/v1",
      kind: "Certificate",
      metadata: { labels: { a: "1", b: "2" }, name: "wildcard-example-com", namespace: "hostgate-system" },
      spec: {
        commonName: "*.example.com",
        dnsNames: ["*.example.com", "example.com"],
        issuerRef: { group: "cert-manager.io", kind: "ClusterIssuer", name: "letsencrypt-dns" },
        privateKey: { algorithm: "RSA", rotationPolicy: "Always", size: 2048 },
        secretName: "wildcard-example-com",
        secretTemplate: { labels: { a: "1", b: "2" } },
        usages: ["digital signature", "key encipherment", "server auth"],
      },
    });
  });

  // Without a commonName, cert-manager's CA and SelfSigned issuers issue a certificate with an empty subject, which moto's
  // ImportCertificate fails on (500) and which leaves ACM's DomainName to the service: the first name that fits is the subject.
  const commonNames: { name: string; dnsNames: string[]; commonName: string | undefined }[] = [
    { name: "the wildcard, for a wildcard with its apex", dnsNames: ["example.com", "*.example.com"], commonName: "*.example.com" },
    { name: "the wildcard, for a parent wildcard alone", dnsNames: ["*.team-a.example.com"], commonName: "*.team-a.example.com" },
    {
      name: "the apex, when the wildcard is over the 64 octets a common name may have",
      dnsNames: [`*.${"a".repeat(51)}.example.com`, `${"a".repeat(51)}.example.com`],
      commonName: `${"a".repeat(51)}.example.com`,
    },
    { name: "none, when no name fits in 64 octets", dnsNames: [`*.${"a".repeat(60)}.example.com`], commonName: undefined },
  ];
  for (const c of commonNames) {
    it(`gives the certificate a subject: its commonName is ${c.name}`, () => {
      const object = renderCertificate({ ...base, dnsNames: c.dnsNames });
      assert.equal((object.spec as Record<string, unknown>).commonName, c.commonName);
      assert.doesNotThrow(() => validate(object));
    });
  }

  it("renders the same bytes whatever the order and repetition of names and labels", () => {
    const one = renderCertificate({ ...base, dnsNames: ["example.com", "*.example.com", "example.com"], labels: { b: "2", a: "1" } });
    const two = renderCertificate({ ...base, dnsNames: ["*.example.com", "example.com"], labels: { a: "1", b: "2" } });
    assert.equal(JSON.stringify(one), JSON.stringify(two));
  });

  it("leaves labels and secretTemplate out when there are none", () => {
    const object = renderCertificate(base);
    assert.equal((object.metadata as Record<string, unknown>).labels, undefined);
    assert.equal((object.spec as Record<string, unknown>).secretTemplate, undefined);
  });

  it("the schema check catches a bad Certificate (so the cases above prove something)", () => {
    const object = renderCertificate(base);
    (object.spec as Record<string, unknown>).usages = ["server-auth"];
    assert.throws(() => validate(object));
  });
});
