import { describe, test } from "node:test";
import assert from "node:assert/strict";
import type { DnsRecord } from "./route53-port.ts";
import { parseRegistryValue, registeredName, registryName, registryRecord, registryValue, ZoneRegistry } from "./txt-registry.ts";

const apex = "example.com";
const ours = '"heritage=external-dns,external-dns/owner=hostgate-prod,external-dns/resource=domainroute/team-a/shop"';
const txt = (name: string, ...values: string[]): DnsRecord => ({ name, type: "TXT", ttl: 300, values });
const alias = (name: string, type = "A"): DnsRecord => ({
  name,
  type,
  alias: { hostedZoneId: "Z35SXDOTRQ7X7K", dnsName: "public-1.us-east-1.elb.amazonaws.com", evaluateTargetHealth: true },
});

describe("the registry's names", () => {
  for (const [name, type, expected] of [
    ["shop.example.com", "A", "a-shop.example.com"],
    ["shop.example.com", "AAAA", "aaaa-shop.example.com"],
    ["shop.example.com", "CNAME", "cname-shop.example.com"],
    ["a.b.example.com", "A", "a-a.b.example.com"],
    ["_3f2a.shop.example.com", "CNAME", "cname-_3f2a.shop.example.com"],
    ["*.example.com", "A", "a-*.example.com"],
    ["example.com", "A", "_hostgate-a.example.com"],
    ["example.com", "AAAA", "_hostgate-aaaa.example.com"],
  ] as const) {
    test(`${type} ${name} is registered at ${expected}`, () => assert.equal(registryName(name, type, apex), expected));
  }

  for (const [txtName, expected] of [
    ["a-shop.example.com", { name: "shop.example.com", type: "A" }],
    ["aaaa-shop.example.com", { name: "shop.example.com", type: "AAAA" }],
    ["cname-shop.example.com", { name: "shop.example.com", type: "CNAME" }],
    ["a-*.example.com", { name: "*.example.com", type: "A" }],
    ["_hostgate-a.example.com", { name: "example.com", type: "A" }],
    ["_hostgate-a.sub.example.com", { name: "_hostgate-a.sub.example.com" }],
    ["shop.example.com", { name: "shop.example.com" }],
    ["my-shop.example.com", { name: "my-shop.example.com" }],
  ] as const) {
    test(`a TXT at ${txtName} speaks for ${expected.type ?? "any type but AAAA (old format)"} ${expected.name}`, () =>
      assert.deepEqual(registeredName(txtName, apex), expected));
  }
});

