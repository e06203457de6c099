// DNSReady and CertificateReady as the route controller writes them from the
// DNS and certificate controllers' outcomes (edge-status.ts), Ready summing
// them up, and the finalizer held until neither controller holds anything of
// the route. The outcomes are published by hand here, as the wholesale
// controllers would (their own tests cover how they decide).
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import type { PlatformConfig } from "../../core/config/platform-config.ts";
import type { CertificateOutcome } from "../certificates/certificate-outcomes.ts";
import type { DnsOutcome } from "../dns/dns-outcomes.ts";
import { CertificateOutcomes } from "../certificates/certificate-outcomes.ts";
import { DnsOutcomes } from "../dns/dns-outcomes.ts";
import { EdgeOutcomes } from "../edge/edge-outcomes.ts";
import { DOMAIN_CLAIMS, DOMAIN_ROUTES } from "../resources.ts";
import { RELEASE_RECHECK_MS } from "./plan-route.ts";
import { defaultConfig, route, world } from "./testing/route-world.ts";
import type { World } from "./testing/route-world.ts";

const LISTENER = "arn:aws:elasticloadbalancing:us-east-1:123456789012:listener/app/internal-1/60dc6c495c0c9188/a2f7dc8efc522ab3";
const CERTIFICATE = "arn:aws:acm:us-east-1:123456789012:certificate/0b1c2d3e-0000-4000-8000-000000000001";

const awsConfig: PlatformConfig = {
  ...defaultConfig,
  loadBalancers: {
    "alb-out": { ...defaultConfig.loadBalancers["alb-out"], listenerArn: LISTENER.replace("internal-1", "public-1") },
    "alb-in": { ...defaultConfig.loadBalancers["alb-in"], listenerArn: LISTENER },
  },
  dns: { ...defaultConfig.dns, provider: "route53", ownerId: "hostgate-test" },
  certificates: { ...defaultConfig.certificates, provider: "acm" },
};

/** Omit applied to each member of a union, so the members stay apart. */
type Without<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;

const RECORD = { name: "shop.example.com", type: "A", target: "internal-1.us-east-1.elb.amazonaws.com", zoneId: "Z0123456789ABC" };
const SERVED = { domains: ["*.example.com", "example.com"], arn: CERTIFICATE, notAfter: "2027-12-01T00:00:00Z" };

/** A converged shop route (claimed, Istio objects written) with nothing published by DNS or certificates yet. */
async function shop(config: PlatformConfig = awsConfig): Promise<{ w: World; uid: string }> {
  const w = world({ config });
  await w.api.create(DOMAIN_ROUTES, route("shop", "shop.example.com"));
  await w.reconcile("shop");
  return { w, uid: w.get("shop")!.metadata.uid! };
}

/** What the DNS and certificate controllers decided; the pool controller (ACM counts certificates, so it decides) placed the route on alb-in. */
function publish(w: World, dns: Without<DnsOutcome, "uid"> | undefined, certificate: Without<CertificateOutcome, "uid" | "domain"> | undefined, uid: string) {
  w.edge.publish(new Map([["team-a/shop", { kind: "placed", uid, edge: { loadBalancer: "alb-in", member: "alb-in", target: RECORD.target } }]]));
  w.dns.publish(new Map(dns === undefined ? [] : [["team-a/shop", { ...dns, uid } as DnsOutcome]]));
  w.certificates.publish(
    new Map(certificate === undefined ? [] : [["team-a/shop", { ...certificate, uid, domain: "shop.example.com" } as CertificateOutcome]]),
  );
}

