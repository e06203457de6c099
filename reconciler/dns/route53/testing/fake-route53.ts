// An in-memory Route53 behind the Route53Port, with the real service's rules
// where a planner can get them wrong, so planner and applier tests run
// against the rules and not against a yes-machine:
// - CREATE of an existing name+type(+setIdentifier) is refused; DELETE must
//   match the current record exactly (set identifier, region, ttl, values in
//   any order, alias); UPSERT replaces or creates;
// - routing policies: at one name+type either one simple record set or record
//   sets with set identifiers, all of one policy (a set identifier without a
//   region is another policy than latency: it can be seeded, never written,
//   since the port carries no Weight, Failover…); one latency record set per
//   region; a CNAME excludes every other type at its name whatever the set
//   identifiers;
// - a request is validated change by change against a working copy and
//   applied all or nothing (a DELETE then a CREATE of one name passes; two
//   DELETEs of one record do not);
// - the per-request limits (batch-limits.ts); a CNAME at the apex or beside
//   another type at one name; a name outside the zone, with a label over 63
//   characters or over 253 in all; TXT values unquoted or with a string over 255;
//   a record that is neither alias nor ttl+values (InvalidInput);
// - messages worded as Route53 words them (collected from real
//   InvalidChangeBatch responses), one per bad change;
// - changes PENDING for a set number of GetChange polls, then INSYNC.
// It counts requests as Route53 would bill them (a list of n records costs
// ceil(n / 300) pages) and can be told to throttle or refuse.
import { ChangeRejectedError, Route53UnavailableError } from "../../route53-port.ts";
import type { ChangeStatus, DnsRecord, HostedZone, RecordChange, Route53Port } from "../../route53-port.ts";
import { batchLimitMessages } from "../batch-limits.ts";
import { compareRoute53Order, recordSetKey, recordSetLabel, sameRecord } from "../record-sets.ts";
import { nameLengthProblem } from "../route53-names.ts";

/** ListResourceRecordSets returns at most this many record sets per page. */
export const LIST_PAGE_SIZE = 300;

export type Route53Operation = "listRecords" | "getZone" | "changeRecords" | "changeStatus";

export interface FakeRoute53Options {
  /** GetChange answers PENDING this many times for each change, then INSYNC (default 1). */
  pollsUntilInsync?: number;
}

export interface FakeRoute53Call {
  readonly operation: Route53Operation;
  /** The zone, or the change id for changeStatus. */
  readonly target: string;
  /** For changeRecords: the changes as sent. */
  readonly changes?: readonly RecordChange[];
  /** How the call ended: "ok", or the error's code. */
  readonly outcome: string;
}

interface Rejection {
  readonly name: string;
  readonly reasons: readonly string[];
}

export class FakeRoute53 implements Route53Port {
  /** Requests per operation; listRecords counts pages. Failed calls count too: Route53 received them. */
  readonly counts: Record<Route53Operation, number> = { listRecords: 0, getZone: 0, changeRecords: 0, changeStatus: 0 };
  readonly calls: FakeRoute53Call[] = [];
  readonly #pollsUntilInsync: number;
  readonly #zones = new Map<string, { zone: HostedZone; records: Map<string, DnsRecord> }>();
  readonly #changes = new Map<string, { pollsLeft: number }>();
  #failures: Error[] = [];
  #rejections: Rejection[] = [];
  #changeSeq = 0;

  constructor(options: FakeRoute53Options = {}) {
    this.#pollsUntilInsync = options.pollsUntilInsync ?? 1;
  }

  /** Every request so far, all operations together. */
  get requests(): number {
    return this.counts.listRecords + this.counts.getZone + this.counts.changeRecords + this.counts.changeStatus;
  }

  addZone(id: string, name: string, privateZone = false): HostedZone {
    assertNormalised(name, `zone ${id}`);
    const zone = { id, name, privateZone };
    this.#zones.set(id, { zone, records: new Map() });
    return { ...zone };
  }

  /** Puts records in a zone as they are, without a request or any rule: the state a test starts from (e.g. a tenant's hand-made record). */
  seed(zoneId: string, ...records: DnsRecord[]): void {
    const zone = this.#zone(zoneId);
    for (const record of records) {
      assertNormalised(record.name, "seeded record");
      zone.records.set(recordSetKey(record), copyRecord(record));
    }
  }

