import assert from "node:assert/strict";
import { beforeEach, describe, it } from "node:test";
import { KubeApiError } from "../../../core/kube/api-error.ts";
import type { KubeObject } from "../../../core/kube/object-key.ts";
import { FakeKubeApi } from "../../../core/kube/testing/fake-kube-api.ts";
import type { PlatformConfig } from "../../../core/config/platform-config.ts";
import { silentLogger } from "../../../core/logger.ts";
import { formatTime, ManualClock } from "../../../core/clock.ts";
import type { DomainRoute } from "../../../crds/types.ts";
import type { ObjectReader } from "../../cluster/object-reader.ts";
import { ALL_PRODUCED_RESOURCES } from "../../domainroute/render/produced-resources.ts";
import { sweepOrphans } from "../../orphans/sweep-orphans.ts";
import { CertificateOutcomes } from "../../certificates/certificate-outcomes.ts";
import type { CertificateOutcome } from "../../certificates/certificate-outcomes.ts";
import { FIELD_MANAGER, GATEWAYS } from "../../resources.ts";
import { POOL_GATEWAYS_KEY, poolGatewaysNeeded, reconcilePoolGateways } from "./reconcile-pool-gateways.ts";
import { GATEWAY_NAMESPACE as NS, gatewayApiConfig, placedRoute } from "./testing/gateway-api-config.ts";
import { putRoutes, removeRoute } from "./testing/routes-on-server.ts";

type Listener = { name: string; hostname: string };
const hostnamesOf = (o: KubeObject | undefined) => ((o?.spec as { listeners?: Listener[] } | undefined)?.listeners ?? []).map((l) => l.hostname);