describe("a route's DNS records and certificate in its status", () => {
  test("a new route is not Ready until it is placed and its DNS records and certificate are decided", async () => {
    const { w } = await shop();
    assert.equal(w.condition("shop", "EdgePlaced"), "Unknown PlacementPending");
    assert.equal(w.condition("shop", "DNSReady"), "Unknown DNSPending");
    assert.equal(w.condition("shop", "CertificateReady"), "Unknown CertificatePending");
    assert.equal(w.condition("shop", "Ready"), "False PlacementPending");
  });

  test("a route is Ready, with its records and certificate in the status, once both controllers say so", async () => {
    const { w, uid } = await shop();
    publish(w, { kind: "ready", records: [RECORD] }, { kind: "ready", certificate: SERVED, listenerArn: LISTENER }, uid);
    await w.reconcile("shop");
    const status = w.get("shop")!.status!;
    assert.equal(w.condition("shop", "DNSReady"), "True RecordsReady");
    assert.equal(w.condition("shop", "CertificateReady"), "True Attached");
    assert.equal(w.condition("shop", "Ready"), "True Ready");
    assert.match(w.message("shop", "Ready")!, /claimed and served, its DNS records are in place, its certificate is in place/);
    assert.deepEqual(status.dns, [RECORD]);
    assert.deepEqual(status.certificate, SERVED);
  });

  test("a second reconcile with the same outcomes writes nothing", async () => {
    const { w, uid } = await shop();
    publish(w, { kind: "ready", records: [RECORD] }, { kind: "ready", certificate: SERVED, listenerArn: LISTENER }, uid);
    await w.reconcile("shop");
    const before = w.get("shop")!.metadata.resourceVersion;
    await w.reconcile("shop");
    assert.equal(w.get("shop")!.metadata.resourceVersion, before);
  });

  test("a restarted reconciler, before the controllers publish, keeps what the status says and writes nothing", async () => {
    const { w, uid } = await shop();
    publish(w, { kind: "ready", records: [RECORD] }, { kind: "ready", certificate: SERVED, listenerArn: LISTENER }, uid);
    await w.reconcile("shop");
    const before = w.get("shop")!.metadata.resourceVersion;
    w.deps.dnsOutcomes = new DnsOutcomes();
    w.deps.certificateOutcomes = new CertificateOutcomes();
    w.deps.edgeOutcomes = new EdgeOutcomes();
    await w.reconcile("shop");
    assert.equal(w.get("shop")!.metadata.resourceVersion, before);
    assert.equal(w.condition("shop", "Ready"), "True Ready");
  });

  const failing: {
    name: string;
    dns: Without<DnsOutcome, "uid">;
    certificate: Without<CertificateOutcome, "uid" | "domain">;
    ready: string;
    message: RegExp;
  }[] = [
    {
      name: "a name held by a record hostgate does not own makes Ready False with DNSReady's reason",
      dns: { kind: "refused", reason: "RecordOwnedElsewhere", message: "A shop.example.com in zone Z0123456789ABC is not hostgate's" },
      certificate: { kind: "ready", certificate: SERVED, listenerArn: LISTENER },
      ready: "False RecordOwnedElsewhere",
      message: /DNSReady: A shop\.example\.com in zone Z0123456789ABC is not hostgate's/,
    },
    {
      name: "a full listener makes Ready False with ListenerCertificateLimit",
      dns: { kind: "ready", records: [RECORD] },
      certificate: { kind: "listenerLimit", certificate: SERVED, listenerArn: LISTENER, limit: 25, held: 25 },
      ready: "False ListenerCertificateLimit",
      message: /CertificateReady: the HTTPS listener of alb-in .* already holds 25 certificates/,
    },
    {
      name: "a certificate waiting for validation makes Ready False with PendingValidation",
      dns: { kind: "ready", records: [RECORD] },
      certificate: { kind: "pending", stage: "validation", certificate: SERVED, detail: "ACM is validating *.example.com" },
      ready: "False PendingValidation",
      message: /CertificateReady: ACM is validating/,
    },
  ];
  for (const c of failing) {
    test(c.name, async () => {
      const { w, uid } = await shop();
      publish(w, c.dns, c.certificate, uid);
      await w.reconcile("shop");
      assert.equal(w.condition("shop", "Ready"), c.ready);
      assert.match(w.message("shop", "Ready")!, c.message);
    });
  }

  test("an outcome decided for an earlier route of the same name is not taken", async () => {
    const { w } = await shop();
    publish(w, { kind: "ready", records: [RECORD] }, { kind: "ready", certificate: SERVED, listenerArn: LISTENER }, "an-older-uid");
    await w.reconcile("shop");
    assert.equal(w.condition("shop", "DNSReady"), "Unknown DNSPending");
    assert.equal(w.get("shop")!.status!.dns, undefined);
  });
});