  /** The zone's records in Route53's list order, without a request. */
  peek(zoneId: string): DnsRecord[] {
    return [...this.#zone(zoneId).records.values()].map(copyRecord).sort(compareRoute53Order);
  }

  /** The next `count` requests (any operation) fail as throttled after the adapter's retries would have given up. */
  throttleNext(count: number, code = "Throttling"): void {
    for (let i = 0; i < count; i++) this.#failures.push(new Route53UnavailableError(code, `Route53 kept answering ${code}: Rate exceeded`));
  }

  /** The next requests fail with these errors, one each, in order. */
  failNext(...errors: Error[]): void {
    this.#failures.push(...errors);
  }

  /** Every change request touching `name` is refused as InvalidChangeBatch with `reasons`, until clearRejections(). */
  rejectBatchesNaming(
    name: string,
    reasons: readonly string[] = [`Invalid Resource Record: 'FATAL problem: refused by the test encountered with '${name}.''`],
  ): void {
    this.#rejections.push({ name, reasons });
  }

  clearRejections(): void {
    this.#rejections = [];
  }

  async getZone(zoneId: string): Promise<HostedZone> {
    this.#begin("getZone", zoneId);
    return { ...this.#zoneOrFail("getZone", zoneId).zone };
  }

  async listRecords(zoneId: string): Promise<DnsRecord[]> {
    this.#begin("listRecords", zoneId);
    const zone = this.#zoneOrFail("listRecords", zoneId);
    // Already counted one page in #begin; a longer list costs its further pages.
    this.counts.listRecords += Math.max(1, Math.ceil(zone.records.size / LIST_PAGE_SIZE)) - 1;
    return this.peek(zoneId);
  }

  async changeRecords(zoneId: string, changes: readonly RecordChange[]): Promise<{ changeId: string }> {
    this.#begin("changeRecords", zoneId, changes);
    const zone = this.#zoneOrFail("changeRecords", zoneId, changes);
    for (const change of changes) assertNormalisedChange(change);
    const refusal = this.#refusal(zone.zone, zone.records, changes);
    if (refusal !== undefined) {
      this.#end("changeRecords", zoneId, refusal.code, changes);
      throw refusal;
    }
    const changeId = `C${String(++this.#changeSeq).padStart(12, "0")}`;
    this.#changes.set(changeId, { pollsLeft: this.#pollsUntilInsync });
    this.#end("changeRecords", zoneId, "ok", changes);
    return { changeId };
  }

  async changeStatus(changeId: string): Promise<ChangeStatus> {
    this.#begin("changeStatus", changeId);
    const change = this.#changes.get(changeId);
    if (change === undefined) {
      this.#end("changeStatus", changeId, "NoSuchChange");
      throw new Route53UnavailableError("NoSuchChange", `Route53 has no change with id ${changeId}: pass the id changeRecords returned`);
    }
    this.#end("changeStatus", changeId, "ok");
    if (change.pollsLeft === 0) return "INSYNC";
    change.pollsLeft--;
    return "PENDING";
  }

  /** Counts the request and throws an injected failure if one is due. */
  #begin(operation: Route53Operation, target: string, changes?: readonly RecordChange[]): void {
    this.counts[operation]++;
    const failure = this.#failures.shift();
    if (failure !== undefined) {
      this.#end(operation, target, (failure as { code?: string }).code ?? failure.name, changes);
      throw failure;
    }
  }

  #end(operation: Route53Operation, target: string, outcome: string, changes?: readonly RecordChange[]): void {
    this.calls.push({ operation, target, outcome, ...(changes === undefined ? {} : { changes: changes.map(copyChange) }) });
  }

  #zone(zoneId: string): { zone: HostedZone; records: Map<string, DnsRecord> } {
    const zone = this.#zones.get(zoneId);
    if (zone === undefined) throw new RangeError(`FakeRoute53: no zone ${zoneId}; add it with addZone first`);
    return zone;
  }

  #zoneOrFail(operation: Route53Operation, zoneId: string, changes?: readonly RecordChange[]): { zone: HostedZone; records: Map<string, DnsRecord> } {
    const zone = this.#zones.get(zoneId);
    if (zone !== undefined) return zone;
    this.#end(operation, zoneId, "NoSuchHostedZone", changes);
    throw new Route53UnavailableError("NoSuchHostedZone", `No hosted zone found with ID: ${zoneId}`);
  }

  /**
   * Validates the whole request the way Route53 does and applies it only
   * when every change passes; otherwise returns the error to throw.
   */
  #refusal(zone: HostedZone, records: Map<string, DnsRecord>, changes: readonly RecordChange[]): ChangeRejectedError | undefined {
    if (changes.length === 0) {
      return new ChangeRejectedError("InvalidInput", [
        "1 validation error detected: Value '[]' at 'changeBatch.changes' failed to satisfy constraint: Member must have length greater than or equal to 1",
      ]);
    }
    const shapeProblems = changes.flatMap(shapeProblem);
    if (shapeProblems.length > 0) return new ChangeRejectedError("InvalidInput", shapeProblems);
    const limitProblems = batchLimitMessages(changes);
    if (limitProblems.length > 0) return new ChangeRejectedError("InvalidChangeBatch", limitProblems);
    const injected = this.#rejections.filter((r) => changes.some((c) => c.record.name === r.name)).flatMap((r) => r.reasons);
    if (injected.length > 0) return new ChangeRejectedError("InvalidChangeBatch", injected);
    const working = new Map(records);
    const problems = changes.flatMap((change) => applyChange(zone, working, change));
    if (problems.length > 0) return new ChangeRejectedError("InvalidChangeBatch", problems);
    records.clear();
    for (const [key, record] of working) records.set(key, record);
    return undefined;
  }
}

