// The unit Route53 changes travel in: a record and its TXT registry record
// (or a record's delete and its TXT's delete) must land in the same
// all-or-nothing batch, so ownership and record never disagree. Batches are
// made of whole groups, and a rejected batch is split along group boundaries.
import type { RecordChange } from "./route53-port.ts";

export interface ChangeGroup {
  /** Stable and unique within a zone's plan, e.g. `A shop.example.com`: names the group in logs and in rejections. */
  readonly key: string;
  readonly changes: readonly RecordChange[];
}

/** What sending a zone's batches did: which groups went out under which change id, and which Route53 refused on their own. */
export interface ZoneSendResult {
  readonly sent: readonly { readonly changeId: string; readonly groups: readonly string[] }[];
  readonly rejected: readonly { readonly group: string; readonly reasons: readonly string[] }[];
}
