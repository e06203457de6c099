import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { CertificateAction, AcmView } from "./certificate-plan.ts";
import { actionKey } from "./certificate-plan.ts";
import { desiredCertificates } from "./desired-certificates.ts";
import { planCertificates } from "./plan-certificates.ts";
import { cert, certConfig, DEFAULT_CERT, IN, issueAll, listeners, NOW, OUT, OWNER, routeFor, settle, view, world } from "./testing/plan-fixtures.ts";

const APEX = ["*.example.com", "example.com"];
const TEAM = ["*.team-a.example.com"];

function plan(routes: ReturnType<typeof routeFor>[], acm: AcmView, options: { limit?: number; failures?: Map<string, string>; now?: number } = {}) {
  const { routes: r, claims } = world(...routes);
  const config = certConfig();
  return planCertificates({
    desired: desiredCertificates(r, claims, config, { listeners: true }),
    view: acm,
    ownerId: OWNER,
    listenerCertificateLimit: options.limit ?? 25,
    now: options.now ?? NOW,
    ...(options.failures === undefined ? {} : { failures: options.failures }),
  });
}

/** The actions without request details: `request *.x`, `attach <listener> <arns>`… */
function keys(actions: readonly CertificateAction[]): string[] {
  return actions.map(actionKey);
}

function kinds(p: ReturnType<typeof plan>): Record<string, string> {
  return Object.fromEntries([...p.outcomes].map(([ref, o]) => [ref, o.kind]));
}

describe("planCertificates (ACM): finding or requesting a certificate", () => {
  it("with nothing in ACM, a needed wildcard is requested once, with DNS-validation names, its tags and a token from its routes", () => {
    const p = plan([routeFor("shop", "shop.example.com"), routeFor("blog", "blog.example.com")], view([]));
    assert.deepEqual(keys(p.actions), ["request *.example.com"]);
    const request = p.actions[0]!.kind === "request" ? p.actions[0]!.request : undefined;
    assert.deepEqual(request?.subjectAlternativeNames, APEX);
    assert.deepEqual(request?.tags, { "hostgate.dev/owner": OWNER, "hostgate.dev/wildcard": "example.com" });
    assert.match(request?.idempotencyToken ?? "", /^\w{1,32}$/);
    const token = (q: typeof p) => (q.actions[0]!.kind === "request" ? q.actions[0]!.request.idempotencyToken : "");
    // The same routes ask with the same token (a retry gets the certificate already requested); other routes with another
    // (after hostgate deleted the certificate of the routes before them, ACM would answer their token with the deleted one).
    assert.equal(token(plan([routeFor("blog", "blog.example.com"), routeFor("shop", "shop.example.com")], view([]))), token(p));
    assert.notEqual(token(plan([routeFor("shop", "shop.example.com")], view([]))), token(p));
    assert.deepEqual(kinds(p), { "team-a/shop": "pending", "team-a/blog": "pending" });
  });

  const found: { name: string; certificates: ReturnType<typeof cert>[]; actions: string[]; outcome: string; arn?: string }[] = [
    {
      name: "an issued certificate of hostgate's is attached where it is missing, and nothing is requested",
      certificates: [cert({ arn: "arn:mine", names: APEX })],
      actions: [`attach ${OUT} arn:mine`],
      outcome: "pending",
      arn: "arn:mine",
    },
    {
      name: "an issued untagged certificate covering the names is used rather than requesting one",
      certificates: [cert({ arn: "arn:platform", names: [...APEX, "other.example.org"], owner: "none" })],
      actions: [`attach ${OUT} arn:platform`],
      outcome: "pending",
      arn: "arn:platform",
    },
    {
      name: "hostgate's own issued certificate is preferred to an untagged one",
      certificates: [cert({ arn: "arn:platform", names: APEX, owner: "none" }), cert({ arn: "arn:mine", names: APEX })],
      actions: [`attach ${OUT} arn:mine`],
      outcome: "pending",
      arn: "arn:mine",
    },
    {
      name: "another owner's certificate is never used: one is requested",
      certificates: [cert({ arn: "arn:theirs", names: APEX, owner: "hostgate-staging" })],
      actions: ["request *.example.com"],
      outcome: "pending",
    },
    {
      name: "an untagged certificate that does not cover the apex is not used",
      certificates: [cert({ arn: "arn:platform", names: ["*.example.com"], owner: "none" })],
      actions: ["request *.example.com"],
      outcome: "pending",
    },
    {
      name: "an untagged certificate still pending is not used",
      certificates: [cert({ arn: "arn:platform", names: APEX, owner: "none", status: "PENDING_VALIDATION" })],
      actions: ["request *.example.com"],
      outcome: "pending",
    },
    {
      name: "hostgate's pending certificate is waited for, not requested again",
      certificates: [cert({ arn: "arn:mine", names: APEX, status: "PENDING_VALIDATION" })],
      actions: [],
      outcome: "pending",
      arn: "arn:mine",
    },
    {
      name: "an issued certificate already on the listener is ready and nothing is planned",
      certificates: [cert({ arn: "arn:mine", names: APEX, inUseBy: ["lb"] })],
      actions: [],
      outcome: "ready",
      arn: "arn:mine",
    },
  ];
  for (const c of found) {
    it(c.name, () => {
      const attached = c.outcome === "ready" ? listeners({ out: ["arn:mine"] }) : listeners();
      const p = plan([routeFor("shop", "shop.example.com")], view(c.certificates, attached));
      assert.deepEqual(keys(p.actions), c.actions);
      const outcome = p.outcomes.get("team-a/shop")!;
      assert.equal(outcome.kind, c.outcome);
      assert.equal("certificate" in outcome ? outcome.certificate?.arn : undefined, c.arn);
    });
  }
});

