// A zone's records after changes Route53 accepted: the controller keeps each
// zone's last read and applies what landed to it, so the next pass plans
// against what Route53 holds without reading it again. Pure.
import { compareStrings } from "../../core/compare-strings.ts";
import type { DnsRecord, RecordChange } from "./route53-port.ts";
import { recordSetKey, sameRecord } from "./route53/record-sets.ts";

/** `records` with `changes` applied in order, as Route53 applies an accepted batch (a record set is its name, type and set identifier; a DELETE must match its region too); sorted by name, type and set identifier. */
export function withChanges(records: readonly DnsRecord[], changes: readonly RecordChange[]): DnsRecord[] {
  const byKey = new Map(records.map((r) => [recordSetKey(r), r]));
  for (const change of changes) {
    const key = recordSetKey(change.record);
    if (change.action === "DELETE") {
      const current = byKey.get(key);
      if (current !== undefined && sameRecord(current, change.record)) byKey.delete(key);
    } else byKey.set(key, change.record);
  }
  return [...byKey.values()].sort(
    (a, b) => compareStrings(a.name, b.name) || compareStrings(a.type, b.type) || compareStrings(a.setIdentifier ?? "", b.setIdentifier ?? ""),
  );
}
