import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import request from "supertest";
import { ManualClock } from "../core/clock.ts";
import { cannotImpersonateError } from "../core/kube/testing/fake-admission.ts";
import { IdentityRateLimit } from "./identity-rate-limit.ts";
import { alarmFor, CANNOT_ACT_FOR_YOU, IMPERSONATION_REMEDY } from "./impersonation-refused.ts";
import { PORTAL_SERVICE_ACCOUNT } from "./testing/memory-cluster.ts";
import type { Refusal } from "./portal-backend.ts";
import { previewRoute } from "./preview.ts";
import { routeWords } from "./status-words.ts";
import { CONTENT_SECURITY_POLICY, SECURITY_HEADERS } from "./security-headers.ts";
import { FakeBackend, forbidden, sampleRoute } from "./testing/fake-backend.ts";
import { testPortal } from "./testing/test-portal.ts";

const JANE = { "X-Forwarded-User": "jane", "X-Forwarded-Groups": "team-a" };
const XSS = "<img src=x onerror=alert(1)>";

/** A page write as `who` (their user and groups in the proxy's headers, their token). */
function writeAs(portal: ReturnType<typeof testPortal>, who: { user: string; groups: string[] }) {
  return { ...pageWrite(portal, who), "X-Forwarded-User": who.user, "X-Forwarded-Groups": who.groups.join(",") };
}

/** Headers of a write the page itself would send: same-origin, JSON, the person's token. */
function pageWrite(portal: ReturnType<typeof testPortal>, who = { user: "jane", groups: ["team-a"] }) {
  return { ...JANE, "Content-Type": "application/json", "Sec-Fetch-Site": "same-origin", "X-Hostgate-CSRF": portal.csrf.issue(who) };
}

