// Listener certificates on a load balancer pool: a route's certificate goes
// on the listener of the member it is placed on and no other (a shared
// wildcard on each member its routes use), each listener holds at most its
// member's capacity.certificates, and a route with no member yet is attached
// nowhere and says it waits for placement.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { certificateStatus } from "../reconciler/certificates/certificate-condition.ts";
import { desiredCertificates } from "../reconciler/certificates/desired-certificates.ts";
import { listenerLimits } from "../reconciler/certificates/listener-limits.ts";
import { planCertificates } from "../reconciler/certificates/plan-certificates.ts";
import { cert, certConfig, DEFAULT_CERT, NOW, OWNER, routeFor, view, world } from "../reconciler/certificates/testing/plan-fixtures.ts";
import { LISTENER_1, LISTENER_2, placedOn, pooled } from "../reconciler/dns/testing/pool-fixtures.ts";

const config = pooled(certConfig());

/** routeFor's route and claims, the route placed on `member` (undefined: not placed). */
function on(member: string | undefined, name: string, domain: string) {
  const entry = routeFor(name, domain);
  return member === undefined ? entry : { ...entry, route: placedOn(entry.route, member, config) };
}

const bothListeners = () =>
  new Map([
    [LISTENER_1, [{ arn: DEFAULT_CERT, isDefault: true }]],
    [LISTENER_2, [{ arn: DEFAULT_CERT, isDefault: true }]],
  ]);

describe("a certificate goes on the listeners of the members its routes are placed on", () => {
  const cases: { name: string; routes: ReturnType<typeof on>[]; expected: Record<string, string[]> }[] = [
    {
      name: "a wildcard used only by routes on public-1 goes on public-1's listener only",
      routes: [on("public-1", "shop", "shop.example.com"), on("public-1", "blog", "blog.example.com")],
      expected: { "*.example.com": [LISTENER_1] },
    },
    {
      name: "a wildcard shared by routes on both members goes on both listeners",
      routes: [on("public-1", "shop", "shop.example.com"), on("public-2", "blog", "blog.example.com")],
      expected: { "*.example.com": [LISTENER_1, LISTENER_2] },
    },
    {
      name: "two wildcards on different members each go on their own member's listener",
      routes: [on("public-1", "shop", "shop.example.com"), on("public-2", "x", "x.team-a.example.com")],
      expected: { "*.example.com": [LISTENER_1], "*.team-a.example.com": [LISTENER_2] },
    },
    {
      name: "a route with no member yet counts for no certificate",
      routes: [on("public-1", "shop", "shop.example.com"), on(undefined, "x", "x.team-a.example.com")],
      expected: { "*.example.com": [LISTENER_1] },
    },
  ];
  for (const c of cases)
    it(c.name, () => {
      const { routes, claims } = world(...c.routes);
      const desired = desiredCertificates(routes, claims, config, { listeners: true });
      assert.deepEqual(Object.fromEntries(desired.certificates.map((d) => [d.wildcard, d.listenerArns])), c.expected);
    });

  it("each route's need names its own member's listener", () => {
    const { routes, claims } = world(on("public-1", "shop", "shop.example.com"), on("public-2", "blog", "blog.example.com"));
    const needs = desiredCertificates(routes, claims, config, { listeners: true }).routes;
    assert.deepEqual(
      [...needs].map(([ref, need]) => [ref, need.kind === "uses" ? need.listenerArn : need.kind]),
      [
        ["team-a/shop", LISTENER_1],
        ["team-a/blog", LISTENER_2],
      ],
    );
  });

  it("the issued certificate is attached to both members' listeners when routes on both use it", () => {
    const { routes, claims } = world(on("public-1", "shop", "shop.example.com"), on("public-2", "blog", "blog.example.com"));
    const issued = cert({ arn: "arn:acm:wild", names: ["*.example.com", "example.com"] });
    const plan = planCertificates({
      desired: desiredCertificates(routes, claims, config, { listeners: true }),
      view: view([issued], bothListeners()),
      ownerId: OWNER,
      listenerCertificateLimit: 25,
      listenerLimits: listenerLimits(config),
      now: NOW,
    });
    assert.deepEqual(
      plan.actions.map((a) => (a.kind === "attach" ? `attach ${a.listenerArn} ${a.arns.join(",")}` : a.kind)),
      [`attach ${LISTENER_1} arn:acm:wild`, `attach ${LISTENER_2} arn:acm:wild`],
    );
  });
});

