// The fake is a test oracle: planners are judged by it, so its rules are
// tested one by one against the messages real Route53 answers with.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { ChangeRejectedError, Route53UnavailableError } from "../../route53-port.ts";
import type { DnsRecord, RecordChange } from "../../route53-port.ts";
import { FakeRoute53 } from "./fake-route53.ts";

const ZONE = "Z1EXAMPLE";
const alb = { hostedZoneId: "Z35SXDOTRQ7X7K", dnsName: "alb-1.us-east-1.elb.amazonaws.com", evaluateTargetHealth: true };

const a = (name: string, ...values: string[]): DnsRecord => ({ name, type: "A", ttl: 300, values });
const txt = (name: string, value: string): DnsRecord => ({ name, type: "TXT", ttl: 300, values: [value] });
const cname = (name: string, value: string): DnsRecord => ({ name, type: "CNAME", ttl: 300, values: [value] });
const aliasA = (name: string, target = alb): DnsRecord => ({ name, type: "A", alias: target });
const latency = (name: string, setIdentifier: string, region: string, ...values: string[]): DnsRecord => ({ ...a(name, ...values), setIdentifier, region });
const create = (record: DnsRecord): RecordChange => ({ action: "CREATE", record });
const upsert = (record: DnsRecord): RecordChange => ({ action: "UPSERT", record });
const del = (record: DnsRecord): RecordChange => ({ action: "DELETE", record });

function world(...seeded: DnsRecord[]): FakeRoute53 {
  const fake = new FakeRoute53();
  fake.addZone(ZONE, "example.com");
  fake.seed(ZONE, ...seeded);
  return fake;
}

async function rejection(promise: Promise<unknown>): Promise<ChangeRejectedError> {
  try {
    await promise;
  } catch (error) {
    assert.ok(error instanceof ChangeRejectedError, `expected a ChangeRejectedError, got ${error}`);
    return error;
  }
  assert.fail("expected the batch to be rejected");
}

interface Case {
  name: string;
  seed?: DnsRecord[];
  changes: RecordChange[];
  /** The zone afterwards (Route53 list order); the seed when the batch is refused. */
  after?: DnsRecord[];
  /** The refusal: its code and Route53's messages. */
  rejected?: { code: string; reasons: string[] };
}

// Route53's two refusals where simple and latency record sets of geo.example.com's A would meet: several cases
// below (CREATE or UPSERT, beside a simple or a weighted set) get the same answer, so each wording stands here once.
const SIMPLE_BESIDE_LATENCY = {
  code: "InvalidChangeBatch",
  reasons: ["RRSet with DNS name geo.example.com., type A cannot be created as other RRSets exist with the same name and type."],
};
const LATENCY_BESIDE_NON_LATENCY = {
  code: "InvalidChangeBatch",
  reasons: ["RRSet with DNS name geo.example.com., type A, SetIdentifier cluster-a cannot be created as a non-latency set exists with the same name and type."],
};

