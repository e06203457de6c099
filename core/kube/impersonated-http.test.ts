// The impersonating transport against a stub API server over real TLS: what
// goes on the wire (header lines, query strings, bodies) and how every kind
// of answer comes back (objects, Status errors with causes, warnings, watch
// streams, network failures).
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { AddressInfo } from "node:net";
import { isExpired, KubeApiError } from "./api-error.ts";
import { KubeconfigError, resolveClusterConnection } from "./cluster-connection.ts";
import { ImpersonatedHttpClient, isImpersonationForbidden } from "./impersonated-http.ts";
import type { Identity } from "./impersonation.ts";
import type { WatchEvent } from "./list-watch-client.ts";
import type { KubeApi } from "./object-api.ts";
import type { ResourceRef } from "./resource.ts";
import { answerJson, headerLines, kubeConfigFor, startStubApiServer, statusBody } from "./testing/stub-api-server.ts";
import type { StubApiServer } from "./testing/stub-api-server.ts";

const ROUTES: ResourceRef = { group: "hostgate.dev", version: "v1alpha1", resource: "domainroutes", kind: "DomainRoute", namespaced: true };
const ROUTES_PATH = "/apis/hostgate.dev/v1alpha1/namespaces/team-a/domainroutes";
const JANE: Identity = { user: "jane", groups: ["team-a", "devs", "a, b"] };
const route = {
  apiVersion: "hostgate.dev/v1alpha1",
  kind: "DomainRoute",
  metadata: { name: "shop", namespace: "team-a" },
  spec: { domain: "shop.example.com" },
};
const IMPERSONATION_FORBIDDEN =
  'users "jane" is forbidden: User "system:serviceaccount:hostgate-system:hostgate-portal" cannot impersonate resource "users" in API group "" at the cluster scope';

let stub: StubApiServer;
let client: ImpersonatedHttpClient;
let jane: KubeApi;

before(async () => {
  stub = await startStubApiServer();
  client = new ImpersonatedHttpClient(kubeConfigFor(stub.url, stub.caPem));
  jane = client.as(JANE);
});
after(() => stub.close());

const ok = () => stub.reset((_req, res) => answerJson(res, 200, route));

describe("requests are made as the person", () => {
  test("one Impersonate-Group line per group (a group with a comma stays one group), Impersonate-User, and the kubeconfig's Authorization", async () => {
    ok();
    await jane.get(ROUTES, { namespace: "team-a", name: "shop" });
    const seen = stub.seen[0]!;
    assert.deepEqual(headerLines(seen, "Impersonate-Group"), ["team-a", "devs", "a, b"]);
    assert.deepEqual(headerLines(seen, "Impersonate-User"), ["jane"]);
    assert.deepEqual(headerLines(seen, "Authorization"), ["Bearer sa-token"]);
  });

  test("a person without groups is sent without Impersonate-Group", async () => {
    ok();
    await client.as({ user: "bob", groups: [] }).get(ROUTES, { namespace: "team-a", name: "shop" });
    assert.deepEqual(headerLines(stub.seen[0]!, "Impersonate-Group"), []);
    assert.deepEqual(headerLines(stub.seen[0]!, "Impersonate-User"), ["bob"]);
  });

  test("names outside ASCII reach the API server as UTF-8", async () => {
    ok();
    await client.as({ user: "jürgen", groups: ["開発"] }).get(ROUTES, { namespace: "team-a", name: "shop" });
    const asUtf8 = (v: string) => Buffer.from(v, "latin1").toString("utf8");
    assert.deepEqual(headerLines(stub.seen[0]!, "Impersonate-User").map(asUtf8), ["jürgen"]);
    assert.deepEqual(headerLines(stub.seen[0]!, "Impersonate-Group").map(asUtf8), ["開発"]);
  });

  test("the kubeconfig's credentials are read for every request (a refreshed token is used at once)", async () => {
    const config = kubeConfigFor(stub.url, stub.caPem, { token: "first" });
    const api = new ImpersonatedHttpClient(config).as(JANE);
    ok();
    await api.get(ROUTES, { namespace: "team-a", name: "shop" });
    (config.getCurrentUser() as { token?: string }).token = "second";
    await api.get(ROUTES, { namespace: "team-a", name: "shop" });
    assert.deepEqual(
      stub.seen.map((s) => headerLines(s, "Authorization")[0]),
      ["Bearer first", "Bearer second"],
    );
  });

  test("an in-cluster connection (resolveClusterConnection) sends the mounted ServiceAccount token and trusts the mounted CA", async () => {
    const dir = mkdtempSync(join(tmpdir(), "hostgate-impersonated-sa-"));
    writeFileSync(join(dir, "token"), "mounted-token");
    writeFileSync(join(dir, "ca.crt"), stub.caPem);
    const port = new URL(stub.url).port;
    const connection = resolveClusterConnection({ env: { KUBERNETES_SERVICE_HOST: "127.0.0.1", KUBERNETES_SERVICE_PORT: port }, serviceAccountDir: dir });
    assert.ok(connection.configured);
    ok();
    await new ImpersonatedHttpClient(connection.config).as(JANE).get(ROUTES, { namespace: "team-a", name: "shop" });
    assert.deepEqual(headerLines(stub.seen[0]!, "Authorization"), ["Bearer mounted-token"]);
    assert.deepEqual(headerLines(stub.seen[0]!, "Impersonate-Group"), ["team-a", "devs", "a, b"]);
    rmSync(dir, { recursive: true, force: true });
  });

  test("connections are kept alive and shared between people", async () => {
    ok();
    await jane.get(ROUTES, { namespace: "team-a", name: "shop" });
    await client.as({ user: "bob", groups: [] }).get(ROUTES, { namespace: "team-a", name: "shop" });
    assert.equal(stub.seen.length, 2);
    assert.equal(stub.seen[0]!.remotePort, stub.seen[1]!.remotePort);
    assert.deepEqual(headerLines(stub.seen[1]!, "Impersonate-User"), ["bob"]);
  });
});