/** Applies one change to the working copy, or says why Route53 would refuse it. */
function applyChange(zone: HostedZone, records: Map<string, DnsRecord>, change: RecordChange): string[] {
  const { record } = change;
  const fqdn = `${record.name}.`;
  const tooLong = nameLengthProblem(record.name);
  if (tooLong?.kind === "label") return [`FATAL problem: DomainLabelTooLong (Domain label is too long) encountered with '${tooLong.label}'`];
  if (tooLong?.kind === "name") return [`FATAL problem: DomainNameTooLong (Domain name is too long) encountered with '${fqdn}'`];
  if (record.name !== zone.name && !record.name.endsWith(`.${zone.name}`)) return [`RRSet with DNS name ${fqdn} is not permitted in zone ${zone.name}.`];
  const key = recordSetKey(record);
  const current = records.get(key);
  if (change.action === "DELETE") {
    if (current === undefined) return [`Tried to delete resource record set ${recordSetLabel(record)} but it was not found`];
    if (!sameRecord(current, record))
      return [`Tried to delete resource record set ${recordSetLabel(record)} but the values provided do not match the current values`];
    records.delete(key);
    return [];
  }
  if (change.action === "CREATE" && current !== undefined) return [`Tried to create resource record set ${recordSetLabel(record)} but it already exists`];
  const problems = [...txtProblems(record), ...routingProblems(records, record), ...cnameProblems(zone, records, record)];
  if (problems.length > 0) return problems;
  records.set(key, copyRecord(record));
  return [];
}

function cnameProblems(zone: HostedZone, records: Map<string, DnsRecord>, record: DnsRecord): string[] {
  const fqdn = `${record.name}.`;
  const sameName = [...records.values()].filter((r) => r.name === record.name);
  if (record.type === "CNAME") {
    if (record.name === zone.name) return [`RRSet of type CNAME with DNS name ${fqdn} is not permitted at apex in zone ${zone.name}.`];
    if (sameName.some((r) => r.type !== "CNAME")) {
      return [`RRSet of type CNAME with DNS name ${fqdn} is not permitted as it conflicts with other records with the same DNS name in zone ${zone.name}.`];
    }
    return [];
  }
  if (sameName.some((r) => r.type === "CNAME")) {
    return [
      `RRSet of type ${record.type} with DNS name ${fqdn} is not permitted because a conflicting RRSet of type CNAME with the same DNS name already exists in zone ${zone.name}.`,
    ];
  }
  return [];
}

/**
 * Route53's routing-policy rules at one name+type, worded as its
 * InvalidChangeBatch messages (collected from issue threads):
 * - a simple record beside set-identifier ones: "RRSet with DNS name x., type
 *   CNAME cannot be created as other RRSets exist with the same name and
 *   type." (chef-boneyard/route53 #100);
 * - a set-identifier record beside a simple one or another policy's: "RRSet
 *   with DNS name x., type A, SetIdentifier bananas cannot be created as a
 *   non-weighted set exists with the same name and type." (external-dns
 *   #3141, #4345; the weighted wording, here with "non-latency": the latency
 *   wording itself was not found, cert-manager #5388 shows the multivalue one
 *   as "because a non multivalue answer rrset exists");
 * - two latency record sets for one region: "RRSet with DNS name xyz.com.,
 *   type A, SetIdentifier xyz.com, and Region Name=eu-west-1 cannot be created
 *   because a latency RRSet with the same name, type and region already
 *   exists." (terraform-provider-aws #1668, external-dns #3945).
 */