const cases: Case[] = [
  { name: "a CREATE of a new name lands", changes: [create(a("www.example.com", "192.0.2.1"))], after: [a("www.example.com", "192.0.2.1")] },
  {
    name: "a CREATE of a name and type that exist is refused as already existing",
    seed: [a("www.example.com", "192.0.2.1")],
    changes: [create(a("www.example.com", "192.0.2.2"))],
    rejected: { code: "InvalidChangeBatch", reasons: ["Tried to create resource record set [name='www.example.com.', type='A'] but it already exists"] },
  },
  {
    name: "a CREATE of an existing set identifier names the identifier",
    seed: [latency("geo.example.com", "Default", "eu-west-1", "192.0.2.1")],
    changes: [create(latency("geo.example.com", "Default", "us-east-1", "192.0.2.2"))],
    rejected: {
      code: "InvalidChangeBatch",
      reasons: ["Tried to create resource record set [name='geo.example.com.', type='A', set-identifier='Default'] but it already exists"],
    },
  },
  {
    name: "a latency CREATE beside another set identifier of the same name and type in another region lands",
    seed: [latency("geo.example.com", "eu", "eu-west-1", "192.0.2.1")],
    changes: [create(latency("geo.example.com", "us", "us-east-1", "192.0.2.2"))],
    after: [latency("geo.example.com", "eu", "eu-west-1", "192.0.2.1"), latency("geo.example.com", "us", "us-east-1", "192.0.2.2")],
  },
  {
    name: "a latency CREATE for a region another set identifier already answers for is refused",
    seed: [latency("geo.example.com", "cluster-a", "eu-west-1", "192.0.2.1")],
    changes: [create(latency("geo.example.com", "cluster-b", "eu-west-1", "192.0.2.2"))],
    rejected: {
      code: "InvalidChangeBatch",
      reasons: [
        "RRSet with DNS name geo.example.com., type A, SetIdentifier cluster-b, and Region Name=eu-west-1 cannot be created because a latency RRSet with the same name, type and region already exists.",
      ],
    },
  },
  {
    name: "a simple CREATE beside latency record sets of the same name and type is refused",
    seed: [latency("geo.example.com", "cluster-a", "eu-west-1", "192.0.2.1")],
    changes: [create(a("geo.example.com", "192.0.2.2"))],
    rejected: SIMPLE_BESIDE_LATENCY,
  },
  {
    name: "a simple UPSERT beside latency record sets is refused like a CREATE",
    seed: [latency("geo.example.com", "cluster-a", "eu-west-1", "192.0.2.1")],
    changes: [upsert(a("geo.example.com", "192.0.2.2"))],
    rejected: SIMPLE_BESIDE_LATENCY,
  },
  {
    name: "a latency CREATE beside a simple record set of the same name and type is refused",
    seed: [a("geo.example.com", "192.0.2.1")],
    changes: [create(latency("geo.example.com", "cluster-a", "eu-west-1", "192.0.2.2"))],
    rejected: LATENCY_BESIDE_NON_LATENCY,
  },
  {
    name: "a latency CREATE beside a weighted record set (a set identifier without a region) is refused",
    seed: [{ ...a("geo.example.com", "192.0.2.1"), setIdentifier: "blue" }],
    changes: [create(latency("geo.example.com", "cluster-a", "eu-west-1", "192.0.2.2"))],
    rejected: LATENCY_BESIDE_NON_LATENCY,
  },
  {
    name: "a latency record set of a type with no other record sets lands beside other types' simple ones",
    seed: [{ name: "geo.example.com", type: "AAAA", ttl: 300, values: ["2001:db8::1"] }],
    changes: [create(latency("geo.example.com", "cluster-a", "eu-west-1", "192.0.2.2"))],
    after: [latency("geo.example.com", "cluster-a", "eu-west-1", "192.0.2.2"), { name: "geo.example.com", type: "AAAA", ttl: 300, values: ["2001:db8::1"] }],
  },
  {
    name: "deleting the simple record set and creating a latency one in one batch lands (deletes apply first, in order)",
    seed: [a("geo.example.com", "192.0.2.1")],
    changes: [del(a("geo.example.com", "192.0.2.1")), create(latency("geo.example.com", "cluster-a", "eu-west-1", "192.0.2.2"))],
    after: [latency("geo.example.com", "cluster-a", "eu-west-1", "192.0.2.2")],
  },
  {
    name: "a CNAME CREATE beside another set identifier's latency A record set is refused (CNAME exclusivity ignores set identifiers)",
    seed: [latency("geo.example.com", "cluster-b", "us-east-1", "192.0.2.1")],
    changes: [create({ ...cname("geo.example.com", "gw.example.net"), setIdentifier: "cluster-a", region: "eu-west-1" })],
    rejected: {
      code: "InvalidChangeBatch",
      reasons: [
        "RRSet of type CNAME with DNS name geo.example.com. is not permitted as it conflicts with other records with the same DNS name in zone example.com.",
      ],
    },
  },
  {
    name: "latency CNAMEs of two set identifiers share a name",
    seed: [{ ...cname("geo.example.com", "gw-b.example.net"), setIdentifier: "cluster-b", region: "us-east-1" }],
    changes: [create({ ...cname("geo.example.com", "gw-a.example.net"), setIdentifier: "cluster-a", region: "eu-west-1" })],
    after: [
      { ...cname("geo.example.com", "gw-a.example.net"), setIdentifier: "cluster-a", region: "eu-west-1" },
      { ...cname("geo.example.com", "gw-b.example.net"), setIdentifier: "cluster-b", region: "us-east-1" },
    ],
  },
  {
    name: "a DELETE of a latency record set with another region is refused as not matching, and the set stays",
    seed: [latency("geo.example.com", "cluster-a", "eu-west-1", "192.0.2.1")],
    changes: [del(latency("geo.example.com", "cluster-a", "us-east-1", "192.0.2.1"))],
    rejected: {
      code: "InvalidChangeBatch",
      reasons: [
        "Tried to delete resource record set [name='geo.example.com.', type='A', set-identifier='cluster-a'] but the values provided do not match the current values",
      ],
    },
  },
  {
    name: "a DELETE of a latency record set removes only that set identifier's record set",
    seed: [
      latency("geo.example.com", "cluster-a", "eu-west-1", "192.0.2.1"),
      latency("geo.example.com", "cluster-b", "us-east-1", "192.0.2.2"),
      latency("blog.example.com", "cluster-a", "eu-west-1", "192.0.2.3"),
    ],
    changes: [del(latency("geo.example.com", "cluster-a", "eu-west-1", "192.0.2.1"))],
    after: [latency("blog.example.com", "cluster-a", "eu-west-1", "192.0.2.3"), latency("geo.example.com", "cluster-b", "us-east-1", "192.0.2.2")],
  },
  {
    name: "a set identifier without a region (a policy the port cannot carry) is refused as invalid input",
    changes: [create({ ...a("geo.example.com", "192.0.2.1"), setIdentifier: "blue" })],
    rejected: {
      code: "InvalidInput",
      reasons: [
        "Invalid request: Expected exactly one of [Weight, Region, Failover, GeoLocation, or MultiValueAnswer], but found none in Change with [Action=CREATE, Name=geo.example.com., Type=A, SetIdentifier=blue]",
      ],
    },
  },
  {
    name: "a region without a set identifier is refused as invalid input",
    changes: [create({ ...a("geo.example.com", "192.0.2.1"), region: "eu-west-1" })],
    rejected: {
      code: "InvalidInput",
      reasons: ["Invalid request: Missing field 'SetIdentifier' in Change with [Action=CREATE, Name=geo.example.com., Type=A, SetIdentifier=null]"],
    },
  },
  {
    name: "a DELETE of a missing record is refused as not found",
    changes: [del(a("gone.example.com", "192.0.2.1"))],
    rejected: { code: "InvalidChangeBatch", reasons: ["Tried to delete resource record set [name='gone.example.com.', type='A'] but it was not found"] },
  },
  {
    name: "a DELETE with a stale ttl is refused as not matching",
    seed: [a("www.example.com", "192.0.2.1")],
    changes: [del({ ...a("www.example.com", "192.0.2.1"), ttl: 60 })],
    rejected: {
      code: "InvalidChangeBatch",
      reasons: ["Tried to delete resource record set [name='www.example.com.', type='A'] but the values provided do not match the current values"],
    },
  },
  {
    name: "a DELETE with a stale value is refused as not matching",
    seed: [a("www.example.com", "192.0.2.1", "192.0.2.2")],
    changes: [del(a("www.example.com", "192.0.2.1"))],
    rejected: {
      code: "InvalidChangeBatch",
      reasons: ["Tried to delete resource record set [name='www.example.com.', type='A'] but the values provided do not match the current values"],
    },
  },
  {
    name: "a DELETE with a different alias target is refused as not matching",
    seed: [aliasA("shop.example.com")],
    changes: [del(aliasA("shop.example.com", { ...alb, evaluateTargetHealth: false }))],
    rejected: {
      code: "InvalidChangeBatch",
      reasons: ["Tried to delete resource record set [name='shop.example.com.', type='A'] but the values provided do not match the current values"],
    },
  },
  {
    name: "a DELETE matching the current values in another order lands",
    seed: [a("www.example.com", "192.0.2.1", "192.0.2.2"), txt("www.example.com", '"keep"')],
    changes: [del(a("www.example.com", "192.0.2.2", "192.0.2.1"))],
    after: [txt("www.example.com", '"keep"')],
  },
  {
    name: "an UPSERT replaces the current record",
    seed: [a("www.example.com", "192.0.2.1")],
    changes: [upsert(aliasA("www.example.com"))],
    after: [aliasA("www.example.com")],
  },
  {
    name: "an UPSERT of a new name creates it",
    changes: [upsert(cname("docs.example.com", "docs.vendor.net"))],
    after: [cname("docs.example.com", "docs.vendor.net")],
  },
  {
    name: "a CNAME at the zone apex is refused",
    changes: [create(cname("example.com", "elsewhere.net"))],
    rejected: { code: "InvalidChangeBatch", reasons: ["RRSet of type CNAME with DNS name example.com. is not permitted at apex in zone example.com."] },
  },
  {
    name: "an alias A at the zone apex lands",
    changes: [create(aliasA("example.com"))],
    after: [aliasA("example.com")],
  },
  {
    name: "a CNAME beside another type at the same name is refused",
    seed: [txt("app.example.com", '"owned"')],
    changes: [create(cname("app.example.com", "elsewhere.net"))],
    rejected: {
      code: "InvalidChangeBatch",
      reasons: [
        "RRSet of type CNAME with DNS name app.example.com. is not permitted as it conflicts with other records with the same DNS name in zone example.com.",
      ],
    },
  },
  {
    name: "another type beside a CNAME at the same name is refused",
    seed: [cname("app.example.com", "elsewhere.net")],
    changes: [create(txt("app.example.com", '"owned"'))],
    rejected: {
      code: "InvalidChangeBatch",
      reasons: [
        "RRSet of type TXT with DNS name app.example.com. is not permitted because a conflicting RRSet of type CNAME with the same DNS name already exists in zone example.com.",
      ],
    },
  },
  {
    name: "a name outside the zone is refused",
    changes: [create(a("www.example.org", "192.0.2.1"))],
    rejected: { code: "InvalidChangeBatch", reasons: ["RRSet with DNS name www.example.org. is not permitted in zone example.com."] },
  },
  {
    name: "a name that only ends like the zone is outside it",
    changes: [create(a("notexample.com", "192.0.2.1"))],
    rejected: { code: "InvalidChangeBatch", reasons: ["RRSet with DNS name notexample.com. is not permitted in zone example.com."] },
  },
  {
    name: "an unquoted TXT value is refused",
    changes: [create(txt("a-www.example.com", "heritage=external-dns"))],
    rejected: {
      code: "InvalidChangeBatch",
      reasons: [
        "Invalid Resource Record: 'FATAL problem: InvalidCharacterString (Value should be enclosed in quotation marks) encountered with 'heritage=external-dns''",
      ],
    },
  },
  {
    name: "a batch with one bad change applies nothing and names only the bad change",
    seed: [a("taken.example.com", "192.0.2.9")],
    changes: [create(a("new.example.com", "192.0.2.1")), create(a("taken.example.com", "192.0.2.1"))],
    rejected: { code: "InvalidChangeBatch", reasons: ["Tried to create resource record set [name='taken.example.com.', type='A'] but it already exists"] },
  },
  {
    name: "every bad change in a batch gets its own message, in order",
    changes: [del(a("one.example.com", "192.0.2.1")), create(cname("example.com", "x.net")), del(a("two.example.com", "192.0.2.1"))],
    rejected: {
      code: "InvalidChangeBatch",
      reasons: [
        "Tried to delete resource record set [name='one.example.com.', type='A'] but it was not found",
        "RRSet of type CNAME with DNS name example.com. is not permitted at apex in zone example.com.",
        "Tried to delete resource record set [name='two.example.com.', type='A'] but it was not found",
      ],
    },
  },
  {
    name: "a DELETE then a CREATE of one record set in one batch lands (changes apply in order)",
    seed: [cname("app.example.com", "old.net")],
    changes: [del(cname("app.example.com", "old.net")), create(aliasA("app.example.com"))],
    after: [aliasA("app.example.com")],
  },
  {
    name: "deleting one record twice in a batch is refused",
    seed: [a("www.example.com", "192.0.2.1")],
    changes: [del(a("www.example.com", "192.0.2.1")), del(a("www.example.com", "192.0.2.1"))],
    rejected: { code: "InvalidChangeBatch", reasons: ["Tried to delete resource record set [name='www.example.com.', type='A'] but it was not found"] },
  },
  {
    name: "an alias record with a ttl is refused as invalid input",
    changes: [create({ ...aliasA("www.example.com"), ttl: 60 })],
    rejected: {
      code: "InvalidInput",
      reasons: [
        "Invalid request: Expected exactly one of [AliasTarget, all of [TTL, and ResourceRecords], or TrafficPolicyInstanceId], but found more than one in Change with " +
          "[Action=CREATE, Name=www.example.com., Type=A, SetIdentifier=null]",
      ],
    },
  },
  {
    name: "a record with neither alias nor values is refused as invalid input",
    changes: [del({ name: "www.example.com", type: "A", ttl: 300 })],
    rejected: {
      code: "InvalidInput",
      reasons: [
        "Invalid request: Expected exactly one of [AliasTarget, all of [TTL, and ResourceRecords], or TrafficPolicyInstanceId], but found none in Change with " +
          "[Action=DELETE, Name=www.example.com., Type=A, SetIdentifier=null]",
      ],
    },
  },
  {
    // external-dns issue 2839: `cname-` before a 58-character label; Route53's wording as external-dns logged it.
    name: "a name with a label over 63 characters is refused as DomainLabelTooLong",
    changes: [create(txt(`cname-${"x".repeat(58)}.example.com`, '"v"'))],
    rejected: {
      code: "InvalidChangeBatch",
      reasons: [`FATAL problem: DomainLabelTooLong (Domain label is too long) encountered with 'cname-${"x".repeat(58)}'`],
    },
  },
  {
    name: "a name over 253 characters (255 bytes on the wire) is refused as DomainNameTooLong",
    changes: [create(txt(`${"x.".repeat(122)}example.com`, '"v"'))],
    rejected: {
      code: "InvalidChangeBatch",
      reasons: [`FATAL problem: DomainNameTooLong (Domain name is too long) encountered with '${"x.".repeat(122)}example.com.'`],
    },
  },
  {
    name: "a TXT character-string over 255 characters is refused as CharacterStringTooLong",
    changes: [create(txt("www.example.com", `"${"v".repeat(256)}"`))],
    rejected: {
      code: "InvalidChangeBatch",
      reasons: [`Invalid Resource Record: 'FATAL problem: CharacterStringTooLong (Value is too long) encountered with '"${"v".repeat(256)}"''`],
    },
  },
  {
    name: "a name whose labels are 63 characters and whose length is 253 is accepted, and so are TXT strings of 255 split in two",
    changes: [create(txt(`${"x".repeat(63)}.${"y".repeat(63)}.${"z".repeat(63)}.${"w".repeat(49)}.example.com`, `"${"v".repeat(255)}" "${"v".repeat(10)}"`))],
    after: [txt(`${"x".repeat(63)}.${"y".repeat(63)}.${"z".repeat(63)}.${"w".repeat(49)}.example.com`, `"${"v".repeat(255)}" "${"v".repeat(10)}"`)],
  },
  {
    name: "an empty batch is refused as invalid input",
    changes: [],
    rejected: {
      code: "InvalidInput",
      reasons: [
        "1 validation error detected: Value '[]' at 'changeBatch.changes' failed to satisfy constraint: Member must have length greater than or equal to 1",
      ],
    },
  },
];

