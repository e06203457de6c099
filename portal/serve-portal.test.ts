import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { get } from "node:http";
import type { IncomingMessage } from "node:http";
import { request as httpsRequest } from "node:https";
import { describe, it } from "node:test";
import { silentLogger } from "../core/logger.ts";
import { startPortal } from "./serve-portal.ts";
import type { StartPortalOptions } from "./serve-portal.ts";
import { FakeBackend } from "./testing/fake-backend.ts";

function options(extra: Partial<StartPortalOptions> = {}): StartPortalOptions {
  return {
    backend: new FakeBackend(),
    listen: { host: "127.0.0.1", port: 0 },
    identity: { kind: "proxy", trustedProxies: ["127.0.0.1/32"] },
    logger: silentLogger,
    ...extra,
  };
}

function fetchRaw(url: string, headers: Record<string, string>): Promise<{ res: IncomingMessage; body: string }> {
  return new Promise((resolve, reject) => {
    get(url, { headers }, (res) => {
      let body = "";
      res.setEncoding("utf8");
      res.on("data", (chunk: string) => {
        body += chunk;
      });
      res.on("end", () => resolve({ res, body }));
    }).on("error", reject);
  });
}

const MTLS = new URL("./testing/mtls/", import.meta.url);
const pem = (name: string) => readFileSync(new URL(name, MTLS), "utf8");

/** GET over HTTPS presenting the client certificate `client` (none when undefined): the status, or the handshake's error. */
function getWithCertificate(url: string, client: string | undefined): Promise<number | string> {
  return new Promise((resolve) => {
    const identity = client === undefined ? {} : { cert: pem(`${client}.pem`), key: pem(`${client}-key.pem`) };
    const req = httpsRequest(url, { ca: pem("ca.pem"), ...identity, headers: { "X-Forwarded-User": "jane" } }, (res) => {
      res.resume();
      res.on("end", () => resolve(res.statusCode ?? 0));
    });
    req.on("error", (error) => resolve(`refused: ${error.message}`));
    req.end();
  });
}

describe("startPortal with an mTLS-authenticated proxy", () => {
  const cases: Array<{ name: string; client: string | undefined; expect: number | RegExp }> = [
    { name: "the proxy's certificate (CN oauth2-proxy, signed by the client CA) makes its headers believed", client: "proxy", expect: 200 },
    { name: "a certificate of the client CA with another CN gives no identity (401)", client: "stranger", expect: 401 },
    { name: "a certificate with the right CN from another CA is refused in the handshake", client: "forged", expect: /^refused/ },
    { name: "no client certificate is refused in the handshake", client: undefined, expect: /^refused/ },
  ];
  for (const c of cases) {
    it(c.name, async () => {
      const portal = await startPortal(
        options({
          identity: { kind: "mtls", allowedNames: ["oauth2-proxy"] },
          tls: { cert: pem("server.pem"), key: pem("server-key.pem"), clientCa: pem("ca.pem") },
        }),
      );
      try {
        assert.match(portal.url, /^https:\/\/127\.0\.0\.1:\d+$/);
        const got = await getWithCertificate(`${portal.url}/api/session`, c.client);
        if (typeof c.expect === "number") assert.equal(got, c.expect);
        else assert.match(String(got), c.expect);
      } finally {
        await portal.stop();
      }
    });
  }
});

