import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { createServer } from "node:http";
import type { IncomingMessage, Server, ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { KubeConfig } from "@kubernetes/client-node";
import { KubeApiError } from "./api-error.ts";
import { ClientNodeObjectApi } from "./client-node-object-api.ts";
import type { ResourceRef } from "./resource.ts";

const ROUTES: ResourceRef = { group: "hostgate.dev", version: "v1alpha1", resource: "domainroutes", kind: "DomainRoute", namespaced: true };
const CONFIG_MAPS: ResourceRef = { group: "", version: "v1", resource: "configmaps", kind: "ConfigMap", namespaced: true };
const CLAIMS: ResourceRef = { group: "hostgate.dev", version: "v1alpha1", resource: "domainclaims", kind: "DomainClaim", namespaced: false };

interface Seen {
  method: string;
  url: string;
  contentType: string | undefined;
  authorization: string | undefined;
  body: string;
}

describe("the client-node adapter of the ObjectApi port", () => {
  let server: Server;
  let api: ClientNodeObjectApi;
  const seen: Seen[] = [];
  let answer: (req: IncomingMessage) => { status: number; body: unknown } = () => ({ status: 200, body: {} });

  before(async () => {
    server = createServer((req: IncomingMessage, res: ServerResponse) => {
      let body = "";
      req.on("data", (c: Buffer) => (body += c.toString()));
      req.on("end", () => {
        seen.push({ method: req.method!, url: req.url!, contentType: req.headers["content-type"], authorization: req.headers.authorization, body });
        const { status, body: out } = answer(req);
        res.writeHead(status, { "content-type": "application/json" }).end(JSON.stringify(out));
      });
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const config = new KubeConfig();
    config.loadFromOptions({
      clusters: [{ name: "c", server: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, skipTLSVerify: true }],
      users: [{ name: "u", token: "secret-token" }],
      contexts: [{ name: "x", cluster: "c", user: "u" }],
      currentContext: "x",
    });
    api = new ClientNodeObjectApi(config);
  });
  after(() => server.close());

  const route = { apiVersion: "hostgate.dev/v1alpha1", kind: "DomainRoute", metadata: { name: "shop", namespace: "team-a" }, spec: {} };
  const applied = { ...route, metadata: { ...route.metadata, uid: "u-1", resourceVersion: "41" } };
  const ROUTES_PATH = "/apis/hostgate.dev/v1alpha1/namespaces/team-a/domainroutes";
  const cases: { name: string; call: () => Promise<unknown>; method: string; url: string; contentType?: string; body?: unknown }[] = [
    { name: "get reads the object's path", call: () => api.get(ROUTES, { namespace: "team-a", name: "shop" }), method: "GET", url: `${ROUTES_PATH}/shop` },
    {
      name: "create posts to the namespaced collection",
      call: () => api.create(ROUTES, route),
      method: "POST",
      url: ROUTES_PATH,
      contentType: "application/json",
      body: route,
    },
    {
      name: "create of a cluster-scoped object posts to the cluster collection",
      call: () => api.create(CLAIMS, { metadata: { name: "shop.example.com" } }),
      method: "POST",
      url: "/apis/hostgate.dev/v1alpha1/domainclaims",
      contentType: "application/json",
    },
    {
      name: "create of a core-group object posts under /api",
      call: () => api.create(CONFIG_MAPS, { metadata: { name: "c", namespace: "ns" }, data: { a: "1" } }),
      method: "POST",
      url: "/api/v1/namespaces/ns/configmaps",
      contentType: "application/json",
      body: { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "c", namespace: "ns" }, data: { a: "1" } },
    },
    {
      name: "update puts the object",
      call: () => api.update(ROUTES, route),
      method: "PUT",
      url: `${ROUTES_PATH}/shop`,
      contentType: "application/json",
      body: route,
    },
    {
      name: "create names its field manager in the query",
      call: () => api.create(ROUTES, route, { fieldManager: "hostgate-reconciler" }),
      method: "POST",
      url: "/apis/hostgate.dev/v1alpha1/namespaces/team-a/domainroutes?fieldManager=hostgate-reconciler",
      contentType: "application/json",
    },
    {
      name: "update names its field manager in the query",
      call: () => api.update(ROUTES, route, { fieldManager: "hostgate-reconciler" }),
      method: "PUT",
      url: "/apis/hostgate.dev/v1alpha1/namespaces/team-a/domainroutes/shop?fieldManager=hostgate-reconciler",
      contentType: "application/json",
    },
    {
      name: "apply patches the object as an apply patch, forced, naming its field manager, with the uid and resourceVersion it was judged by in the body",
      call: () => api.apply(ROUTES, applied, { fieldManager: "hostgate-reconciler", force: true }),
      method: "PATCH",
      url: "/apis/hostgate.dev/v1alpha1/namespaces/team-a/domainroutes/shop?fieldManager=hostgate-reconciler&force=true",
      contentType: "application/apply-patch+yaml",
      body: applied,
    },
    {
      name: "create with a field validation names it in the query",
      call: () => api.create(ROUTES, route, { fieldManager: "hostgate-reconciler", fieldValidation: "Strict" }),
      method: "POST",
      url: "/apis/hostgate.dev/v1alpha1/namespaces/team-a/domainroutes?fieldValidation=Strict&fieldManager=hostgate-reconciler",
      contentType: "application/json",
      body: route,
    },
    {
      name: "apply with a field validation names it in the query",
      call: () => api.apply(ROUTES, applied, { fieldManager: "hostgate-reconciler", force: true, fieldValidation: "Strict" }),
      method: "PATCH",
      url: "/apis/hostgate.dev/v1alpha1/namespaces/team-a/domainroutes/shop?fieldValidation=Strict&fieldManager=hostgate-reconciler&force=true",
      contentType: "application/apply-patch+yaml",
      body: applied,
    },
    {
      name: "update with a field validation names it in the query",
      call: () => api.update(ROUTES, route, { fieldValidation: "Strict" }),
      method: "PUT",
      url: "/apis/hostgate.dev/v1alpha1/namespaces/team-a/domainroutes/shop?fieldValidation=Strict",
      contentType: "application/json",
      body: route,
    },
    {
      name: "updateStatus puts the status subresource",
      call: () => api.updateStatus(ROUTES, { ...route, status: { a: 1 } }),
      method: "PUT",
      url: `${ROUTES_PATH}/shop/status`,
      contentType: "application/json",
      body: { ...route, status: { a: 1 } },
    },
    {
      name: "delete sends the uid and resourceVersion preconditions",
      call: () => api.delete(CLAIMS, { name: "shop.example.com" }, { uid: "u-1", resourceVersion: "7" }),
      method: "DELETE",
      url: "/apis/hostgate.dev/v1alpha1/domainclaims/shop.example.com?propagationPolicy=Background",
      contentType: "application/json",
      body: { apiVersion: "v1", kind: "DeleteOptions", preconditions: { uid: "u-1", resourceVersion: "7" } },
    },
    {
      name: "a dry-run create asks for dryRun=All",
      call: () => api.create(ROUTES, route, { fieldManager: "hostgate-portal", fieldValidation: "Strict", dryRun: true }),
      method: "POST",
      url: "/apis/hostgate.dev/v1alpha1/namespaces/team-a/domainroutes?fieldValidation=Strict&dryRun=All&fieldManager=hostgate-portal",
      contentType: "application/json",
      body: route,
    },
    {
      name: "a dry-run update asks for dryRun=All",
      call: () => api.update(ROUTES, route, { dryRun: true }),
      method: "PUT",
      url: `${ROUTES_PATH}/shop?dryRun=All`,
      contentType: "application/json",
      body: route,
    },
    {
      name: "a dry-run delete asks for dryRun=All and keeps its preconditions",
      call: () => api.delete(ROUTES, { namespace: "team-a", name: "shop" }, { uid: "u-1" }, { dryRun: true }),
      method: "DELETE",
      url: `${ROUTES_PATH}/shop?dryRun=All&propagationPolicy=Background`,
      contentType: "application/json",
      body: { apiVersion: "v1", kind: "DeleteOptions", preconditions: { uid: "u-1" } },
    },
    {
      name: "a write without dryRun sends no dryRun",
      call: () => api.update(ROUTES, route, { dryRun: false }),
      method: "PUT",
      url: `${ROUTES_PATH}/shop`,
    },
  ];
  for (const c of cases) {
    test(c.name, async () => {
      answer = () => ({ status: 200, body: { kind: "DomainRoute" } });
      seen.length = 0;
      await c.call();
      assert.equal(seen.length, 1);
      const s = seen[0]!;
      assert.equal(s.method, c.method);
      assert.equal(s.url, c.url);
      assert.equal(s.authorization, "Bearer secret-token");
      if (c.contentType !== undefined) assert.equal(s.contentType, c.contentType);
      if (c.body !== undefined) assert.deepEqual(JSON.parse(s.body), c.body);
    });
  }

  test("a missing object reads as undefined and deletes as false", async () => {
    answer = () => ({ status: 404, body: { kind: "Status", code: 404, reason: "NotFound", message: "not found" } });
    assert.equal(await api.get(ROUTES, { namespace: "team-a", name: "gone" }), undefined);
    assert.equal(await api.delete(ROUTES, { namespace: "team-a", name: "gone" }), false);
  });

  test("a Status answer becomes a KubeApiError with the server's code, reason and message, naming the call", async () => {
    answer = () => ({
      status: 409,
      body: { kind: "Status", code: 409, reason: "AlreadyExists", message: 'domainclaims.hostgate.dev "a.example.com" already exists' },
    });
    await assert.rejects(api.create(CLAIMS, { metadata: { name: "a.example.com" } }), (error: { status: number; reason: string; message: string }) => {
      assert.equal(error.status, 409);
      assert.equal(error.reason, "AlreadyExists");
      assert.match(error.message, /^POST domainclaims\.hostgate\.dev a\.example\.com: 409 AlreadyExists: .*already exists/);
      return true;
    });
  });

  test("a 422 Invalid keeps the Status's causes and its own message", async () => {
    const message = 'DomainRoute.hostgate.dev "shop" is invalid: spec.lb: Required value';
    const causes = [{ reason: "FieldValueRequired", message: "Required value", field: "spec.lb" }];
    answer = () => ({ status: 422, body: { kind: "Status", code: 422, reason: "Invalid", message, details: { name: "shop", causes } } });
    await assert.rejects(api.create(ROUTES, route, { dryRun: true }), (error: unknown) => {
      assert.ok(error instanceof KubeApiError);
      assert.deepEqual(error.causes, causes);
      assert.equal(error.statusMessage, message);
      assert.match(error.message, /^POST domainroutes\.hostgate\.dev team-a\/shop: 422 Invalid: /);
      return true;
    });
  });

  const statusBody = (code: number, reason: string, message: string) => ({ kind: "Status", code, reason, message });
  const failures: { name: string; status: number; body: unknown; reason: string; message: RegExp }[] = [
    {
      name: "a taken name is 409 AlreadyExists",
      status: 409,
      body: statusBody(409, "AlreadyExists", "already exists"),
      reason: "AlreadyExists",
      message: /409 AlreadyExists: already exists/,
    },
    {
      name: "a failed precondition is 409 Conflict",
      status: 409,
      body: statusBody(409, "Conflict", "Precondition failed: UID"),
      reason: "Conflict",
      message: /409 Conflict: Precondition failed/,
    },
    {
      name: "a refused write is 422 Invalid",
      status: 422,
      body: statusBody(422, "Invalid", "spec.hosts: Required value"),
      reason: "Invalid",
      message: /422 Invalid: spec\.hosts/,
    },
    {
      name: "a missing permission is 403 Forbidden",
      status: 403,
      body: statusBody(403, "Forbidden", "cannot patch resource"),
      reason: "Forbidden",
      message: /403 Forbidden: cannot patch/,
    },
    {
      name: "an answer without a Status keeps its HTTP code",
      status: 502,
      body: "Bad Gateway",
      reason: "Unknown",
      message: /502 Unknown \(the response carries no Status\)/,
    },
  ];
  for (const f of failures) {
    test(`an error answer becomes a KubeApiError naming the call: ${f.name}`, async () => {
      answer = () => ({ status: f.status, body: f.body });
      await assert.rejects(
        api.apply(ROUTES, route, { fieldManager: "hostgate-reconciler", force: true }),
        (error: { status: number; reason: string; message: string }) => {
          assert.equal(error.status, f.status);
          assert.equal(error.reason, f.reason);
          assert.match(error.message, /^PATCH domainroutes\.hostgate\.dev team-a\/shop: /);
          assert.match(error.message, f.message);
          return true;
        },
      );
    });
  }

  test("the answer is the server's JSON as sent: timestamps stay strings (a MicroTime keeps its microseconds), unknown fields stay", async () => {
    const metadata = { name: "l", namespace: "ns", creationTimestamp: "2030-01-01T00:00:00Z" };
    const lease = { apiVersion: "coordination.k8s.io/v1", kind: "Lease", metadata, spec: { renewTime: "2030-01-01T00:00:00.123456Z", future: 1 } };
    answer = () => ({ status: 200, body: lease });
    const leases = { group: "coordination.k8s.io", version: "v1", resource: "leases", kind: "Lease", namespaced: true };
    assert.deepEqual(await api.get(leases, { namespace: "ns", name: "l" }), lease);
  });

  test("a Lease goes out as written: client-node's typed models do not round its MicroTime or drop fields", async () => {
    const spec = { holderIdentity: "a", renewTime: "2030-01-01T00:00:00.123456Z" };
    const lease = { apiVersion: "coordination.k8s.io/v1", kind: "Lease", metadata: { name: "l", namespace: "ns", resourceVersion: "5" }, spec };
    answer = () => ({ status: 200, body: lease });
    seen.length = 0;
    await api.update({ group: "coordination.k8s.io", version: "v1", resource: "leases", kind: "Lease", namespaced: true }, lease);
    assert.deepEqual(JSON.parse(seen[0]!.body), lease);
  });

  test("an unreachable server is a NetworkError, not a crash", async () => {
    // A port that was free a moment ago: nothing listens (fetch refuses well-known ports such as 1 outright).
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, "127.0.0.1", resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));
    const config = new KubeConfig();
    const clusters = [{ name: "c", server: `http://127.0.0.1:${port}`, skipTLSVerify: true }];
    config.loadFromOptions({ clusters, users: [{ name: "u" }], contexts: [{ name: "x", cluster: "c", user: "u" }], currentContext: "x" });
    await assert.rejects(new ClientNodeObjectApi(config).get(ROUTES, { namespace: "a", name: "b" }), { status: 0, reason: "NetworkError" });
  });
});