describe("planCertificates (ACM): without an owner id", () => {
  it("nothing is requested, detached or deleted, an untagged issued certificate is still used, and a route without one says how to fix it", () => {
    const { routes, claims } = world(routeFor("shop", "shop.example.com"), routeFor("x", "x.team-a.example.com"));
    const config = certConfig();
    const p = planCertificates({
      desired: desiredCertificates(routes, claims, config, { listeners: true }),
      view: view(
        [cert({ arn: "arn:p", names: APEX, owner: "none" }), cert({ arn: "arn:old", names: ["*.gone.example.com"], owner: "" })],
        listeners({ out: ["arn:old"] }),
      ),
      ownerId: "",
      listenerCertificateLimit: 25,
      now: NOW,
    });
    assert.deepEqual(keys(p.actions), [`attach ${OUT} arn:p`]);
    const outcome = p.outcomes.get("team-a/x")!;
    assert.ok(outcome.kind === "failed" && outcome.message.includes("set dns.ownerId"), JSON.stringify(outcome));
  });
});

describe("planCertificates (ACM): validation records", () => {
  it("a pending certificate's validation CNAMEs are published once each, in the apex's zone, under a stable resource", () => {
    const p = plan([routeFor("shop", "shop.example.com")], view([cert({ arn: "arn:mine", names: APEX, status: "PENDING_VALIDATION" })]));
    assert.deepEqual(p.records, [
      {
        zoneId: "Z0123456789ABC",
        record: { name: "_v.example.com", type: "CNAME", ttl: 300, values: ["_x.example-com.acm-validations.aws"] },
        resource: `certificate/${OWNER}/wildcard-example-com-${p.records[0]!.resource.split("-").at(-1)}`,
      },
    ]);
    assert.match(p.records[0]!.resource, /^certificate\/hostgate-test\/wildcard-example-com-[a-z2-7]{20}$/);
    assert.deepEqual(p.poll, ["arn:mine"]);
  });

  it("a pending certificate whose records ACM does not show yet publishes none and is polled", () => {
    const p = plan([routeFor("shop", "shop.example.com")], view([cert({ arn: "arn:mine", names: APEX, status: "PENDING_VALIDATION", records: false })]));
    assert.deepEqual(p.records, []);
    assert.deepEqual(p.poll, ["arn:mine"]);
    const outcome = p.outcomes.get("team-a/shop")!;
    assert.ok(outcome.kind === "pending" && outcome.detail.includes("waiting for ACM to show the validation records"));
  });

  it("hostgate's issued certificate keeps its records (ACM renews only while they are in DNS); an untagged one publishes none", () => {
    const mine = plan([routeFor("shop", "shop.example.com")], view([cert({ arn: "arn:mine", names: APEX })]));
    assert.deepEqual(
      mine.records.map((r) => r.record.name),
      ["_v.example.com"],
    );
    const platform = plan([routeFor("shop", "shop.example.com")], view([cert({ arn: "arn:p", names: APEX, owner: "none" })]));
    assert.deepEqual(platform.records, []);
  });

  it("a validation record outside the apex is never published", () => {
    const odd = { ...cert({ arn: "arn:mine", names: APEX, status: "PENDING_VALIDATION" }) };
    const tampered = { ...odd, validation: [{ domainName: "example.com", record: { name: "_v.victim.org", type: "CNAME", value: "x.acm-validations.aws" } }] };
    assert.deepEqual(plan([routeFor("shop", "shop.example.com")], view([tampered])).records, []);
  });
});