describe("startPortal", () => {
  it("serves the shell to a person the trusted proxy names, over HTTP", async () => {
    const portal = await startPortal(options());
    try {
      assert.match(portal.url, /^http:\/\/127\.0\.0\.1:\d+$/);
      const { res, body } = await fetchRaw(`${portal.url}/`, { "X-Forwarded-User": "jane" });
      assert.equal(res.statusCode, 200);
      assert.match(body, /<meta name="hostgate-csrf" content="[0-9a-f]{64}\.[A-Za-z0-9_-]{24}">/);
    } finally {
      await portal.stop();
    }
  });

  it("stops promptly while an event stream is open, ending the stream", async () => {
    const backend = new FakeBackend();
    const portal = await startPortal(options({ backend }));
    const ended = new Promise<string>((resolve) => {
      get(`${portal.url}/api/events?namespace=team-a`, { headers: { "X-Forwarded-User": "jane" } }, (res) => {
        let text = "";
        res.setEncoding("utf8");
        res.on("data", (chunk: string) => {
          text += chunk;
        });
        res.on("end", () => resolve(text));
      });
    });
    await backend.waitForWatches(1);
    const started = Date.now();
    await portal.stop();
    assert.ok(Date.now() - started < 2_000, "stop() waited for the stream");
    assert.match(await ended, /event: snapshot/);
    assert.equal(backend.openWatches().length, 0);
  });

  it("stops within its shutdown timeout even while a list hangs on an API server that never answers", async () => {
    const backend = new FakeBackend();
    let listing = false;
    backend.routes = () => {
      listing = true;
      return new Promise(() => {});
    };
    const portal = await startPortal(options({ backend, shutdownTimeoutMs: 200 }));
    const streaming = new Promise<void>((resolve) => {
      get(`${portal.url}/api/events?namespace=team-a`, { headers: { "X-Forwarded-User": "jane" } }, (res) => {
        res.resume();
        res.on("close", () => resolve());
      });
    });
    while (!listing) await new Promise((resolve) => setTimeout(resolve, 5));
    const started = Date.now();
    await portal.stop();
    assert.ok(Date.now() - started < 2_000, `stop() took ${Date.now() - started} ms`);
    await streaming;
  });

  it("accepts headers past Node's 16 KiB default when maxHeaderSize allows them (people in many groups)", async () => {
    const groups = Array.from({ length: 250 }, (_, i) => `directory-group-with-a-rather-long-distinguished-name-from-ldap-number-${i}`).join(",");
    const small = await startPortal(options());
    const large = await startPortal(options({ maxHeaderSize: 64 * 1024 }));
    try {
      assert.ok(groups.length > 16 * 1024);
      assert.equal((await fetchRaw(`${small.url}/api/session`, { "X-Forwarded-User": "jane", "X-Forwarded-Groups": groups })).res.statusCode, 431);
      const { res, body } = await fetchRaw(`${large.url}/api/session`, { "X-Forwarded-User": "jane", "X-Forwarded-Groups": groups });
      assert.equal(res.statusCode, 200);
      assert.equal(JSON.parse(body).groups.length, 250);
    } finally {
      await small.stop();
      await large.stop();
    }
  });

  it("with a fixed identity and no origin, answers only requests addressed to this machine", async () => {
    const portal = await startPortal(options({ identity: { kind: "fixed", identity: { user: "dev", groups: [] } } }));
    try {
      assert.equal((await fetchRaw(`${portal.url}/api/session`, {})).res.statusCode, 200);
      assert.equal((await fetchRaw(`${portal.url}/api/session`, { Host: "rebound.evil.example" })).res.statusCode, 403);
    } finally {
      await portal.stop();
    }
  });

  const refused: Array<{ name: string; extra: Partial<StartPortalOptions>; message: RegExp }> = [
    {
      name: "an mTLS identity without HTTPS and a client CA",
      extra: { identity: { kind: "mtls", allowedNames: ["oauth2-proxy"] } },
      message: /needs HTTPS with a client CA/,
    },
    { name: "an origin with a path", extra: { origin: "https://routes.example.com/portal" }, message: /is not an origin/ },
    { name: "a trusted proxy that is not a CIDR", extra: { identity: { kind: "proxy", trustedProxies: ["localhost"] } }, message: /"localhost" is not a CIDR/ },
  ];
  for (const c of refused) it(`refuses ${c.name} before listening`, async () => assert.rejects(startPortal(options(c.extra)), c.message));
});