function routingProblems(records: Map<string, DnsRecord>, record: DnsRecord): string[] {
  const fqdn = `${record.name}.`;
  const others = [...records.values()].filter((r) => r.name === record.name && r.type === record.type && r.setIdentifier !== record.setIdentifier);
  if (others.length === 0) return [];
  if (record.setIdentifier === undefined) {
    return [`RRSet with DNS name ${fqdn}, type ${record.type} cannot be created as other RRSets exist with the same name and type.`];
  }
  if (others.some((r) => r.setIdentifier === undefined || r.region === undefined)) {
    return [
      `RRSet with DNS name ${fqdn}, type ${record.type}, SetIdentifier ${record.setIdentifier} cannot be created as a non-latency set exists with the same name and type.`,
    ];
  }
  if (others.some((r) => r.region === record.region)) {
    return [
      `RRSet with DNS name ${fqdn}, type ${record.type}, SetIdentifier ${record.setIdentifier}, and Region Name=${record.region} cannot be created ` +
        "because a latency RRSet with the same name, type and region already exists.",
    ];
  }
  return [];
}

function txtProblems(record: DnsRecord): string[] {
  if (record.type !== "TXT") return [];
  return (record.values ?? []).flatMap((value) => {
    if (!/^".*"$/s.test(value))
      return [`Invalid Resource Record: 'FATAL problem: InvalidCharacterString (Value should be enclosed in quotation marks) encountered with '${value}''`];
    if (characterStringLengths(value).some((length) => length > MAX_CHARACTER_STRING))
      return [`Invalid Resource Record: 'FATAL problem: CharacterStringTooLong (Value is too long) encountered with '${value}''`];
    return [];
  });
}

/** A TXT character-string holds at most 255 bytes; a longer text is several quoted strings. */
const MAX_CHARACTER_STRING = 255;

/** The length of each quoted string in a TXT value (`\"`, `\\` and `\ddd` count as one character each). */
function characterStringLengths(value: string): number[] {
  return [...value.matchAll(/"((?:[^"\\]|\\[0-7]{3}|\\.)*)"/g)].map(([, text]) => text!.replace(/\\([0-7]{3}|.)/g, "x").length);
}

/**
 * A record set is an alias or a ttl with at least one value, never both nor
 * neither; a set identifier comes with its policy (for the port: a region)
 * and a region with a set identifier (InvalidInput, before any other check).
 * The set-identifier message is Route53's (terraform-provider-aws #1668); the
 * region-without-set-identifier one was not collected, only its code.
 */
function shapeProblem(change: RecordChange): string[] {
  const { record } = change;
  const where = `in Change with [Action=${change.action}, Name=${record.name}., Type=${record.type}, SetIdentifier=${record.setIdentifier ?? "null"}]`;
  if (record.setIdentifier !== undefined && record.region === undefined) {
    return [`Invalid request: Expected exactly one of [Weight, Region, Failover, GeoLocation, or MultiValueAnswer], but found none ${where}`];
  }
  if (record.setIdentifier === undefined && record.region !== undefined) return [`Invalid request: Missing field 'SetIdentifier' ${where}`];
  const plain = record.ttl !== undefined || record.values !== undefined;
  const complete = record.ttl !== undefined && (record.values?.length ?? 0) > 0;
  if (record.alias !== undefined ? !plain : complete) return [];
  const found = record.alias !== undefined ? "more than one" : "none";
  return [`Invalid request: Expected exactly one of [AliasTarget, all of [TTL, and ResourceRecords], or TrafficPolicyInstanceId], but found ${found} ${where}`];
}

/** The port's records are normalised; a planner that sends anything else has a bug the real adapter would turn into a bad name. */
function assertNormalised(name: string, what: string): void {
  if (name !== name.toLowerCase() || name.endsWith(".") || name.includes("\\")) {
    throw new TypeError(`FakeRoute53: ${what} name '${name}' is not normalised (lowercase, no trailing dot, '*' not '\\052') as DnsRecord requires`);
  }
}

function assertNormalisedChange(change: RecordChange): void {
  assertNormalised(change.record.name, `${change.action} ${change.record.type}`);
  if (change.record.alias !== undefined) assertNormalised(change.record.alias.dnsName, `alias target of ${change.record.name}`);
}

function copyRecord(record: DnsRecord): DnsRecord {
  return {
    ...record,
    ...(record.values === undefined ? {} : { values: [...record.values] }),
    ...(record.alias === undefined ? {} : { alias: { ...record.alias } }),
  };
}

function copyChange(change: RecordChange): RecordChange {
  return { action: change.action, record: copyRecord(change.record) };
}
