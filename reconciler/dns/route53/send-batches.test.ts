import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { RecordingLogger } from "../../../core/testing/recording-logger.ts";
import type { ChangeGroup } from "../change-group.ts";
import { ChangeRejectedError, Route53UnavailableError } from "../route53-port.ts";
import type { DnsRecord, RecordChange } from "../route53-port.ts";
import { sendZoneChanges } from "./send-batches.ts";
import { FakeRoute53 } from "./testing/fake-route53.ts";

const ZONE = "Z1EXAMPLE";
const alb = { hostedZoneId: "Z35SXDOTRQ7X7K", dnsName: "alb-1.us-east-1.elb.amazonaws.com", evaluateTargetHealth: true };
const owner = (name: string) => `"heritage=external-dns,external-dns/owner=prod,external-dns/resource=domainroute/shop/${name}"`;

/** A route's record and its TXT registry record: created together or not at all. */
function routeGroup(label: string): ChangeGroup {
  const name = `${label}.example.com`;
  return {
    key: `A ${name}`,
    changes: [
      { action: "CREATE", record: { name, type: "A", alias: alb } },
      { action: "CREATE", record: { name: `a-${name}`, type: "TXT", ttl: 300, values: [owner(label)] } },
    ],
  };
}

function groups(prefix: string, count: number): ChangeGroup[] {
  return Array.from({ length: count }, (_, i) => routeGroup(`${prefix}${String(i).padStart(3, "0")}`));
}

function world(...seeded: DnsRecord[]): FakeRoute53 {
  const fake = new FakeRoute53();
  fake.addZone(ZONE, "example.com");
  fake.seed(ZONE, ...seeded);
  return fake;
}

const handMade = (label: string): DnsRecord => ({ name: `${label}.example.com`, type: "A", ttl: 60, values: ["198.51.100.7"] });
const exists = (label: string) => `Tried to create resource record set [name='${label}.example.com.', type='A'] but it already exists`;

interface Case {
  name: string;
  batches: ChangeGroup[][];
  /** Records already in the zone (made by hand) that make some groups fail. */
  taken?: string[];
  rejected: { group: string; reasons: string[] }[];
  /** The most requests this may cost: batches, plus 2·⌈log2 n⌉ for each split batch of n groups. */
  maxRequests: number;
}

const cases: Case[] = [
  {
    name: "every group of every batch lands, one request per batch",
    batches: [groups("a", 10), groups("b", 10), groups("c", 3)],
    rejected: [],
    maxRequests: 3,
  },
  {
    name: "one bad group among 16 in one batch: the other 15 land, the bad one is reported, at most 1 + 2·4 requests",
    batches: [groups("a", 16)],
    taken: ["a011"],
    rejected: [{ group: "A a011.example.com", reasons: [exists("a011")] }],
    maxRequests: 1 + 2 * 4,
  },
  {
    name: "one bad group in the middle batch of three: the others land, at most 3 + 2·⌈log2 10⌉ requests",
    batches: [groups("a", 10), groups("b", 10), groups("c", 10)],
    taken: ["b007"],
    rejected: [{ group: "A b007.example.com", reasons: [exists("b007")] }],
    maxRequests: 3 + 2 * 4,
  },
  {
    name: "a bad first and a bad last group are both reported and the rest land",
    batches: [groups("a", 8)],
    taken: ["a000", "a007"],
    rejected: [
      { group: "A a000.example.com", reasons: [exists("a000")] },
      { group: "A a007.example.com", reasons: [exists("a007")] },
    ],
    maxRequests: 1 + 2 * (2 * 3),
  },
  {
    name: "a lone bad group is reported after one request",
    batches: [groups("a", 1)],
    taken: ["a000"],
    rejected: [{ group: "A a000.example.com", reasons: [exists("a000")] }],
    maxRequests: 1,
  },
];