describe("planCertificates (ACM): reference-counted parent wildcards", () => {
  const siblings = [routeFor("x", "x.team-a.example.com"), routeFor("y", "y.team-a.example.com")];

  it("siblings under one parent cost one certificate", () => {
    const p = plan(siblings, view([]));
    assert.deepEqual(keys(p.actions), ["request *.team-a.example.com"]);
  });

  it("deleting one sibling keeps the certificate on the listener, and the deleted one is released at once", () => {
    const state = view([cert({ arn: "arn:team", names: TEAM, inUseBy: ["lb"] })], listeners({ out: ["arn:team"] }));
    const p = plan([routeFor("x", "x.team-a.example.com", { deleting: true }), siblings[1]!], state);
    assert.deepEqual(keys(p.actions), []);
    assert.deepEqual(kinds(p), { "team-a/x": "released", "team-a/y": "ready" });
  });

  it("the last sibling's deletion detaches the certificate, then deletes it once ACM shows it unused, then plans nothing", () => {
    const deleting = [routeFor("x", "x.team-a.example.com", { deleting: true }), routeFor("y", "y.team-a.example.com", { deleting: true })];
    const state = view([cert({ arn: "arn:team", names: TEAM, inUseBy: ["lb"] })], listeners({ out: ["arn:team"] }));
    const first = plan(deleting, state);
    assert.deepEqual(keys(first.actions), [`detach ${OUT} arn:team`]);
    assert.deepEqual(kinds(first), { "team-a/x": "releasing", "team-a/y": "releasing" });
    const detached = settle(state, first.actions);
    const second = plan(deleting, detached);
    assert.deepEqual(keys(second.actions), ["delete arn:team"]);
    assert.deepEqual(kinds(second), { "team-a/x": "released", "team-a/y": "released" });
    assert.deepEqual(keys(plan(deleting, settle(detached, second.actions)).actions), []);
  });

  it("a detached certificate ACM still shows in use is not deleted yet, and is polled", () => {
    const state = view([cert({ arn: "arn:team", names: TEAM, inUseBy: ["lb"] })]);
    const p = plan([], state);
    assert.deepEqual(keys(p.actions), []);
    assert.deepEqual(p.poll, ["arn:team"]);
  });
});

