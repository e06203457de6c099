// The zone planner against many zones: random mixes of hostgate's records,
// another owner's, records without registry records, old-format and alias
// cname- registry records, SPF values, routing-policy records, latency record
// sets of this cluster and of another (their TXTs with set identifiers), and
// random desired sets, simple and latency. For each: Route53's rules (the
// fake, routing policies included) accept every planned group, a record
// nobody gave hostgate is never deleted or changed, and the plans converge (a
// plan against the zone the last one produced is empty after at most two
// passes: see plan-dns.ts for the one two-pass case; the table tests in
// plan-dns.test.ts hold every other case to one pass). Then two planners, two
// clusters with their own owner ids and set identifiers, take turns on one
// zone: neither touches what the other owns, and both settle.
import { test } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import type { DesiredRecord } from "./desired-records.ts";
import { planZone } from "./plan-dns.ts";
import type { DnsRecord } from "./route53-port.ts";
import { portWritable, sameRecord } from "./route53/record-sets.ts";
import { FakeRoute53 } from "./route53/testing/fake-route53.ts";
import { ALB_IN, aliasRecord, cnameRecord, OWNER_ID, ownedBy, txtRecord, ZONE } from "./testing/dns-fixtures.ts";
import type { Cluster } from "./testing/latency-fixtures.ts";
import { CLUSTER_A, CLUSTER_B, latencyAlias, latencyCname } from "./testing/latency-fixtures.ts";
import { ZoneRegistry } from "./txt-registry.ts";

const zone = { zoneId: ZONE, apex: "example.com" };
const NAMES = ["example.com", "shop.example.com", "blog.example.com", "a-shop.example.com"];
const RESOURCES = ["domainroute/team-a/shop", "domainroute/team-a/blog", "certificate/hostgate-system/wildcard"];
const theirs = '"heritage=external-dns,external-dns/owner=external-dns-prod,external-dns/resource=ingress/web/x"';

const name = fc.constantFrom(...NAMES);
/** This cluster, the other one, and a third in this cluster's region (whose latency sets take this cluster's region). */
const CLUSTER_C: Cluster = { name: "aks02-weu", region: CLUSTER_A.region, ownerId: "hostgate-weu-2", alb: "alb-c.eu-west-1.elb.amazonaws.com" };
const cluster = fc.constantFrom<Cluster>(CLUSTER_A, CLUSTER_B, CLUSTER_C);
const registryValue = fc.oneof(
  fc.constantFrom(...RESOURCES).map((r) => ownedBy(OWNER_ID, r)),
  fc.constant(theirs),
  fc.constant(ownedBy(CLUSTER_B.ownerId, RESOURCES[0]!)),
  fc.constant('"v=spf1 -all"'),
);
const txtName = fc.oneof(
  name,
  fc.tuple(fc.constantFrom("a-", "aaaa-", "cname-"), name).map(([p, n]) => `${p}${n}`),
  fc.constantFrom("_hostgate-a.example.com", "_hostgate-aaaa.example.com"),
);
/** Nothing, a latency set identifier (a cluster's, with its region) or another policy's (a set identifier without a region). */
const routing = fc.oneof(
  fc.constant({}),
  cluster.map((c) => ({ setIdentifier: c.name, region: c.region })),
  fc.constant({ setIdentifier: "blue" }),
);
const currentRecord: fc.Arbitrary<DnsRecord> = fc.oneof(
  fc.tuple(name, fc.constantFrom("A", "AAAA"), fc.boolean()).map(([n, t, other]) => aliasRecord(n, t, other ? ALB_IN : undefined)),
  name.map((n) => cnameRecord(n, "elsewhere.example.net")),
  name.map((n): DnsRecord => ({ name: n, type: "MX", ttl: 300, values: ["10 mail.example.com"] })),
  name.map((n): DnsRecord => ({ ...aliasRecord(n), setIdentifier: "eu-west-1" })),
  fc.tuple(name, cluster, fc.constantFrom("A", "AAAA")).map(([n, c, t]) => latencyAlias(n, c, t)),
  fc.tuple(name, cluster).map(([n, c]) => latencyCname(n, c)),
  fc.tuple(txtName, fc.array(registryValue, { minLength: 1, maxLength: 2 }), routing).map(([n, values, r]) => ({ ...txtRecord(n, ...new Set(values)), ...r })),
);
/** What one resource of `c` wants at one name: an alias (A, or A and AAAA) or a CNAME, simple or latency, now and then a contradictory A and CNAME. */
const desiredAtName = (c: Cluster): fc.Arbitrary<DesiredRecord[]> =>
  fc
    .tuple(name, fc.constantFrom("alias", "dualstack", "cname", "contradictory"), fc.boolean(), fc.constantFrom(...RESOURCES))
    .map(([n, kind, latency, resource]) => {
      const alias = (type = "A") => (latency ? latencyAlias(n, c, type) : aliasRecord(n, type, c.alb));
      const cname = () => (latency ? latencyCname(n, c) : cnameRecord(n, `gw.${c.name}.example.net`));
      const records =
        kind === "cname" ? [cname()] : kind === "dualstack" ? [alias(), alias("AAAA")] : kind === "contradictory" ? [alias(), cname()] : [alias()];
      return records.map((record) => ({ zoneId: ZONE, record, resource }));
    });