describe("identities and kubeconfigs that must not be used are refused", () => {
  const identities: { name: string; who: Identity; message: RegExp }[] = [
    { name: "an empty user (the request would run as the portal itself)", who: { user: "", groups: ["team-a"] }, message: /empty user/ },
    { name: "a blank user", who: { user: "  ", groups: [] }, message: /empty user/ },
    { name: "a user with a line break", who: { user: "jane\r\nImpersonate-Group: system:masters", groups: [] }, message: /control character/ },
    { name: "an empty group", who: { user: "jane", groups: ["team-a", ""] }, message: /empty group/ },
  ];
  for (const c of identities) {
    test(`${c.name} is refused before anything is sent`, async () => {
      ok();
      assert.throws(() => client.as(c.who), c.message);
      await assert.rejects(client.can(c.who, { verb: "list", group: "hostgate.dev", resource: "domainroutes", namespace: "team-a" }), c.message);
      assert.equal(stub.seen.length, 0);
    });
  }

  test("a kubeconfig whose user already impersonates (as:) is refused, naming the user", () => {
    const config = kubeConfigFor(stub.url, stub.caPem, { token: "t", impersonateUser: "admin" });
    assert.throws(
      () => new ImpersonatedHttpClient(config),
      (error: unknown) => error instanceof KubeconfigError && /user "portal" impersonates "admin" \(as:\).*would stack/.test(error.problems.join("\n")),
    );
  });

  test("a plain-http server without insecure-skip-tls-verify is refused", () => {
    assert.throws(() => new ImpersonatedHttpClient(kubeConfigFor("http://127.0.0.1:1", undefined)), /plain http; use https/);
  });
});

