// The pool Gateways on the AWS Load Balancer Controller with ACM, through the
// whole reconciler (pool, route, DNS, certificate and pool Gateways
// controllers) on the in-memory API server, Route53 and ACM: a route's
// listener goes on its member's Gateway only once its certificate is issued
// (the controller fails the whole Gateway on a host without one), with no
// event but the certificate controller's outcome; and the reconciler starts
// without an ELBv2 client, since the controller owns its ALBs' listeners.
import { afterEach, describe, test } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import { ManualClock } from "../../core/clock.ts";
import { loadPlatformConfig } from "../../core/config/index.ts";
import type { PlatformConfig } from "../../core/config/platform-config.ts";
import { FakeKubeApi } from "../../core/kube/testing/fake-kube-api.ts";
import { fakeCertificateAws } from "../certificates/testing/fake-aws.ts";
import { FakeRoute53 } from "../dns/route53/testing/fake-route53.ts";
import { DOMAIN_ROUTES, GATEWAYS } from "../resources.ts";
import type { ReconcilerManager } from "./reconciler-manager.ts";
import { startClockedManager, until } from "./testing/clocked-manager.ts";
import { shop } from "./testing/shop-route.ts";

const example = loadPlatformConfig(join(import.meta.dirname, "..", "..", "examples", "platform-config-aws.yaml"));
const config: PlatformConfig = {
  ...example,
  loadBalancers: {
    "alb-out": { ipAddressType: "ipv4", gatewayHostname: "gw-out.example.com", gateway: "alb-out" },
    "alb-in": { ipAddressType: "ipv4", gatewayHostname: "gw-in.corp.example.net", gateway: "alb-in" },
  },
  gateway: {
    ...example.gateway,
    provider: "gateway-api",
    gatewayApi: { implementation: "aws-load-balancer-controller", gatewayClassName: "alb", authServices: {} },
  },
};
const NS = config.gateway.namespace;

const running: ReconcilerManager[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((m) => m.stop()));
});

const hostnames = (api: FakeKubeApi) =>
  ((api.server.get(GATEWAYS, { namespace: NS, name: "alb-out" })?.spec as { listeners?: { hostname: string }[] } | undefined)?.listeners ?? []).map(
    (l) => l.hostname,
  );

describe("the pool Gateways with the AWS Load Balancer Controller and ACM", () => {
  test("a route's listener waits for its issued certificate, and no ELBv2 client is needed", async () => {
    const clock = new ManualClock();
    const api = new FakeKubeApi();
    const route53 = new FakeRoute53();
    route53.addZone("Z0123456789ABC", "example.com");
    route53.addZone("Z0INTERNAL42XYZ", "corp.example.net");
    route53.addZone("Z0PRIVATE0001", "corp.example.net", true);
    const { acm } = fakeCertificateAws({ acm: { clock } });
    // ACM validates nothing until the test says the validation records are seen.
    let validated = false;
    acm.setValidationCheck(() => validated);
    const manager = startClockedManager(api, config, clock, { route53, acm });
    running.push(manager);
    await api.create(DOMAIN_ROUTES, shop);
    await until("the certificate is requested", clock, () => acm.arns().length > 0);
    for (let i = 0; i < 30; i++) {
      await new Promise((resolve) => setTimeout(resolve, 2));
      clock.advance(1000);
    }
    assert.deepEqual(hostnames(api), [], "no listener while the certificate is not issued");
    validated = true;
    await until("the listener is on the Gateway once the certificate is issued", clock, () => hostnames(api).includes("shop.example.com"));
    assert.ok(manager.isLeader());
  });
});
