// Which record sets Route53 lets share a name, as the planner must know it
// before it sends anything: a record set is its name, type and set
// identifier, and beside one another at a name and type Route53 allows either
// one simple record set or several with set identifiers of one routing
// policy; latency ones each in their own region. A CNAME allows nothing else
// at its name, whatever the set identifiers. Pure.
//
// The wording of Route53's refusals, collected from real InvalidChangeBatch
// responses (issue threads, see route53/testing/fake-route53.ts), is what the
// fake answers; this module only says which pairs clash and how.
import type { DnsRecord } from "./route53-port.ts";

/**
 * How `record`, staying at its name, stops `wanted` from being created:
 * - `same`: the same record set (name, type, set identifier): replaced or left;
 * - `simpleBesideSet`: `wanted` is simple, `record` has a set identifier;
 * - `setBesideSimple`: `wanted` has a set identifier, `record` is simple;
 * - `otherPolicy`: both have set identifiers, `record` is not a latency one;
 * - `sameRegion`: two latency record sets for one region;
 * - `cname`: a CNAME and another type at one name.
 */
export type Clash = "same" | "simpleBesideSet" | "setBesideSimple" | "otherPolicy" | "sameRegion" | "cname";

/** Why Route53 would not hold `wanted` while `record` (at the same name) stays; undefined when both may be there. */
export function clash(record: DnsRecord, wanted: DnsRecord): Clash | undefined {
  if (record.name !== wanted.name) return undefined;
  if (record.type !== wanted.type) return record.type === "CNAME" || wanted.type === "CNAME" ? "cname" : undefined;
  if (record.setIdentifier === wanted.setIdentifier) return "same";
  if (wanted.setIdentifier === undefined) return "simpleBesideSet";
  if (record.setIdentifier === undefined) return "setBesideSimple";
  if (record.region === undefined || wanted.region === undefined) return "otherPolicy";
  return record.region === wanted.region ? "sameRegion" : undefined;
}

/** `A shop.example.com`, with ` (set identifier cluster-a)` when it has one: how messages name a record set. */
export function describeSet(record: Pick<DnsRecord, "name" | "type" | "setIdentifier">): string {
  const set = record.setIdentifier === undefined ? "" : ` (set identifier ${record.setIdentifier})`;
  return `${record.type} ${record.name}${set}`;
}