describe("FakeRoute53 applies Route53's rules to a change batch", () => {
  for (const c of cases) {
    it(c.name, async () => {
      const fake = world(...(c.seed ?? []));
      const before = fake.peek(ZONE);
      if (c.rejected === undefined) {
        const { changeId } = await fake.changeRecords(ZONE, c.changes);
        assert.match(changeId, /^C\d+$/);
        assert.deepEqual(fake.peek(ZONE), c.after);
      } else {
        const error = await rejection(fake.changeRecords(ZONE, c.changes));
        assert.deepEqual({ code: error.code, reasons: error.reasons }, c.rejected);
        assert.deepEqual(fake.peek(ZONE), before, "a refused batch changes nothing");
      }
      assert.equal(fake.counts.changeRecords, 1);
    });
  }
});

/** `count` A records of one value each, every value `width` characters long. */
function records(count: number, width = 7): DnsRecord[] {
  return Array.from({ length: count }, (_, i) => a(`r${i}.example.com`, String(i).padStart(width, "0")));
}

const limitCases: { name: string; changes: RecordChange[]; reasons?: string[] }[] = [
  { name: "1,000 created records fit in one request", changes: records(1000).map(create) },
  { name: "1,001 created records exceed the record limit", changes: records(1001).map(create), reasons: ["Number of records limit of 1000 exceeded."] },
  { name: "500 upserted records fit (an UPSERT counts twice)", changes: records(500).map(upsert) },
  { name: "501 upserted records exceed the record limit", changes: records(501).map(upsert), reasons: ["Number of records limit of 1000 exceeded."] },
  { name: "1,000 alias creates fit (an alias counts as one record)", changes: records(1000).map((r) => create(aliasA(r.name))) },
  {
    name: "501 alias upserts exceed the record limit",
    changes: records(501).map((r) => upsert(aliasA(r.name))),
    reasons: ["Number of records limit of 1000 exceeded."],
  },
  { name: "32,000 value characters fit", changes: records(100, 320).map(create) },
  {
    name: "32,001 value characters exceed the character limit",
    changes: [...records(99, 320), a("last.example.com", "x".repeat(321))].map(create),
    reasons: ["RDATA character limit of 32000 exceeded."],
  },
  { name: "16,000 upserted value characters fit (an UPSERT counts twice)", changes: records(50, 320).map(upsert) },
  {
    name: "16,001 upserted value characters exceed the character limit",
    changes: [...records(49, 320), a("last.example.com", "x".repeat(321))].map(upsert),
    reasons: ["RDATA character limit of 32000 exceeded."],
  },
  {
    name: "a request over both limits is refused for both",
    changes: records(1001, 32).map(create),
    reasons: ["Number of records limit of 1000 exceeded.", "RDATA character limit of 32000 exceeded."],
  },
];

