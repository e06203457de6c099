// The certificate controller with the AWS Load Balancer Controller on the
// Gateway API data plane, against the fake ACM and listeners: hostgate requests
// and validates the certificate and never reads or changes a listener; a
// restart with the certificate issued writes nothing.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { TAG_OWNER } from "./certificate-names.ts";
import { newCertificateReconcilerState } from "./reconcile-certificates.ts";
import { certificateWorld } from "./testing/certificate-world.ts";
import { gatewayApiCertConfig } from "./testing/gateway-api-fixtures.ts";
import { OWNER } from "./testing/plan-fixtures.ts";

const LBC = gatewayApiCertConfig("aws-load-balancer-controller");

/** ACM's write requests so far. */
function acmWrites(w: ReturnType<typeof certificateWorld>): number {
  const { requestCertificate, importCertificate, deleteCertificate } = w.aws.acm.calls;
  return requestCertificate + importCertificate + deleteCertificate;
}

describe("reconcileCertificates with the AWS Load Balancer Controller", () => {
  it("a placed route's certificate is requested, validated through the records handed to DNS, and the route ends ready with no listener read or changed", async () => {
    const w = certificateWorld({ config: LBC });
    await w.addRoute("shop", "shop.example.com", { member: "public-1" });
    await w.settle();
    assert.deepEqual(w.kinds(), { "team-a/shop": "ready" });
    const [arn] = w.aws.acm.arns();
    assert.equal(w.aws.acm.peek(arn!)?.status, "ISSUED");
    assert.equal(w.aws.acm.peek(arn!)?.tags[TAG_OWNER], OWNER);
    assert.equal((w.records.current() ?? []).length, 1, "the validation CNAME stays in DNS, for ACM's renewals");
    assert.deepEqual(w.aws.listener.calls, { listCertificates: 0, addCertificates: 0, removeCertificates: 0 });
  });

  it("runs without a ListenerPort at all (serve need not make an ELBv2 client for it)", async () => {
    const w = certificateWorld({ config: LBC });
    delete (w.deps as { listeners?: unknown }).listeners;
    await w.addRoute("shop", "shop.example.com", { member: "public-1" });
    await w.settle();
    assert.deepEqual(w.kinds(), { "team-a/shop": "ready" });
  });

  it("a route with no member yet gets no certificate until the pool controller places it", async () => {
    const w = certificateWorld({ config: LBC });
    await w.addRoute("shop", "shop.example.com");
    await w.settle();
    assert.deepEqual(w.kinds(), { "team-a/shop": "unplaced" });
    assert.equal(w.aws.acm.calls.requestCertificate, 0);
  });

  it("a restart (a new leader term, nothing in memory) with the certificate issued writes nothing and changes no outcome", async () => {
    const w = certificateWorld({ config: LBC });
    await w.addRoute("shop", "shop.example.com", { member: "public-1" });
    await w.settle();
    const writes = acmWrites(w);
    const before = w.kinds();
    w.state = newCertificateReconcilerState();
    const restart = await w.pass();
    assert.equal(restart.done, 0);
    assert.equal(acmWrites(w), writes);
    assert.deepEqual(w.kinds(), before);
    assert.equal(w.aws.listener.totalCalls(), 0);
  });

  it("a deleted route is released at once and its certificate, which no ALB uses, is deleted from ACM by its tag", async () => {
    const w = certificateWorld({ config: LBC });
    await w.addRoute("shop", "shop.example.com", { member: "public-1" });
    await w.settle();
    await w.deleteRoute("shop");
    await w.settle();
    assert.deepEqual(w.kinds(), { "team-a/shop": "released" });
    assert.deepEqual(w.aws.acm.arns(), []);
    assert.equal(w.aws.listener.totalCalls(), 0);
  });
});
