// Two clusters in two regions share example.com's hosted zone, each with its
// own owner id and set identifier (its cluster name), as the Route53 back end
// runs them: every pass reads the zone, plans it (planZone), packs the groups
// into requests (batchChanges) and sends them (sendZoneChanges), against ONE
// FakeRoute53 holding Route53's rules. What each cluster wants is written out
// here as the desired records desired-records.ts makes for it (Active: a
// latency record with its set identifier and region; RegionBound in the source
// region: one simple record; a two-step load balancer: a simple gateway record
// and latency CNAMEs to it).
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { batchChanges } from "./batch-changes.ts";
import type { DesiredRecord } from "./desired-records.ts";
import { planZone } from "./plan-dns.ts";
import type { DnsRecord } from "./route53-port.ts";
import { sendZoneChanges } from "./route53/send-batches.ts";
import { FakeRoute53 } from "./route53/testing/fake-route53.ts";
import { aliasRecord, ownedBy, ZONE } from "./testing/dns-fixtures.ts";
import type { Cluster } from "./testing/latency-fixtures.ts";
import { CLUSTER_A, CLUSTER_B, latencyAlias, latencyCname } from "./testing/latency-fixtures.ts";

const zone = { zoneId: ZONE, apex: "example.com" };
const SHOP = "domainroute/team-a/shop";
const BLOG = "domainroute/team-a/blog";
const API = "domainroute/team-b/api";
const GATEWAY = "gateway/istio-system/ingress";

/** One cluster's DNS controller: its owner id and what it wants now (changed by the test as routes and modes change). */
interface ClusterDns {
  readonly cluster: Cluster;
  desired: DesiredRecord[];
}

interface Pass {
  /** Resources refused (RecordOwnedElsewhere) → messages. */
  readonly conflicts: ReadonlyMap<string, readonly string[]>;
  /** ChangeResourceRecordSets requests sent in the pass. */
  readonly requests: number;
  /** Groups Route53 (the fake) refused: none, when the planner knows Route53's rules. */
  readonly rejected: readonly string[];
}

/** One pass of a cluster's controller over the zone, as reconcile-dns.ts runs it (reading the zone every time, as after a resync). */
async function pass(route53: FakeRoute53, dns: ClusterDns): Promise<Pass> {
  const before = route53.counts.changeRecords;
  const current = await route53.listRecords(ZONE);
  const latency = { setIdentifier: dns.cluster.name, region: dns.cluster.region };
  const plan = planZone({ zone, ownerId: dns.cluster.ownerId, desired: dns.desired, current, deletable: () => true, latency });
  const result = await sendZoneChanges(route53, ZONE, batchChanges(plan.groups));
  return {
    conflicts: plan.conflicts,
    requests: route53.counts.changeRecords - before,
    rejected: result.rejected.map((r) => `${r.group}: ${r.reasons.join("; ")}`),
  };
}

const want = (record: DnsRecord, resource: string): DesiredRecord => ({ zoneId: ZONE, record, resource });
/** Active: the cluster publishes its own latency A alias. */
const active = (name: string, cluster: Cluster, resource: string) => want(latencyAlias(name, cluster), resource);
/** RegionBound, in the source region: one simple A alias to the source cluster's load balancer. */
const regionBound = (name: string, cluster: Cluster, resource: string) => want(aliasRecord(name, "A", cluster.alb), resource);

/** The zone as `type name set-identifier@region owner`, one line per record set, sorted, for assertions that read like the zone. */
function shown(route53: FakeRoute53): string[] {
  return route53
    .peek(ZONE)
    .map((r) => {
      const owner = r.type === "TXT" ? ` ${/owner=([^,"]+)/.exec(r.values?.[0] ?? "")?.[1]}` : "";
      return `${r.type} ${r.name}${r.setIdentifier === undefined ? "" : ` ${r.setIdentifier}`}${r.region === undefined ? "" : `@${r.region}`}${owner}`;
    })
    .sort();
}

