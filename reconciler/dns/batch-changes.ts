// A zone's change groups packed into ChangeResourceRecordSets requests within
// Route53's limits (route53/batch-limits.ts: 1,000 records and 32,000 value
// characters, an UPSERT counting twice), a group never split (a record and its
// TXT land together or not at all), as few requests as the groups allow, in a
// deterministic order. Pure.
//
// Order: groups that only delete come first, then the others, each part by
// key. The planner never plans a create that needs another name's delete in
// the same pass (a name held by anything hostgate may not take is refused
// until it is free), so this is not what makes a batch valid. It is chosen
// because deletions are what a deleting route's finalizer waits for and what
// frees names for routes refused meanwhile: they go out first, are not held
// behind a later batch that Route53 throttles or refuses, and a type change
// within a name is in one group anyway (deletes before creates inside it).
//
// Packing: next fit in that order (a group that does not fit closes the
// batch). Groups are small and alike (a record and its TXT), so a batch ends
// at most one group short of a limit, and the count is the minimum for groups
// of equal size; each batch is a contiguous run of keys, which reads well in
// logs. A group over a limit on its own goes alone: Route53 refuses it and the
// sender reports it without holding back the rest.
import { compareStrings } from "../../core/compare-strings.ts";
import type { ChangeGroup } from "./change-group.ts";
import type { RecordChange } from "./route53-port.ts";
import type { ChangeCost } from "./route53/batch-limits.ts";
import { batchCost, ROUTE53_BATCH_LIMITS } from "./route53/batch-limits.ts";

export function batchChanges<G extends ChangeGroup>(groups: readonly G[], limits: ChangeCost = ROUTE53_BATCH_LIMITS): G[][] {
  const deletesOnly = (g: G) => g.changes.every((c) => c.action === "DELETE");
  const ordered = [...groups].sort((a, b) => Number(deletesOnly(b)) - Number(deletesOnly(a)) || compareStrings(a.key, b.key));
  const batches: G[][] = [];
  let batch: G[] = [];
  let used: ChangeCost = { records: 0, valueCharacters: 0 };
  for (const group of ordered) {
    const cost = batchCost(group.changes);
    const fits = used.records + cost.records <= limits.records && used.valueCharacters + cost.valueCharacters <= limits.valueCharacters;
    if (!fits && batch.length > 0) {
      batches.push(batch);
      batch = [];
      used = { records: 0, valueCharacters: 0 };
    }
    batch.push(group);
    used = { records: used.records + cost.records, valueCharacters: used.valueCharacters + cost.valueCharacters };
  }
  if (batch.length > 0) batches.push(batch);
  return batches;
}

/** The fewest requests the limits allow for these changes, however they are grouped: what bench/dns.ts measures against. */
export function minimumRequests(changes: readonly RecordChange[], limits: ChangeCost = ROUTE53_BATCH_LIMITS): number {
  const { records, valueCharacters } = batchCost(changes);
  return Math.max(Math.ceil(records / limits.records), Math.ceil(valueCharacters / limits.valueCharacters));
}
