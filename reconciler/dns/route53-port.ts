// The narrow port between hostgate's DNS planning and Route53 (or anything
// that speaks its API). Plain data in both directions: the planner and its
// tests never see an SDK type. The SDK adapter (route53/sdk-route53.ts) pages
// through lists, retries throttling with backoff and jitter, and turns
// Route53's errors into the errors below; fakes implement the same contract.

/** One resource record set, normalised: lowercase name without the trailing dot, `*` not `\052`. */
export interface DnsRecord {
  readonly name: string;
  /** A, AAAA, CNAME, TXT, … (any type a zone holds is read; hostgate writes A, AAAA, CNAME and TXT). */
  readonly type: string;
  /** Absent for alias records. */
  readonly ttl?: number;
  /** Values as Route53 holds them: TXT values keep their quotes. Absent for alias records. */
  readonly values?: readonly string[];
  readonly alias?: AliasTarget;
  /**
   * Set on weighted, latency, failover… records. hostgate writes latency
   * records only (Active mode across regions), with its cluster name here,
   * and changes only those its TXT registry (with the same set identifier)
   * says are its own.
   */
  readonly setIdentifier?: string;
  /** Latency records: the AWS region Route53 measures latency to (`eu-west-1`). A record with a set identifier and no region uses another routing policy. */
  readonly region?: string;
}

export interface AliasTarget {
  /** The target's canonical hosted zone (the load balancer's, not the record's zone). */
  readonly hostedZoneId: string;
  /** Lowercase, without the trailing dot. */
  readonly dnsName: string;
  readonly evaluateTargetHealth: boolean;
}

export type ChangeAction = "CREATE" | "UPSERT" | "DELETE";

export interface RecordChange {
  readonly action: ChangeAction;
  /** For DELETE: exactly the record as read (Route53 deletes only an exact match). */
  readonly record: DnsRecord;
}

export interface HostedZone {
  readonly id: string;
  /** Lowercase, without the trailing dot. */
  readonly name: string;
  readonly privateZone: boolean;
}

export type ChangeStatus = "PENDING" | "INSYNC";

export interface Route53Port {
  /** Every record set in the zone, every page read. */
  listRecords(zoneId: string): Promise<DnsRecord[]>;
  getZone(zoneId: string): Promise<HostedZone>;
  /**
   * One ChangeResourceRecordSets call: all or nothing.
   * @throws ChangeRejectedError when Route53 refuses the batch (InvalidChangeBatch, InvalidInput)
   */
  changeRecords(zoneId: string, changes: readonly RecordChange[]): Promise<{ changeId: string }>;
  changeStatus(changeId: string): Promise<ChangeStatus>;
}

/** Route53 refused a change batch as a whole; `reasons` are its messages (one per bad change when it says so). */
export class ChangeRejectedError extends Error {
  readonly code: string;
  readonly reasons: readonly string[];
  constructor(code: string, reasons: readonly string[]) {
    super(`Route53 rejected the change batch (${code}): ${reasons.join("; ")}`);
    this.name = "ChangeRejectedError";
    this.code = code;
    this.reasons = reasons;
  }
}

/** Route53 could not be reached or kept failing after the retries (throttling, 5xx, network, credentials). */
export class Route53UnavailableError extends Error {
  readonly code: string;
  constructor(code: string, message: string) {
    super(message);
    this.name = "Route53UnavailableError";
    this.code = code;
  }
}
