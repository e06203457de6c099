import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { externalServiceNameFor, listenerNameFor, routeObjectNameFor } from "./names.ts";
import { referenceGrantNameFor } from "./reference-grant.ts";

const DNS_1123_LABEL = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;
const longLabel = "a".repeat(63);
const LONGEST = `${[longLabel, longLabel, longLabel, "a".repeat(253 - 3 * 64 - ".example.com".length)].join(".")}.example.com`;

describe("the names of a route's Gateway API objects", () => {
  const namers: [string, (domain: string) => string][] = [
    ["the HTTPRoute", routeObjectNameFor],
    ["the backend ReferenceGrant", (d) => referenceGrantNameFor(d, "backend")],
    ["the auth ReferenceGrant", (d) => referenceGrantNameFor(d, "auth")],
    ["the external Service", externalServiceNameFor],
  ];
  for (const [what, nameFor] of namers) {
    it(`gives ${what} a DNS-1123 label for every domain, the longest and a wildcard included`, () => {
      for (const domain of ["shop.example.com", "*.team.example.com", "1shop.example.com", LONGEST]) assert.match(nameFor(domain), DNS_1123_LABEL, domain);
    });
  }

  it("never gives two of one domain's objects of one kind the same name, even when both live in one namespace", () => {
    const domain = "shop.example.com";
    assert.notEqual(referenceGrantNameFor(domain, "backend"), referenceGrantNameFor(domain, "auth"));
  });

  it("never gives two domains' grants one name when their readable parts are cut the same, and names the listener like the HTTPRoute", () => {
    assert.notEqual(
      referenceGrantNameFor(`${LONGEST.slice(0, 100)}.a.example.com`, "auth"),
      referenceGrantNameFor(`${LONGEST.slice(0, 100)}.b.example.com`, "auth"),
    );
    assert.equal(listenerNameFor("shop.example.com"), routeObjectNameFor("shop.example.com"), "the listener and the HTTPRoute read alike");
  });
});