describe("sendZoneChanges splits a refused batch so one bad change does not block the rest", () => {
  for (const c of cases) {
    it(c.name, async () => {
      const fake = world(...(c.taken ?? []).map(handMade));
      const log = new RecordingLogger();
      const result = await sendZoneChanges(fake, ZONE, c.batches, log);

      assert.deepEqual(result.rejected, c.rejected);
      const bad = new Set(c.rejected.map((r) => r.group));
      const good = c.batches.flat().filter((g) => !bad.has(g.key));
      assert.deepEqual(
        result.sent.flatMap((s) => s.groups),
        good.map((g) => g.key),
        "every good group sent once, in the planner's order",
      );
      const held = new Set(fake.peek(ZONE).map((r) => `${r.type} ${r.name}`));
      for (const group of good)
        for (const change of group.changes) assert.ok(held.has(`${change.record.type} ${change.record.name}`), `${change.record.name} landed`);
      for (const label of c.taken ?? []) assert.ok(!held.has(`TXT a-${label}.example.com`), "a refused group's TXT did not land without its record");

      assert.ok(fake.counts.changeRecords <= c.maxRequests, `${fake.counts.changeRecords} requests, at most ${c.maxRequests}`);
      assert.equal(fake.requests, fake.counts.changeRecords + fake.counts.listRecords, "sending sends, and reads only to check a refusal: no polls");
      assert.ok(fake.counts.listRecords <= c.rejected.length, "at most one read per group refused as already existing");
      const summary = log.at("info").find((e) => e.message === "sent Route53 change batches");
      assert.equal(summary?.fields.requests, fake.counts.changeRecords, "the summary logs the requests made");
      assert.deepEqual(
        log.at("warn").map((e) => e.fields.group),
        c.rejected.map((r) => r.group),
      );
    });
  }

  it("answers each batch's change id with its groups", async () => {
    const fake = world();
    const result = await sendZoneChanges(fake, ZONE, [groups("a", 2), groups("b", 1)]);
    assert.deepEqual(result, {
      sent: [
        { changeId: "C000000000001", groups: ["A a000.example.com", "A a001.example.com"] },
        { changeId: "C000000000002", groups: ["A b000.example.com"] },
      ],
      rejected: [],
    });
  });

  it("splits a batch over Route53's limits until the halves fit, and every group lands", async () => {
    const fake = world();
    const result = await sendZoneChanges(fake, ZONE, [groups("a", 600)]);
    assert.deepEqual(result.rejected, []);
    assert.equal(fake.peek(ZONE).length, 1200);
    assert.equal(fake.counts.changeRecords, 3, "1,200 records refused once, then two halves of 600");
  });
});

/**
 * moto's Route53 (and LocalStack's, built on it): a CREATE that repeats an
 * earlier accepted CREATE or UPSERT word for word is refused as "already
 * exists" whether or not the record is there (moto/route53/models.py,
 * change_resource_record_sets: `value in the_zone.rr_changes`, then any
 * record set sorting at or after the name). UPSERT has no such check.
 */
