import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { createServer } from "node:http";
import type { IncomingMessage, Server, ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { KubeConfig } from "@kubernetes/client-node";
import { HttpObjectApi } from "./http-object-api.ts";
import type { ResourceRef } from "./resource.ts";

const ROUTES: ResourceRef = { group: "hostgate.dev", version: "v1alpha1", resource: "domainroutes", kind: "DomainRoute", namespaced: true };
const CLAIMS: ResourceRef = { group: "hostgate.dev", version: "v1alpha1", resource: "domainclaims", kind: "DomainClaim", namespaced: false };

interface Seen {
  method: string;
  url: string;
  contentType: string | undefined;
  authorization: string | undefined;
  body: string;
}

describe("the REST adapter of the ObjectApi port", () => {
  let server: Server;
  let api: HttpObjectApi;
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
    api = new HttpObjectApi(config);
  });
  after(() => server.close());

  const route = { apiVersion: "hostgate.dev/v1alpha1", kind: "DomainRoute", metadata: { name: "shop", namespace: "team-a" }, spec: {} };
  const cases: { name: string; call: () => Promise<unknown>; method: string; url: string; contentType?: string; body?: unknown }[] = [
    { name: "get reads the object's path", call: () => api.get(ROUTES, { namespace: "team-a", name: "shop" }), method: "GET", url: "/apis/hostgate.dev/v1alpha1/namespaces/team-a/domainroutes/shop" },
    { name: "create posts to the namespaced collection", call: () => api.create(ROUTES, route), method: "POST", url: "/apis/hostgate.dev/v1alpha1/namespaces/team-a/domainroutes", contentType: "application/json", body: route },
    { name: "create of a cluster-scoped object posts to the cluster collection", call: () => api.create(CLAIMS, { metadata: { name: "shop.example.com" } }), method: "POST", url: "/apis/hostgate.dev/v1alpha1/domainclaims", contentType: "application/json" },
    { name: "update puts the object", call: () => api.update(ROUTES, route), method: "PUT", url: "/apis/hostgate.dev/v1alpha1/namespaces/team-a/domainroutes/shop", contentType: "application/json" },
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
    { name: "updateStatus puts the status subresource", call: () => api.updateStatus(ROUTES, route), method: "PUT", url: "/apis/hostgate.dev/v1alpha1/namespaces/team-a/domainroutes/shop/status", contentType: "application/json" },
    { name: "delete sends the uid precondition", call: () => api.delete(CLAIMS, { name: "shop.example.com" }, { uid: "u-1" }), method: "DELETE", url: "/apis/hostgate.dev/v1alpha1/domainclaims/shop.example.com", contentType: "application/json", body: { apiVersion: "v1", kind: "DeleteOptions", propagationPolicy: "Background", preconditions: { uid: "u-1" } } },
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
    answer = () => ({ status: 409, body: { kind: "Status", code: 409, reason: "AlreadyExists", message: 'domainclaims.hostgate.dev "a.example.com" already exists' } });
    await assert.rejects(api.create(CLAIMS, { metadata: { name: "a.example.com" } }), (error: { status: number; reason: string; message: string }) => {
      assert.equal(error.status, 409);
      assert.equal(error.reason, "AlreadyExists");
      assert.match(error.message, /^POST domainclaims\.hostgate\.dev a\.example\.com: 409 AlreadyExists: .*already exists/);
      return true;
    });
  });

  test("an unreachable server is a NetworkError, not a crash", async () => {
    const config = new KubeConfig();
    config.loadFromOptions({ clusters: [{ name: "c", server: "http://127.0.0.1:1", skipTLSVerify: true }], users: [{ name: "u" }], contexts: [{ name: "x", cluster: "c", user: "u" }], currentContext: "x" });
    await assert.rejects(new HttpObjectApi(config).get(ROUTES, { namespace: "a", name: "b" }), { status: 0, reason: "NetworkError" });
  });
});
