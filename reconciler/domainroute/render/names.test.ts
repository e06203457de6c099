import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { domainHash, HASH_LENGTH, MAX_NAME_LENGTH, objectNameFor, regionalObjectName } from "./names.ts";

const DNS_1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const label = (length: number, char = "a") => char.repeat(length);

describe("objectNameFor", () => {
  it("turns dots into dashes and appends 100 bits of sha256(domain) as 20 lowercase base32 characters", () => {
    // Golden value: python3 -c 'import hashlib,base64; print(base64.b32encode(hashlib.sha256(b"shop.example.com").digest()).decode().lower()[:20])'
    assert.equal(objectNameFor("shop.example.com"), "shop-example-com-sulchitprmzyrabku5eq");
    assert.equal(domainHash("shop.example.com"), "sulchitprmzyrabku5eq");
  });

  it("carries at least 80 bits of hash, so no one can search for a domain whose name equals another's", () => {
    assert.ok(HASH_LENGTH * 5 >= 80, `${HASH_LENGTH} base32 characters carry ${HASH_LENGTH * 5} bits`);
    assert.match(domainHash("shop.example.com"), new RegExp(`^[a-z2-7]{${HASH_LENGTH}}$`));
  });

  it("gives different names to domains that read the same once dots become dashes", () => {
    assert.equal(objectNameFor("a-b.c"), "a-b-c-7mmh53ltpkzxlzr6cinn");
    assert.equal(objectNameFor("a.b-c"), "a-b-c-vof3fy2xr5233vva3ueo");
  });

  it("gives the same name for the same domain on every call", () => {
    assert.equal(objectNameFor("api.shop.example.com"), objectNameFor("api.shop.example.com"));
  });

  const longDomains: [string, string][] = [
    ["a 63-character first label", `${label(63)}.example.com`],
    ["the longest domain the schema allows (253 characters)", [label(63), label(63, "b"), label(63, "c"), label(61, "d")].join(".")],
    ["a dot as the last character truncation keeps", `${label(53)}.${label(20, "b")}.com`],
    ["a dash as the last character truncation keeps", `${label(53)}-${label(20, "b")}.com`],
  ];
  for (const [what, domain] of longDomains) {
    it(`keeps a domain with ${what} to a DNS-1123 label of at most 63 characters`, () => {
      const name = objectNameFor(domain);
      assert.ok(name.length <= MAX_NAME_LENGTH, `${name} has ${name.length} characters`);
      assert.match(name, DNS_1123_LABEL);
      assert.ok(name.endsWith(`-${domainHash(domain)}`), name);
      assert.ok(!name.includes("--"), `${name}: truncation left a dash before the hash`);
    });
  }

  it("gives different names to long domains that differ only after the truncated part", () => {
    const a = `${label(60)}.example.com`;
    const b = `${label(60)}.example.org`;
    assert.notEqual(objectNameFor(a), objectNameFor(b));
  });
});

describe("regionalObjectName", () => {
  it("reads domain then region, and ends in a hash over cluster, region and domain", () => {
    assert.match(regionalObjectName("shop.example.com", "aks01-weu", "weu"), /^shop-example-com-weu-[a-z2-7]{20}$/);
  });

  const variants: [string, string, string, string][] = [
    ["another cluster in the same region", "shop.example.com", "aks02-weu", "weu"],
    ["another region of the same cluster", "shop.example.com", "aks01-weu", "neu"],
    ["another domain", "blog.example.com", "aks01-weu", "weu"],
    ["a cluster whose name is a prefix of the other's", "shop.example.com", "aks01", "weu"],
  ];
  for (const [what, domain, cluster, region] of variants) {
    it(`differs for ${what}`, () => {
      assert.notEqual(regionalObjectName(domain, cluster, region), regionalObjectName("shop.example.com", "aks01-weu", "weu"));
    });
  }

  it("keeps the longest domain, cluster and region to a DNS-1123 label of at most 63 characters", () => {
    const domain = [label(63), label(63, "b"), label(63, "c"), label(61, "d")].join(".");
    const name = regionalObjectName(domain, label(63, "c"), label(63, "r"));
    assert.ok(name.length <= MAX_NAME_LENGTH);
    assert.match(name, DNS_1123_LABEL);
  });
});