class MotoJournalRoute53 extends FakeRoute53 {
  readonly #journal = new Set<string>();
  override async changeRecords(zoneId: string, changes: readonly RecordChange[]): Promise<{ changeId: string }> {
    const repeated = changes.filter((c) => c.action === "CREATE" && this.#journal.has(JSON.stringify(c.record)));
    if (repeated.length > 0) {
      this.counts.changeRecords++;
      throw new ChangeRejectedError("InvalidChangeBatch", [exists(repeated[0]!.record.name.replace(".example.com", ""))]);
    }
    const answer = await super.changeRecords(zoneId, changes);
    for (const c of changes) if (c.action !== "DELETE") this.#journal.add(JSON.stringify(c.record));
    return answer;
  }
}

describe("sendZoneChanges and an endpoint that calls a repeated CREATE existing (moto, LocalStack)", () => {
  const record = (label: string, target = alb): DnsRecord => ({ name: `${label}.example.com`, type: "A", alias: target });
  const attacker = { ...alb, dnsName: "attacker.example.net", evaluateTargetHealth: false };

  it("re-creates a record deleted by hand: the fresh read shows it absent, so it is sent once more as an UPSERT and lands", async () => {
    const moto = new MotoJournalRoute53();
    moto.addZone(ZONE, "example.com");
    await moto.changeRecords(ZONE, [{ action: "CREATE", record: record("shop") }]);
    await moto.changeRecords(ZONE, [{ action: "DELETE", record: record("shop") }]);
    const group: ChangeGroup = { key: "A shop.example.com", changes: [{ action: "CREATE", record: record("shop") }] };
    const result = await sendZoneChanges(moto, ZONE, [[group]]);
    assert.deepEqual(result.rejected, []);
    assert.deepEqual(
      result.sent.flatMap((s) => s.groups),
      ["A shop.example.com"],
    );
    assert.deepEqual(moto.peek(ZONE), [record("shop")]);
    assert.deepEqual(moto.calls.at(-1)?.changes, [{ action: "UPSERT", record: record("shop") }]);
  });

  it("re-creates a deleted route's record and TXT in one more request, though moto names only the first repeated CREATE", async () => {
    const moto = new MotoJournalRoute53();
    moto.addZone(ZONE, "example.com");
    const group = routeGroup("shop");
    await moto.changeRecords(ZONE, group.changes);
    await moto.changeRecords(
      ZONE,
      group.changes.map((c) => ({ action: "DELETE" as const, record: c.record })),
    );
    const result = await sendZoneChanges(moto, ZONE, [[group]]);
    assert.deepEqual(result.rejected, []);
    assert.deepEqual(
      moto.peek(ZONE).map((r) => `${r.type} ${r.name}`),
      ["TXT a-shop.example.com", "A shop.example.com"],
    );
    assert.equal(moto.counts.changeRecords, 4, "two to set the scene, the refused CREATEs, one UPSERT request");
  });

  it("restores a record edited by hand: the fresh read shows exactly what the group deletes, so the DELETE goes and the CREATE is an UPSERT", async () => {
    const moto = new MotoJournalRoute53();
    moto.addZone(ZONE, "example.com");
    await moto.changeRecords(ZONE, [{ action: "CREATE", record: record("shop") }]);
    await moto.changeRecords(ZONE, [{ action: "UPSERT", record: record("shop", attacker) }]);
    const group: ChangeGroup = {
      key: "A shop.example.com",
      changes: [
        { action: "DELETE", record: record("shop", attacker) },
        { action: "CREATE", record: record("shop") },
      ],
    };
    const result = await sendZoneChanges(moto, ZONE, [[group]]);
    assert.deepEqual(result.rejected, []);
    assert.deepEqual(moto.peek(ZONE), [record("shop")]);
  });

  it("leaves a group refused, overwriting nothing, when the fresh read shows a record the group did not plan around (Route53's real race)", async () => {
    const fake = world({ name: "shop.example.com", type: "A", ttl: 60, values: ["198.51.100.7"] });
    const group: ChangeGroup = { key: "A shop.example.com", changes: [{ action: "CREATE", record: record("shop") }] };
    const result = await sendZoneChanges(fake, ZONE, [[group]]);
    assert.deepEqual(result.rejected, [{ group: "A shop.example.com", reasons: [exists("shop")] }]);
    assert.deepEqual(fake.peek(ZONE), [{ name: "shop.example.com", type: "A", ttl: 60, values: ["198.51.100.7"] }]);
    assert.equal(fake.counts.changeRecords, 1, "no UPSERT sent");
  });

  // A latency record set (Active mode): its key has the set identifier; moto's message leaves it out, Route53's names it.
  const latency = (label: string, setIdentifier = "aks01-weu", target = alb): DnsRecord => ({ ...record(label, target), setIdentifier, region: "eu-west-1" });
  const existsSet = (label: string, setIdentifier: string) =>
    `Tried to create resource record set [name='${label}.example.com.', type='A', set-identifier='${setIdentifier}'] but it already exists`;

  it("re-creates a latency record set deleted by hand, though moto's refusal leaves its set identifier out", async () => {
    const moto = new MotoJournalRoute53();
    moto.addZone(ZONE, "example.com");
    await moto.changeRecords(ZONE, [{ action: "CREATE", record: latency("shop") }]);
    await moto.changeRecords(ZONE, [{ action: "DELETE", record: latency("shop") }]);
    const group: ChangeGroup = { key: "shop.example.com", changes: [{ action: "CREATE", record: latency("shop") }] };
    const result = await sendZoneChanges(moto, ZONE, [[group]]);
    assert.deepEqual(result.rejected, []);
    assert.deepEqual(moto.peek(ZONE), [latency("shop")]);
    assert.deepEqual(moto.calls.at(-1)?.changes, [{ action: "UPSERT", record: latency("shop") }]);
  });

  it("leaves a latency group refused when the fresh read shows its record set made by someone else meanwhile (Route53 naming the set identifier)", async () => {
    const theirs = latency("shop", "aks01-weu", { ...alb, dnsName: "elsewhere.example.net" });
    const fake = world(theirs);
    const group: ChangeGroup = { key: "shop.example.com", changes: [{ action: "CREATE", record: latency("shop") }] };
    const result = await sendZoneChanges(fake, ZONE, [[group]]);
    assert.deepEqual(result.rejected, [{ group: "shop.example.com", reasons: [existsSet("shop", "aks01-weu")] }]);
    assert.deepEqual(fake.peek(ZONE), [theirs]);
    assert.equal(fake.counts.changeRecords, 1, "no UPSERT sent");
  });

  it("believes a refusal naming a set identifier the group does not create, without reading again", async () => {
    const fake = world();
    fake.rejectBatchesNaming("shop.example.com", [existsSet("shop", "aks01-use")]);
    const group: ChangeGroup = { key: "shop.example.com", changes: [{ action: "CREATE", record: latency("shop") }] };
    const result = await sendZoneChanges(fake, ZONE, [[group]]);
    assert.equal(result.rejected.length, 1);
    assert.equal(fake.counts.listRecords, 0);
  });

  it("does not read again for a refusal that is not only about existing records", async () => {
    const fake = world();
    fake.rejectBatchesNaming("shop.example.com", [exists("shop"), "RRSet of type CNAME with DNS name shop.example.com. is not permitted at apex"]);
    const group: ChangeGroup = { key: "A shop.example.com", changes: [{ action: "CREATE", record: record("shop") }] };
    const result = await sendZoneChanges(fake, ZONE, [[group]]);
    assert.equal(result.rejected.length, 1);
    assert.equal(fake.counts.listRecords, 0);
  });
});

describe("sendZoneChanges is idempotent and honest about outages", () => {
  const nothing: { name: string; batches: ChangeGroup[][] }[] = [
    { name: "no batches", batches: [] },
    { name: "empty batches", batches: [[], []] },
    { name: "groups without changes", batches: [[{ key: "A x.example.com", changes: [] }]] },
  ];
  for (const c of nothing) {
    it(`sends no request for ${c.name}`, async () => {
      const fake = world();
      const log = new RecordingLogger();
      assert.deepEqual(await sendZoneChanges(fake, ZONE, c.batches, log), { sent: [], rejected: [] });
      assert.equal(fake.requests, 0);
      assert.deepEqual(log.entries, []);
    });
  }

  it("lets Route53UnavailableError through without splitting: the controller retries the pass", async () => {
    const fake = world();
    await sendZoneChanges(fake, ZONE, [groups("a", 1)]);
    fake.throttleNext(1);
    await assert.rejects(sendZoneChanges(fake, ZONE, [groups("b", 4), groups("c", 4)]), (e) => e instanceof Route53UnavailableError && e.code === "Throttling");
    assert.equal(fake.counts.changeRecords, 2, "one request for the first pass, one throttled, no split");
  });
});