describe("writes carry their options in the query", () => {
  const cases: {
    name: string;
    call: () => Promise<unknown>;
    method: string;
    path: string;
    query: Record<string, string>;
    body?: unknown;
    contentType?: string;
  }[] = [
    {
      name: "a dry-run create asks for dryRun=All, strict field validation and the field manager",
      call: () => jane.create(ROUTES, route, { dryRun: true, fieldValidation: "Strict", fieldManager: "hostgate-portal" }),
      method: "POST",
      path: ROUTES_PATH,
      query: { dryRun: "All", fieldValidation: "Strict", fieldManager: "hostgate-portal" },
      body: route,
      contentType: "application/json",
    },
    {
      name: "a real create sends no dryRun",
      call: () => jane.create(ROUTES, route, { fieldManager: "hostgate-portal" }),
      method: "POST",
      path: ROUTES_PATH,
      query: { fieldManager: "hostgate-portal" },
      body: route,
    },
    {
      name: "an update puts the object at its path",
      call: () => jane.update(ROUTES, route, { dryRun: true, fieldValidation: "Strict" }),
      method: "PUT",
      path: `${ROUTES_PATH}/shop`,
      query: { dryRun: "All", fieldValidation: "Strict" },
      body: route,
    },
    {
      name: "an apply patches with an apply patch, forced, naming its manager",
      call: () => jane.apply(ROUTES, route, { fieldManager: "hostgate-portal", force: true, fieldValidation: "Strict" }),
      method: "PATCH",
      path: `${ROUTES_PATH}/shop`,
      query: { fieldValidation: "Strict", fieldManager: "hostgate-portal", force: "true" },
      body: route,
      contentType: "application/apply-patch+yaml",
    },
    {
      name: "a status update puts the status subresource",
      call: () => jane.updateStatus(ROUTES, { ...route, status: { a: 1 } }),
      method: "PUT",
      path: `${ROUTES_PATH}/shop/status`,
      query: {},
      body: { ...route, status: { a: 1 } },
    },
    {
      name: "a dry-run delete asks for dryRun=All and sends its uid and resourceVersion preconditions",
      call: () => jane.delete(ROUTES, { namespace: "team-a", name: "shop" }, { uid: "u-1", resourceVersion: "7" }, { dryRun: true }),
      method: "DELETE",
      path: `${ROUTES_PATH}/shop`,
      query: { dryRun: "All", propagationPolicy: "Background" },
      body: { apiVersion: "v1", kind: "DeleteOptions", preconditions: { uid: "u-1", resourceVersion: "7" } },
    },
    {
      name: "an object without its namespace is written to the resource's namespace (a cluster-scoped one to the cluster)",
      call: () =>
        jane.create(
          { group: "hostgate.dev", version: "v1alpha1", resource: "domainclaims", kind: "DomainClaim", namespaced: false },
          { metadata: { name: "a.example.com" } },
        ),
      method: "POST",
      path: "/apis/hostgate.dev/v1alpha1/domainclaims",
      query: {},
      body: { apiVersion: "hostgate.dev/v1alpha1", kind: "DomainClaim", metadata: { name: "a.example.com" } },
    },
  ];
  for (const c of cases) {
    test(c.name, async () => {
      ok();
      await c.call();
      const seen = stub.seen[0]!;
      assert.equal(seen.method, c.method);
      assert.equal(seen.path, c.path);
      assert.deepEqual(seen.query, c.query);
      if (c.body !== undefined) assert.deepEqual(JSON.parse(seen.body), c.body);
      if (c.contentType !== undefined) assert.deepEqual(headerLines(seen, "Content-Type"), [c.contentType]);
      assert.deepEqual(headerLines(seen, "Impersonate-User"), ["jane"]);
    });
  }

  test("the answer is the server's JSON as sent", async () => {
    const stored = { ...route, metadata: { ...route.metadata, uid: "u-1", resourceVersion: "9", creationTimestamp: "2030-01-01T00:00:00Z" }, status: {} };
    stub.reset((_req, res) => answerJson(res, 201, stored));
    assert.deepEqual(await jane.create(ROUTES, route, { dryRun: true }), stored);
  });

  test("a missing object reads as undefined and deletes as false", async () => {
    stub.reset((_req, res) => answerJson(res, 404, statusBody(404, "NotFound", 'domainroutes.hostgate.dev "gone" not found')));
    assert.equal(await jane.get(ROUTES, { namespace: "team-a", name: "gone" }), undefined);
    assert.equal(await jane.delete(ROUTES, { namespace: "team-a", name: "gone" }), false);
  });
});

