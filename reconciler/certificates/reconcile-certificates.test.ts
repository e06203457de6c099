import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { AcmRejectedError, AcmUnavailableError } from "./acm-port.ts";
import { TAG_OWNER } from "./certificate-names.ts";
import { aConfig } from "../domainroute/render/testing/platform-config.ts";
import { certificateWorld } from "./testing/certificate-world.ts";
import { certConfig, OUT, OWNER } from "./testing/plan-fixtures.ts";

const FIVE_MINUTES = 5 * 60_000;

describe("reconcileCertificates (ACM)", () => {
  it("a new route's certificate is requested, validated through the records handed to DNS, attached, and the route ends Attached", async () => {
    const w = certificateWorld();
    await w.addRoute("shop", "shop.example.com");
    const first = await w.pass();
    assert.deepEqual(w.kinds(), { "team-a/shop": "pending" });
    assert.equal(w.aws.acm.calls.requestCertificate, 1);
    // ACM shows the validation records a moment later: polled soon.
    assert.equal(first.requeueAfterMs, 5000);
    await w.settle();
    assert.deepEqual(w.kinds(), { "team-a/shop": "ready" });
    const [arn] = w.aws.acm.arns();
    assert.deepEqual(w.aws.listener.peek(OUT), [arn]);
    assert.equal(w.aws.acm.peek(arn!)?.tags[TAG_OWNER], OWNER);
    assert.deepEqual(
      (w.records.current() ?? []).map((r) => [r.zoneId, r.record.name.replace(/^_[0-9a-f]+/, "_…"), r.record.type]),
      [["Z0123456789ABC", "_….example.com", "CNAME"]],
    );
    assert.equal(w.aws.acm.calls.requestCertificate, 1);
  });

  it("a steady pass makes no AWS request and changes no outcome", async () => {
    const w = certificateWorld();
    await w.addRoute("shop", "shop.example.com");
    await w.addRoute("x", "x.team-a.example.com", { lb: "alb-in" });
    await w.settle();
    const calls = w.awsCalls();
    w.clock.advance(60_000);
    const steady = await w.pass();
    assert.equal(w.awsCalls(), calls);
    assert.deepEqual(steady.changed, []);
    assert.equal(steady.done, 0);
    // Nothing is due but the next full read.
    assert.ok(
      steady.requeueAfterMs !== undefined && steady.requeueAfterMs > 0 && steady.requeueAfterMs <= FIVE_MINUTES - 60_000,
      String(steady.requeueAfterMs),
    );
    w.clock.advance(steady.requeueAfterMs);
    await w.pass();
    assert.ok(w.awsCalls() > calls, "the full read after the resync interval reads AWS");
  });

  it("a listener also holding an IAM server certificate is read without asking ACM about it, which stays attached and counts toward the limit", async () => {
    // ELBv2 listeners take IAM server certificates too; ACM refuses their ARNs (its CertificateArn pattern), and the IAM policy covers ACM ARNs only.
    const w = certificateWorld({ listenerLimit: 1, config: certConfig({ listenerCertificateLimit: 1 }) });
    const iam = "arn:aws:iam::123456789012:server-certificate/legacy-wildcard";
    w.aws.listener.setCertificateUsable(() => true);
    await w.aws.listener.addCertificates(OUT, [iam]);
    w.aws.listener.setCertificateUsable((arn) => w.aws.acm.peek(arn)?.status === "ISSUED");
    await w.addRoute("shop", "shop.example.com");
    await w.settle();
    assert.deepEqual(w.aws.listener.peek(OUT), [iam]);
    assert.deepEqual(w.kinds(), { "team-a/shop": "listenerLimit" });
  });

  it("a route under a wildcard whose certificate hostgate deleted within the hour gets a new certificate (the deleted one's token is not reused)", async () => {
    const w = certificateWorld();
    await w.addRoute("shop", "shop.example.com");
    await w.settle();
    const [first] = w.aws.acm.arns();
    await w.deleteRoute("shop");
    await w.settle();
    assert.deepEqual(w.aws.acm.arns(), [], "deleted once unused");
    await w.addRoute("api", "api.example.com");
    await w.settle();
    assert.deepEqual(w.kinds(), { "team-a/shop": "released", "team-a/api": "ready" });
    const [second] = w.aws.acm.arns();
    assert.notEqual(second, first);
    assert.deepEqual(w.aws.listener.peek(OUT), [second]);
  });

  it("a configured listener ELBv2 does not know fails only the routes on it, with ELBv2's reason; the others go on", async () => {
    const missing = "arn:aws:elasticloadbalancing:us-east-1:123456789012:listener/app/internal/bbbb/9999";
    const config = aConfig({
      dns: { provider: "route53", ownerId: OWNER },
      certificates: { provider: "acm" },
      listenerArns: { "alb-out": OUT, "alb-in": missing },
    });
    const w = certificateWorld({ config });
    await w.addRoute("shop", "shop.example.com");
    await w.addRoute("x", "x.team-a.example.com", { lb: "alb-in" });
    await w.settle();
    assert.deepEqual(w.kinds(), { "team-a/shop": "ready", "team-a/x": "failed" });
    const x = w.outcomes.lookup("team-a/x");
    const message = x.known && x.outcome?.kind === "failed" ? x.outcome.message : "";
    assert.match(message, /^listener arn:aws:elasticloadbalancing:\S+\/9999 cannot be read: Listener \S+\/9999 not found$/);
  });

  it("a certificate detached by hand is attached again at the next full read (drift)", async () => {
    const w = certificateWorld();
    await w.addRoute("shop", "shop.example.com");
    await w.settle();
    const [arn] = w.aws.listener.peek(OUT);
    await w.aws.listener.removeCertificates(OUT, [arn!]);
    w.clock.advance(FIVE_MINUTES);
    await w.settle();
    assert.deepEqual(w.aws.listener.peek(OUT), [arn]);
    assert.deepEqual(w.kinds(), { "team-a/shop": "ready" });
  });

  it("siblings cost one certificate; the last sibling's deletion detaches it, deletes it in a later pass, and releases both", async () => {
    const w = certificateWorld();
    await w.addRoute("x", "x.team-a.example.com");
    await w.addRoute("y", "y.team-a.example.com");
    await w.settle();
    assert.equal(w.aws.acm.arns().length, 1);
    await w.deleteRoute("x");
    await w.settle();
    assert.deepEqual(w.kinds(), { "team-a/x": "released", "team-a/y": "ready" });
    assert.equal(w.aws.listener.peek(OUT).length, 1);
    await w.deleteRoute("y");
    const detach = await w.pass();
    assert.deepEqual(w.aws.listener.peek(OUT), []);
    assert.equal(w.aws.acm.arns().length, 1, "not deleted in the pass that detaches it");
    assert.equal(detach.requeueAfterMs, 5000);
    await w.settle();
    assert.deepEqual(w.aws.acm.arns(), []);
    assert.deepEqual(w.kinds(), { "team-a/x": "released", "team-a/y": "released" });
    assert.deepEqual(w.records.current(), []);
  });

  it("another owner's and an untagged certificate on the listener survive every pass, also when no route is left", async () => {
    const w = certificateWorld();
    const theirs = w.aws.acm.seed({ domainName: "*.team-a.example.com", tags: { [TAG_OWNER]: "hostgate-staging" } });
    const platform = w.aws.acm.seed({ domainName: "*.team-b.example.com" });
    await w.aws.listener.addCertificates(OUT, [theirs, platform]);
    await w.addRoute("x", "x.team-a.example.com");
    await w.settle();
    await w.deleteRoute("x");
    await w.settle();
    assert.ok(w.aws.listener.peek(OUT).includes(theirs) && w.aws.listener.peek(OUT).includes(platform));
    assert.ok(w.aws.acm.arns().includes(theirs) && w.aws.acm.arns().includes(platform));
    assert.deepEqual(w.kinds(), { "team-a/x": "released" });
  });

  it("a full listener leaves the route ListenerCertificateLimit instead of an AWS failure", async () => {
    const w = certificateWorld({ config: { ...certificateWorld().deps.config, certificates: { provider: "acm", listenerCertificateLimit: 1 } } });
    const platform = w.aws.acm.seed({ domainName: "*.other.org" });
    await w.aws.listener.addCertificates(OUT, [platform]);
    await w.addRoute("shop", "shop.example.com");
    await w.settle();
    assert.deepEqual(w.kinds(), { "team-a/shop": "listenerLimit" });
    assert.equal(w.aws.listener.calls.addCertificates, 1, "only the test's own add");
  });

  it("a listener ELBv2 finds full before hostgate's limit (a quota counted per load balancer) leaves the route ListenerCertificateLimit with ELBv2's reason", async () => {
    // The quota counts every HTTPS listener of the load balancer (and some emulators count the default certificate too).
    const w = certificateWorld({ listenerLimit: 1 });
    const platform = w.aws.acm.seed({ domainName: "*.other.org" });
    await w.aws.listener.addCertificates(OUT, [platform]);
    await w.addRoute("shop", "shop.example.com");
    await w.settle();
    assert.deepEqual(w.kinds(), { "team-a/shop": "listenerLimit" });
    const shop = w.outcomes.lookup("team-a/shop");
    const refused = shop.known && shop.outcome?.kind === "listenerLimit" ? shop.outcome.refused : undefined;
    assert.match(refused ?? "", /already holds 1 certificates, its limit/);
  });

  it("a refused request is reported on the route and tried again later, without failing the pass", async () => {
    const w = certificateWorld();
    w.aws.acm.failNext("requestCertificate", new AcmRejectedError("LimitExceededException", "too many certificates"));
    await w.addRoute("shop", "shop.example.com");
    const result = await w.pass();
    const lookup = w.outcomes.lookup("team-a/shop");
    assert.ok(lookup.known && lookup.outcome?.kind === "failed" && lookup.outcome.message.includes("too many certificates"));
    assert.equal(result.requeueAfterMs, 60_000, "a refusal is retried a minute later, not in a hot loop");
    w.clock.advance(60_000);
    await w.settle();
    assert.deepEqual(w.kinds(), { "team-a/shop": "ready" });
  });

  it("an unavailable ACM fails the pass (the queue retries with backoff)", async () => {
    const w = certificateWorld();
    w.aws.acm.failNext("listCertificates", new AcmUnavailableError("AccessDenied", "not allowed"));
    await w.addRoute("shop", "shop.example.com");
    await assert.rejects(w.pass(), /not allowed/);
    await w.settle();
    assert.deepEqual(w.kinds(), { "team-a/shop": "ready" });
  });

  it("a route that does not hold its claim gets no certificate", async () => {
    const w = certificateWorld();
    await w.addRoute("late", "late.example.com", { claimed: false });
    await w.settle();
    assert.deepEqual(w.kinds(), { "team-a/late": "notClaimed" });
    assert.equal(w.aws.acm.calls.requestCertificate, 0);
  });

  it("a restarted controller (new state) on a converged account changes nothing in AWS", async () => {
    const w = certificateWorld();
    await w.addRoute("shop", "shop.example.com");
    await w.addRoute("x", "x.team-a.example.com");
    await w.settle();
    w.state = (await import("./reconcile-certificates.ts")).newCertificateReconcilerState();
    const writes = () =>
      w.aws.acm.calls.requestCertificate + w.aws.acm.calls.deleteCertificate + w.aws.listener.calls.addCertificates + w.aws.listener.calls.removeCertificates;
    const before = writes();
    const result = await w.pass();
    assert.equal(writes(), before);
    assert.equal(result.done, 0);
  });
});