function world(): { route53: FakeRoute53; a: ClusterDns; b: ClusterDns } {
  const route53 = new FakeRoute53();
  route53.addZone(ZONE, "example.com");
  const a = { cluster: CLUSTER_A, desired: [active("shop.example.com", CLUSTER_A, SHOP), active("blog.example.com", CLUSTER_A, BLOG)] };
  const b = { cluster: CLUSTER_B, desired: [active("shop.example.com", CLUSTER_B, SHOP), active("blog.example.com", CLUSTER_B, BLOG)] };
  return { route53, a, b };
}

/** Both clusters' passes, one after the other, until neither sends anything (at most `rounds`); every pass must be refused nothing by Route53. */
async function settle(route53: FakeRoute53, ...clusters: ClusterDns[]): Promise<Map<string, Pass>> {
  const last = new Map<string, Pass>();
  for (let round = 0; round < 4; round++) {
    let sent = 0;
    for (const dns of clusters) {
      const p = await pass(route53, dns);
      assert.deepEqual(p.rejected, [], `${dns.cluster.name}: Route53 refused nothing`);
      last.set(dns.cluster.name, p);
      sent += p.requests;
    }
    if (sent === 0) return last;
  }
  assert.fail("the clusters did not settle in 4 rounds");
}

const BOTH_ACTIVE = [
  "A blog.example.com aks01-use@us-east-1",
  "A blog.example.com aks01-weu@eu-west-1",
  "A shop.example.com aks01-use@us-east-1",
  "A shop.example.com aks01-weu@eu-west-1",
  "TXT a-blog.example.com aks01-use@us-east-1 hostgate-use",
  "TXT a-blog.example.com aks01-weu@eu-west-1 hostgate-prod",
  "TXT a-shop.example.com aks01-use@us-east-1 hostgate-use",
  "TXT a-shop.example.com aks01-weu@eu-west-1 hostgate-prod",
];