describe("the portal without a trusted identity", () => {
  it("answers / with 401 and a signed-out page that loads no script and carries no token", async () => {
    const { app } = testPortal();
    const res = await request(app)
      .get("/")
      .expect(401)
      .expect("Content-Type", /text\/html/);
    assert.match(res.text, /Not signed in/);
    assert.match(res.text, /Sign in through the platform&#39;s login page/);
    assert.doesNotMatch(res.text, /<script|hostgate-csrf/);
  });

  it("answers the API with 401 JSON and never calls the backend", async () => {
    const { app, backend } = testPortal();
    const res = await request(app)
      .get("/api/namespaces")
      .expect(401)
      .expect("Content-Type", /application\/json/);
    assert.deepEqual(res.body, { error: "not signed in: open the page through the platform's login" });
    assert.equal(backend.calls.length, 0);
  });

  it("ignores identity headers from a peer outside the trusted CIDRs", async () => {
    const { app, backend } = testPortal({ identity: { kind: "proxy", trustedProxies: ["10.0.0.0/8"] } });
    await request(app).get("/api/namespaces").set(JANE).expect(401);
    await request(app).get("/").set(JANE).expect(401);
    assert.equal(backend.calls.length, 0);
  });

  it("ignores X-Forwarded-For naming a trusted address even where express's trust proxy would make it req.ip", async () => {
    const { app, backend } = testPortal({
      identity: { kind: "proxy", trustedProxies: ["10.0.0.0/8"] },
      app: { trustProxy: ["127.0.0.0/8", "::1/128", "::ffff:127.0.0.0/104"] },
    });
    await request(app)
      .get("/api/namespaces")
      .set({ ...JANE, "X-Forwarded-For": "10.0.0.1" })
      .expect(401);
    assert.equal(backend.calls.length, 0);
  });

  it("refuses system:masters with 403, on the page and the API", async () => {
    const { app, backend } = testPortal();
    const page = await request(app).get("/").set({ "X-Forwarded-User": "jane", "X-Forwarded-Groups": "team-a, system:masters" }).expect(403);
    assert.match(page.text, /Not allowed/);
    assert.match(page.text, /group &quot;system:masters&quot; is a reserved Kubernetes name/);
    const api = await request(app).get("/api/namespaces").set({ "X-Forwarded-User": "jane", "X-Forwarded-Groups": "system:masters" }).expect(403);
    assert.match(api.body.error, /system:masters/);
    assert.equal(backend.calls.length, 0);
  });
});

describe("the portal with a trusted identity", () => {
  it("forwards the identity to the backend: groups repeated on several lines and comma-joined", async () => {
    const { app, backend } = testPortal();
    backend.namespaceList = [{ name: "team-a", may: { list: true, create: true, update: true, delete: false } }];
    const res = await request(app)
      .get("/api/namespaces")
      .set("X-Forwarded-User", "jane")
      .set("X-Forwarded-Groups", ["team-b, devs", "team-a"] as unknown as string)
      .expect(200);
    assert.deepEqual(res.body, { items: backend.namespaceList });
    assert.deepEqual(backend.callsOf("namespaces")[0]?.who, { user: "jane", groups: ["devs", "team-a", "team-b"] });
  });

  it("gives the session with a token valid for that person", async () => {
    const portal = testPortal({ backend: new FakeBackend("local") });
    const res = await request(portal.app).get("/api/session").set(JANE).expect(200);
    assert.deepEqual({ ...res.body, csrf: undefined }, { user: "jane", groups: ["team-a"], mode: "local", csrf: undefined });
    assert.equal(portal.csrf.verify({ user: "jane", groups: ["team-a"] }, res.body.csrf), true);
  });

  it("serves the shell: module script, stylesheet, token in a meta tag, the user escaped", async () => {
    const portal = testPortal();
    const res = await request(portal.app)
      .get("/")
      .set({ "X-Forwarded-User": XSS })
      .expect(200)
      .expect("Content-Type", /text\/html; charset=utf-8/);
    assert.match(res.text, /<script type="module" src="\/assets\/app\.js"><\/script>/);
    assert.match(res.text, /<link rel="stylesheet" href="\/assets\/app\.css">/);
    const token = /<meta name="hostgate-csrf" content="([^"]+)">/.exec(res.text)?.[1];
    assert.equal(portal.csrf.verify({ user: XSS, groups: [] }, token), true);
    assert.ok(res.text.includes("&lt;img src=x onerror=alert(1)&gt;"));
    assert.ok(!res.text.includes(XSS));
    // No inline script or style anywhere (the CSP forbids them).
    assert.doesNotMatch(res.text, /<script(?![^>]*\bsrc=)|<style|style=/);
  });

  it("answers every request with the security headers, verbatim", async () => {
    const { app } = testPortal();
    for (const path of ["/", "/api/session", "/api/nowhere", "/nowhere"]) {
      const res = await request(app).get(path).set(JANE);
      for (const [name, value] of Object.entries(SECURITY_HEADERS)) assert.equal(res.headers[name.toLowerCase()], value, `${name} on ${path}`);
    }
    assert.equal(
      CONTENT_SECURITY_POLICY,
      "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; font-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
    );
    const res = await request(app).get("/api/session").set(JANE);
    assert.equal(res.headers["cache-control"], "no-store");
    assert.equal(res.headers["x-content-type-options"], "nosniff");
    assert.equal(res.headers["x-powered-by"], undefined);
  });

  it("sends names and condition messages holding HTML back as JSON text, unchanged", async () => {
    const { app, backend } = testPortal();
    backend.put(sampleRoute("team-a", XSS, { status: { conditions: [{ type: "Ready", status: "False", reason: "InvalidSpec", message: XSS }] } }));
    const res = await request(app).get("/api/namespaces/team-a/routes").set(JANE).expect(200).expect("Content-Type", "application/json; charset=utf-8");
    assert.equal(res.body.items[0].object.metadata.name, XSS);
    assert.equal(res.body.items[0].object.status.conditions[0].message, XSS);
    assert.deepEqual(res.body.items[0].words, routeWords(res.body.items[0].object));
    assert.ok(JSON.stringify(res.body.items[0].words).includes(XSS), "the words' detail carries the message as text");
    assert.equal(res.headers["x-content-type-options"], "nosniff");
  });

  it("answers a route that does not exist with 404 {error}", async () => {
    const { app } = testPortal();
    const res = await request(app).get("/api/namespaces/team-a/routes/shop").set(JANE).expect(404);
    assert.deepEqual(res.body, { error: "no DomainRoute shop in team-a" });
  });

  it("passes the API server's 403 on a read through, as {error}", async () => {
    const { app, backend } = testPortal();
    backend.failingReads.set("team-b", forbidden("jane", "team-b"));
    const res = await request(app).get("/api/namespaces/team-b/routes").set(JANE).expect(403);
    assert.match(res.body.error, /User "jane" cannot list resource "domainroutes"/);
  });

  it("answers a failure of its own with 500 {error} and no stack trace", async () => {
    const { app, backend, logger } = testPortal();
    backend.namespaces = async () => {
      throw new Error("boom at somewhere.ts:1");
    };
    const res = await request(app).get("/api/namespaces").set(JANE).expect(500);
    assert.deepEqual(Object.keys(res.body), ["error"]);
    assert.doesNotMatch(res.text, /boom|\.ts:|at /);
    assert.match(logger.messages("error").join(), /request failed/);
  });

  it("refuses a malformed namespace in the URL with 400", async () => {
    const { app, backend } = testPortal();
    const res = await request(app).get("/api/namespaces/Team_A/routes").set(JANE).expect(400);
    assert.match(res.body.error, /"Team_A" is not a namespace name/);
    assert.equal(backend.calls.length, 0);
  });
});

