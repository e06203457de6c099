// The zone planner against many zones: random mixes of hostgate's records,
// another owner's, records without registry records, old-format and alias
// cname- registry records, SPF values, routing-policy records, and random
// desired sets. For each: Route53's rules (the fake) accept every planned
// group, a record nobody gave hostgate is never deleted or changed, and the
// plans converge (a plan against the zone the last one produced is empty
// after at most two passes: see plan-dns.ts for the one two-pass case; the
// table tests in plan-dns.test.ts hold every other case to one pass).
import { test } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import type { DesiredRecord } from "./desired-records.ts";
import { planZone } from "./plan-dns.ts";
import type { DnsRecord } from "./route53-port.ts";
import { sameRecord } from "./route53/record-sets.ts";
import { FakeRoute53 } from "./route53/testing/fake-route53.ts";
import { ALB_IN, aliasRecord, cnameRecord, OWNER_ID, ownedBy, txtRecord, ZONE } from "./testing/dns-fixtures.ts";
import { ZoneRegistry } from "./txt-registry.ts";

const zone = { zoneId: ZONE, apex: "example.com" };
const NAMES = ["example.com", "shop.example.com", "blog.example.com", "a-shop.example.com"];
const RESOURCES = ["domainroute/team-a/shop", "domainroute/team-a/blog", "certificate/hostgate-system/wildcard"];
const theirs = '"heritage=external-dns,external-dns/owner=external-dns-prod,external-dns/resource=ingress/web/x"';

const name = fc.constantFrom(...NAMES);
const registryValue = fc.oneof(
  fc.constantFrom(...RESOURCES).map((r) => ownedBy(OWNER_ID, r)),
  fc.constant(theirs),
  fc.constant('"v=spf1 -all"'),
);
const txtName = fc.oneof(
  name,
  fc.tuple(fc.constantFrom("a-", "aaaa-", "cname-"), name).map(([p, n]) => `${p}${n}`),
  fc.constantFrom("_hostgate-a.example.com", "_hostgate-aaaa.example.com"),
);
const currentRecord: fc.Arbitrary<DnsRecord> = fc.oneof(
  fc.tuple(name, fc.constantFrom("A", "AAAA"), fc.boolean()).map(([n, t, other]) => aliasRecord(n, t, other ? ALB_IN : undefined)),
  name.map((n) => cnameRecord(n, "elsewhere.example.net")),
  name.map((n): DnsRecord => ({ name: n, type: "MX", ttl: 300, values: ["10 mail.example.com"] })),
  name.map((n): DnsRecord => ({ ...aliasRecord(n), setIdentifier: "eu-west-1" })),
  fc.tuple(txtName, fc.array(registryValue, { minLength: 1, maxLength: 2 })).map(([n, values]) => txtRecord(n, ...new Set(values))),
);
/** What one resource wants at one name: an alias (A, or A and AAAA) or a CNAME, now and then a contradictory A and CNAME. */
const desiredAtName: fc.Arbitrary<DesiredRecord[]> = fc
  .tuple(name, fc.constantFrom("alias", "dualstack", "cname", "contradictory"), fc.constantFrom(...RESOURCES))
  .map(([n, kind, resource]) => {
    const records =
      kind === "cname"
        ? [cnameRecord(n)]
        : kind === "dualstack"
          ? [aliasRecord(n), aliasRecord(n, "AAAA")]
          : kind === "contradictory"
            ? [aliasRecord(n), cnameRecord(n)]
            : [aliasRecord(n)];
    return records.map((record) => ({ zoneId: ZONE, record, resource }));
  });

/** A zone Route53 could hold: names inside it, one record set per name+type+set identifier, no CNAME at the apex or beside anything else. */
function valid(records: readonly DnsRecord[]): boolean {
  const keys = new Set(records.map((r) => `${r.name} ${r.type} ${r.setIdentifier ?? ""}`));
  if (keys.size !== records.length || records.some((r) => r.name !== zone.apex && !r.name.endsWith(`.${zone.apex}`))) return false;
  return records.every((r) => r.type !== "CNAME" || (r.name !== zone.apex && records.filter((o) => o.name === r.name).length === 1));
}

/** A resource's records at a name as desiredRecords makes them: one kind per name and resource. */
function coherent(desired: readonly DesiredRecord[]): DesiredRecord[] {
  const seen = new Set<string>();
  return desired.filter((d) => {
    const key = `${d.record.name} ${d.record.type}`;
    if (seen.has(key) || (d.record.type === "CNAME" && d.record.name === zone.apex)) return false;
    seen.add(key);
    return true;
  });
}

test("every plan passes Route53's rules, never touches what is not hostgate's, and the plans converge", async () => {
  await fc.assert(
    fc.asyncProperty(
      fc.array(currentRecord, { maxLength: 8 }).filter(valid),
      fc.array(desiredAtName, { maxLength: 4 }).map((sets) => coherent(sets.flat())),
      fc.boolean(),
      async (current, desired, requestsKnown) => {
        const deletable = (resource: string) => requestsKnown || resource.startsWith("domainroute/");
        const input = { zone, ownerId: OWNER_ID, desired, current, deletable };
        const route53 = new FakeRoute53();
        route53.addZone(ZONE, zone.apex);
        route53.seed(ZONE, ...current);
        // Pass after pass, as the controller runs them; a name waiting for another's registry record to go takes one more (plan-dns.ts).
        let after = current;
        for (let round = 0; round < 2; round++) {
          const plan = planZone({ ...input, current: after });
          for (const group of plan.groups) await route53.changeRecords(ZONE, group.changes);
          after = route53.peek(ZONE);
        }
        // What hostgate's registry did not give it (before the plan) is still there, unchanged.
        const registry = new ZoneRegistry(current, zone.apex);
        for (const record of current) {
          const entry = record.type === "TXT" ? registry.entryAt(record.name) : registry.ownerOf(record);
          const ours = entry?.labels.owner === OWNER_ID && (record.type !== "TXT" || entry.pure);
          if (!ours || record.setIdentifier !== undefined || !["A", "AAAA", "CNAME", "TXT"].includes(record.type)) {
            assert.ok(
              after.some((r) => sameRecord(r, record)),
              `${record.type} ${record.name} is not hostgate's and must stay as it was`,
            );
          }
        }
        assert.deepEqual(planZone({ ...input, current: after }).groups, [], "the plans converge: nothing left to change");
      },
    ),
    { numRuns: 2000, seed: 13 },
  );
});