describe("refusals become KubeApiErrors that keep what the API server said", () => {
  test("a 422 Invalid keeps its causes and message, and names the call and the person", async () => {
    const causes = [
      { reason: "FieldValueInvalid", message: 'Invalid value: "Foo": spec.domain in body should match', field: "spec.domain" },
      { reason: "FieldValueRequired", message: "Required value", field: "spec.lb" },
    ];
    const message = 'DomainRoute.hostgate.dev "shop" is invalid: [spec.domain: Invalid value: "Foo", spec.lb: Required value]';
    stub.reset((_req, res) => answerJson(res, 422, statusBody(422, "Invalid", message, { name: "shop", group: "hostgate.dev", kind: "DomainRoute", causes })));
    await assert.rejects(jane.create(ROUTES, route, { dryRun: true }), (error: unknown) => {
      assert.ok(error instanceof KubeApiError);
      assert.equal(error.status, 422);
      assert.equal(error.reason, "Invalid");
      assert.deepEqual(error.causes, causes);
      assert.equal(error.statusMessage, message);
      assert.equal(error.message, `POST domainroutes.hostgate.dev team-a/shop as jane: 422 Invalid: ${message}`);
      return true;
    });
  });

  const forbidden: { name: string; message: string; impersonation: boolean }[] = [
    { name: "the portal may not impersonate the person", message: IMPERSONATION_FORBIDDEN, impersonation: true },
    {
      name: "the person may not do this",
      message:
        'domainroutes.hostgate.dev is forbidden: User "jane" cannot create resource "domainroutes" in API group "hostgate.dev" in the namespace "team-b"',
      impersonation: false,
    },
  ];
  for (const f of forbidden) {
    test(`a 403 where ${f.name} is ${f.impersonation ? "" : "not "}an impersonation refusal`, async () => {
      stub.reset((_req, res) => answerJson(res, 403, statusBody(403, "Forbidden", f.message)));
      await assert.rejects(jane.create(ROUTES, route), (error: unknown) => {
        assert.ok(error instanceof KubeApiError);
        assert.equal(error.status, 403);
        assert.equal(error.statusMessage, f.message);
        assert.equal(isImpersonationForbidden(error), f.impersonation);
        return true;
      });
    });
  }

  test("an answer without a Status keeps its HTTP status", async () => {
    stub.reset((_req, res) => {
      res.writeHead(502, { "content-type": "text/html" });
      res.end("<html>bad gateway</html>");
    });
    await assert.rejects(jane.update(ROUTES, route), {
      status: 502,
      reason: "Unknown",
      message: /^PUT domainroutes\.hostgate\.dev team-a\/shop as jane: 502 Unknown \(the response carries no Status\)$/,
    });
  });

  test("an unreachable server is status 0, NetworkError, naming the server", async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, "127.0.0.1", resolve));
    const dead = `https://127.0.0.1:${(closed.address() as AddressInfo).port}`;
    await new Promise((resolve) => closed.close(resolve));
    const api = new ImpersonatedHttpClient(kubeConfigFor(dead, stub.caPem)).as(JANE);
    await assert.rejects(api.get(ROUTES, { namespace: "team-a", name: "shop" }), (error: unknown) => {
      assert.ok(error instanceof KubeApiError);
      assert.equal(error.status, 0);
      assert.equal(error.reason, "NetworkError");
      assert.match(
        error.message,
        /^GET domainroutes\.hostgate\.dev team-a\/shop as jane: cannot reach the API server at https:\/\/127\.0\.0\.1:\d+: ECONNREFUSED/,
      );
      return true;
    });
  });

  test("a server whose certificate the kubeconfig's CA did not sign is refused (status 0), never talked to", async () => {
    const api = new ImpersonatedHttpClient(kubeConfigFor(stub.url, undefined)).as(JANE);
    stub.reset((_req, res) => answerJson(res, 200, route));
    await assert.rejects(api.get(ROUTES, { namespace: "team-a", name: "shop" }), {
      status: 0,
      reason: "NetworkError",
      message: /did not prove its identity: UNABLE_TO_VERIFY_LEAF_SIGNATURE .*check the kubeconfig cluster's certificate-authority/,
    });
    assert.equal(stub.seen.length, 0);
  });

  test("a server that does not answer within the request timeout is status 0, Timeout", async () => {
    stub.reset(() => {}); // never answers
    const api = new ImpersonatedHttpClient(kubeConfigFor(stub.url, stub.caPem), { requestTimeoutMs: 100 }).as(JANE);
    await assert.rejects(api.get(ROUTES, { namespace: "team-a", name: "shop" }), { status: 0, reason: "Timeout", message: /within 100 ms/ });
  });

  test("a success whose body is not JSON is an InvalidResponse", async () => {
    stub.reset((_req, res) => res.writeHead(200, { "content-type": "text/plain" }).end("hello"));
    await assert.rejects(jane.get(ROUTES, { namespace: "team-a", name: "shop" }), { status: 502, reason: "InvalidResponse" });
  });

  test("credentials that cannot be made are status 0, ClientError", async () => {
    const config = kubeConfigFor(stub.url, stub.caPem, { authProvider: { name: "tokenFile", config: { tokenFile: "/nonexistent/hostgate-token" } } });
    await assert.rejects(new ImpersonatedHttpClient(config).as(JANE).get(ROUTES, { namespace: "team-a", name: "shop" }), {
      status: 0,
      reason: "ClientError",
      message: /cannot make the kubeconfig's credentials/,
    });
  });
});

