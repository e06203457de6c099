// The ACM planner with the AWS Load Balancer Controller on the Gateway API data
// plane (certificatesByDiscovery): certificates are requested and validated as
// ever, never attached or detached (the controller finds them by hostname), and
// a host never has two issued certificates for the controller's discovery to
// refuse without the route saying so.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { PlatformConfig } from "../../core/config/platform-config.ts";
import type { AcmView, CertificateAction } from "./certificate-plan.ts";
import { actionKey } from "./certificate-plan.ts";
import { desiredCertificates, desiredOptions } from "./desired-certificates.ts";
import { planCertificates } from "./plan-certificates.ts";
import { listenerLimits } from "./listener-limits.ts";
import { certificatesByDiscovery } from "../../core/config/acm-settings.ts";
import { gatewayApiCertConfig, placedOn } from "./testing/gateway-api-fixtures.ts";
import { cert, issueAll, listeners, NOW, OUT, OWNER, routeFor, settle, view, world } from "./testing/plan-fixtures.ts";

const APEX = ["*.example.com", "example.com"];
const LBC = gatewayApiCertConfig("aws-load-balancer-controller");
const ALB = "arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/app/k8s-edge-public1/0123456789abcdef";
const shop = () => placedOn(routeFor("shop", "shop.example.com"), "public-1");

/** As the certificate controller plans it for `config`. */
function plan(entries: ReturnType<typeof routeFor>[], acm: AcmView, config: PlatformConfig = LBC) {
  const { routes, claims } = world(...entries);
  return planCertificates({
    desired: desiredCertificates(routes, claims, config, desiredOptions(config)),
    view: acm,
    ownerId: OWNER,
    listenerCertificateLimit: 25,
    listenerLimits: listenerLimits(config),
    discovery: certificatesByDiscovery(config),
    now: NOW,
  });
}

const keys = (actions: readonly CertificateAction[]) => actions.map(actionKey);
const LISTENER_ACTIONS = new Set(["attach", "detach"]);
const listenerActions = (actions: readonly CertificateAction[]) => actions.filter((a) => LISTENER_ACTIONS.has(a.kind));

describe("planCertificates with the AWS Load Balancer Controller: requested and validated, never attached", () => {
  const cases: { name: string; entries: () => ReturnType<typeof routeFor>[]; certificates: ReturnType<typeof cert>[]; actions: string[]; outcome: string }[] = [
    {
      name: "a placed route's wildcard is requested, with its tags and DNS validation, and nothing is attached",
      entries: () => [shop()],
      certificates: [],
      actions: ["request *.example.com"],
      outcome: "pending",
    },
    {
      name: "an issued certificate of hostgate's makes the route ready with no listener step and no action",
      entries: () => [shop()],
      certificates: [cert({ arn: "arn:mine", names: APEX, inUseBy: [ALB] })],
      actions: [],
      outcome: "ready",
    },
    {
      name: "a route not placed yet needs no certificate: nothing is requested until its member's Gateway lists it",
      entries: () => [routeFor("shop", "shop.example.com")],
      certificates: [],
      actions: [],
      outcome: "unplaced",
    },
    {
      name: "a certificate of hostgate's no route needs, still on the controller's ALB, waits to be deleted and is never detached",
      entries: () => [],
      certificates: [cert({ arn: "arn:mine", names: APEX, inUseBy: [ALB] })],
      actions: [],
      outcome: "none",
    },
    {
      name: "a certificate of hostgate's no route needs and no ALB uses (the controller moved off it) is deleted",
      entries: () => [],
      certificates: [cert({ arn: "arn:mine", names: APEX })],
      actions: ["delete arn:mine"],
      outcome: "none",
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const p = plan(c.entries(), view(c.certificates, new Map()));
      assert.deepEqual(keys(p.actions), c.actions);
      assert.equal(p.outcomes.get("team-a/shop")?.kind ?? "none", c.outcome);
    });
  }

  it("a route ready with the controller carries no listener (CertificateReady says Issued, not Attached)", () => {
    const p = plan([shop()], view([cert({ arn: "arn:mine", names: APEX, inUseBy: [ALB] })], new Map()));
    const outcome = p.outcomes.get("team-a/shop");
    assert.equal(outcome?.kind, "ready");
    assert.equal(outcome?.kind === "ready" ? outcome.listenerArn : "?", undefined);
  });

  it("from request to issuance to steady state, no plan ever attaches or detaches, and the steady plan has no action", () => {
    let acm = view([], new Map());
    const first = plan([shop()], acm);
    acm = issueAll(settle(acm, first.actions));
    const second = plan([shop()], acm);
    assert.deepEqual(keys(second.actions), []);
    assert.equal(second.outcomes.get("team-a/shop")?.kind, "ready");
    assert.deepEqual(
      [...first.actions, ...second.actions].filter((a) => LISTENER_ACTIONS.has(a.kind)),
      [],
    );
  });

  it("a deleted route is released at once: there is no listener of hostgate's to take its certificate off", () => {
    const gone = placedOn(routeFor("shop", "shop.example.com", { deleting: true }), "public-1");
    const p = plan([gone], view([cert({ arn: "arn:mine", names: APEX, inUseBy: [ALB] })], new Map()));
    assert.equal(p.outcomes.get("team-a/shop")?.kind, "released");
    assert.deepEqual(listenerActions(p.actions), []);
  });

  it("even a listener in the view (a stale or hand-written listenerArn) gets no attach or detach", () => {
    const p = plan(
      [shop()],
      view([cert({ arn: "arn:mine", names: APEX }), cert({ arn: "arn:old", names: ["*.old.example.com"] })], listeners({ out: ["arn:old"] })),
    );
    assert.deepEqual(listenerActions(p.actions), []);
  });
});