describe("FakeRoute53 enforces the per-request limits", () => {
  for (const c of limitCases) {
    it(c.name, async () => {
      const fake = world();
      if (c.reasons === undefined) {
        await fake.changeRecords(ZONE, c.changes);
        assert.equal(fake.peek(ZONE).length, c.changes.length);
      } else {
        const error = await rejection(fake.changeRecords(ZONE, c.changes));
        assert.deepEqual({ code: error.code, reasons: error.reasons }, { code: "InvalidChangeBatch", reasons: c.reasons });
        assert.deepEqual(fake.peek(ZONE), []);
      }
    });
  }
});

describe("FakeRoute53 reads and counts like Route53", () => {
  const pageCases = [
    { records: 0, pages: 1 },
    { records: 300, pages: 1 },
    { records: 301, pages: 2 },
    { records: 1000, pages: 4 },
  ];
  for (const c of pageCases) {
    it(`listing ${c.records} records costs ${c.pages} page request(s)`, async () => {
      const fake = world(...records(c.records));
      assert.equal((await fake.listRecords(ZONE)).length, c.records);
      assert.equal(fake.counts.listRecords, c.pages);
      assert.equal(fake.requests, c.pages);
    });
  }

  it("lists in Route53's order: by name with labels reversed, then type", async () => {
    const fake = world(a("b.example.com", "1"), txt("a-b.example.com", '"x"'), aliasA("example.com"), txt("example.com", '"apex"'), a("a.b.example.com", "2"));
    assert.deepEqual(
      (await fake.listRecords(ZONE)).map((r) => `${r.name} ${r.type}`),
      ["example.com A", "example.com TXT", "a-b.example.com TXT", "b.example.com A", "a.b.example.com A"],
    );
  });

  it("gets a zone by id and refuses an unknown zone as NoSuchHostedZone on every operation", async () => {
    const fake = world();
    assert.deepEqual(await fake.getZone(ZONE), { id: ZONE, name: "example.com", privateZone: false });
    for (const call of [() => fake.getZone("ZNONE"), () => fake.listRecords("ZNONE"), () => fake.changeRecords("ZNONE", [create(a("x.example.com", "1"))])]) {
      await assert.rejects(call(), (e) => e instanceof Route53UnavailableError && e.code === "NoSuchHostedZone" && /ZNONE/.test(e.message));
    }
    assert.deepEqual(fake.counts, { listRecords: 1, getZone: 2, changeRecords: 1, changeStatus: 0 });
  });

  it("reports a change PENDING for the configured number of polls, then INSYNC", async () => {
    for (const polls of [0, 1, 3]) {
      const fake = new FakeRoute53({ pollsUntilInsync: polls });
      fake.addZone(ZONE, "example.com");
      const { changeId } = await fake.changeRecords(ZONE, [create(a("www.example.com", "1"))]);
      const seen: string[] = [];
      for (let i = 0; i <= polls + 1; i++) seen.push(await fake.changeStatus(changeId));
      assert.deepEqual(seen, [...Array<string>(polls).fill("PENDING"), "INSYNC", "INSYNC"], `${polls} polls`);
      assert.equal(fake.counts.changeStatus, polls + 2);
    }
  });

  it("refuses an unknown change id as NoSuchChange", async () => {
    await assert.rejects(world().changeStatus("C404"), (e) => e instanceof Route53UnavailableError && e.code === "NoSuchChange");
  });

  it("hands out copies: changing one does not change what it holds", async () => {
    const fake = world(a("www.example.com", "192.0.2.1"));
    const [listed] = await fake.listRecords(ZONE);
    (listed!.values as string[]).push("192.0.2.99");
    const change = create(a("new.example.com", "1"));
    await fake.changeRecords(ZONE, [change]);
    (change.record.values as string[]).push("2");
    assert.deepEqual(fake.peek(ZONE), [a("new.example.com", "1"), a("www.example.com", "192.0.2.1")]);
  });

  it("refuses a record name that is not normalised, naming it: the planner has a bug", async () => {
    for (const name of ["WWW.example.com", "www.example.com.", "\\052.example.com"]) {
      await assert.rejects(world().changeRecords(ZONE, [create(a(name, "1"))]), (e) => e instanceof TypeError && e.message.includes(`'${name}'`));
    }
  });
});

