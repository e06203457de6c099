// Small facts about record sets that Route53 itself applies: which two
// records are "the same" for a DELETE, how a record set is named in its
// messages, and the order ListResourceRecordSets returns them in.
import type { DnsRecord } from "../route53-port.ts";

/** `[name='x.example.com.', type='A']`, with `, set-identifier='…'` when set: how Route53's "Tried to create/delete" messages name a record set. */
export function recordSetLabel(record: Pick<DnsRecord, "name" | "type" | "setIdentifier">): string {
  const identifier = record.setIdentifier === undefined ? "" : `, set-identifier='${record.setIdentifier}'`;
  return `[name='${record.name}.', type='${record.type}'${identifier}]`;
}

/** Equal as Route53 compares for a DELETE: name, type, set identifier, a latency record's region, ttl, values in any order, alias target. */
export function sameRecord(a: DnsRecord, b: DnsRecord): boolean {
  if (a.name !== b.name || a.type !== b.type || a.setIdentifier !== b.setIdentifier || a.region !== b.region || a.ttl !== b.ttl) return false;
  if ((a.values === undefined) !== (b.values === undefined) || (a.alias === undefined) !== (b.alias === undefined)) return false;
  if (a.values !== undefined && b.values !== undefined) {
    const left = [...a.values].sort();
    const right = [...b.values].sort();
    if (left.length !== right.length || left.some((value, i) => value !== right[i])) return false;
  }
  if (a.alias !== undefined && b.alias !== undefined) {
    return (
      a.alias.hostedZoneId === b.alias.hostedZoneId && a.alias.dnsName === b.alias.dnsName && a.alias.evaluateTargetHealth === b.alias.evaluateTargetHealth
    );
  }
  return true;
}

/** ListResourceRecordSets order: by name with its labels reversed (`com.example.www`), then type, then set identifier. */
export function compareRoute53Order(a: DnsRecord, b: DnsRecord): number {
  return compareLabels(a.name, b.name) || compare(a.type, b.type) || compare(a.setIdentifier ?? "", b.setIdentifier ?? "");
}

/** Label by label from the right, so `a.example.com` sorts beside `example.com`, not beside `a-b.example.com`. */
function compareLabels(a: string, b: string): number {
  const left = a.split(".").reverse();
  const right = b.split(".").reverse();
  for (let i = 0; i < Math.min(left.length, right.length); i++) {
    const order = compare(left[i]!, right[i]!);
    if (order !== 0) return order;
  }
  return left.length - right.length;
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** The identity of a record set in a zone, as Route53 keys it: name, type and set identifier (a latency record's region is part of its value, not its key). */
export function recordSetKey(record: Pick<DnsRecord, "name" | "type" | "setIdentifier">): string {
  return `${record.name}\u0000${record.type}\u0000${record.setIdentifier ?? ""}`;
}

/**
 * A record set hostgate can write and delete through the port: a simple one,
 * or a latency one (set identifier and region). A set identifier without a
 * region is another routing policy (weighted, failover, geolocation…), whose
 * fields the port does not carry, so a DELETE of it as read would be refused.
 */
export function portWritable(record: Pick<DnsRecord, "setIdentifier" | "region">): boolean {
  return record.setIdentifier === undefined || record.region !== undefined;
}