describe("planCertificates (ACM): never touching what is not hostgate's", () => {
  const cases: { name: string; certificates: ReturnType<typeof cert>[]; out: string[] }[] = [
    {
      name: "an untagged certificate on the listener that no route uses stays",
      certificates: [cert({ arn: "arn:p", names: TEAM, owner: "none", inUseBy: ["lb"] })],
      out: ["arn:p"],
    },
    {
      name: "another owner's certificate on the listener stays",
      certificates: [cert({ arn: "arn:theirs", names: TEAM, owner: "hostgate-staging", inUseBy: ["lb"] })],
      out: ["arn:theirs"],
    },
    { name: "an untagged unused certificate is never deleted", certificates: [cert({ arn: "arn:p", names: TEAM, owner: "none" })], out: [] },
    { name: "another owner's unused certificate is never deleted", certificates: [cert({ arn: "arn:t", names: TEAM, owner: "hostgate-staging" })], out: [] },
    { name: "a certificate on the listener that ACM did not describe is left alone", certificates: [], out: ["arn:unknown"] },
  ];
  for (const c of cases) {
    it(c.name, () => {
      assert.deepEqual(keys(plan([], view(c.certificates, listeners({ out: c.out }))).actions), []);
    });
  }

  it("hostgate's own certificate that is a listener's default is never detached, nor deleted while in use", () => {
    const state: AcmView = {
      certificates: [cert({ arn: DEFAULT_CERT, names: TEAM, inUseBy: ["lb"] })],
      listeners: new Map([
        [
          OUT,
          [
            { arn: DEFAULT_CERT, isDefault: true },
            { arn: DEFAULT_CERT, isDefault: false },
          ],
        ],
        [IN, [{ arn: DEFAULT_CERT, isDefault: true }]],
      ]),
    };
    assert.deepEqual(keys(plan([], state).actions), []);
  });
});

describe("planCertificates (ACM): the listener certificate limit", () => {
  const full = (n: number) => Array.from({ length: n }, (_, i) => `arn:other-${String(i).padStart(2, "0")}`);
  const others = (n: number) => full(n).map((arn) => cert({ arn, names: [`*.o${arn.slice(-2)}.example.org`], owner: "none", inUseBy: ["lb"] }));

  it("the default certificate does not count: a listener with the default and limit-1 others still takes one", () => {
    const p = plan([routeFor("shop", "shop.example.com")], view([cert({ arn: "arn:mine", names: APEX }), ...others(2)], listeners({ out: full(2) })), {
      limit: 3,
    });
    assert.deepEqual(keys(p.actions), [`attach ${OUT} arn:mine`]);
  });

  it("a listener at the limit gets no attachment: the route reports ListenerCertificateLimit with the count", () => {
    const p = plan([routeFor("shop", "shop.example.com")], view([cert({ arn: "arn:mine", names: APEX }), ...others(3)], listeners({ out: full(3) })), {
      limit: 3,
    });
    assert.deepEqual(keys(p.actions), []);
    assert.deepEqual(p.outcomes.get("team-a/shop"), {
      uid: "uid-shop",
      domain: "shop.example.com",
      kind: "listenerLimit",
      certificate: { domains: APEX, arn: "arn:mine", notAfter: "2031-01-01T00:00:00Z" },
      listenerArn: OUT,
      limit: 3,
      held: 3,
    });
  });

  it("the limit is per listener: the other load balancer's listener still gets the certificate", () => {
    const routes = [routeFor("a", "a.example.com", { lb: "alb-out" }), routeFor("b", "b.example.com", { lb: "alb-in" })];
    const p = plan(routes, view([cert({ arn: "arn:mine", names: APEX }), ...others(3)], listeners({ out: full(3) })), { limit: 3 });
    assert.deepEqual(keys(p.actions), [`attach ${IN} arn:mine`]);
    assert.deepEqual(kinds(p), { "team-a/a": "listenerLimit", "team-a/b": "pending" });
  });

  it("at the limit, a certificate of hostgate's no longer used is detached first to make room, in one pass", () => {
    const state = view(
      [cert({ arn: "arn:mine", names: APEX }), cert({ arn: "arn:old", names: TEAM, inUseBy: ["lb"] }), ...others(2)],
      listeners({ out: [...full(2), "arn:old"] }),
    );
    const p = plan([routeFor("shop", "shop.example.com")], state, { limit: 3 });
    assert.deepEqual(keys(p.actions), [`detach ${OUT} arn:old`, `attach ${OUT} arn:mine`]);
  });

  it("below the limit a replaced certificate leaves only after its successor is attached", () => {
    const state = view([cert({ arn: "arn:mine", names: APEX }), cert({ arn: "arn:old", names: TEAM, inUseBy: ["lb"] })], listeners({ out: ["arn:old"] }));
    const p = plan([routeFor("shop", "shop.example.com")], state);
    assert.deepEqual(keys(p.actions), [`attach ${OUT} arn:mine`, `detach ${OUT} arn:old`]);
  });

  it("when only some fit, the first wildcards in name order get the room, the same on every pass", () => {
    const routes = [routeFor("a", "a.x.example.com"), routeFor("b", "b.y.example.com")];
    const state = view(
      [cert({ arn: "arn:x", names: ["*.x.example.com"] }), cert({ arn: "arn:y", names: ["*.y.example.com"] }), ...others(2)],
      listeners({ out: full(2) }),
    );
    const p = plan(routes, state, { limit: 3 });
    assert.deepEqual(keys(p.actions), [`attach ${OUT} arn:x`]);
    assert.deepEqual(kinds(p), { "team-a/a": "pending", "team-a/b": "listenerLimit" });
  });
});

