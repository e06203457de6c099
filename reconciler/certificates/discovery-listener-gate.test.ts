import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { formatTime } from "../../core/clock.ts";
import type { CertificateOutcomeLookup } from "./certificate-outcomes.ts";
import { CONTROLLER_CACHE_WAIT_MS, listenerGate } from "./discovery-listener-gate.ts";
import type { ListenerGate } from "./discovery-listener-gate.ts";
import { withDiscoveryConflicts } from "./discovery-conflicts.ts";
import { desiredCertificates, desiredOptions } from "./desired-certificates.ts";
import { gatewayApiCertConfig, placedOn } from "./testing/gateway-api-fixtures.ts";
import { cert, NOW, OWNER, routeFor, world } from "./testing/plan-fixtures.ts";

const CERT = { domains: ["*.example.com", "example.com"], arn: "arn:mine" };
const LBC = gatewayApiCertConfig("aws-load-balancer-controller");
const route = () => routeFor("shop", "shop.example.com").route;
const decided = (outcome: NonNullable<Extract<CertificateOutcomeLookup, { known: true }>["outcome"]>): CertificateOutcomeLookup => ({ known: true, outcome });
const seen = { uid: "uid-shop", domain: "shop.example.com" };
const ago = (ms: number) => formatTime(NOW - ms);
const OPEN: ListenerGate = { open: true };
const CLOSED: ListenerGate = { open: false };
const conflict = decided({ ...seen, kind: "discoveryConflict", certificate: CERT, others: ["arn:someone-elses"], message: "ACM holds 2 issued certificates" });

describe("listenerGate: a route's listener waits for its certificate where the AWS Load Balancer Controller discovers it", () => {
  const cases: { name: string; config?: ReturnType<typeof gatewayApiCertConfig>; lookup: CertificateOutcomeLookup; listed: boolean; gate: ListenerGate }[] = [
    {
      name: "issued more than the controller's cache time ago: the listener may go on the Gateway",
      lookup: decided({ ...seen, kind: "ready", certificate: CERT, issuedAt: ago(120_000) }),
      listed: false,
      gate: OPEN,
    },
    {
      name: "issued 10 s ago: a new listener waits until the controller's cached certificate list can hold it, and says when",
      lookup: decided({ ...seen, kind: "ready", certificate: CERT, issuedAt: ago(10_000) }),
      listed: false,
      gate: { open: false, opensAt: NOW - 10_000 + CONTROLLER_CACHE_WAIT_MS },
    },
    {
      name: "renewed (or re-imported) 10 s ago: a listener already on the Gateway stays",
      lookup: decided({ ...seen, kind: "ready", certificate: CERT, issuedAt: ago(10_000) }),
      listed: true,
      gate: OPEN,
    },
    {
      name: "issued with no issue time known: the listener may go on (nothing to wait for)",
      lookup: decided({ ...seen, kind: "ready", certificate: CERT }),
      listed: false,
      gate: OPEN,
    },
    {
      name: "still being validated: it waits (the controller would fail the whole Gateway on a host without a certificate)",
      lookup: decided({ ...seen, kind: "pending", stage: "validation", certificate: CERT, detail: "validating" }),
      listed: false,
      gate: CLOSED,
    },
    {
      name: "another issued certificate matches the host and the listener is on the Gateway: it stays (the route is served)",
      lookup: conflict,
      listed: true,
      gate: OPEN,
    },
    {
      name: "another issued certificate matches the host and the listener is not on the Gateway yet: it is not added",
      lookup: conflict,
      listed: false,
      gate: CLOSED,
    },
    {
      name: "hostgate's own certificate is no longer issued (expired): a listed listener is taken off",
      lookup: decided({ ...seen, kind: "failed", certificate: CERT, message: "ACM certificate arn:mine for *.example.com is EXPIRED" }),
      listed: true,
      gate: CLOSED,
    },
    {
      name: "an outcome decided for another incarnation of the route: it waits",
      lookup: decided({ ...seen, uid: "uid-before", kind: "ready", certificate: CERT }),
      listed: false,
      gate: CLOSED,
    },
    { name: "before the certificate controller's first pass, a listed listener stays", lookup: { known: false }, listed: true, gate: OPEN },
    { name: "before the certificate controller's first pass, a new listener is not added", lookup: { known: false }, listed: false, gate: CLOSED },
    {
      name: "envoy-gateway with cert-manager: never waits (a listener without its Secret is invalid alone)",
      config: gatewayApiCertConfig("envoy-gateway", {
        provider: "cert-manager",
        certManager: { issuerRef: { kind: "ClusterIssuer", name: "x", group: "cert-manager.io" }, namespace: "edge", importToAcm: false },
      }),
      lookup: { known: false },
      listed: false,
      gate: OPEN,
    },
    {
      name: "istio behind ALBs with ACM: never waits (TLS ends on the ALB in front)",
      config: gatewayApiCertConfig("istio"),
      lookup: { known: true },
      listed: false,
      gate: OPEN,
    },
  ];
  for (const c of cases) {
    it(c.name, () => assert.deepEqual(listenerGate(route(), c.lookup, c.config ?? LBC, c.listed, NOW), c.gate));
  }
});

describe("listenerGate over the certificate controller's outcome: someone else's wildcard does not take a served route off its Gateway", () => {
  const served = placedOn(routeFor("shop", "shop.example.com"), "public-1");
  const { routes, claims } = world(served);
  const desired = desiredCertificates(routes, claims, LBC, desiredOptions(LBC));
  const mine = cert({ arn: "arn:mine", names: ["*.example.com", "example.com"], issuedAt: ago(3_600_000) });
  const theirs = cert({ arn: "arn:someone-elses", names: ["*.example.com"], owner: "none", issuedAt: ago(5_000) });
  const ready = new Map([["team-a/shop", { uid: served.route.metadata.uid!, domain: "shop.example.com", kind: "ready" as const, certificate: CERT }]]);
  const outcome = withDiscoveryConflicts(ready, desired, [mine, theirs], OWNER).get("team-a/shop");
  const lookup: CertificateOutcomeLookup = { known: true, ...(outcome === undefined ? {} : { outcome }) };
  const rows: { name: string; listed: boolean; open: boolean }[] = [
    { name: "the listener already on the Gateway stays", listed: true, open: true },
    { name: "a listener not on the Gateway yet is not added", listed: false, open: false },
  ];
  for (const r of rows) it(r.name, () => assert.equal(listenerGate(served.route, lookup, LBC, r.listed, NOW).open, r.open));

  it("and the route's outcome says which certificates match, as a conflict of its own", () => {
    assert.equal(outcome?.kind, "discoveryConflict");
    assert.deepEqual(outcome?.kind === "discoveryConflict" ? outcome.others : [], ["arn:someone-elses"]);
  });

  it("a lone certificate's ready outcome carries when ACM issued it, which the gate waits on", () => {
    const alone = withDiscoveryConflicts(ready, desired, [mine], OWNER).get("team-a/shop");
    assert.equal(alone?.kind === "ready" ? alone.issuedAt : undefined, ago(3_600_000));
  });
});
