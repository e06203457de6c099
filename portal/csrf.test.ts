import assert from "node:assert/strict";
import type { IncomingMessage } from "node:http";
import { describe, it } from "node:test";
import { crossOriginProblem, crossSiteReadProblem, CsrfTokens, isJsonContentType } from "./csrf.ts";

const jane = { user: "jane", groups: ["team-a", "devs"] };

describe("CSRF tokens", () => {
  const tokens = new CsrfTokens(Buffer.alloc(32, 7));
  const token = tokens.issue(jane);
  const cases: Array<{ name: string; who: { user: string; groups: string[] }; token: string | undefined; valid: boolean }> = [
    { name: "the token issued to a person is valid for them", who: jane, token, valid: true },
    { name: "the same groups in another order are the same person", who: { user: "jane", groups: ["devs", "team-a"] }, token, valid: true },
    { name: "another person's token is refused", who: { user: "joe", groups: ["team-a", "devs"] }, token, valid: false },
    { name: "a token issued before a group was added is refused", who: { user: "jane", groups: ["team-a", "devs", "admins"] }, token, valid: false },
    { name: "a missing token is refused", who: jane, token: undefined, valid: false },
    { name: "a forged MAC is refused", who: jane, token: `${"0".repeat(64)}.${token.split(".")[1]}`, valid: false },
    { name: "a token of another secret is refused", who: jane, token: new CsrfTokens(Buffer.alloc(32, 8)).issue(jane), valid: false },
    { name: "junk is refused", who: jane, token: "not-a-token", valid: false },
  ];
  for (const c of cases) it(c.name, () => assert.equal(tokens.verify(c.who, c.token), c.valid));

  it("issues a different token each time, all valid", () => {
    const second = tokens.issue(jane);
    assert.notEqual(second, token);
    assert.equal(tokens.verify(jane, second), true);
  });

  it("refuses a secret shorter than 16 bytes", () => assert.throws(() => new CsrfTokens(Buffer.alloc(8)), /at least 16/));
});

function withHeaders(headers: Record<string, string>): IncomingMessage {
  return { headers } as unknown as IncomingMessage;
}

describe("same-origin checks for writes", () => {
  const origin = "https://routes.example.com";
  const cases: Array<{ name: string; headers: Record<string, string>; problem: RegExp | undefined }> = [
    { name: "Sec-Fetch-Site same-origin passes", headers: { "sec-fetch-site": "same-origin" }, problem: undefined },
    { name: "Sec-Fetch-Site cross-site is refused", headers: { "sec-fetch-site": "cross-site", origin }, problem: /"cross-site"/ },
    { name: "Sec-Fetch-Site same-site (a sibling subdomain) is refused", headers: { "sec-fetch-site": "same-site" }, problem: /"same-site"/ },
    { name: "without Fetch Metadata, the page's Origin passes", headers: { origin }, problem: undefined },
    {
      name: "without Fetch Metadata, another Origin is refused",
      headers: { origin: "https://evil.example" },
      problem: /Origin "https:\/\/evil\.example" is not/,
    },
    { name: "with neither header, the request is refused", headers: {}, problem: /neither Sec-Fetch-Site nor Origin/ },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const got = crossOriginProblem(withHeaders(c.headers), origin);
      if (c.problem === undefined) assert.equal(got, undefined);
      else assert.match(got ?? "", c.problem);
    });
  }

  const reads: Array<[string, string | undefined, boolean]> = [
    ["same-origin", "same-origin", true],
    ["none (typed in the address bar)", "none", true],
    ["absent (not a browser)", undefined, true],
    ["cross-site", "cross-site", false],
    ["same-site", "same-site", false],
  ];
  for (const [name, site, allowed] of reads) {
    it(`a read with Sec-Fetch-Site ${name} is ${allowed ? "allowed" : "refused"}`, () => {
      assert.equal(crossSiteReadProblem(withHeaders(site === undefined ? {} : { "sec-fetch-site": site })) === undefined, allowed);
    });
  }

  const types: Array<[string | undefined, boolean]> = [
    ["application/json", true],
    ["Application/JSON; charset=utf-8", true],
    ["text/plain", false],
    ["application/x-www-form-urlencoded", false],
    ["multipart/form-data; boundary=x", false],
    ["application/json-patch+json", false],
    [undefined, false],
  ];
  for (const [type, json] of types) it(`Content-Type ${type ?? "(none)"} ${json ? "is" : "is not"} JSON`, () => assert.equal(isJsonContentType(type), json));
});