describe("reads when the cluster refuses the page's own impersonation (an operator's problem)", () => {
  const refused = () => cannotImpersonateError(PORTAL_SERVICE_ACCOUNT, { user: "jane", groups: ["team-a"] });
  const paths: Array<{ name: string; path: string; arrange: (backend: FakeBackend) => void }> = [
    { name: "the namespaces", path: "/api/namespaces", arrange: (b) => (b.namespacesError = refused()) },
    { name: "a namespace's routes", path: "/api/namespaces/team-a/routes", arrange: (b) => b.failingReads.set("team-a", refused()) },
    { name: "one route", path: "/api/namespaces/team-a/routes/shop", arrange: (b) => b.failingReads.set("team-a", refused()) },
    { name: "the form's choices", path: "/api/namespaces/team-a/choices", arrange: (b) => b.failingReads.set("team-a", refused()) },
    {
      name: "the form's choices, whose Services list alone was refused",
      path: "/api/namespaces/team-a/choices",
      arrange: (b) => {
        b.choices = async () => ({ hostnames: ["*.team-a.example.com"], services: { forbidden: refused().statusMessage }, providers: [] });
      },
    },
    { name: "the event stream", path: "/api/events?namespace=team-a", arrange: (b) => (b.namespacesError = refused()) },
  ];
  for (const c of paths) {
    it(`answers ${c.name} with 503 and the neutral sentence, never the ServiceAccount, and logs the remedy once`, async () => {
      const portal = testPortal();
      c.arrange(portal.backend);
      for (let i = 0; i < 2; i++) {
        const res = await request(portal.app)
          .get(c.path)
          .set({ ...JANE, "Sec-Fetch-Site": "same-origin" })
          .expect(503);
        assert.deepEqual(res.body, { error: CANNOT_ACT_FOR_YOU });
        assert.doesNotMatch(res.text, /serviceaccount|hostgate-portal/);
      }
      const errors = portal.logger.at("error");
      assert.equal(errors.length, 1, "once, not per request");
      assert.equal(errors[0]?.fields.remedy, IMPERSONATION_REMEDY);
    });
  }

  it("logs the remedy again after a minute while the cause stays", async () => {
    const portal = testPortal();
    portal.backend.namespacesError = refused();
    // The page's LiveRoutes made the logger's alarm first, on the portal's clock.
    const clock = portal.clock;
    const alarm = alarmFor(portal.logger);
    await request(portal.app).get("/api/namespaces").set(JANE).expect(503);
    clock.advance(59_999);
    await request(portal.app).get("/api/namespaces").set(JANE).expect(503);
    assert.equal(portal.logger.at("error").length, 1);
    clock.advance(1);
    assert.equal(alarm.check(refused()), true);
    assert.equal(portal.logger.at("error").length, 2);
  });

  it("still passes the person's own 403 through (their RBAC, not the page's)", async () => {
    const portal = testPortal();
    portal.backend.failingReads.set("team-b", forbidden("jane", "team-b"));
    await request(portal.app).get("/api/namespaces/team-b/choices").set(JANE).expect(403);
    assert.equal(portal.logger.at("error").length, 0);
  });
});

