import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { KubeObject } from "../../core/kube/object-key.ts";
import { certManagerCertificates, certManagerSecrets } from "./cert-manager-resources.ts";
import { certificateName, TAG_OWNER } from "./certificate-names.ts";
import { serverPair } from "./testing/pem-fixtures.ts";
import { certificateWorld } from "./testing/certificate-world.ts";
import { certConfig, OUT, OWNER } from "./testing/plan-fixtures.ts";

const NS = "hostgate-system";
const NAME = certificateName("*.example.com");
const DAY = 86_400_000;

function config(importToAcm: boolean) {
  return certConfig({
    provider: "cert-manager",
    certManager: { issuerRef: { kind: "ClusterIssuer", name: "letsencrypt-dns", group: "cert-manager.io" }, namespace: NS, importToAcm },
  });
}

/** What cert-manager does: the Secret with a fresh certificate (labels from secretTemplate), and Ready on the Certificate. */
async function issue(w: ReturnType<typeof certificateWorld>, days: number): Promise<void> {
  const pair = await serverPair(w.clock.now(), ["*.example.com", "example.com"], { days });
  const b64 = (text: string) => Buffer.from(text).toString("base64");
  const secrets = { ...certManagerSecrets(NS), labelSelector: undefined };
  const secret: KubeObject = {
    apiVersion: "v1",
    kind: "Secret",
    metadata: { name: NAME, namespace: NS, labels: { "app.kubernetes.io/managed-by": "hostgate" } },
    type: "kubernetes.io/tls",
    data: { "tls.crt": b64(pair.certPem), "tls.key": b64(pair.keyPem), "ca.crt": b64(pair.caPem) },
  };
  const existing = await w.api.get(secrets, { namespace: NS, name: NAME });
  if (existing === undefined) await w.api.create(secrets, secret);
  else await w.api.update(secrets, { ...secret, metadata: { ...secret.metadata, resourceVersion: existing.metadata?.resourceVersion } });
  const certificate = (await w.api.get(certManagerCertificates(NS), { namespace: NS, name: NAME }))!;
  const notAfter = new Date(Math.floor((w.clock.now() + days * DAY) / 1000) * 1000).toISOString().replace(".000Z", "Z");
  await w.api.updateStatus(certManagerCertificates(NS), {
    ...certificate,
    status: { conditions: [{ type: "Ready", status: "True", observedGeneration: certificate.metadata?.generation }], notAfter },
  });
}

describe("reconcileCertificates (cert-manager)", () => {
  it("without importToAcm: a Certificate per wildcard, Issued once cert-manager says Ready, deleted with the last route, and no AWS request", async () => {
    const w = certificateWorld({ config: config(false) });
    await w.addRoute("shop", "shop.example.com");
    await w.addRoute("blog", "blog.example.com");
    await w.settle();
    assert.deepEqual(
      w.api.objects(certManagerCertificates(NS)).map((o) => o.metadata?.name),
      [NAME],
    );
    assert.deepEqual(w.kinds(), { "team-a/blog": "pending", "team-a/shop": "pending" });
    await issue(w, 90);
    await w.settle();
    assert.deepEqual(w.kinds(), { "team-a/blog": "ready", "team-a/shop": "ready" });
    await w.deleteRoute("shop");
    await w.deleteRoute("blog");
    await w.settle();
    assert.deepEqual(w.api.objects(certManagerCertificates(NS)), []);
    assert.deepEqual(w.kinds(), { "team-a/blog": "released", "team-a/shop": "released" });
    assert.equal(w.awsCalls(), 0);
  });

  it("with importToAcm: the issued Secret is imported with hostgate's tags, attached, and each renewal re-imported into the same ARN", async () => {
    const w = certificateWorld({ config: config(true) });
    await w.addRoute("shop", "shop.example.com");
    await w.settle();
    await issue(w, 60);
    await w.settle();
    assert.deepEqual(w.kinds(), { "team-a/shop": "ready" });
    const [arn] = w.aws.acm.arns();
    assert.equal(w.aws.acm.peek(arn!)?.tags[TAG_OWNER], OWNER);
    assert.deepEqual(w.aws.listener.peek(OUT), [arn]);
    const lookup = w.outcomes.lookup("team-a/shop");
    assert.ok(lookup.known && lookup.outcome?.kind === "ready");
    assert.equal(lookup.outcome.certificate.arn, arn);
    assert.equal(lookup.outcome.certificate.certificateName, `${NS}/${NAME}`);

    w.clock.advance(30 * DAY);
    await issue(w, 60);
    await w.settle();
    assert.deepEqual(w.aws.acm.arns(), [arn]);
    assert.equal(w.aws.acm.calls.importCertificate, 2);
    const renewed = w.outcomes.lookup("team-a/shop");
    assert.ok(renewed.known && renewed.outcome?.kind === "ready" && renewed.outcome.certificate.notAfter !== lookup.outcome.certificate.notAfter);
    assert.equal(renewed.outcome.certificate.notAfter, w.aws.acm.peek(arn!)?.notAfter);
    const steady = w.awsCalls();
    await w.pass();
    assert.equal(w.awsCalls(), steady, "a steady pass makes no AWS request");
  });
});