describe("warnings reach onWarning", () => {
  const warnings = [String.raw`299 - "spec.domain \"shop.example.com\" is public, and has no login"`, '299 - "second", 299 - "third"', '299 - "fourth"'];
  const texts = ['spec.domain "shop.example.com" is public, and has no login', "second", "third", "fourth"];

  test("every Warning line of a write, with commas and escaped quotes, in order", async () => {
    stub.reset((_req, res) => answerJson(res, 201, route, { Warning: warnings }));
    const seen: string[] = [];
    await jane.create(ROUTES, route, { dryRun: true, onWarning: (text) => seen.push(text) });
    assert.deepEqual(seen, texts);
  });

  test("a refused write's warnings arrive before the refusal", async () => {
    stub.reset((_req, res) => answerJson(res, 403, statusBody(403, "Forbidden", "denied"), { Warning: warnings }));
    const seen: string[] = [];
    await assert.rejects(jane.update(ROUTES, route, { onWarning: (text) => seen.push(text) }), { status: 403 });
    assert.deepEqual(seen, texts);
  });

  test("a delete's warnings arrive too", async () => {
    stub.reset((_req, res) => answerJson(res, 200, statusBody(200, "", ""), { Warning: warnings[2]! }));
    const seen: string[] = [];
    await jane.delete(ROUTES, { namespace: "team-a", name: "shop" }, undefined, { dryRun: true, onWarning: (text) => seen.push(text) });
    assert.deepEqual(seen, ["fourth"]);
  });
});

describe("SelfSubjectAccessReview: can the person do it", () => {
  for (const allowed of [true, false]) {
    test(`asks as the person and answers ${allowed}`, async () => {
      stub.reset((_req, res, seen) => answerJson(res, 201, { ...JSON.parse(seen.body), status: { allowed } }));
      const answer = await client.can(JANE, { verb: "create", group: "hostgate.dev", resource: "domainroutes", namespace: "team-a" });
      assert.equal(answer, allowed);
      const seen = stub.seen[0]!;
      assert.equal(seen.method, "POST");
      assert.equal(seen.path, "/apis/authorization.k8s.io/v1/selfsubjectaccessreviews");
      assert.deepEqual(JSON.parse(seen.body), {
        apiVersion: "authorization.k8s.io/v1",
        kind: "SelfSubjectAccessReview",
        spec: { resourceAttributes: { verb: "create", group: "hostgate.dev", resource: "domainroutes", namespace: "team-a" } },
      });
      assert.deepEqual(headerLines(seen, "Impersonate-User"), ["jane"]);
      assert.deepEqual(headerLines(seen, "Impersonate-Group"), ["team-a", "devs", "a, b"]);
    });
  }

  test("an answer without status.allowed is an error, never a yes", async () => {
    stub.reset((_req, res) => answerJson(res, 201, { kind: "SelfSubjectAccessReview", status: {} }));
    await assert.rejects(client.can(JANE, { verb: "list", group: "", resource: "services", namespace: "team-a" }), { status: 502, reason: "InvalidResponse" });
  });

  test("the portal's missing impersonation right is a recognisable error", async () => {
    stub.reset((_req, res) => answerJson(res, 403, statusBody(403, "Forbidden", IMPERSONATION_FORBIDDEN)));
    await assert.rejects(client.can(JANE, { verb: "list", group: "", resource: "services" }), (error: unknown) => {
      assert.ok(error instanceof KubeApiError && isImpersonationForbidden(error));
      return true;
    });
  });
});