describe("FakeRoute53 fails on demand", () => {
  it("throttles the next N requests of any operation, counting them, then answers again", async () => {
    const fake = world();
    fake.throttleNext(2);
    await assert.rejects(fake.listRecords(ZONE), (e) => e instanceof Route53UnavailableError && e.code === "Throttling");
    await assert.rejects(fake.changeRecords(ZONE, [create(a("www.example.com", "1"))]), (e) => e instanceof Route53UnavailableError && e.code === "Throttling");
    assert.deepEqual(fake.peek(ZONE), [], "a throttled change lands nothing");
    await fake.changeRecords(ZONE, [create(a("www.example.com", "1"))]);
    assert.equal(fake.requests, 3);
    assert.deepEqual(
      fake.calls.map((c) => `${c.operation} ${c.outcome}`),
      ["listRecords Throttling", "changeRecords Throttling", "changeRecords ok"],
    );
  });

  it("fails the next requests with given errors, one each", async () => {
    const fake = world();
    fake.failNext(new Route53UnavailableError("AccessDenied", "denied"), new Error("socket hang up"));
    await assert.rejects(fake.getZone(ZONE), /denied/);
    await assert.rejects(fake.getZone(ZONE), /socket hang up/);
    assert.equal((await fake.getZone(ZONE)).name, "example.com");
  });

  it("refuses every batch naming a given record, with its reasons, until cleared", async () => {
    const fake = world();
    fake.rejectBatchesNaming("bad.example.com", ["nope"]);
    const batch = [create(a("good.example.com", "1")), create(a("bad.example.com", "1"))];
    const error = await rejection(fake.changeRecords(ZONE, batch));
    assert.deepEqual({ code: error.code, reasons: error.reasons }, { code: "InvalidChangeBatch", reasons: ["nope"] });
    await fake.changeRecords(ZONE, [batch[0]!]);
    fake.clearRejections();
    await fake.changeRecords(ZONE, [batch[1]!]);
    assert.deepEqual(
      fake.peek(ZONE).map((r) => r.name),
      ["bad.example.com", "good.example.com"],
    );
  });
});
