import assert from "node:assert/strict";
import type { IncomingMessage } from "node:http";
import { describe, it } from "node:test";
import { checkIdentity, identityResolver, MAX_GROUPS, MAX_NAME_LENGTH, parseFixedIdentity, parseTrustedProxies, splitGroups } from "./identity.ts";
import type { IdentityResult } from "./identity.ts";

/** A request as node hands it over: the socket's peer and the header lines, names lower-cased. */
function request(remoteAddress: string, headers: Record<string, string[]>, socket: Record<string, unknown> = {}): IncomingMessage {
  return { socket: { remoteAddress, ...socket }, headersDistinct: headers } as unknown as IncomingMessage;
}

/** How Node hands over a header line the proxy sent as UTF-8: one character per byte. */
const wire = (text: string): string => Buffer.from(text, "utf8").toString("latin1");

const proxy = identityResolver({ kind: "proxy", trustedProxies: ["10.0.0.0/8", "127.0.0.1/32"] });

describe("identity from a trusted proxy's headers", () => {
  const cases: Array<{ name: string; remote: string; headers: Record<string, string[]>; expect: IdentityResult | { status: number; message: RegExp } }> = [
    {
      name: "a trusted peer's user and groups are believed",
      remote: "10.1.2.3",
      headers: { "x-forwarded-user": ["jane"], "x-forwarded-groups": ["team-a"] },
      expect: { ok: true, identity: { user: "jane", groups: ["team-a"] } },
    },
    {
      name: "an IPv4 peer reported by a dual-stack socket (::ffff:127.0.0.1) matches an IPv4 CIDR",
      remote: "::ffff:127.0.0.1",
      headers: { "x-forwarded-user": ["jane"] },
      expect: { ok: true, identity: { user: "jane", groups: [] } },
    },
    {
      name: "an untrusted peer's headers are ignored: no identity (401)",
      remote: "192.168.1.9",
      headers: { "x-forwarded-user": ["jane"], "x-forwarded-groups": ["admins"] },
      expect: { status: 401, message: /192\.168\.1\.9, which is not a trusted proxy/ },
    },
    {
      name: "an address next to a trusted /32 is untrusted",
      remote: "127.0.0.2",
      headers: { "x-forwarded-user": ["jane"] },
      expect: { status: 401, message: /not a trusted proxy/ },
    },
    {
      name: "an X-Forwarded-For naming a trusted address changes nothing: the socket's peer decides",
      remote: "192.168.1.9",
      headers: { "x-forwarded-user": ["jane"], "x-forwarded-for": ["10.0.0.1"] },
      expect: { status: 401, message: /not a trusted proxy/ },
    },
    {
      name: "a trusted peer that names nobody gives no identity (401)",
      remote: "10.0.0.1",
      headers: { "x-forwarded-groups": ["team-a"] },
      expect: { status: 401, message: /sent no x-forwarded-user header/ },
    },
    {
      name: "groups repeated on several lines and comma-joined on one are all read, trimmed, sorted, once each",
      remote: "10.0.0.1",
      headers: { "x-forwarded-user": ["jane"], "x-forwarded-groups": ["team-b, devs", "team-a", "devs,,"] },
      expect: { ok: true, identity: { user: "jane", groups: ["devs", "team-a", "team-b"] } },
    },
    {
      name: "two different users is ambiguous and refused (403)",
      remote: "10.0.0.1",
      headers: { "x-forwarded-user": ["jane", "joe"] },
      expect: { status: 403, message: /2 different x-forwarded-user values/ },
    },
    {
      name: "system:masters is refused (403)",
      remote: "10.0.0.1",
      headers: { "x-forwarded-user": ["jane"], "x-forwarded-groups": ["team-a,system:masters"] },
      expect: { status: 403, message: /group "system:masters" is a reserved Kubernetes name/ },
    },
    {
      name: "a system: user is refused (403)",
      remote: "10.0.0.1",
      headers: { "x-forwarded-user": ["system:serviceaccount:kube-system:admin"] },
      expect: { status: 403, message: /user "system:serviceaccount:kube-system:admin" is a reserved/ },
    },
    {
      name: "names sent as UTF-8 bytes (Node reads one character per byte) are decoded once: jürgen is jürgen, groups too",
      remote: "10.0.0.1",
      headers: { "x-forwarded-user": [wire("jürgen")], "x-forwarded-groups": [wire("開発,Łódź")] },
      expect: { ok: true, identity: { user: "jürgen", groups: ["Łódź", "開発"] } },
    },
    {
      name: "a name whose UTF-8 holds bytes 0x80-0x9f (Łukasz: c5 81) is a name, not a control character",
      remote: "10.0.0.1",
      headers: { "x-forwarded-user": [wire("Łukasz")] },
      expect: { ok: true, identity: { user: "Łukasz", groups: [] } },
    },
    {
      name: "a user header that is not UTF-8 is refused (403), never guessed at",
      remote: "10.0.0.1",
      headers: { "x-forwarded-user": ["j\u00fcrgen"] },
      expect: { status: 403, message: /x-forwarded-user header is not UTF-8 text/ },
    },
    {
      name: "a groups header that is not UTF-8 is refused (403)",
      remote: "10.0.0.1",
      headers: { "x-forwarded-user": ["jane"], "x-forwarded-groups": ["team-\u00e4"] },
      expect: { status: 403, message: /x-forwarded-groups header is not UTF-8 text/ },
    },
    {
      name: "a C1 control character (U+0085, sent as c2 85) is refused as the transport would refuse it (403)",
      remote: "10.0.0.1",
      headers: { "x-forwarded-user": [wire("jane\u0085")] },
      expect: { status: 403, message: /contains control characters/ },
    },
    {
      name: "system:authenticated (implied by the API server) is dropped, not refused",
      remote: "10.0.0.1",
      headers: { "x-forwarded-user": ["jane"], "x-forwarded-groups": ["system:authenticated,team-a"] },
      expect: { ok: true, identity: { user: "jane", groups: ["team-a"] } },
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const got = proxy(request(c.remote, c.headers));
      if ("ok" in c.expect) return assert.deepEqual(got, c.expect);
      assert.equal(got.ok, false);
      if (got.ok) return;
      assert.equal(got.status, c.expect.status);
      assert.match(got.message, c.expect.message);
    });
  }

  it("reads configured header names (oauth2-proxy's X-Auth-Request-* through nginx)", () => {
    const resolve = identityResolver({
      kind: "proxy",
      trustedProxies: ["10.0.0.0/8"],
      headers: { user: "X-Auth-Request-User", groups: "X-Auth-Request-Groups" },
    });
    const got = resolve(request("10.0.0.1", { "x-auth-request-user": ["jane"], "x-auth-request-groups": ["a,b"], "x-forwarded-user": ["mallory"] }));
    assert.deepEqual(got, { ok: true, identity: { user: "jane", groups: ["a", "b"] } });
  });
});

