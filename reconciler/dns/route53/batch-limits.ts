// What one ChangeResourceRecordSets request may carry, and what a change
// costs against it. Route53 documents two limits per request: 1,000
// ResourceRecord elements and 32,000 characters across all Value elements,
// an UPSERT counting twice for both (it is a delete and a create). Whatever
// batches changes (the planner) and whatever plays Route53 in tests (the
// fake) count with this one function, so they cannot disagree.
import type { RecordChange } from "../route53-port.ts";

export const ROUTE53_BATCH_LIMITS = { records: 1000, valueCharacters: 32_000 } as const;

export interface ChangeCost {
  readonly records: number;
  readonly valueCharacters: number;
}

/**
 * An alias record has no ResourceRecord element, but it is counted as one
 * record here (a change that cost nothing would let a batch grow without
 * bound); its DNS name is not a Value element, so it costs no characters.
 */
export function changeCost(change: RecordChange): ChangeCost {
  const factor = change.action === "UPSERT" ? 2 : 1;
  const values = change.record.values ?? [];
  const records = change.record.alias === undefined ? values.length : 1;
  const valueCharacters = values.reduce((sum, value) => sum + value.length, 0);
  return { records: records * factor, valueCharacters: valueCharacters * factor };
}

/** The cost of a whole request. */
export function batchCost(changes: readonly RecordChange[]): ChangeCost {
  let records = 0;
  let valueCharacters = 0;
  for (const change of changes) {
    const cost = changeCost(change);
    records += cost.records;
    valueCharacters += cost.valueCharacters;
  }
  return { records, valueCharacters };
}

/** Route53's own InvalidChangeBatch messages for a request over its limits (none when within them). */
export function batchLimitMessages(changes: readonly RecordChange[]): string[] {
  const cost = batchCost(changes);
  const messages: string[] = [];
  if (cost.records > ROUTE53_BATCH_LIMITS.records) messages.push(`Number of records limit of ${ROUTE53_BATCH_LIMITS.records} exceeded.`);
  if (cost.valueCharacters > ROUTE53_BATCH_LIMITS.valueCharacters) messages.push(`RDATA character limit of ${ROUTE53_BATCH_LIMITS.valueCharacters} exceeded.`);
  return messages;
}
