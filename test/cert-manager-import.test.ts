// The issue's acceptance for `certificates.provider: cert-manager` with
// importToAcm, end to end: the whole reconciler (informers, the route, DNS
// and certificate controllers) against the in-memory API server, the fake
// Route53, ACM and ALB listeners, and the test playing cert-manager. A
// DomainRoute ends Ready with its wildcard's Certificate issued, imported
// into ACM (tagged hostgate's) and on the listener; a renewal, after a
// restart that left only ACM's tags to find the import by, is re-imported
// into the same ARN, so the listener needs no change; deleting the route
// removes its Certificate and detaches and deletes the imported certificate,
// and what others hold (a Certificate without hostgate's label in the same
// namespace, a certificate on the same listener) stays.
import assert from "node:assert/strict";
import { afterEach, describe, test } from "node:test";
import { ManualClock } from "../core/clock.ts";
import type { KubeObject } from "../core/kube/object-key.ts";
import { FakeKubeApi } from "../core/kube/testing/fake-kube-api.ts";
import type { DomainRoute } from "../crds/types.ts";
import { TAG_OWNER } from "../reconciler/certificates/certificate-names.ts";
import type { ReconcilerManager } from "../reconciler/manager/reconciler-manager.ts";
import { DOMAIN_ROUTES } from "../reconciler/resources.ts";
import {
  ALL_CERTIFICATES,
  certificateObject,
  certManagerConfig,
  fakeAws,
  issueAsCertManager,
  NAMESPACE,
  route,
  startManager,
  until,
  WILDCARD,
} from "./edge/edge-cluster.ts";

const config = certManagerConfig();
const LISTENER = config.loadBalancers["alb-out"].listenerArn!;

/** A team's own Certificate in the same namespace, without hostgate's label: never hostgate's to change or delete. */
const FOREIGN: KubeObject = {
  apiVersion: "cert-manager.io/v1",
  kind: "Certificate",
  metadata: { name: "legacy-wildcard", namespace: NAMESPACE },
  spec: { secretName: "legacy-wildcard", dnsNames: ["*.example.com", "example.com"], issuerRef: { kind: "ClusterIssuer", name: "letsencrypt-dns" } },
};

const running: ReconcilerManager[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((m) => m.stop()));
});

const shop = (api: FakeKubeApi) => api.server.get(DOMAIN_ROUTES, { namespace: "team-a", name: "shop" }) as unknown as DomainRoute | undefined;
const condition = (api: FakeKubeApi, type: string) => {
  const c = shop(api)?.status?.conditions?.find((x) => x.type === type);
  return c === undefined ? undefined : `${c.status} ${c.reason}`;
};

describe("a DomainRoute with cert-manager importing into ACM", () => {
  test("ends Ready on its imported certificate, re-imports a renewal into the same ARN, and its deletion removes exactly what hostgate created", async () => {
    const clock = new ManualClock();
    const api = new FakeKubeApi({ now: () => clock.now() });
    const aws = fakeAws(clock, config);
    const othersOnListener = aws.acm.seed({ domainName: "www.example.com", status: "ISSUED" });
    await aws.listener.addCertificates(LISTENER, [othersOnListener]);
    const foreign = await api.create(ALL_CERTIFICATES, FOREIGN, { fieldManager: "kubectl-client-side-apply" });
    running.push(startManager(api, clock, aws, config));
    await api.create(DOMAIN_ROUTES, route("shop", "shop.example.com"));

    // hostgate asks cert-manager for the wildcard; nothing is imported before cert-manager says Ready.
    await until("hostgate's Certificate exists", clock, () => certificateObject(api) !== undefined);
    const spec = certificateObject(api)!.spec as Record<string, unknown>;
    assert.deepEqual(spec.dnsNames, ["*.example.com", "example.com"]);
    assert.deepEqual(spec.issuerRef, { group: "cert-manager.io", kind: "ClusterIssuer", name: "letsencrypt-dns" });
    assert.deepEqual(spec.secretTemplate, { labels: { "app.kubernetes.io/managed-by": "hostgate" } });
    await until("the route says its certificate is being issued", clock, () => condition(api, "CertificateReady")?.startsWith("False ") === true);
    assert.deepEqual(aws.acm.arns(), [othersOnListener], "nothing imported before the Certificate is Ready");

    const firstNotAfter = await issueAsCertManager(api, clock, { days: 60 });
    await until("the route is Ready", clock, () => condition(api, "Ready") === "True Ready");
    assert.equal(condition(api, "CertificateReady"), "True Attached");
    const arn = shop(api)!.status!.certificate?.arn;
    assert.ok(arn !== undefined, "status.certificate names the imported certificate's ARN");
    assert.deepEqual(shop(api)!.status!.certificate, {
      domains: ["*.example.com", "example.com"],
      arn,
      certificateName: `${NAMESPACE}/${WILDCARD}`,
      notAfter: firstNotAfter,
    });
    const imported = aws.acm.peek(arn)!;
    assert.equal(imported.type, "IMPORTED");
    assert.equal(imported.tags[TAG_OWNER], "hostgate-prod", "the import is tagged hostgate's, so it may later be deleted");
    assert.deepEqual(aws.listener.peek(LISTENER), [arn, othersOnListener].sort(), "on the listener beside what was there");

    // A new leader knows nothing of the import but what ACM shows (hostgate's tags): it imports nothing more.
    await running.pop()!.stop();
    const listedBefore = aws.acm.calls.listCertificates;
    running.push(startManager(api, clock, aws, config));
    await until("the new leader has read ACM", clock, () => aws.acm.calls.listCertificates > listedBefore);
    // A renewal: cert-manager writes a new certificate into the Secret; it goes into the same ARN.
    const renewedNotAfter = await issueAsCertManager(api, clock, { days: 90 });
    assert.notEqual(renewedNotAfter, firstNotAfter);
    await until("the route shows the renewed certificate", clock, () => shop(api)?.status?.certificate?.notAfter === renewedNotAfter);
    assert.equal(shop(api)!.status!.certificate?.arn, arn, "re-imported into the same ARN");
    assert.equal(aws.acm.peek(arn)?.notAfter, renewedNotAfter);
    assert.deepEqual(aws.acm.arns().sort(), [arn, othersOnListener].sort(), "no second import");
    assert.equal(aws.acm.calls.importCertificate, 2, "one import on issuance, one on renewal; none for the new leader's unchanged Secret");
    assert.equal(condition(api, "CertificateReady"), "True Attached");

    await api.delete(DOMAIN_ROUTES, { namespace: "team-a", name: "shop" });
    await until("the route is gone", clock, () => shop(api) === undefined);
    await until("hostgate's Certificate is deleted", clock, () => certificateObject(api) === undefined);
    await until("the imported certificate is deleted from ACM", clock, () => aws.acm.peek(arn) === undefined);
    assert.deepEqual(aws.listener.peek(LISTENER), [othersOnListener], "detached; the listener keeps the rest");
    assert.deepEqual(aws.acm.arns(), [othersOnListener]);
    const left = api.server.get(ALL_CERTIFICATES, { namespace: NAMESPACE, name: "legacy-wildcard" });
    assert.equal(left?.metadata?.resourceVersion, foreign.metadata?.resourceVersion, "the Certificate without hostgate's label is untouched");
  });
});
