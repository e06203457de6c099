// The acceptance, end to end: the whole reconciler (informers, the
// route, DNS and certificate controllers, leader's term) against the
// in-memory API server, a Route53 and an ACM with ALB listeners that follow
// the real services' rules (reconciler/dns/route53/testing,
// reconciler/certificates/testing). A DomainRoute ends Ready=True with its
// record, its TXT owner record and an issued certificate on the listener;
// deleting it removes exactly what hostgate created, and what others hold in
// the same zone and on the same listener stays. Time is a ManualClock moved
// forward while waiting, so the controllers' polls (INSYNC, validation) cost
// no real time.
import { afterEach, describe, test } from "node:test";
import assert from "node:assert/strict";
import { ManualClock } from "../core/clock.ts";
import { loadPlatformConfig } from "../core/config/index.ts";
import type { PlatformConfig } from "../core/config/platform-config.ts";
import { FakeKubeApi } from "../core/kube/testing/fake-kube-api.ts";
import type { DomainRoute } from "../crds/types.ts";
import { validationInZones } from "../reconciler/certificates/testing/fake-aws.ts";
import type { DnsRecord } from "../reconciler/dns/route53-port.ts";
import type { ReconcilerManager } from "../reconciler/manager/reconciler-manager.ts";
import { DOMAIN_ROUTES } from "../reconciler/resources.ts";
import type { Aws } from "./edge/edge-cluster.ts";
import { DEFAULT_CERTIFICATE, fakeAws, route as aRoute, startManager, until, ZONE } from "./edge/edge-cluster.ts";

const config: PlatformConfig = loadPlatformConfig("examples/platform-config-aws.yaml");
const LISTENER = config.loadBalancers["alb-out"].listenerArn!;

/** What others hold in the zone before hostgate starts: never to be touched. */
const FOREIGN: DnsRecord[] = [
  { name: "www.example.com", type: "A", ttl: 300, values: ["192.0.2.10"] },
  { name: "legacy.example.com", type: "CNAME", ttl: 60, values: ["old.example.net"] },
  {
    name: "a-legacy.example.com",
    type: "TXT",
    ttl: 300,
    values: ['"heritage=external-dns,external-dns/owner=other-cluster,external-dns/resource=ingress/x/y"'],
  },
];

/** The shared fakes, plus others' records in the zone and another certificate on the listener; ACM issues once its CNAMEs are in the zone. */
async function aws(clock: ManualClock): Promise<Aws> {
  const ports = fakeAws(clock, config);
  ports.route53.seed(ZONE, ...FOREIGN);
  ports.acm.setValidationCheck(validationInZones(ports.route53, [ZONE]));
  await ports.listener.addCertificates(LISTENER, [ports.acm.seed({ domainName: "www.example.com", status: "ISSUED" })]);
  return ports;
}

const running: ReconcilerManager[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((m) => m.stop()));
});

const route = (api: FakeKubeApi) => api.server.get(DOMAIN_ROUTES, { namespace: "team-a", name: "shop" }) as unknown as DomainRoute | undefined;
const condition = (api: FakeKubeApi, type: string) => {
  const c = route(api)?.status?.conditions?.find((x) => x.type === type);
  return c === undefined ? undefined : `${c.status} ${c.reason}`;
};
const sorted = (records: readonly DnsRecord[]) => records.map((r) => `${r.type} ${r.name}`).sort();

describe("a DomainRoute with Route53 and ACM", () => {
  test("ends Ready with its record, its TXT owner record and an issued certificate on the listener; deleting it removes exactly what hostgate created", async () => {
    const clock = new ManualClock();
    const api = new FakeKubeApi();
    const ports = await aws(clock);
    running.push(startManager(api, clock, ports, config));
    await api.create(DOMAIN_ROUTES, aRoute("shop", "shop.example.com"));
    // ProtectionReady needs the appId table; DNSReady the INSYNC change; CertificateReady ACM's validation through the records.
    await until("the route is Ready", clock, () => condition(api, "Ready") === "True Ready");

    const status = route(api)!.status!;
    assert.equal(condition(api, "DNSReady"), "True RecordsReady");
    assert.equal(condition(api, "CertificateReady"), "True Attached");
    const zone = ports.route53.peek(ZONE);
    const record = zone.find((r) => r.name === "shop.example.com" && r.type === "A")!;
    assert.deepEqual(record.alias, { hostedZoneId: "Z35SXDOTRQ7X7K", dnsName: "public-1.us-east-1.elb.amazonaws.com", evaluateTargetHealth: true });
    assert.ok(
      zone.some((r) => r.type === "TXT" && /^a-shop\.example\.com$/.test(r.name) && r.values?.[0]?.includes("external-dns/owner=hostgate-prod")),
      `no TXT owner record beside the A record: ${sorted(zone).join(", ")}`,
    );
    // Dualstack alb-out: an AAAA alias too.
    assert.ok(zone.some((r) => r.name === "shop.example.com" && r.type === "AAAA" && r.alias !== undefined));
    assert.deepEqual(
      status.dns?.map((r) => `${r.type} ${r.name}`),
      ["A shop.example.com", "AAAA shop.example.com"],
    );
    const arn = status.certificate?.arn;
    assert.ok(arn !== undefined, "status.certificate names the ACM certificate");
    assert.deepEqual(status.certificate?.domains, ["*.example.com", "example.com"]);
    const certificate = ports.acm.peek(arn)!;
    assert.equal(certificate.status, "ISSUED");
    assert.equal(certificate.tags["hostgate.dev/owner"], "hostgate-prod");
    assert.ok(
      (await ports.listener.listCertificates(LISTENER)).some((c) => c.arn === arn),
      "the certificate is on the listener of the route's load balancer",
    );

    await api.delete(DOMAIN_ROUTES, { namespace: "team-a", name: "shop" });
    await until("the route is gone", clock, () => route(api) === undefined);
    await until("hostgate's certificate is deleted from ACM", clock, () => ports.acm.peek(arn) === undefined);
    await until("the validation records are gone too", clock, () => sorted(ports.route53.peek(ZONE)).join() === sorted(FOREIGN).join());
    assert.deepEqual(sorted(ports.route53.peek(ZONE)), sorted(FOREIGN), "exactly what others held stays");
    const left = (await ports.listener.listCertificates(LISTENER)).map((c) => c.arn).sort();
    assert.equal(left.length, 2, `the listener keeps its default and the foreign certificate: ${left.join(", ")}`);
    assert.ok(left.includes(DEFAULT_CERTIFICATE));
  });
});