describe("the registry's values", () => {
  test("hostgate writes external-dns's value, quoted, heritage first and labels sorted", () =>
    assert.equal(registryValue("hostgate-prod", "domainroute/team-a/shop"), ours));

  test("a value over 255 characters is split into quoted strings of at most 255 and parses back whole", () => {
    const resource = `domainroute/team-a/${"x".repeat(300)}`;
    const value = registryValue("hostgate-prod", resource);
    const strings = value.match(/"[^"]*"/g) ?? [];
    assert.equal(strings.length, 2);
    assert.ok(strings.every((s) => s.length - 2 <= 255));
    assert.deepEqual(parseRegistryValue(value), { owner: "hostgate-prod", resource });
  });

  for (const [what, value, expected] of [
    ["hostgate's own value", ours, { owner: "hostgate-prod", resource: "domainroute/team-a/shop" }],
    [
      "the fields in another order",
      '"external-dns/resource=ingress/x/y,heritage=external-dns,external-dns/owner=other"',
      { owner: "other", resource: "ingress/x/y" },
    ],
    ["an unquoted value", "heritage=external-dns,external-dns/owner=other", { owner: "other" }],
    ["split strings", '"heritage=external-dns,external-dns/ow" "ner=other"', { owner: "other" }],
    ["an octal escape", '"heritage=external-dns,external-dns/owner\\075other"', { owner: "other" }],
    ["extra labels", '"heritage=external-dns,external-dns/owner=o,external-dns/ownedRecord=x.example.com"', { owner: "o", ownedRecord: "x.example.com" }],
    ["a token with two equals signs, skipped", '"heritage=external-dns,external-dns/owner=o=p"', {}],
    ["another heritage", '"heritage=someone-else,external-dns/owner=o"', undefined],
    ["no heritage", '"external-dns/owner=o"', undefined],
    ["an SPF record", '"v=spf1 include:_spf.google.com ~all"', undefined],
    ["an encrypted value", '"Wq3sA2ImOTT2S3c0Yz9Nc1A1Z0xhVW5+"', undefined],
  ] as const) {
    test(`${what} reads as ${JSON.stringify(expected)}`, () => assert.deepEqual(parseRegistryValue(value), expected));
  }

  test("the registry record beside a latency record carries its set identifier and region (external-dns: WithSetIdentifier, ProviderSpecific)", () =>
    assert.deepEqual(
      registryRecord(
        { name: "shop.example.com", type: "A", setIdentifier: "aks01-weu", region: "eu-west-1" },
        apex,
        "hostgate-prod",
        "domainroute/team-a/shop",
      ),
      { ...txt("a-shop.example.com", ours), setIdentifier: "aks01-weu", region: "eu-west-1" },
    ));

  test("the registry record beside a record is a TXT with ttl 300 at its registry name", () =>
    assert.deepEqual(
      registryRecord({ name: "shop.example.com", type: "A" }, apex, "hostgate-prod", "domainroute/team-a/shop"),
      txt("a-shop.example.com", ours),
    ));
});

describe("who a record belongs to", () => {
  const other = '"heritage=external-dns,external-dns/owner=other,external-dns/resource=ingress/x/y"';
  const cases: { name: string; records: DnsRecord[]; record: DnsRecord; owner: string | undefined; from?: string }[] = [
    { name: "the new-format TXT speaks for its record", records: [txt("a-shop.example.com", ours)], record: alias("shop.example.com"), owner: "hostgate-prod" },
    { name: "another owner's TXT makes it theirs", records: [txt("a-shop.example.com", other)], record: alias("shop.example.com"), owner: "other" },
    { name: "no TXT makes it nobody's", records: [], record: alias("shop.example.com"), owner: undefined },
    {
      name: "a TXT that is not a registry value makes it nobody's",
      records: [txt("a-shop.example.com", '"hello"')],
      record: alias("shop.example.com"),
      owner: undefined,
    },
    {
      name: "the cname- TXT external-dns wrote for an alias A record speaks for it",
      records: [txt("cname-shop.example.com", other)],
      record: alias("shop.example.com"),
      owner: "other",
    },
    {
      name: "the new format is preferred to the alias cname- one",
      records: [txt("cname-shop.example.com", other), txt("a-shop.example.com", ours)],
      record: alias("shop.example.com"),
      owner: "hostgate-prod",
    },
    {
      name: "a cname- TXT does not speak for a plain A record",
      records: [txt("cname-shop.example.com", other)],
      record: { name: "shop.example.com", type: "A", ttl: 60, values: ["192.0.2.1"] },
      owner: undefined,
    },
    {
      name: "the old format (a TXT at the record's name) speaks for an A record",
      records: [txt("shop.example.com", other)],
      record: alias("shop.example.com"),
      owner: "other",
    },
    {
      name: "the old format does not speak for an AAAA record",
      records: [txt("shop.example.com", other)],
      record: alias("shop.example.com", "AAAA"),
      owner: undefined,
    },
    {
      name: "shop's TXT at a-shop.example.com never owns the records of a-shop.example.com",
      records: [txt("a-shop.example.com", ours)],
      record: alias("a-shop.example.com"),
      owner: undefined,
    },
    { name: "the apex is registered inside the zone", records: [txt("_hostgate-a.example.com", ours)], record: alias("example.com"), owner: "hostgate-prod" },
    {
      name: "a TXT holding two owners' values belongs to nobody",
      records: [txt("a-shop.example.com", ours, other)],
      record: alias("shop.example.com"),
      owner: undefined,
    },
    {
      name: "a TXT holding a registry value beside an unrelated one still speaks",
      records: [txt("a-shop.example.com", '"hello"', ours)],
      record: alias("shop.example.com"),
      owner: "hostgate-prod",
    },
  ];
  for (const c of cases) {
    test(c.name, () => assert.equal(new ZoneRegistry(c.records, apex).ownerOf(c.record)?.labels.owner, c.owner));
  }
});

