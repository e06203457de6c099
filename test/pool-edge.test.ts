// A load balancer pool end to end: the whole reconciler (the pool, route,
// DNS and certificate controllers) against the in-memory API server, Route53
// and ACM with ALB listeners. alb-out is examples/platform-config-pool.yaml's
// two ALBs with public-1 holding one certificate: the first route fills it,
// a route needing another wildcard goes to public-2, and one sharing the
// first wildcard stays on public-1 (a shared wildcard counts once). Each
// route's record points at its member and each wildcard is on the listeners
// of the members its routes are on, and on no other.
import { afterEach, describe, test } from "node:test";
import assert from "node:assert/strict";
import { ManualClock } from "../core/clock.ts";
import { listenerArns } from "../core/config/acm-settings.ts";
import { loadPlatformConfig } from "../core/config/index.ts";
import type { PlatformConfig } from "../core/config/platform-config.ts";
import { FakeKubeApi } from "../core/kube/testing/fake-kube-api.ts";
import type { DomainRoute } from "../crds/types.ts";
import { fakeCertificateAws, validationInZones } from "../reconciler/certificates/testing/fake-aws.ts";
import { FakeRoute53 } from "../reconciler/dns/route53/testing/fake-route53.ts";
import type { ReconcilerManager } from "../reconciler/manager/reconciler-manager.ts";
import { DOMAIN_ROUTES } from "../reconciler/resources.ts";
import { DEFAULT_CERTIFICATE, route as aRoute, startManager, until, ZONE } from "./edge/edge-cluster.ts";

const example = loadPlatformConfig("examples/platform-config-pool.yaml");
const [public1, public2] = example.loadBalancers["alb-out"].members!;
/** public-1 holds one certificate besides its default. */
const config: PlatformConfig = {
  ...example,
  loadBalancers: {
    ...example.loadBalancers,
    "alb-out": { ...example.loadBalancers["alb-out"], members: [{ ...public1!, capacity: { ...public1!.capacity, certificates: 1 } }, public2!] },
  },
};

const running: ReconcilerManager[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((m) => m.stop()));
});

const routeNamed = (api: FakeKubeApi, name: string) => api.server.get(DOMAIN_ROUTES, { namespace: "team-a", name }) as unknown as DomainRoute | undefined;
const ready = (api: FakeKubeApi, name: string) => routeNamed(api, name)?.status?.conditions?.some((c) => c.type === "Ready" && c.status === "True") === true;

describe("a pool of two public load balancers", () => {
  test("each route's record points at its member and each certificate is on its routes' members' listeners only", async () => {
    const clock = new ManualClock();
    const api = new FakeKubeApi();
    const route53 = new FakeRoute53();
    route53.addZone(ZONE, "example.com");
    route53.addZone("Z0INTERNAL42XYZ", "corp.example.net");
    const { acm, listener } = fakeCertificateAws({ acm: { clock } });
    for (const arn of listenerArns(config)) listener.addListener(arn, { defaultCertificate: DEFAULT_CERTIFICATE });
    acm.setValidationCheck(validationInZones(route53, [ZONE]));
    running.push(startManager(api, clock, { route53, acm, listener }, config));

    // One at a time, so placement order is creation order.
    for (const [name, domain] of [
      ["shop", "shop.example.com"],
      ["x", "x.team-a.example.com"],
      ["blog", "blog.example.com"],
    ] as const) {
      await api.create(DOMAIN_ROUTES, aRoute(name, domain));
      await until(`${name} is Ready`, clock, () => ready(api, name));
    }

    assert.deepEqual(
      ["shop", "x", "blog"].map((name) => routeNamed(api, name)?.status?.edge),
      // With the data plane serving them (gateway.provider, istio here), which the reconciler's start-up gate reads.
      [
        { loadBalancer: "alb-out", member: "public-1", target: public1!.dnsName, dataPlane: "istio" },
        { loadBalancer: "alb-out", member: "public-2", target: public2!.dnsName, dataPlane: "istio" },
        { loadBalancer: "alb-out", member: "public-1", target: public1!.dnsName, dataPlane: "istio" },
      ],
    );
    const aliases = route53
      .peek(ZONE)
      .filter((r) => r.alias !== undefined)
      .map((r) => `${r.type} ${r.name} -> ${r.alias!.dnsName}`)
      .sort();
    assert.deepEqual(aliases, [
      `A blog.example.com -> ${public1!.dnsName}`,
      `A shop.example.com -> ${public1!.dnsName}`,
      `A x.team-a.example.com -> ${public2!.dnsName}`,
      // public-2 is dualstack.
      `AAAA x.team-a.example.com -> ${public2!.dnsName}`,
    ]);
    const onListener = async (arn: string) =>
      (await listener.listCertificates(arn))
        .filter((c) => !c.isDefault)
        .map((c) => acm.peek(c.arn)?.domainName)
        .sort();
    assert.deepEqual([await onListener(public1!.listenerArn!), await onListener(public2!.listenerArn!)], [["*.example.com"], ["*.team-a.example.com"]]);
  });
});