describe("two clusters sharing a zone never touch each other's records", () => {
  test("both converge on their own latency sets, each with its TXT, and then plan nothing and send nothing", async () => {
    const { route53, a, b } = world();
    const last = await settle(route53, a, b);
    assert.deepEqual(shown(route53), BOTH_ACTIVE);
    for (const dns of [a, b]) assert.deepEqual(last.get(dns.cluster.name), { conflicts: new Map(), requests: 0, rejected: [] });
    // The steady state costs each pass one list and nothing else.
    const counts = { ...route53.counts };
    await pass(route53, a);
    await pass(route53, b);
    assert.deepEqual(route53.counts, { ...counts, listRecords: counts.listRecords + 2 });
  });

  test("deleting a route in one cluster removes only that cluster's set and its TXT, in one request", async () => {
    const { route53, a, b } = world();
    await settle(route53, a, b);
    a.desired = a.desired.filter((d) => d.resource !== BLOG);
    const p = await pass(route53, a);
    assert.equal(p.requests, 1);
    assert.deepEqual(
      route53.calls.at(-1)?.changes?.map((c) => `${c.action} ${c.record.type} ${c.record.name} ${c.record.setIdentifier}`),
      ["DELETE A blog.example.com aks01-weu", "DELETE TXT a-blog.example.com aks01-weu"],
    );
    assert.deepEqual(
      shown(route53),
      BOTH_ACTIVE.filter((line) => line !== "A blog.example.com aks01-weu@eu-west-1" && line !== "TXT a-blog.example.com aks01-weu@eu-west-1 hostgate-prod"),
    );
    const last = await settle(route53, a, b);
    assert.equal(last.get(CLUSTER_B.name)?.requests, 0, "the other cluster has nothing to restore");
  });

  test("a RegionBound switch is refused while the other cluster's set is there, naming it, and placed in one group once it is gone", async () => {
    const { route53, a, b } = world();
    await settle(route53, a, b);
    // The namespace goes RegionBound with source region eu-west-1: cluster A publishes one simple record; cluster B learns later.
    a.desired = [regionBound("shop.example.com", CLUSTER_A, SHOP), active("blog.example.com", CLUSTER_A, BLOG)];
    const refused = await pass(route53, a);
    assert.equal(refused.requests, 0);
    assert.deepEqual(refused.conflicts.get(SHOP), [
      "A shop.example.com has a latency record with set identifier aks01-use (region us-east-1; owned by hostgate-use for domainroute/team-a/shop), " +
        "and Route53 allows no simple record beside latency records: it goes when that cluster stops publishing it",
    ]);
    assert.deepEqual(shown(route53), BOTH_ACTIVE, "nothing changed: cluster A's latency set still answers meanwhile");

    // Cluster B now publishes nothing for shop (RegionBound elsewhere): it deletes its own set, and only that.
    b.desired = [active("blog.example.com", CLUSTER_B, BLOG)];
    assert.equal((await pass(route53, b)).requests, 1);
    assert.deepEqual(
      route53.calls.at(-1)?.changes?.map((c) => `${c.action} ${c.record.type} ${c.record.name} ${c.record.setIdentifier}`),
      ["DELETE A shop.example.com aks01-use", "DELETE TXT a-shop.example.com aks01-use"],
    );

    // Cluster A's next pass: its latency set goes and the simple record comes, with its TXT, in one group and one request.
    const placed = await pass(route53, a);
    assert.deepEqual({ requests: placed.requests, conflicts: [...placed.conflicts.keys()] }, { requests: 1, conflicts: [] });
    assert.deepEqual(
      route53.calls
        .at(-1)
        ?.changes?.map((c) => `${c.action} ${c.record.type} ${c.record.name}${c.record.setIdentifier === undefined ? "" : ` ${c.record.setIdentifier}`}`),
      ["DELETE A shop.example.com aks01-weu", "DELETE TXT a-shop.example.com aks01-weu", "CREATE A shop.example.com", "CREATE TXT a-shop.example.com"],
    );
    assert.deepEqual(shown(route53), [
      "A blog.example.com aks01-use@us-east-1",
      "A blog.example.com aks01-weu@eu-west-1",
      "A shop.example.com",
      "TXT a-blog.example.com aks01-use@us-east-1 hostgate-use",
      "TXT a-blog.example.com aks01-weu@eu-west-1 hostgate-prod",
      "TXT a-shop.example.com hostgate-prod",
    ]);
    const last = await settle(route53, a, b);
    for (const dns of [a, b]) assert.deepEqual(last.get(dns.cluster.name), { conflicts: new Map(), requests: 0, rejected: [] });
  });

  test("back to Active: the other cluster waits for the source cluster's simple record to go, then both latency sets stand", async () => {
    const { route53, a, b } = world();
    a.desired = [regionBound("shop.example.com", CLUSTER_A, SHOP)];
    b.desired = [];
    await settle(route53, a, b);
    a.desired = [active("shop.example.com", CLUSTER_A, SHOP)];
    b.desired = [active("shop.example.com", CLUSTER_B, SHOP)];
    // Cluster B first: refused, the simple record is cluster A's.
    const waiting = await pass(route53, b);
    assert.equal(waiting.requests, 0);
    assert.match(
      waiting.conflicts.get(SHOP)?.join("; ") ?? "",
      /^A shop\.example\.com is a simple record \(owned by hostgate-prod for domainroute\/team-a\/shop\)/,
    );
    await settle(route53, a, b);
    assert.deepEqual(shown(route53), [
      "A shop.example.com aks01-use@us-east-1",
      "A shop.example.com aks01-weu@eu-west-1",
      "TXT a-shop.example.com aks01-use@us-east-1 hostgate-use",
      "TXT a-shop.example.com aks01-weu@eu-west-1 hostgate-prod",
    ]);
  });

  test("two-step load balancers: each cluster's latency CNAME points at its own gateway record, and a gateway address change rewrites only that record", async () => {
    const route53 = new FakeRoute53();
    route53.addZone(ZONE, "example.com");
    const gateway = (name: string, ip: string) => want({ name, type: "A", ttl: 60, values: [ip] }, GATEWAY);
    const a = {
      cluster: CLUSTER_A,
      desired: [gateway("gw-weu.example.com", "192.0.2.10"), want(latencyCname("api.example.com", CLUSTER_A, "gw-weu.example.com"), API)],
    };
    const b = {
      cluster: CLUSTER_B,
      desired: [gateway("gw-use.example.com", "198.51.100.10"), want(latencyCname("api.example.com", CLUSTER_B, "gw-use.example.com"), API)],
    };
    await settle(route53, a, b);
    assert.deepEqual(shown(route53), [
      "A gw-use.example.com",
      "A gw-weu.example.com",
      "CNAME api.example.com aks01-use@us-east-1",
      "CNAME api.example.com aks01-weu@eu-west-1",
      "TXT a-gw-use.example.com hostgate-use",
      "TXT a-gw-weu.example.com hostgate-prod",
      "TXT cname-api.example.com aks01-use@us-east-1 hostgate-use",
      "TXT cname-api.example.com aks01-weu@eu-west-1 hostgate-prod",
    ]);
    a.desired = [gateway("gw-weu.example.com", "192.0.2.99"), a.desired[1]!];
    assert.equal((await pass(route53, a)).requests, 1);
    assert.deepEqual(
      route53.calls.at(-1)?.changes?.map((c) => `${c.action} ${c.record.type} ${c.record.name} ${c.record.values?.join(",")}`),
      ["DELETE A gw-weu.example.com 192.0.2.10", "CREATE A gw-weu.example.com 192.0.2.99"],
    );
  });

  test("two clusters given one owner id (a shared dns.ownerId) still touch only their own set identifiers: both sets stand, nothing churns", async () => {
    const { route53 } = world();
    const shared = { ...CLUSTER_B, ownerId: CLUSTER_A.ownerId };
    const a = { cluster: CLUSTER_A, desired: [active("shop.example.com", CLUSTER_A, SHOP)] };
    const b = { cluster: shared, desired: [active("shop.example.com", shared, SHOP)] };
    await settle(route53, a, b);
    assert.deepEqual(shown(route53), [
      "A shop.example.com aks01-use@us-east-1",
      "A shop.example.com aks01-weu@eu-west-1",
      `TXT a-shop.example.com aks01-use@us-east-1 ${CLUSTER_A.ownerId}`,
      `TXT a-shop.example.com aks01-weu@eu-west-1 ${CLUSTER_A.ownerId}`,
    ]);
    b.desired = [];
    await settle(route53, a, b);
    assert.deepEqual(
      shown(route53),
      ["A shop.example.com aks01-weu@eu-west-1", `TXT a-shop.example.com aks01-weu@eu-west-1 ${CLUSTER_A.ownerId}`],
      "deleting the route in one cluster removes that cluster's set only",
    );
  });

  test("a cluster started with another's cluster name (one set identifier, two owner ids) is refused rather than taking the other's set", async () => {
    const { route53, a } = world();
    await settle(route53, a);
    const impostor = { cluster: { ...CLUSTER_A, ownerId: "hostgate-other" }, desired: [active("shop.example.com", CLUSTER_A, SHOP)] };
    const p = await pass(route53, impostor);
    assert.equal(p.requests, 0);
    assert.match(p.conflicts.get(SHOP)?.join("; ") ?? "", /give each cluster its own cluster name/);
    assert.deepEqual(
      route53.peek(ZONE).find((r) => r.name === "a-shop.example.com")?.values,
      [ownedBy(CLUSTER_A.ownerId, SHOP)],
      "cluster A's TXT still names cluster A",
    );
  });
});