describe("forgery checks on writes", () => {
  const body = { operation: "create", route: sampleRoute("team-a", "shop") };
  const cases: Array<{
    name: string;
    headers: (portal: ReturnType<typeof testPortal>) => Record<string, string>;
    send?: string;
    status: number;
    error: RegExp;
  }> = [
    {
      name: "a missing token is 403",
      headers: (p) => ({ ...pageWrite(p), "X-Hostgate-CSRF": "" }),
      status: 403,
      error: /X-Hostgate-CSRF header is missing or not valid/,
    },
    {
      name: "a forged token is 403",
      headers: (p) => ({ ...pageWrite(p), "X-Hostgate-CSRF": `${"a".repeat(64)}.${"b".repeat(24)}` }),
      status: 403,
      error: /not valid for you/,
    },
    {
      name: "another person's token is 403",
      headers: (p) => ({ ...pageWrite(p), "X-Hostgate-CSRF": p.csrf.issue({ user: "joe", groups: ["team-a"] }) }),
      status: 403,
      error: /not valid for you/,
    },
    { name: "Sec-Fetch-Site cross-site is 403", headers: (p) => ({ ...pageWrite(p), "Sec-Fetch-Site": "cross-site" }), status: 403, error: /"cross-site"/ },
    {
      name: "without Fetch Metadata, a wrong Origin is 403",
      headers: (p) => {
        const { "Sec-Fetch-Site": _dropped, ...rest } = pageWrite(p);
        return { ...rest, Origin: "https://evil.example" };
      },
      status: 403,
      error: /Origin "https:\/\/evil\.example" is not the page's origin/,
    },
    {
      name: "text/plain is 415",
      headers: (p) => ({ ...pageWrite(p), "Content-Type": "text/plain" }),
      send: JSON.stringify(body),
      status: 415,
      error: /only application\/json/,
    },
    {
      name: "a form post is 415",
      headers: (p) => ({ ...pageWrite(p), "Content-Type": "application/x-www-form-urlencoded" }),
      send: "operation=create",
      status: 415,
      error: /only application\/json/,
    },
  ];
  for (const c of cases) {
    it(c.name, async () => {
      const portal = testPortal();
      const res = await request(portal.app)
        .post("/api/namespaces/team-a/routes/dry-run")
        .set(c.headers(portal))
        .send(c.send ?? JSON.stringify(body))
        .expect(c.status);
      assert.match(res.body.error, c.error);
      assert.equal(portal.backend.callsOf("write").length, 0);
    });
  }

  it("without Fetch Metadata, the page's own Origin (derived from Host) passes", async () => {
    const portal = testPortal();
    const { "Sec-Fetch-Site": _dropped, ...headers } = pageWrite(portal);
    await request(portal.app)
      .post("/api/namespaces/team-a/routes/dry-run")
      .set({ ...headers, Host: "routes.example.com", Origin: "http://routes.example.com" })
      .send(body)
      .expect(200);
  });

  it("a configured origin is the one a write's Origin must equal", async () => {
    const portal = testPortal({ app: { origin: "https://routes.example.com" } });
    const { "Sec-Fetch-Site": _dropped, ...headers } = pageWrite(portal);
    const post = (origin: string) =>
      request(portal.app)
        .post("/api/namespaces/team-a/routes/dry-run")
        .set({ ...headers, Origin: origin })
        .send(body);
    await post("https://routes.example.com").expect(200);
    await post(`http://${"127.0.0.1"}`).expect(403);
  });

  it("refuses a read of the API from another site", async () => {
    const portal = testPortal();
    await request(portal.app)
      .get("/api/namespaces")
      .set({ ...JANE, "Sec-Fetch-Site": "cross-site" })
      .expect(403);
    assert.equal(portal.backend.calls.length, 0);
  });

  it("refuses a body over the limit with 413", async () => {
    const portal = testPortal();
    const big = { operation: "create", route: { ...sampleRoute("team-a", "shop"), padding: "x".repeat(300 * 1024) } };
    const res = await request(portal.app).post("/api/namespaces/team-a/routes/dry-run").set(pageWrite(portal)).send(JSON.stringify(big)).expect(413);
    assert.match(res.body.error, /larger than 262144 bytes/);
  });

  it("refuses a body that is not JSON with 400", async () => {
    const portal = testPortal();
    const res = await request(portal.app).post("/api/namespaces/team-a/routes/dry-run").set(pageWrite(portal)).send("{not json").expect(400);
    assert.deepEqual(res.body, { error: "the body is not valid JSON" });
  });

  it("in local mode without an origin, refuses a Host that is not this machine (DNS rebinding)", async () => {
    const portal = testPortal({ identity: { kind: "fixed", identity: { user: "dev", groups: [] } }, app: { loopbackOnly: true } });
    await request(portal.app).get("/api/session").set("Host", "rebound.evil.example").expect(403);
    await request(portal.app).get("/api/session").set("Host", "localhost:8080").expect(200);
    await request(portal.app).get("/api/session").set("Host", "127.0.0.1:8080").expect(200);
  });
});