describe("deleting a route with DNS records and a certificate", () => {
  test("the finalizer stays while records remain, the claim is released and the status says what is left", async () => {
    const { w, uid } = await shop();
    publish(w, { kind: "ready", records: [RECORD] }, { kind: "ready", certificate: SERVED, listenerArn: LISTENER }, uid);
    await w.reconcile("shop");
    await w.api.delete(DOMAIN_ROUTES, { namespace: "team-a", name: "shop" });
    publish(w, { kind: "releasing", message: "deleting A shop.example.com" }, { kind: "released" }, uid);
    const result = await w.reconcile("shop");
    assert.ok(w.get("shop") !== undefined, "the route must stay while its records remain");
    assert.equal(w.condition("shop", "DNSReady"), "False RecordsReleasing");
    assert.equal(w.api.server.objects(DOMAIN_CLAIMS).length, 0, "the claim is released at once, so the next route in line can take the domain");
    assert.deepEqual(w.produced(), []);
    assert.equal(result.requeueAfterMs, RELEASE_RECHECK_MS);
  });

  test("the finalizer goes once DNS and certificates hold nothing more of the route", async () => {
    const { w, uid } = await shop();
    await w.api.delete(DOMAIN_ROUTES, { namespace: "team-a", name: "shop" });
    publish(w, { kind: "releasing" }, { kind: "releasing", detail: "detaching" }, uid);
    await w.reconcile("shop");
    assert.ok(w.get("shop") !== undefined);
    publish(w, { kind: "released" }, { kind: "released" }, uid);
    await w.reconcile("shop");
    assert.equal(w.get("shop"), undefined);
  });

  test("with external-dns, a deletion waiting for its certificate leaves DNSReady as it was, not saying the DNSEndpoint is about to be created", async () => {
    const config: PlatformConfig = { ...awsConfig, dns: { ...awsConfig.dns, provider: "external-dns" } };
    const { w, uid } = await shop(config);
    await w.reconcile("shop"); // now with its DNSEndpoint in the cluster: waiting for external-dns to take it up
    const before = w.condition("shop", "DNSReady");
    assert.equal(before, "Unknown WaitingForExternalDns");
    await w.api.delete(DOMAIN_ROUTES, { namespace: "team-a", name: "shop" });
    publish(w, undefined, { kind: "releasing", detail: "detaching" }, uid);
    await w.reconcile("shop");
    await w.reconcile("shop");
    assert.ok(!w.produced().some((o) => o.startsWith("DNSEndpoint")), "the DNSEndpoint went with the route's objects");
    assert.equal(w.condition("shop", "DNSReady"), before);
    assert.equal(w.condition("shop", "CertificateReady"), "False Releasing");
  });

  test("with no DNS and no certificates managed, deletion does not wait", async () => {
    const { w } = await shop(defaultConfig);
    await w.api.delete(DOMAIN_ROUTES, { namespace: "team-a", name: "shop" });
    await w.reconcile("shop");
    assert.equal(w.get("shop"), undefined);
  });
});

describe("DNSReady with external-dns", () => {
  const externalDns: PlatformConfig = { ...defaultConfig, dns: { ...defaultConfig.dns, provider: "external-dns" } };

  test("a route refused whole gets no DNSEndpoint, and DNSReady says why", async () => {
    const { w } = await shop(externalDns);
    const shopRoute = w.get("shop")!;
    await w.api.update(DOMAIN_ROUTES, { ...shopRoute, spec: { ...shopRoute.spec, protection: { provider: "unknown", appId: "x" } } } as never);
    await w.reconcile("shop");
    assert.equal(w.condition("shop", "DNSReady"), "False UnknownProvider");
    assert.ok(!w.produced().some((o) => o.startsWith("DNSEndpoint")));
  });

  test("a served route's DNSReady waits for external-dns to take up its DNSEndpoint", async () => {
    const { w } = await shop(externalDns);
    assert.equal(w.condition("shop", "CertificateReady"), "True NotManaged");
    assert.match(w.condition("shop", "DNSReady")!, /^Unknown /);
  });
});