describe("list and watch as the person", () => {
  const signal = () => new AbortController().signal;

  test("a list page comes with the limit, continue token and label selector, as the person", async () => {
    stub.reset((_req, res) => answerJson(res, 200, { kind: "DomainRouteList", metadata: { resourceVersion: "42", continue: "next" }, items: [route] }));
    const page = await jane.list({ ...ROUTES, namespace: "team-a", labelSelector: "a=b" }, { limit: 50, continue: "this", signal: signal() });
    assert.deepEqual(page, { items: [route], resourceVersion: "42", continue: "next" });
    assert.equal(stub.seen[0]!.path, ROUTES_PATH);
    assert.deepEqual(stub.seen[0]!.query, { limit: "50", continue: "this", labelSelector: "a=b" });
    assert.deepEqual(headerLines(stub.seen[0]!, "Impersonate-Group"), ["team-a", "devs", "a, b"]);
  });

  test("a refused list is a KubeApiError; an expired continue token is expired", async () => {
    stub.reset((_req, res) => answerJson(res, 410, statusBody(410, "Expired", "The provided continue parameter is too old")));
    await assert.rejects(jane.list(ROUTES, { limit: 1, continue: "old", signal: signal() }), (error: unknown) => isExpired(error));
  });

  test("a list in flight ends when its signal aborts", async () => {
    stub.reset(() => {}); // never answers
    const controller = new AbortController();
    const listing = jane.list(ROUTES, { limit: 1, signal: controller.signal });
    await new Promise((resolve) => setTimeout(resolve, 50));
    controller.abort();
    await assert.rejects(listing, { status: 0, reason: "Aborted" });
  });

  /** Opens a watch and collects what it reports until onEnd. */
  function collect(api: KubeApi = jane, timeoutSeconds = 300) {
    const events: WatchEvent[] = [];
    let ended: KubeApiError | undefined | "open" = "open";
    let resolveDone!: () => void;
    const done = new Promise<void>((resolve) => (resolveDone = resolve));
    const handle = api.watch(
      { ...ROUTES, namespace: "team-a" },
      { resourceVersion: "42", allowWatchBookmarks: true, timeoutSeconds },
      {
        onEvent: (event) => events.push(event),
        onEnd: (error) => {
          assert.equal(ended, "open", "onEnd is called once");
          ended = error;
          resolveDone();
        },
      },
    );
    return { events, done, handle, ended: () => ended };
  }

  test("events arrive line by line whatever the chunking, ERROR events included, then the stream ends normally", async () => {
    const lines = [
      { type: "ADDED", object: { metadata: { name: "a", resourceVersion: "43" } } },
      { type: "BOOKMARK", object: { metadata: { resourceVersion: "50" } } },
      { type: "ERROR", object: statusBody(410, "Expired", "too old resource version: 42 (60)") },
    ].map((e) => `${JSON.stringify(e)}\n`);
    const text = lines.join("");
    stub.reset((_req, res) => {
      res.writeHead(200, { "content-type": "application/json" });
      // A line cut in two, and two lines in one chunk.
      res.write(text.slice(0, 20));
      setTimeout(() => res.end(text.slice(20)), 20);
    });
    const w = collect();
    await w.done;
    assert.equal(stub.seen[0]!.path, ROUTES_PATH);
    assert.deepEqual(stub.seen[0]!.query, { watch: "1", resourceVersion: "42", allowWatchBookmarks: "true", timeoutSeconds: "300" });
    assert.deepEqual(headerLines(stub.seen[0]!, "Impersonate-User"), ["jane"]);
    assert.deepEqual(
      w.events.map((e) => e.type),
      ["ADDED", "BOOKMARK", "ERROR"],
    );
    assert.equal((w.events[2]!.object as { code: number }).code, 410);
    assert.equal(w.ended(), undefined);
  });

  test("a 410 on opening ends the watch as expired", async () => {
    stub.reset((_req, res) => answerJson(res, 410, statusBody(410, "Gone", "too old")));
    const w = collect();
    await w.done;
    const error = w.ended();
    assert.ok(error instanceof KubeApiError && isExpired(error) && error.status === 410);
    assert.deepEqual(w.events, []);
  });

  test("a 403 on opening ends the watch with the Status's message", async () => {
    stub.reset((_req, res) => answerJson(res, 403, statusBody(403, "Forbidden", IMPERSONATION_FORBIDDEN)));
    const w = collect();
    await w.done;
    const error = w.ended();
    assert.ok(error instanceof KubeApiError && isImpersonationForbidden(error));
  });

  test("a line that is not a watch event ends the watch as an error after the events before it", async () => {
    stub.reset((_req, res) => {
      res.writeHead(200, { "content-type": "application/json" });
      res.write(`${JSON.stringify({ type: "ADDED", object: {} })}\n<html>oops</html>\n`);
    });
    const w = collect();
    await w.done;
    assert.equal(w.events.length, 1);
    const error = w.ended();
    assert.ok(error instanceof KubeApiError);
    assert.equal(error.status, 500);
    assert.equal(error.reason, "InvalidWatchEvent");
    assert.match(error.message, /<html>oops<\/html>/);
  });

  test("a stream cut by the server mid-line ends the watch as a network error", async () => {
    stub.reset((_req, res) => {
      res.writeHead(200, { "content-type": "application/json" });
      res.write(`${JSON.stringify({ type: "ADDED", object: {} })}\n{"type":"MOD`);
      setTimeout(() => res.socket?.destroy(), 20);
    });
    const w = collect();
    await w.done;
    assert.equal(w.events.length, 1);
    const error = w.ended();
    assert.ok(error instanceof KubeApiError);
    assert.equal(error.status, 0);
    assert.equal(error.reason, "NetworkError");
  });

  test("an unreachable server ends the watch through onEnd, never a throw", async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, "127.0.0.1", resolve));
    const dead = `https://127.0.0.1:${(closed.address() as AddressInfo).port}`;
    await new Promise((resolve) => closed.close(resolve));
    const w = collect(new ImpersonatedHttpClient(kubeConfigFor(dead, stub.caPem)).as(JANE));
    await w.done;
    const error = w.ended();
    assert.ok(error instanceof KubeApiError && error.status === 0 && error.reason === "NetworkError", String(error));
  });

  test("a watch the server never closes ends normally a grace period after its timeoutSeconds (a dead connection is not waited on forever)", async () => {
    stub.reset((_req, res) => {
      res.writeHead(200, { "content-type": "application/json" });
      res.write(`${JSON.stringify({ type: "ADDED", object: {} })}\n`);
    });
    const api = new ImpersonatedHttpClient(kubeConfigFor(stub.url, stub.caPem), { watchGraceMs: 50 }).as(JANE);
    const started = Date.now();
    const w = collect(api, 0);
    await w.done;
    assert.equal(w.ended(), undefined);
    assert.equal(w.events.length, 1);
    assert.ok(Date.now() - started < 5_000);
  });

  test("no callback fires after abort(), and the connection is closed", async () => {
    let closed!: () => void;
    const connectionClosed = new Promise<void>((resolve) => (closed = resolve));
    let first!: () => void;
    const firstEvent = new Promise<void>((resolve) => (first = resolve));
    stub.reset((req, res) => {
      res.writeHead(200, { "content-type": "application/json" });
      res.write(`${JSON.stringify({ type: "ADDED", object: {} })}\n`);
      req.socket.on("close", closed);
    });
    const events: WatchEvent[] = [];
    let ended = false;
    const handle = jane.watch(
      ROUTES,
      { resourceVersion: "1", allowWatchBookmarks: false, timeoutSeconds: 60 },
      {
        onEvent: (event) => {
          events.push(event);
          first();
        },
        onEnd: () => (ended = true),
      },
    );
    await firstEvent;
    handle.abort();
    await connectionClosed;
    await new Promise((resolve) => setTimeout(resolve, 20));
    assert.equal(ended, false);
    assert.equal(events.length, 1);
    assert.equal(stub.seen[0]!.query.allowWatchBookmarks, undefined);
  });
});

test("describe names the server, and the person for an impersonating API", () => {
  assert.equal(client.describe(), `${stub.url} (acting as each person)`);
  assert.equal(jane.describe(), `${stub.url} as jane`);
});