describe("writes", () => {
  const REFUSED: Refusal = { stage: "policy", status: 403, reason: "Forbidden", fields: { "spec.domain": [`not granted ${XSS}`] }, general: [] };

  it("a dry run calls the backend as the person with dryRun and answers the verdict with 200", async () => {
    const portal = testPortal();
    portal.backend.warnings = ["a warning"];
    const res = await request(portal.app)
      .post("/api/namespaces/team-a/routes/dry-run")
      .set(pageWrite(portal))
      .send({ operation: "create", route: sampleRoute("team-a", "shop") })
      .expect(200);
    assert.deepEqual(res.body, {
      allowed: true,
      object: sampleRoute("team-a", "shop"),
      warnings: ["a warning"],
      preview: previewRoute(sampleRoute("team-a", "shop")),
    });
    assert.ok(res.body.preview.includes("Address: https://shop.team-a.example.com"));
    const [call] = portal.backend.callsOf("write");
    assert.deepEqual(call?.who, { user: "jane", groups: ["team-a"] });
    assert.deepEqual(call?.args, ["create", sampleRoute("team-a", "shop"), { dryRun: true }]);
  });

  it("answers an allowed verdict without preview lines when the preview fails, and logs it", async () => {
    const portal = testPortal({
      app: {
        preview: () => {
          throw new Error("no planner");
        },
      },
    });
    const res = await request(portal.app)
      .post("/api/namespaces/team-a/routes")
      .set(pageWrite(portal))
      .send({ route: sampleRoute("team-a", "shop") })
      .expect(201);
    assert.deepEqual(res.body.preview, []);
    assert.match(portal.logger.messages("error").join(), /the preview failed/);
  });

  it("answers 429 to a person past the dry-run bound, and not to the next person", async () => {
    const clock = new ManualClock();
    const portal = testPortal({ app: { dryRunLimit: new IdentityRateLimit({ perSecond: 5, burst: 2 }, clock) } });
    const dryRun = (who = { user: "jane", groups: ["team-a"] }) =>
      request(portal.app)
        .post("/api/namespaces/team-a/routes/dry-run")
        .set({ ...pageWrite(portal, who), "X-Forwarded-User": who.user })
        .send({ operation: "create", route: sampleRoute("team-a", "shop") });
    await dryRun().expect(200);
    await dryRun().expect(200);
    const refused = await dryRun().expect(429);
    assert.match(refused.body.error, /too many checks at once/);
    await dryRun({ user: "joe", groups: ["team-a"] }).expect(200);
    clock.advance(200);
    await dryRun().expect(200);
    assert.equal(portal.backend.callsOf("write").length, 4);
  });

  it("a refused dry run is still 200, with the refusal (its messages as text)", async () => {
    const portal = testPortal();
    portal.backend.refusal = REFUSED;
    const res = await request(portal.app)
      .post("/api/namespaces/team-a/routes/dry-run")
      .set(pageWrite(portal))
      .send({ operation: "update", route: sampleRoute("team-a", "shop") })
      .expect(200);
    assert.deepEqual(res.body, { allowed: false, refusal: REFUSED, warnings: [] });
  });

  const statuses: Array<{ name: string; refusal: Refusal | undefined; status: number }> = [
    { name: "a created route is 201", refusal: undefined, status: 201 },
    { name: "a policy refusal keeps the API server's 403", refusal: REFUSED, status: 403 },
    { name: "a schema refusal is 422", refusal: { ...REFUSED, stage: "schema", status: 422 }, status: 422 },
    { name: "a conflict is 409", refusal: { ...REFUSED, stage: "conflict", status: 409 }, status: 409 },
    { name: "no answer from the cluster (status 0) is 503", refusal: { ...REFUSED, stage: "unavailable", status: 0 }, status: 503 },
    { name: "a server error is 503", refusal: { ...REFUSED, stage: "unavailable", status: 500 }, status: 503 },
  ];
  for (const c of statuses) {
    it(`creating: ${c.name}`, async () => {
      const portal = testPortal();
      portal.backend.refusal = c.refusal;
      await request(portal.app)
        .post("/api/namespaces/team-a/routes")
        .set(pageWrite(portal))
        .send({ route: sampleRoute("team-a", "shop") })
        .expect(c.status);
      assert.deepEqual(portal.backend.callsOf("write")[0]?.args[2], { dryRun: false });
    });
  }

  const bad: Array<{ name: string; method: "post" | "put"; path: string; body: unknown; error: RegExp }> = [
    {
      name: "a route whose namespace differs from the URL's",
      method: "post",
      path: "/api/namespaces/team-a/routes",
      body: { route: sampleRoute("team-b", "shop") },
      error: /namespace "team-b" is not the namespace in the URL \(team-a\)/,
    },
    {
      name: "a replace whose name differs from the URL's",
      method: "put",
      path: "/api/namespaces/team-a/routes/shop",
      body: { route: sampleRoute("team-a", "other") },
      error: /name "other" is not the name in the URL \(shop\)/,
    },
    { name: "a dry run without an operation", method: "post", path: "/api/namespaces/team-a/routes/dry-run", body: { route: {} }, error: /operation must be/ },
    { name: "a body without a route", method: "post", path: "/api/namespaces/team-a/routes", body: { spec: {} }, error: /route must be a DomainRoute object/ },
    { name: "a body that is an array", method: "post", path: "/api/namespaces/team-a/routes", body: [], error: /must be a JSON object/ },
    {
      name: "a create whose route name is not a string",
      method: "post",
      path: "/api/namespaces/team-a/routes",
      body: { route: { ...sampleRoute("team-a", "x"), metadata: { name: 7, namespace: "team-a" } } },
      error: /route\.metadata\.name 7 must be a string/,
    },
    {
      name: "a replace whose URL name is .. (escaped)",
      method: "put",
      path: "/api/namespaces/team-a/routes/%2E%2E",
      body: { route: sampleRoute("team-a", "..") },
      error: /"\.\." is not a DomainRoute name/,
    },
    {
      name: "a create whose route namespace is not a string",
      method: "post",
      path: "/api/namespaces/team-a/routes",
      body: { route: { ...sampleRoute("team-a", "x"), metadata: { name: "x", namespace: ["team-a"] } } },
      error: /is not the namespace in the URL/,
    },
  ];
  for (const c of bad) {
    it(`refuses ${c.name} with 400`, async () => {
      const portal = testPortal();
      const res = await request(portal.app)[c.method](c.path).set(pageWrite(portal)).send(JSON.stringify(c.body)).expect(400);
      assert.match(res.body.error, c.error);
      assert.equal(portal.backend.calls.length, 0);
    });
  }

  const badNames: Array<{ name: string; path: string; body: object; status: number }> = [
    {
      name: "a dry-run update of a route named .. (it would change the API server's path)",
      path: "/api/namespaces/team-a/routes/dry-run",
      body: { operation: "update", route: sampleRoute("team-a", "..") },
      status: 200,
    },
    {
      name: "a dry-run create of a route whose name holds a slash",
      path: "/api/namespaces/team-a/routes/dry-run",
      body: { operation: "create", route: sampleRoute("team-a", "a/../b") },
      status: 200,
    },
    { name: "a create of a route named Shop", path: "/api/namespaces/team-a/routes", body: { route: sampleRoute("team-a", "Shop") }, status: 422 },
    { name: "a create of a route named ..", path: "/api/namespaces/team-a/routes", body: { route: sampleRoute("team-a", "..") }, status: 422 },
    {
      name: "a create of a route whose name is longer than 253",
      path: "/api/namespaces/team-a/routes",
      body: { route: sampleRoute("team-a", "a".repeat(254)) },
      status: 422,
    },
  ];
  for (const c of badNames) {
    it(`refuses ${c.name} beside the Name field (${c.status}), without asking the backend`, async () => {
      const portal = testPortal();
      const res = await request(portal.app).post(c.path).set(pageWrite(portal)).send(c.body).expect(c.status);
      assert.equal(res.body.allowed, false);
      assert.equal(res.body.refusal.stage, "schema");
      assert.deepEqual(Object.keys(res.body.refusal.fields), ["metadata.name"]);
      assert.match(res.body.refusal.fields["metadata.name"][0], /is not a valid name: use lower-case letters, digits, '-' and '\.'/);
      assert.equal(portal.backend.calls.length, 0);
    });
  }

  it("leaves an empty name to the API server (its own 'name or generateName is required')", async () => {
    const portal = testPortal();
    const route = sampleRoute("team-a", "");
    await request(portal.app).post("/api/namespaces/team-a/routes/dry-run").set(pageWrite(portal)).send({ operation: "create", route }).expect(200);
    assert.equal(portal.backend.callsOf("write").length, 1);
  });

  it("fills in a missing namespace from the URL", async () => {
    const portal = testPortal();
    const route = sampleRoute("team-a", "shop");
    delete route.metadata?.namespace;
    await request(portal.app).post("/api/namespaces/team-a/routes").set(pageWrite(portal)).send({ route }).expect(201);
    const sent = portal.backend.callsOf("write")[0]?.args[1] as typeof route;
    assert.deepEqual(sent.metadata, { name: "shop", namespace: "team-a" });
  });

  it("replaces with PUT (200) and deletes with the uid read as the one precondition (200), whatever resourceVersion is sent", async () => {
    const portal = testPortal();
    const stored = portal.backend.put(sampleRoute("team-a", "shop"));
    await request(portal.app).put("/api/namespaces/team-a/routes/shop").set(pageWrite(portal)).send({ route: stored }).expect(200);
    assert.equal(portal.backend.callsOf("write")[0]?.args[0], "update");
    const res = await request(portal.app)
      .delete("/api/namespaces/team-a/routes/shop")
      .set(pageWrite(portal))
      .send({ uid: "u-1", resourceVersion: "7" })
      .expect(200);
    assert.equal(res.body.allowed, true);
    // A status write since the row was drawn moves the resourceVersion; it must not refuse the delete (R17 N5).
    assert.deepEqual(portal.backend.callsOf("remove")[0]?.args, ["team-a", "shop", { uid: "u-1" }, { dryRun: false }]);
  });

  const withoutUid: Array<[string, unknown]> = [
    ["an empty body", {}],
    ["only a resourceVersion", { resourceVersion: "7" }],
    ["an empty uid", { uid: "" }],
    ["a uid that is not a string", { uid: 7 }],
  ];
  for (const [name, body] of withoutUid) {
    it(`refuses a delete with ${name} with 400 and deletes nothing`, async () => {
      const portal = testPortal();
      portal.backend.put(sampleRoute("team-a", "shop"));
      const res = await request(portal.app).delete("/api/namespaces/team-a/routes/shop").set(pageWrite(portal)).send(JSON.stringify(body)).expect(400);
      assert.match(res.body.error, /the body must name the route's metadata\.uid as read/);
      assert.equal(portal.backend.callsOf("remove").length, 0);
    });
  }

  it("refuses a delete without a body with 400 and deletes nothing", async () => {
    const portal = testPortal();
    portal.backend.put(sampleRoute("team-a", "shop"));
    await request(portal.app).delete("/api/namespaces/team-a/routes/shop").set(pageWrite(portal)).expect(400);
    assert.equal(portal.backend.callsOf("remove").length, 0);
  });

  const writes: Array<{ name: string; send: (portal: ReturnType<typeof testPortal>, who: { user: string; groups: string[] }) => request.Test }> = [
    {
      name: "creates",
      send: (p, who) =>
        request(p.app)
          .post("/api/namespaces/team-a/routes")
          .set(writeAs(p, who))
          .send({ route: sampleRoute("team-a", "shop") }),
    },
    {
      name: "replaces",
      send: (p, who) =>
        request(p.app)
          .put("/api/namespaces/team-a/routes/shop")
          .set(writeAs(p, who))
          .send({ route: sampleRoute("team-a", "shop") }),
    },
    {
      name: "deletes",
      send: (p, who) => {
        p.backend.put(sampleRoute("team-a", "shop"));
        return request(p.app).delete("/api/namespaces/team-a/routes/shop").set(writeAs(p, who)).send({ uid: "u-1" });
      },
    },
  ];
  for (const c of writes) {
    it(`answers 429 to a person past the write bound (${c.name}), without asking the backend, and not to the next person`, async () => {
      const clock = new ManualClock();
      const portal = testPortal({ app: { writeLimit: new IdentityRateLimit({ perSecond: 1, burst: 2 }, clock) } });
      const jane = { user: "jane", groups: ["team-a"] };
      assert.ok((await c.send(portal, jane)).status < 400);
      assert.ok((await c.send(portal, jane)).status < 400);
      const refused = await c.send(portal, jane);
      assert.equal(refused.status, 429);
      assert.equal(refused.body.error, "too many changes in a short time: wait a few seconds, then save again (nothing was changed)");
      const calls = () => portal.backend.callsOf("write").length + portal.backend.callsOf("remove").length;
      assert.equal(calls(), 2);
      assert.ok((await c.send(portal, { user: "joe", groups: ["team-a"] })).status < 400);
      clock.advance(1_000);
      assert.ok((await c.send(portal, jane)).status < 400);
      assert.equal(calls(), 4);
    });
  }

  it("a delete without the CSRF token is 403 and deletes nothing", async () => {
    const portal = testPortal();
    portal.backend.put(sampleRoute("team-a", "shop"));
    await request(portal.app)
      .delete("/api/namespaces/team-a/routes/shop")
      .set({ ...pageWrite(portal), "X-Hostgate-CSRF": "" })
      .send({})
      .expect(403);
    assert.equal(portal.backend.callsOf("remove").length, 0);
  });
});

describe("static files", () => {
  const dir = mkdtempSync(join(tmpdir(), "portal-client-"));
  const clientDir = join(dir, "client");
  mkdirSync(join(clientDir, "sub"), { recursive: true });
  writeFileSync(join(clientDir, "app.js"), "export {};\n");
  writeFileSync(join(clientDir, "app.css"), "body {}\n");
  writeFileSync(join(clientDir, "sub", "x.svg"), "<svg/>");
  writeFileSync(join(clientDir, ".secret"), "no");
  writeFileSync(join(dir, "outside.txt"), "secret outside the client folder");
  after(() => rmSync(dir, { recursive: true, force: true }));

  const served: Array<[string, RegExp]> = [
    ["/assets/app.js", /^text\/javascript; charset=utf-8$/],
    ["/assets/app.css", /^text\/css/],
    ["/assets/sub/x.svg", /^image\/svg\+xml/],
  ];
  for (const [path, type] of served) {
    it(`serves ${path} with its Content-Type by extension`, async () => {
      const { app } = testPortal({ app: { clientDir } });
      const res = await request(app).get(path).expect(200);
      assert.match(res.headers["content-type"] ?? "", type);
      assert.equal(res.headers["x-content-type-options"], "nosniff");
    });
  }

  const refused = [
    "/assets/../outside.txt",
    "/assets/%2e%2e/outside.txt",
    "/assets/..%2foutside.txt",
    "/assets/sub/..%2f..%2foutside.txt",
    "/assets/.secret",
    "/assets/sub/",
    "/assets/sub",
    "/assets/",
  ];
  for (const path of refused) {
    it(`refuses ${path} (no traversal, no dotfiles, no directory listing)`, async () => {
      const { app } = testPortal({ app: { clientDir } });
      const res = await request(app).get(path);
      assert.ok(res.status === 403 || res.status === 404, `${path}: ${res.status}`);
      assert.doesNotMatch(res.text, /secret outside|x\.svg/);
      assert.deepEqual(Object.keys(res.body), ["error"]);
    });
  }
});