describe("each listener holds at most its member's capacity.certificates", () => {
  it("listenerLimits reads each member's capacity; a one-entry class keeps certificates.listenerCertificateLimit", () => {
    assert.deepEqual(
      [...listenerLimits(pooled(certConfig(), { certificates: [1, 30] }))],
      [
        [LISTENER_1, 1],
        [LISTENER_2, 30],
      ],
    );
    assert.deepEqual(
      [...listenerLimits(certConfig({ listenerCertificateLimit: 7 }))].map(([, limit]) => limit),
      [7, 7],
    );
  });

  it("a member of capacity 1 holding a certificate takes no second one, and the route's condition names that capacity", () => {
    const small = pooled(certConfig(), { certificates: [1, 25] });
    const shop = placedOn(routeFor("shop", "shop.example.com").route, "public-1", small);
    const x = { ...routeFor("x", "x.team-a.example.com"), route: placedOn(routeFor("x", "x.team-a.example.com").route, "public-1", small) };
    const { routes, claims } = world({ route: shop, claims: routeFor("shop", "shop.example.com").claims }, x);
    const held = cert({ arn: "arn:acm:apex", names: ["*.example.com", "example.com"] });
    const wanted = cert({ arn: "arn:acm:team", names: ["*.team-a.example.com"] });
    const listeners = bothListeners();
    listeners.set(LISTENER_1, [...listeners.get(LISTENER_1)!, { arn: held.arn, isDefault: false }]);
    const plan = planCertificates({
      desired: desiredCertificates(routes, claims, small, { listeners: true }),
      view: view([held, wanted], listeners),
      ownerId: OWNER,
      listenerCertificateLimit: 25,
      listenerLimits: listenerLimits(small),
      now: NOW,
    });
    const outcome = plan.outcomes.get("team-a/x")!;
    assert.deepEqual([plan.actions.filter((a) => a.kind === "attach"), outcome.kind], [[], "listenerLimit"]);
    const status = certificateStatus(x.route, { known: true, outcome }, small);
    assert.equal(status.condition.reason, "ListenerCertificateLimit");
    assert.match(
      status.condition.message,
      /listener of member public-1 of alb-out .* loadBalancers\.alb-out\.members\[0\]\.capacity\.certificates \(member public-1\) is 1/,
    );
  });
});

describe("a route with no member yet is attached nowhere", () => {
  it("its need is unplaced and CertificateReady is Unknown WaitingForPlacement", () => {
    const { routes, claims } = world(on(undefined, "new", "new.example.com"));
    const desired = desiredCertificates(routes, claims, config, { listeners: true });
    const plan = planCertificates({ desired, view: view([], bothListeners()), ownerId: OWNER, listenerCertificateLimit: 25, now: NOW });
    const outcome = plan.outcomes.get("team-a/new")!;
    const status = certificateStatus(routes[0]!, { known: true, outcome }, config);
    assert.deepEqual([desired.certificates, plan.actions, status.condition.status, status.condition.reason], [[], [], "Unknown", "WaitingForPlacement"]);
  });

  it("without listeners (cert-manager without importToAcm) the member does not matter: the certificate is made", () => {
    const { routes, claims } = world(on(undefined, "new", "new.example.com"));
    const desired = desiredCertificates(routes, claims, config, { listeners: false });
    assert.deepEqual(
      desired.certificates.map((c) => [c.wildcard, c.listenerArns]),
      [["*.example.com", []]],
    );
  });
});
