import assert from "node:assert/strict";
import { X509Certificate } from "node:crypto";
import { mkdtemp, readFile, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { ManualClock } from "../core/clock.ts";
import { clusterCertificatesWith, localCertificates, WEBHOOK_CONFIGURATIONS, WEBHOOK_TLS_SECRET } from "./factories.ts";
import { CertificatePolicyError } from "./policy.ts";
import { FakeSecretsClient } from "./testing/fake-secrets-client.ts";
import { FakeWebhookClient } from "./testing/fake-webhook-client.ts";
import { issuer, T0 } from "./testing/fixtures.ts";

const root = await mkdtemp(join(tmpdir(), "hostgate-factories-"));
after(() => rm(root, { recursive: true, force: true }));

describe("localCertificates", () => {
  it("writes ca.crt, tls.crt and tls.key for 127.0.0.1 and localhost into the directory", async () => {
    const dir = join(root, "local", ".hostgate", "tls");
    const source = localCertificates({ dir, clock: new ManualClock(T0), issuer });
    await source.start();
    const cert = new X509Certificate(await readFile(join(dir, "tls.crt")));
    assert.equal(cert.subjectAltName, "DNS:localhost, IP Address:127.0.0.1");
    assert.equal(await readFile(join(dir, "ca.crt"), "utf8"), source.current().ca);
    assert.ok(cert.checkIssued(new X509Certificate(source.current().ca)));
    assert.equal((await stat(join(dir, "tls.key"))).mode & 0o777, 0o600);
    source.stop();

    // The next run adopts what is there.
    const again = localCertificates({ dir, clock: new ManualClock(T0 + 60_000), issuer });
    await again.start();
    assert.equal(again.current().cert, source.current().cert);
    again.stop();
  });

  it("refuses hosts that are neither names nor addresses", () => {
    assert.throws(() => localCertificates({ hosts: ["bad host"] }), CertificatePolicyError);
  });
});

describe("clusterCertificatesWith", () => {
  it("keeps the certificates in the Secret and writes the bundle into both webhook configurations", async () => {
    const secrets = new FakeSecretsClient();
    const webhooks = new FakeWebhookClient();
    for (const ref of WEBHOOK_CONFIGURATIONS) webhooks.add(ref, ["a.hostgate.dev", "b.hostgate.dev"]);
    const source = clusterCertificatesWith({ secrets, webhooks, clock: new ManualClock(T0), issuer });
    await source.start();
    const secret = secrets.secrets.get(WEBHOOK_TLS_SECRET);
    assert.equal(secret?.metadata.namespace, "hostgate-system");
    assert.equal(secret?.type, "Opaque");
    assert.deepEqual(Object.keys(secret?.data ?? {}).sort(), ["ca.crt", "ca.key", "tls.crt", "tls.key"]);
    const cert = new X509Certificate(source.current().cert);
    assert.equal(cert.subjectAltName, "DNS:hostgate-webhook.hostgate-system.svc, DNS:hostgate-webhook.hostgate-system.svc.cluster.local");
    for (const ref of WEBHOOK_CONFIGURATIONS) assert.deepEqual(webhooks.bundles(ref), [source.current().ca, source.current().ca]);
    source.stop();
  });

  it("names each unusable name and what it must be", () => {
    assert.throws(
      () => clusterCertificatesWith({ secrets: new FakeSecretsClient(), webhooks: new FakeWebhookClient(), namespace: "Hostgate_System", secretName: "" }),
      (error: unknown) => {
        assert.ok(error instanceof CertificatePolicyError);
        assert.deepEqual(error.problems, [
          `namespace "Hostgate_System" must be an RFC 1123 label (lowercase letters, digits and '-', at most 63)`,
          `secretName "" must be an RFC 1123 subdomain (lowercase labels joined by '.')`,
        ]);
        return true;
      },
    );
  });
});