describe("planCertificates (ACM): ACM's 64-octet first name", () => {
  it("a wildcard over 64 octets is requested under its apex, the wildcard as its other name", () => {
    const apex = `${"a".repeat(51)}.example.com`;
    const config = certConfig();
    const long = { ...config, domains: [{ apex, zoneId: "ZLONG", additionalZoneIds: [] }] };
    const { routes, claims } = world(routeFor("shop", `shop.${apex}`));
    const p = planCertificates({
      desired: desiredCertificates(routes, claims, long, { listeners: true }),
      view: view([]),
      ownerId: OWNER,
      listenerCertificateLimit: 25,
      now: NOW,
    });
    const request = p.actions[0]?.kind === "request" ? p.actions[0].request : undefined;
    assert.equal(request?.domainName, apex);
    assert.deepEqual([...(request?.subjectAlternativeNames ?? [])].sort(), [`*.${apex}`, apex]);
  });

  it("a parent wildcard over 64 octets is not requested: the route fails saying why and what to do", () => {
    const parent = `${"a".repeat(55)}.example.com`;
    const p = plan([routeFor("x", `x.${parent}`)], view([]));
    assert.deepEqual(keys(p.actions), []);
    const outcome = p.outcomes.get("team-a/x")!;
    assert.ok(
      outcome.kind === "failed" &&
        /for \*\.a+\.example\.com: it is 69 characters; ACM's first name may have 64 at most.*shorter parent domain/.test(outcome.message),
      JSON.stringify(outcome),
    );
  });
});

describe("planCertificates (ACM): failed certificates", () => {
  const statuses = ["EXPIRED", "VALIDATION_TIMED_OUT", "FAILED", "REVOKED"] as const;
  for (const status of statuses) {
    it(`hostgate's ${status} certificate fails the route with ACM's status and a replacement is requested under a new token`, () => {
      const failed = cert({ arn: "arn:failed", names: APEX, status, inUseBy: status === "EXPIRED" ? ["lb"] : [] });
      const attached = status === "EXPIRED" ? listeners({ out: ["arn:failed"] }) : listeners();
      const p = plan([routeFor("shop", "shop.example.com")], view([failed], attached));
      assert.deepEqual(keys(p.actions), status === "EXPIRED" ? ["request *.example.com", `detach ${OUT} arn:failed`] : ["request *.example.com"]);
      const fresh = plan([routeFor("shop", "shop.example.com")], view([]));
      const token = (q: typeof p) => (q.actions[0]!.kind === "request" ? q.actions[0]!.request.idempotencyToken : "");
      assert.notEqual(token(p), token(fresh));
      const outcome = p.outcomes.get("team-a/shop")!;
      assert.ok(outcome.kind === "failed" && outcome.message.includes(`arn:failed for *.example.com is ${status}`), JSON.stringify(outcome));
    });
  }

  it("an issued certificate past its not-after counts as failed", () => {
    const p = plan([routeFor("shop", "shop.example.com")], view([cert({ arn: "arn:old", names: APEX, notAfter: "2029-12-31T00:00:00Z" })]));
    assert.deepEqual(keys(p.actions), ["request *.example.com"]);
    assert.equal(p.outcomes.get("team-a/shop")!.kind, "failed");
  });

  it("the failed certificate is kept while its replacement is pending, and deleted once the replacement is issued", () => {
    const routes = [routeFor("shop", "shop.example.com")];
    let state = view([cert({ arn: "arn:failed", names: APEX, status: "VALIDATION_TIMED_OUT" })]);
    state = settle(state, plan(routes, state).actions);
    const waiting = plan(routes, state);
    assert.deepEqual(keys(waiting.actions), []);
    assert.equal(waiting.outcomes.get("team-a/shop")!.kind, "failed");
    state = issueAll(state);
    const issued = plan(routes, state);
    assert.deepEqual(
      keys(issued.actions).map((k) => k.replace(/arn:new:\S+/, "arn:new")),
      [`attach ${OUT} arn:new`, "delete arn:failed"],
    );
  });
});

