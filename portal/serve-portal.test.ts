import assert from "node:assert/strict";
import { get } from "node:http";
import type { IncomingMessage } from "node:http";
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