describe("identity from an mTLS client certificate", () => {
  const mtls = identityResolver({ kind: "mtls", allowedNames: ["oauth2-proxy"] });
  const headers = { "x-forwarded-user": ["jane"] };
  const cases: Array<{ name: string; socket: Record<string, unknown>; ok: boolean; message?: RegExp }> = [
    {
      name: "a verified certificate with an allowed CN is believed",
      socket: { authorized: true, getPeerCertificate: () => ({ subject: { CN: "oauth2-proxy" } }) },
      ok: true,
    },
    {
      name: "a verified certificate with another CN is not",
      socket: { authorized: true, getPeerCertificate: () => ({ subject: { CN: "someone-else" } }) },
      ok: false,
      message: /CN "someone-else" is not an allowed proxy name/,
    },
    {
      name: "an unverified certificate is not",
      socket: { authorized: false, getPeerCertificate: () => ({ subject: { CN: "oauth2-proxy" } }) },
      ok: false,
      message: /no verified client certificate/,
    },
    { name: "a plain connection is not", socket: {}, ok: false, message: /no verified client certificate/ },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const got = mtls(request("10.0.0.1", headers, c.socket));
      assert.equal(got.ok, c.ok);
      if (!got.ok) {
        assert.equal(got.status, 401);
        assert.match(got.message, c.message as RegExp);
      }
    });
  }
});

describe("identity configuration", () => {
  it("a fixed identity answers every request, whoever connects and whatever they send", () => {
    const fixed = identityResolver({ kind: "fixed", identity: parseFixedIdentity("dev:team-b,team-a") });
    assert.deepEqual(fixed(request("192.168.0.1", { "x-forwarded-user": ["mallory"] })), { ok: true, identity: { user: "dev", groups: ["team-a", "team-b"] } });
  });

  const refusedConfigs: Array<{ name: string; build: () => unknown; message: RegExp }> = [
    {
      name: "a trusted proxy that is not a CIDR",
      build: () => parseTrustedProxies(["10.0.0.1", "10.0.0.0/8"]),
      message: /trusted proxy "10\.0\.0\.1" is not a CIDR/,
    },
    { name: "no trusted proxy at all", build: () => parseTrustedProxies([]), message: /no trusted proxy/ },
    {
      name: "an mTLS source without allowed names",
      build: () => identityResolver({ kind: "mtls", allowedNames: [] }),
      message: /at least one allowed client certificate name/,
    },
    {
      name: "a header name with a space",
      build: () => identityResolver({ kind: "proxy", trustedProxies: ["10.0.0.0/8"], headers: { user: "X User" } }),
      message: /user header name "x user" is not an HTTP header name/,
    },
    { name: "a fixed system: identity", build: () => identityResolver({ kind: "fixed", identity: { user: "system:admin", groups: [] } }), message: /reserved/ },
    { name: "--portal-as without a user", build: () => parseFixedIdentity(":team-a"), message: /names no user/ },
  ];
  for (const c of refusedConfigs) it(`refuses ${c.name}`, () => assert.throws(c.build, c.message));
});

describe("identity bounds", () => {
  it(`refuses a name longer than ${MAX_NAME_LENGTH} characters`, () => {
    const got = checkIdentity("j".repeat(MAX_NAME_LENGTH + 1), []);
    assert.equal(got.ok, false);
    assert.match((got as { message: string }).message, /longer than 256 characters/);
  });
  it(`refuses more than ${MAX_GROUPS} groups`, () => {
    const got = checkIdentity(
      "jane",
      Array.from({ length: MAX_GROUPS + 1 }, (_, i) => `g${i}`),
    );
    assert.match((got as { message: string }).message, /257 groups, more than the 256/);
  });
  it("refuses control characters", () => {
    assert.match((checkIdentity("jane", ["a\u0000b"]) as { message: string }).message, /control characters/);
  });
  it("splits comma-joined lines", () => assert.deepEqual(splitGroups(["b,a", " c "]), ["a", "b", "c"]));
});