describe("planCertificates (ACM): failures of the last execution", () => {
  it("a refused request is reported on the routes that need it", () => {
    const p = plan([routeFor("shop", "shop.example.com")], view([]), { failures: new Map([["request *.example.com", "LimitExceededException: too many"]]) });
    const outcome = p.outcomes.get("team-a/shop")!;
    assert.ok(outcome.kind === "failed" && outcome.message.includes("LimitExceededException"));
  });

  it("a refused attachment is reported on the routes of that listener only", () => {
    const routes = [routeFor("a", "a.example.com", { lb: "alb-out" }), routeFor("b", "b.example.com", { lb: "alb-in" })];
    const p = plan(routes, view([cert({ arn: "arn:mine", names: APEX })], listeners({ in: ["arn:mine"] })), {
      failures: new Map([[`attach ${OUT} arn:mine`, "TooManyCertificates"]]),
    });
    assert.deepEqual(kinds(p), { "team-a/a": "failed", "team-a/b": "ready" });
  });
});

describe("planCertificates (ACM): idempotency", () => {
  const scenarios: { name: string; routes: ReturnType<typeof routeFor>[]; start: AcmView }[] = [
    {
      name: "routes on both load balancers, under the apex and two parents, from an empty account",
      routes: [
        routeFor("root", "example.com"),
        routeFor("a", "a.example.com", { lb: "alb-in" }),
        routeFor("x", "x.team-a.example.com"),
        routeFor("y", "y.team-a.example.com", { lb: "alb-in" }),
        routeFor("z", "z.team-b.example.com"),
      ],
      start: view([]),
    },
    {
      name: "routes taking over from an expired certificate while an untagged one stays on the listener",
      routes: [routeFor("shop", "shop.example.com"), routeFor("x", "x.team-a.example.com")],
      start: view(
        [
          cert({ arn: "arn:expired", names: APEX, status: "EXPIRED", inUseBy: ["lb"] }),
          cert({ arn: "arn:p", names: ["*.other.org"], owner: "none", inUseBy: ["lb"] }),
        ],
        listeners({ out: ["arn:expired", "arn:p"] }),
      ),
    },
  ];
  for (const s of scenarios) {
    it(`${s.name}: once converged, a plan against the state the last one produced plans nothing`, () => {
      let state = s.start;
      let passes = 0;
      for (let p = plan(s.routes, state); p.actions.length > 0; p = plan(s.routes, state)) {
        state = issueAll(settle(state, p.actions));
        assert.ok(++passes < 6, "does not converge");
      }
      const last = plan(s.routes, state);
      assert.deepEqual(last.actions, []);
      assert.ok(
        [...last.outcomes.values()].every((o) => o.kind === "ready"),
        JSON.stringify([...last.outcomes]),
      );
      assert.deepEqual(plan(s.routes, state), last);
    });
  }
});