describe("who a latency record belongs to: the TXT with its own set identifier", () => {
  const weu = '"heritage=external-dns,external-dns/owner=hostgate-weu,external-dns/resource=domainroute/team-a/shop"';
  const use = '"heritage=external-dns,external-dns/owner=hostgate-use,external-dns/resource=domainroute/team-a/shop"';
  const simple = '"heritage=external-dns,external-dns/owner=hostgate-simple,external-dns/resource=domainroute/team-a/shop"';
  const set = (record: DnsRecord, setIdentifier: string, region: string): DnsRecord => ({ ...record, setIdentifier, region });
  // A record in each cluster's latency set; aks02-weu is a third cluster with no TXT in the zone.
  const inWeu = (record: DnsRecord) => set(record, "aks01-weu", "eu-west-1");
  const inUse = (record: DnsRecord) => set(record, "aks01-use", "us-east-1");
  const zone = [
    inWeu(txt("a-shop.example.com", weu)),
    inUse(txt("a-shop.example.com", use)),
    txt("a-blog.example.com", simple),
    inUse(txt("cname-legacy.example.com", use)),
    inUse(txt("old.example.com", use)),
  ];
  const cases: { name: string; record: DnsRecord; owner: string | undefined }[] = [
    {
      name: "each cluster's TXT at one name speaks for its own set identifier's record (weu)",
      record: inWeu(alias("shop.example.com")),
      owner: "hostgate-weu",
    },
    {
      name: "each cluster's TXT at one name speaks for its own set identifier's record (use)",
      record: inUse(alias("shop.example.com")),
      owner: "hostgate-use",
    },
    {
      name: "no TXT with a third set identifier makes its record nobody's",
      record: set(alias("shop.example.com"), "aks02-weu", "eu-west-2"),
      owner: undefined,
    },
    { name: "latency TXTs do not speak for the simple record of their name", record: alias("shop.example.com"), owner: undefined },
    { name: "a simple TXT does not speak for a latency record of its name", record: inUse(alias("blog.example.com")), owner: undefined },
    {
      name: "the legacy cname- TXT of an alias A speaks for it with the same set identifier",
      record: inUse(alias("legacy.example.com")),
      owner: "hostgate-use",
    },
    {
      name: "the old format with a set identifier speaks for the record with that set identifier",
      record: inUse(alias("old.example.com")),
      owner: "hostgate-use",
    },
    { name: "the old format with a set identifier does not speak for the simple record", record: alias("old.example.com"), owner: undefined },
  ];
  for (const c of cases) {
    test(c.name, () => assert.equal(new ZoneRegistry(zone, apex).ownerOf(c.record)?.labels.owner, c.owner));
  }

  test("the TXTs sharing a name are told apart by set identifier, and all speak for the name", () => {
    const registry = new ZoneRegistry(zone, apex);
    assert.equal(registry.entryAt("a-shop.example.com", "aks01-weu")?.labels.owner, "hostgate-weu");
    assert.equal(registry.entryAt("a-shop.example.com", "aks01-use")?.labels.owner, "hostgate-use");
    assert.equal(registry.entryAt("a-shop.example.com"), undefined);
    assert.equal(registry.entryAt("a-blog.example.com")?.labels.owner, "hostgate-simple");
    assert.deepEqual(
      registry
        .entriesFor("shop.example.com")
        .map((e) => [e.labels.owner, e.setIdentifier])
        .sort(),
      [
        ["hostgate-use", "aks01-use"],
        ["hostgate-weu", "aks01-weu"],
      ],
    );
  });
});