/**
 * A zone Route53 could hold: names inside it, one record set per name+type+set identifier; at a name+type either
 * one simple record set or set identifiers of one policy, latency ones each in its own region; no CNAME at the apex
 * or beside another type.
 */
function valid(records: readonly DnsRecord[]): boolean {
  const keys = new Set(records.map((r) => `${r.name} ${r.type} ${r.setIdentifier ?? ""}`));
  if (keys.size !== records.length || records.some((r) => r.name !== zone.apex && !r.name.endsWith(`.${zone.apex}`))) return false;
  for (const r of records) {
    const same = records.filter((o) => o.name === r.name && o.type === r.type);
    if (same.length > 1 && same.some((o) => o.setIdentifier === undefined)) return false;
    if (same.some((o) => o !== r && (portWritable(o) !== portWritable(r) || (r.region !== undefined && o.region === r.region)))) return false;
    if (r.type === "CNAME" && (r.name === zone.apex || records.some((o) => o.name === r.name && o.type !== "CNAME"))) return false;
  }
  return true;
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

/** Whether `record`, as read before any plan, is `ownerId`'s to change: its registry TXT (its own, for a TXT) names the owner, with its set identifier. */
function ownedBefore(registry: ZoneRegistry, record: DnsRecord, ownerId: string): boolean {
  const entry = record.type === "TXT" ? registry.entryAt(record.name, record.setIdentifier) : registry.ownerOf(record);
  return (
    entry?.labels.owner === ownerId && (record.type !== "TXT" || entry.pure) && portWritable(record) && ["A", "AAAA", "CNAME", "TXT"].includes(record.type)
  );
}

test("every plan passes Route53's rules, never touches what is not hostgate's, and the plans converge", async () => {
  await fc.assert(
    fc.asyncProperty(
      fc.array(currentRecord, { maxLength: 8 }).filter(valid),
      fc.array(desiredAtName(CLUSTER_A), { maxLength: 4 }).map((sets) => coherent(sets.flat())),
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
          if (!ownedBefore(registry, record, OWNER_ID)) {
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

test("two clusters taking turns on one zone never touch each other's records, and both settle", async () => {
  await fc.assert(
    fc.asyncProperty(
      fc.array(currentRecord, { maxLength: 8 }).filter(valid),
      fc.array(desiredAtName(CLUSTER_A), { maxLength: 3 }).map((sets) => coherent(sets.flat())),
      fc.array(desiredAtName(CLUSTER_B), { maxLength: 3 }).map((sets) => coherent(sets.flat())),
      async (current, desiredA, desiredB) => {
        const route53 = new FakeRoute53();
        route53.addZone(ZONE, zone.apex);
        route53.seed(ZONE, ...current);
        const planners = [
          { ownerId: CLUSTER_A.ownerId, desired: desiredA },
          { ownerId: CLUSTER_B.ownerId, desired: desiredB },
        ];
        const planFor = (p: (typeof planners)[number]) =>
          planZone({ zone, ownerId: p.ownerId, desired: p.desired, current: route53.peek(ZONE), deletable: () => true });
        // Each turn, every record set the other cluster owned before the turn is still there after it, unchanged.
        for (let round = 0; round < 4; round++) {
          for (const [i, planner] of planners.entries()) {
            const before = route53.peek(ZONE);
            const registry = new ZoneRegistry(before, zone.apex);
            for (const group of planFor(planner).groups) await route53.changeRecords(ZONE, group.changes);
            const after = route53.peek(ZONE);
            const other = planners[1 - i]!.ownerId;
            for (const record of before.filter((r) => ownedBefore(registry, r, other))) {
              assert.ok(
                after.some((r) => sameRecord(r, record)),
                `${planner.ownerId} changed ${record.type} ${record.name} ${record.setIdentifier ?? ""}, which is ${other}'s`,
              );
            }
          }
        }
        for (const planner of planners) assert.deepEqual(planFor(planner).groups, [], `${planner.ownerId} has settled: nothing left to change`);
      },
    ),
    { numRuns: 1000, seed: 14 },
  );
});