describe("reconcilePoolGateways", () => {
  let api: FakeKubeApi;
  let reader: ObjectReader;
  const config = gatewayApiConfig({ certificates: "cert-manager" });
  let certificates: CertificateOutcomes;
  const clock = new ManualClock();
  const pass = (c: PlatformConfig = config) => reconcilePoolGateways({ api, reader, config: c, logger: silentLogger, clock, certificates });
  const gateways = () => api.objects({ ...GATEWAYS, namespace: NS });
  const gateway = (name: string) => api.server.get(GATEWAYS, { namespace: NS, name });
  const shop = placedRoute("shop", "shop.example.com", "public-1");
  const blog = placedRoute("blog", "blog.example.com", "public-1");
  const api2 = placedRoute("api", "api.example.com", "public-2");

  beforeEach(() => {
    api = new FakeKubeApi();
    reader = { get: (r, k) => api.server.get(r, k), list: (r) => api.server.objects(r) };
    certificates = new CertificateOutcomes();
  });

  it("has one queue key", () => {
    assert.equal(POOL_GATEWAYS_KEY, "pool-gateways");
  });

  it("creates one Gateway per member serving routes, each with their listeners, and names the members that changed", async () => {
    putRoutes(api, shop, blog, api2);
    const outcome = await pass();
    assert.deepEqual(outcome.written, [`${NS}/public-1`, `${NS}/public-2`]);
    assert.deepEqual(outcome.changedMembers, ["public-1", "public-2"]);
    assert.deepEqual(hostnamesOf(gateway("public-1")).sort(), ["blog.example.com", "shop.example.com"]);
    assert.deepEqual(hostnamesOf(gateway("public-2")), ["api.example.com"]);
  });

  it("writes nothing on a second pass over the same routes (idempotent), and only the changed member's Gateway when a route comes", async () => {
    putRoutes(api, shop, api2);
    await pass();
    api.takeWrites();
    const again = await pass();
    assert.deepEqual([again.written, again.deleted, again.changedMembers], [[], [], []]);
    assert.deepEqual(api.takeWrites(), []);
    putRoutes(api, blog);
    const outcome = await pass();
    assert.deepEqual(outcome.written, [`${NS}/public-1`]);
    assert.deepEqual([...new Set(api.takeWrites().map((w) => w.key))], [`${NS}/public-1`]);
  });

  it("reverts a hand edit and re-creates a deleted Gateway", async () => {
    putRoutes(api, shop);
    await pass();
    const current = gateway("public-1")!;
    const spec = current.spec as { listeners: Listener[] };
    await api.update(
      GATEWAYS,
      { ...current, spec: { ...spec, listeners: [{ ...spec.listeners[0]!, hostname: "evil.example.com" }] } },
      { fieldManager: "kubectl-edit" },
    );
    await pass();
    assert.deepEqual(hostnamesOf(gateway("public-1")), ["shop.example.com"]);
    api.server.delete(GATEWAYS, { namespace: NS, name: "public-1" });
    await pass();
    assert.deepEqual(hostnamesOf(gateway("public-1")), ["shop.example.com"]);
  });

  it("deletes a member's Gateway once its last route has gone, and keeps the others", async () => {
    putRoutes(api, shop, api2);
    await pass();
    removeRoute(api, api2);
    const outcome = await pass();
    assert.deepEqual(outcome.deleted, [`${NS}/public-2`]);
    assert.deepEqual(outcome.changedMembers, ["public-2"]);
    assert.deepEqual(
      gateways().map((g) => g.metadata?.name),
      ["public-1"],
    );
  });

  it("removes a route's listener when the route is being deleted", async () => {
    putRoutes(api, shop, blog);
    await pass();
    putRoutes(api, { ...blog, metadata: { ...blog.metadata, deletionTimestamp: "2026-01-02T00:00:00Z" } });
    assert.deepEqual((await pass()).written, [`${NS}/public-1`]);
    assert.deepEqual(hostnamesOf(gateway("public-1")), ["shop.example.com"]);
  });

  it("keeps a member's Gateway as it is while the new one would be invalid (held), and fails the pass saying so", async () => {
    putRoutes(api, shop);
    await pass();
    const before = gateway("public-1");
    putRoutes(api, ...Array.from({ length: 65 }, (_, i) => placedRoute(`r${i}`, `r${i}.example.com`, "public-1")));
    await assert.rejects(pass(), /pool Gateways: 1 change\(s\) failed \(retried\): the Gateway edge\/public-1 is not written: it would have 66 listeners/);
    assert.deepEqual(gateway("public-1"), before);
  });

  describe("with the AWS Load Balancer Controller a listener waits for its certificate (the controller fails the whole Gateway without one)", () => {
    const lbc = gatewayApiConfig({ implementation: "aws-load-balancer-controller", certificates: "acm" });
    const CERT = { domains: ["*.example.com", "example.com"], arn: "arn:aws:acm:us-east-1:123456789012:certificate/1" };
    const outcome = (route: DomainRoute, kind: "ready" | "pending"): [string, CertificateOutcome] => [
      `${route.metadata.namespace}/${route.metadata.name}`,
      kind === "ready"
        ? { uid: route.metadata.uid!, domain: route.spec.domain, kind, certificate: CERT }
        : { uid: route.metadata.uid!, domain: route.spec.domain, kind, stage: "validation", certificate: CERT, detail: "validating" },
    ];

    it("adds no listener before the certificate controller has said anything, then adds the issued one only", async () => {
      putRoutes(api, shop, blog);
      assert.deepEqual((await pass(lbc)).written, []);
      certificates.publish(new Map([outcome(shop, "ready"), outcome(blog, "pending")]));
      const second = await pass(lbc);
      assert.deepEqual(hostnamesOf(gateway("public-1")), ["shop.example.com"]);
      assert.deepEqual(
        second.skipped.map((s) => [s.routeRef, s.reason]),
        [["team-a/blog", "WaitingForCertificate"]],
      );
      certificates.publish(new Map([outcome(shop, "ready"), outcome(blog, "ready")]));
      await pass(lbc);
      assert.deepEqual(hostnamesOf(gateway("public-1")).sort(), ["blog.example.com", "shop.example.com"]);
    });

    it("keeps the listeners a Gateway lists while nothing is known yet (a restart changes no Gateway)", async () => {
      putRoutes(api, shop);
      certificates.publish(new Map([outcome(shop, "ready")]));
      await pass(lbc);
      api.takeWrites();
      certificates = new CertificateOutcomes();
      const restarted = await pass(lbc);
      assert.deepEqual([restarted.written, restarted.deleted, api.takeWrites()], [[], [], []]);
    });

    it("takes a listener off once its certificate is no longer ready", async () => {
      putRoutes(api, shop);
      certificates.publish(new Map([outcome(shop, "ready")]));
      await pass(lbc);
      certificates.publish(new Map([outcome(shop, "pending")]));
      assert.deepEqual((await pass(lbc)).deleted, [`${NS}/public-1`]);
    });

    it("adds a listener only once its certificate is older than the controller's 1-minute certificate cache, asking to run again then", async () => {
      putRoutes(api, shop);
      const ref = `${shop.metadata.namespace}/${shop.metadata.name}`;
      const issued = {
        uid: shop.metadata.uid!,
        domain: shop.spec.domain,
        kind: "ready" as const,
        certificate: CERT,
        issuedAt: formatTime(clock.now() - 10_000),
      };
      certificates.publish(new Map([[ref, issued]]));
      const early = await pass(lbc);
      assert.deepEqual([early.written, early.requeueAfterMs], [[], 80_000]);
      clock.advance(80_000);
      const due = await pass(lbc);
      assert.deepEqual([due.written, due.requeueAfterMs], [[`${NS}/public-1`], undefined]);
    });

    it("does not wait with cert-manager on envoy-gateway (a listener without its Secret is invalid alone)", async () => {
      putRoutes(api, shop);
      assert.deepEqual((await pass(config)).written, [`${NS}/public-1`]);
    });
  });

  describe("never deletes what it did not make", () => {
    const aGateway = (name: string, labels: Record<string, string>): KubeObject => ({
      apiVersion: "gateway.networking.k8s.io/v1",
      kind: "Gateway",
      metadata: { name, namespace: NS, labels: { "app.kubernetes.io/managed-by": "hostgate", ...labels } },
      spec: { gatewayClassName: "other", listeners: [{ name: "http", port: 80, protocol: "HTTP" }] },
    });
    const cases = [
      {
        name: "a Gateway with hostgate's labels written by someone else",
        object: aGateway("public-1", { "hostgate.dev/edge-member": "public-1" }),
        manager: "kubectl",
      },
      {
        name: "a Gateway whose member label is not its name",
        object: aGateway("public-1-copy", { "hostgate.dev/edge-member": "public-1" }),
        manager: FIELD_MANAGER,
      },
      { name: "a Gateway without the member label", object: aGateway("public-1", {}), manager: FIELD_MANAGER },
    ];
    for (const c of cases) {
      it(c.name, async () => {
        await api.create(GATEWAYS, c.object, { fieldManager: c.manager });
        const outcome = await pass();
        assert.deepEqual(outcome.deleted, []);
        assert.equal(gateways().length, 1);
      });
    }

    it("a Gateway in another namespace", async () => {
      const elsewhere = { ...aGateway("public-1", { "hostgate.dev/edge-member": "public-1" }), metadata: { name: "public-1", namespace: "other", labels: {} } };
      await api.create(GATEWAYS, elsewhere, { fieldManager: FIELD_MANAGER });
      await pass();
      assert.ok(api.server.get(GATEWAYS, { namespace: "other", name: "public-1" }));
    });
  });

  describe("never changes what it did not make, at a member's name", () => {
    const person = (labels: Record<string, string>): KubeObject => ({
      apiVersion: "gateway.networking.k8s.io/v1",
      kind: "Gateway",
      metadata: { name: "public-1", namespace: NS, labels },
      spec: { gatewayClassName: "theirs", listeners: [{ name: "http", port: 80, protocol: "HTTP" }] },
    });
    const cases = [
      { name: "a platform team's own Gateway (no hostgate labels)", object: person({ team: "platform" }) },
      {
        name: "one carrying hostgate's labels that someone else wrote",
        object: person({ "app.kubernetes.io/managed-by": "hostgate", "hostgate.dev/edge-member": "public-1" }),
      },
    ];
    for (const c of cases) {
      it(`${c.name} is left exactly as it is, the pass fails naming it, and other members are still written`, async () => {
        const stored = await api.create(GATEWAYS, c.object, { fieldManager: "kubectl-create" });
        putRoutes(api, shop, api2);
        await assert.rejects(pass(), /Gateway edge\/public-1 exists and hostgate did not create it .*delete it/);
        assert.deepEqual(gateway("public-1"), stored);
        assert.deepEqual(hostnamesOf(gateway("public-2")), ["api.example.com"]);
      });
    }

    it("its own Gateway whose labels were removed (out of the cache) is taken back", async () => {
      putRoutes(api, shop);
      await pass();
      const own = gateway("public-1")!;
      api.server.put(GATEWAYS, { ...own, metadata: { ...own.metadata, labels: {} } });
      const cached: ObjectReader = {
        get: (r, k) => (r === GATEWAYS ? undefined : api.server.get(r, k)),
        list: (r) => (r.resource === "gateways" ? [] : api.server.objects(r)),
      };
      await reconcilePoolGateways({ api, reader: cached, config, logger: silentLogger, clock, certificates });
      assert.equal((gateway("public-1")?.metadata?.labels as Record<string, string> | undefined)?.["hostgate.dev/edge-member"], "public-1");
    });
  });

  it("leaves a Gateway changed since it was read (409 on the delete's preconditions) for the next pass, and fails the pass on other errors", async () => {
    putRoutes(api, shop, api2);
    await pass();
    removeRoute(api, api2);
    api.failNext("delete", new KubeApiError("409 Conflict", 409, "Conflict"));
    assert.deepEqual((await pass()).deleted, []);
    api.failNext("delete", new KubeApiError("500 boom", 500, "InternalError"));
    await assert.rejects(pass(), /pool Gateways: 1 change\(s\) failed \(retried\): deleting Gateway edge\/public-2: 500 boom/);
    assert.deepEqual((await pass()).deleted, [`${NS}/public-2`]);
  });

  it("does nothing with gateway.provider istio (reads no Gateway: the Gateway API's CRDs may not exist)", async () => {
    const istio = { ...config, gateway: { ...config.gateway, provider: "istio" as const } };
    assert.equal(poolGatewaysNeeded(istio), false);
    const untouched: ObjectReader = { get: () => assert.fail("read"), list: () => assert.fail("listed") };
    assert.deepEqual(await reconcilePoolGateways({ api, reader: untouched, config: istio, logger: silentLogger, clock, certificates }), {
      written: [],
      deleted: [],
      held: [],
      skipped: [],
      changedMembers: [],
      identityHeaderStrips: { written: [], deleted: [] },
    });
  });

  it("is never swept as an orphan: it belongs to no route", async () => {
    putRoutes(api, shop);
    await pass();
    const outcome = await sweepOrphans({ api, reader, logger: silentLogger, produced: ALL_PRODUCED_RESOURCES });
    assert.deepEqual(outcome, { deleted: [], kept: [] });
    assert.ok(gateway("public-1"));
  });
});