describe("planCertificates with the AWS Load Balancer Controller: one issued certificate per host", () => {
  it("a replacement of a failed certificate is requested at once, and the failed one (no longer ISSUED) is kept, not detached, until the replacement is issued", () => {
    const expired = cert({ arn: "arn:expired", names: APEX, status: "EXPIRED", inUseBy: [ALB] });
    const first = plan([shop()], view([expired], new Map()));
    assert.deepEqual(keys(first.actions), ["request *.example.com"]);
    assert.equal(first.outcomes.get("team-a/shop")?.kind, "failed");
    const issued = issueAll(settle(view([expired], new Map()), first.actions));
    // The controller still holds the expired one on its ALB: it waits to be deleted, and the one issued certificate serves.
    const second = plan([shop()], { ...issued, certificates: issued.certificates.map((c) => (c.arn === "arn:expired" ? { ...c, inUseBy: [ALB] } : c)) });
    assert.deepEqual(keys(second.actions), []);
    assert.equal(second.outcomes.get("team-a/shop")?.kind, "ready");
    assert.deepEqual(second.poll, ["arn:expired"]);
    // Once the controller has put the replacement on its listener, the expired one goes.
    const third = plan([shop()], issued);
    assert.deepEqual(keys(third.actions), ["delete arn:expired"]);
  });

  it("of two issued certificates of hostgate's for one wildcard, the one the controller's ALB uses is kept and the other deleted, though newer", () => {
    const used = cert({ arn: "arn:used", names: APEX, notAfter: "2031-01-01T00:00:00Z", inUseBy: [ALB] });
    const newer = cert({ arn: "arn:newer", names: APEX, notAfter: "2031-06-01T00:00:00Z" });
    const p = plan([shop()], view([used, newer], new Map()));
    assert.deepEqual(keys(p.actions), ["delete arn:newer"]);
    const outcome = p.outcomes.get("team-a/shop");
    // Until the delete is done the host has two: the route says so rather than Ready.
    assert.equal(outcome?.kind, "discoveryConflict");
    assert.match(
      outcome?.kind === "discoveryConflict" ? outcome.message : "",
      /ACM holds 2 issued certificates matching shop\.example\.com \(arn:newer, arn:used\).*hostgate deletes its own spare arn:newer/,
    );
    const after = plan([shop()], settle(view([used, newer], new Map()), p.actions));
    assert.equal(after.outcomes.get("team-a/shop")?.kind, "ready");
    assert.deepEqual(keys(after.actions), []);
  });

  it("on the Istio data plane the newest of two is still the one used (unchanged)", () => {
    const used = cert({ arn: "arn:used", names: APEX, notAfter: "2031-01-01T00:00:00Z" });
    const newer = cert({ arn: "arn:newer", names: APEX, notAfter: "2031-06-01T00:00:00Z" });
    const { routes, claims } = world(routeFor("shop", "shop.example.com"));
    const istio = gatewayApiCertConfig("istio");
    const p = planCertificates({
      desired: desiredCertificates(routes, claims, { ...istio, gateway: { ...istio.gateway, provider: "istio" } }, { listeners: true }),
      view: view([used, newer], listeners({ out: ["arn:used"] })),
      ownerId: OWNER,
      listenerCertificateLimit: 25,
      now: NOW,
    });
    assert.deepEqual(keys(p.actions), [`attach ${OUT} arn:newer`, `detach ${OUT} arn:used`]);
  });

  const conflicts = [
    {
      name: "someone's untagged wildcard covering the host beside hostgate's in use: a conflict, naming it and how to fix it",
      other: cert({ arn: "arn:platform", names: ["*.example.com"], owner: "none" }),
      message: /ACM holds 2 issued certificates matching shop\.example\.com \(arn:mine, arn:platform\).*delete arn:platform \(not hostgate's\)/,
    },
    {
      name: "a certificate named exactly after the host: a conflict (the controller matches exact names too)",
      other: cert({ arn: "arn:exact", names: ["shop.example.com"], owner: "none" }),
      message: /\(arn:exact, arn:mine\)/,
    },
    {
      name: "another installation's certificate for the same wildcard: a conflict (hostgate never uses or deletes it)",
      other: cert({ arn: "arn:theirs", names: APEX, owner: "hostgate-staging" }),
      message: /delete arn:theirs \(not hostgate's\)/,
    },
  ];
  for (const c of conflicts) {
    it(c.name, () => {
      const p = plan([shop()], view([cert({ arn: "arn:mine", names: APEX, inUseBy: [ALB] }), c.other], new Map()));
      const outcome = p.outcomes.get("team-a/shop");
      assert.equal(outcome?.kind, "discoveryConflict");
      assert.match(outcome?.kind === "discoveryConflict" ? outcome.message : "", c.message);
      assert.deepEqual(keys(p.actions), [], "nothing of someone else's is touched");
    });
  }

  it("certificates the controller would not match to the host leave it ready: another wildcard depth, a pending or expired one", () => {
    const others = [
      cert({ arn: "arn:deeper", names: ["*.team.example.com"], owner: "none" }),
      cert({ arn: "arn:pending", names: ["shop.example.com"], owner: "none", status: "PENDING_VALIDATION" }),
      cert({ arn: "arn:expired", names: ["*.example.com"], owner: "none", status: "EXPIRED" }),
    ];
    const p = plan([shop()], view([cert({ arn: "arn:mine", names: APEX, inUseBy: [ALB] }), ...others], new Map()));
    assert.equal(p.outcomes.get("team-a/shop")?.kind, "ready");
  });
});
