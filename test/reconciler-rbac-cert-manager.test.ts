// deploy/components/reconciler-cert-manager against what the reconciler does
// to cert-manager Certificates and Secrets with `certificates.provider:
// cert-manager` and importToAcm: the whole reconciler runs against the
// in-memory API server (Route53, ACM and the listeners are fakes; the test
// plays cert-manager) through every path that touches them (the caches,
// create, the revert of a hand edit, a renewal's Secret, the delete once no
// route needs the wildcard), and both directions are checked: every request
// on them is allowed by the component (with the base), and every permission
// the component grants was used. The base's own rights stay checked by
// reconciler-rbac-usage.test.ts.
import assert from "node:assert/strict";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { ManualClock } from "../core/clock.ts";
import { configYaml } from "../core/config/config-fixtures.ts";
import { parsePlatformConfig } from "../core/config/index.ts";
import { FakeKubeApi } from "../core/kube/testing/fake-kube-api.ts";
import type { DomainRoute } from "../crds/types.ts";
import { certManagerCertificates, certManagerSecrets } from "../reconciler/certificates/cert-manager-resources.ts";
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
import { ROOT } from "./fixtures.ts";
import type { Request } from "./rbac/rbac-usage.ts";
import { deniedRequests, grants, recording, unusedGrants } from "./rbac/rbac-usage.ts";

const SERVICE_ACCOUNT = { namespace: "hostgate-system", name: "hostgate-reconciler" };
const COMPONENT = join(ROOT, "deploy", "components", "reconciler-cert-manager", "rbac.yaml");
const BASE = join(ROOT, "deploy", "base", "reconciler-rbac.yaml");
const CERTIFICATES = certManagerCertificates(NAMESPACE);
const SECRETS = certManagerSecrets(NAMESPACE);
const config = certManagerConfig();

describe("the reconciler's RBAC for cert-manager (deploy/components/reconciler-cert-manager)", () => {
  const requests: Request[] = [];
  const granted = grants([COMPONENT], SERVICE_ACCOUNT);
  const withBase = grants([COMPONENT, BASE], SERVICE_ACCOUNT);
  let scenarios: Promise<void> | undefined;

  const runScenarios = async () => {
    const clock = new ManualClock();
    const api = new FakeKubeApi({ now: () => clock.now() });
    const manager = startManager(recording(api, requests), clock, fakeAws(clock, config), config);
    const get = () => api.server.get(DOMAIN_ROUTES, { namespace: "team-a", name: "shop" }) as unknown as DomainRoute | undefined;
    const condition = (type: string) => get()?.status?.conditions?.find((c) => c.type === type)?.status;
    const dnsNames = () => (certificateObject(api)?.spec as { dnsNames?: string[] } | undefined)?.dnsNames?.join();
    try {
      await api.create(DOMAIN_ROUTES, route("shop", "shop.example.com"));
      await until("hostgate's Certificate is created", clock, () => certificateObject(api) !== undefined);
      await issueAsCertManager(api, clock, { days: 60 });
      await until("the imported certificate is on the listener", clock, () => condition("CertificateReady") === "True");
      // A hand edit of the spec is reverted: read live, update (moving the create's fields to the apply entry), then apply.
      const certificate = certificateObject(api)!;
      const edited = { ...certificate, spec: { ...(certificate.spec as object), dnsNames: ["*.example.com", "example.com", "evil.example.net"] } };
      await api.update(ALL_CERTIFICATES, edited, { fieldManager: "kubectl-edit" });
      await until("the hand edit is reverted", clock, () => dnsNames() === "*.example.com,example.com");
      // A renewal: the new Secret reaches the reconciler through its watch.
      const renewed = await issueAsCertManager(api, clock, { days: 90 });
      await until("the renewal is imported", clock, () => get()?.status?.certificate?.notAfter === renewed);
      // The last route needing the wildcard goes: so does its Certificate.
      await api.delete(DOMAIN_ROUTES, { namespace: "team-a", name: "shop" });
      await until("the route and its Certificate are gone", clock, () => get() === undefined && certificateObject(api, WILDCARD) === undefined);
    } finally {
      await manager.stop();
    }
  };
  const recorded = () => (scenarios ??= runScenarios());
  after(() => recorded());
  const onCertManager = () => requests.filter((r) => [CERTIFICATES, SECRETS].some((res) => res.group === r.group && res.resource === r.resource));

  it("allows every request the reconciler makes on Certificates and Secrets", async () => {
    await recorded();
    assert.ok(onCertManager().length > 5, "the scenarios touched Certificates and Secrets");
    const denied = deniedRequests(onCertManager(), withBase);
    assert.deepEqual(denied, [], "requests the RBAC would refuse with 403");
  });

  it("grants nothing the reconciler does not use", async () => {
    await recorded();
    const unused = unusedGrants(granted, requests);
    assert.deepEqual(unused, [], "permissions no request needed");
  });

  it("is checked by a comparison that notices a missing verb", async () => {
    await recorded();
    for (const verb of ["get", "update", "delete"]) {
      const narrowed = withBase.filter((g) => !(g.resource === "certificates" && g.verb === verb));
      assert.ok(deniedRequests(onCertManager(), narrowed).length > 0, `without ${verb} on Certificates, some request of the scenarios is refused`);
    }
  });

  it("grants Certificates' write verbs and Secrets' list and watch, in hostgate-system only, and nothing else", () => {
    const lines = granted.map((g) => `${g.namespace ?? "cluster"} | ${g.group || "core"} | ${g.resource} | ${g.name ?? "all"} | ${g.verb}`).sort();
    const expected = [
      ...["create", "delete", "get", "list", "patch", "update", "watch"].map((v) => `hostgate-system | cert-manager.io | certificates | all | ${v}`),
      ...["list", "watch"].map((v) => `hostgate-system | core | secrets | all | ${v}`),
    ].sort();
    assert.deepEqual(lines, expected);
  });

  it("lives in the namespace certificates.certManager.namespace defaults to", () => {
    const yaml = configYaml((data) => {
      data.certificates = { provider: "cert-manager", certManager: { issuerRef: { name: "letsencrypt-dns" } } };
    });
    const parsed = parsePlatformConfig(yaml, "platform.yaml");
    assert.equal(parsed.certificates.certManager?.namespace, SERVICE_ACCOUNT.namespace);
  });

  it("grants the webhook's ServiceAccount nothing", () => {
    assert.deepEqual(grants([COMPONENT], { namespace: "hostgate-system", name: "hostgate-webhook" }), []);
  });
});
