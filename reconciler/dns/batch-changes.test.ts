import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { batchChanges, minimumRequests } from "./batch-changes.ts";
import type { ChangeGroup } from "./change-group.ts";
import type { ChangeAction, RecordChange } from "./route53-port.ts";
import { batchLimitMessages } from "./route53/batch-limits.ts";

/** A group of `count` changes, each one record with one value of `chars` characters. */
function group(key: string, count = 1, chars = 9, action: ChangeAction = "CREATE"): ChangeGroup {
  const changes: RecordChange[] = [];
  for (let i = 0; i < count; i++) changes.push({ action, record: { name: `${i}.${key}`, type: "TXT", ttl: 300, values: ["x".repeat(chars)] } });
  return { key, changes };
}

function groups(n: number, make: (key: string) => ChangeGroup = (key) => group(key)): ChangeGroup[] {
  return Array.from({ length: n }, (_, i) => make(`g${String(i).padStart(5, "0")}.example.com`));
}

const sizes = (batches: ChangeGroup[][]) => batches.map((b) => b.reduce((sum, g) => sum + g.changes.length, 0));

describe("packing change groups into requests", () => {
  const cases: { name: string; groups: ChangeGroup[]; batches: number[] }[] = [
    { name: "no groups make no request", groups: [], batches: [] },
    { name: "exactly 1,000 records fit in one request", groups: groups(1000), batches: [1000] },
    { name: "1,001 records take two requests", groups: groups(1001), batches: [1000, 1] },
    {
      name: "999 records and an UPSERT (counting twice) take two requests",
      groups: [...groups(999), group("upsert.example.com", 1, 9, "UPSERT")],
      batches: [999, 1],
    },
    {
      name: "998 records and an UPSERT make exactly 1,000 and fit in one",
      groups: [...groups(998), group("upsert.example.com", 1, 9, "UPSERT")],
      batches: [999],
    },
    { name: "values of exactly 32,000 characters fit in one request", groups: groups(32, (k) => group(k, 1, 1000)), batches: [32] },
    {
      name: "one character over 32,000 takes a second request",
      groups: [...groups(32, (k) => group(k, 1, 1000)), group("z.example.com", 1, 1)],
      batches: [32, 1],
    },
    { name: "UPSERT characters count twice: 16 UPSERTs of 1,000 fit, 17 do not", groups: groups(17, (k) => group(k, 1, 1000, "UPSERT")), batches: [16, 1] },
    {
      name: "a group is never split: 998 records then a group of 3 close the request at 998",
      groups: [...groups(998), group("zz.example.com", 3)],
      batches: [998, 3],
    },
    {
      name: "a group over the limits on its own goes alone",
      groups: [group("a.example.com"), group("big.example.com", 1001), group("c.example.com")],
      batches: [1, 1001, 1],
    },
  ];
  for (const c of cases) {
    test(c.name, () => {
      const batches = batchChanges(c.groups);
      assert.deepEqual(sizes(batches), c.batches);
      for (const batch of batches) {
        if (batch.length === 1 && batch[0]!.changes.length > 1000) continue;
        assert.deepEqual(batchLimitMessages(batch.flatMap((g) => g.changes)), [], "Route53 accepts every request within the limits");
      }
    });
  }

  test("groups that only delete go first, then the rest, each by key", () => {
    const batches = batchChanges([
      group("c.example.com"),
      group("b.example.com", 1, 9, "DELETE"),
      group("a.example.com"),
      group("d.example.com", 1, 9, "DELETE"),
    ]);
    assert.deepEqual(
      batches.flat().map((g) => g.key),
      ["b.example.com", "d.example.com", "a.example.com", "c.example.com"],
    );
  });

  test("the same groups in any order make the same requests", () => {
    const all = [...groups(1500), group("x.example.com", 1, 9, "DELETE")];
    assert.deepEqual(batchChanges([...all].reverse()), batchChanges(all));
  });

  test("route-sized groups (a record and its TXT) need no more requests than the limits' minimum", () => {
    const routeGroups = groups(5000, (k) => ({
      key: k,
      changes: [
        {
          action: "CREATE",
          record: { name: k, type: "A", alias: { hostedZoneId: "Z35SXDOTRQ7X7K", dnsName: "lb.elb.amazonaws.com", evaluateTargetHealth: true } },
        },
        group(k, 1, 104).changes[0]!,
      ],
    }));
    const batches = batchChanges(routeGroups);
    assert.equal(minimumRequests(routeGroups.flatMap((g) => g.changes)), Math.ceil((5000 * 104) / 32_000));
    assert.ok(
      batches.length <= minimumRequests(routeGroups.flatMap((g) => g.changes)) + 1,
      `${batches.length} requests against a minimum of ${minimumRequests(routeGroups.flatMap((g) => g.changes))}`,
    );
  });
});
