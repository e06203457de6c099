// A person's name from the login proxy's header to the API server's
// Impersonate-* lines, byte for byte: the proxy sends UTF-8, the page decodes
// it once (identity.ts), the transport encodes it once (impersonated-http.ts),
// so the API server (which reads header bytes as UTF-8, as client-go sends
// them) sees the same bytes the proxy sent, and RBAC bound to `jürgen` matches.
import assert from "node:assert/strict";
import { createServer } from "node:http";
import type { Server } from "node:http";
import { connect } from "node:net";
import type { AddressInfo } from "node:net";
import { after, before, describe, it } from "node:test";
import { ImpersonatedHttpClient } from "../core/kube/impersonated-http.ts";
import type { ResourceRef } from "../core/kube/resource.ts";
import { answerJson, headerLines, kubeConfigFor, startStubApiServer } from "../core/kube/testing/stub-api-server.ts";
import type { StubApiServer } from "../core/kube/testing/stub-api-server.ts";
import { identityResolver } from "./identity.ts";

const ROUTES: ResourceRef = { group: "hostgate.dev", version: "v1alpha1", resource: "domainroutes", kind: "DomainRoute", namespaced: true };

let stub: StubApiServer;
let page: Server;
let pagePort: number;

before(async () => {
  stub = await startStubApiServer();
  stub.reset((_req, res) =>
    answerJson(res, 200, { apiVersion: "hostgate.dev/v1alpha1", kind: "DomainRoute", metadata: { name: "shop", namespace: "team-a" } }),
  );
  const client = new ImpersonatedHttpClient(kubeConfigFor(stub.url, stub.caPem));
  const resolve = identityResolver({ kind: "proxy", trustedProxies: ["127.0.0.1/32"] });
  // The page's two steps for any request: who is asking, then a read as them (a throw here would be the page's 500).
  page = createServer((req, res) => {
    const who = resolve(req);
    if (!who.ok) return void res.writeHead(who.status).end(who.message);
    Promise.resolve()
      .then(() => client.as(who.identity).get(ROUTES, { namespace: "team-a", name: "shop" }))
      .then(
        () => {
          const body = Buffer.from(JSON.stringify(who.identity), "utf8");
          res.writeHead(200, { "content-type": "application/json; charset=utf-8", "content-length": body.length }).end(body);
        },
        (error: unknown) => res.writeHead(500).end(String(error)),
      );
  });
  await new Promise<void>((resolve) => page.listen(0, "127.0.0.1", resolve));
  pagePort = (page.address() as AddressInfo).port;
});
after(async () => {
  page.closeAllConnections();
  await new Promise((resolve) => page.close(resolve));
  await stub.close();
});

/** One request to the page whose header lines are written as raw bytes, as a proxy writes them; the status line and body. */
function askAs(user: Buffer, groups: Buffer[]): Promise<{ status: number; body: string }> {
  const lines = [
    Buffer.from("GET /api/session HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\nX-Forwarded-User: "),
    user,
    ...groups.flatMap((g) => [Buffer.from("\r\nX-Forwarded-Groups: "), g]),
    Buffer.from("\r\n\r\n"),
  ];
  return new Promise((resolve, reject) => {
    // write, not end: the page answers after asking the API server, and a half-closed socket would be dropped meanwhile.
    const socket = connect(pagePort, "127.0.0.1", () => socket.write(Buffer.concat(lines)));
    const chunks: Buffer[] = [];
    socket.on("data", (chunk: Buffer) => chunks.push(chunk));
    socket.on("error", reject);
    socket.setTimeout(5_000, () => socket.destroy(new Error("the page did not answer within 5 s")));
    socket.on("close", () => {
      const text = Buffer.concat(chunks).toString("utf8");
      resolve({ status: Number(text.slice(9, 12)), body: text.slice(text.indexOf("\r\n\r\n") + 4) });
    });
  });
}

const bytesOf = (line: string): Buffer => Buffer.from(line, "latin1");

describe("a name outside ASCII reaches the API server as the proxy sent it", () => {
  const cases = [
    { name: "jürgen (UTF-8 c3 bc) is impersonated as jürgen, with a CJK group", user: "jürgen", groups: ["開発"] },
    { name: "Łukasz (UTF-8 c5 81, a byte in the C1 range) is impersonated, not refused as a control character", user: "Łukasz", groups: ["Ωmega"] },
    { name: "plain ASCII names pass unchanged", user: "jane", groups: ["team-a"] },
  ];
  for (const c of cases) {
    it(c.name, async () => {
      const answer = await askAs(
        Buffer.from(c.user, "utf8"),
        c.groups.map((g) => Buffer.from(g, "utf8")),
      );
      assert.equal(answer.status, 200, answer.body);
      assert.deepEqual(JSON.parse(answer.body), { user: c.user, groups: c.groups });
      const seen = stub.seen.at(-1)!;
      assert.deepEqual(headerLines(seen, "Impersonate-User").map(bytesOf), [Buffer.from(c.user, "utf8")]);
      assert.deepEqual(
        headerLines(seen, "Impersonate-Group").map(bytesOf),
        c.groups.map((g) => Buffer.from(g, "utf8")),
      );
    });
  }

  it("a user header that is not UTF-8 (latin1 ü, byte fc) is refused (403) and nothing is asked of the API server", async () => {
    const before = stub.seen.length;
    const answer = await askAs(Buffer.from([0x6a, 0xfc, 0x72, 0x67, 0x65, 0x6e]), []);
    assert.equal(answer.status, 403);
    assert.match(answer.body, /x-forwarded-user header is not UTF-8 text/);
    assert.equal(stub.seen.length, before);
  });
});
