// The DNS plan for one hosted zone: what to change so the zone holds the
// desired records, each with its TXT registry record, without ever changing a
// record hostgate does not own. Pure: desired records, every record the zone
// holds, the owner id → change groups (batch-changes.ts packs them into
// requests) and the resources whose records could not be placed.
//
// A record set is its name, type and set identifier. A desired record is
// simple (no set identifier) or a latency one (this cluster's set identifier,
// its cluster name, and the region's route53Region: Active mode across
// regions); hostgate owns a latency record set only through a registry TXT
// with the same set identifier naming its owner id, so two clusters (two
// owner ids) share a zone, each touching only its own set identifier. With
// this cluster's latency identity given (`latency`), a latency set is its own
// only under its set identifier (or, a renamed cluster's old set, in its own
// region) even when the TXT names its owner id: two clusters given one
// dns.ownerId by mistake must not delete each other's sets on every pass.
//
// Rules, in the order they are applied:
//   1. a name is held by one resource: when several want it, the one the
//      registry already names there keeps it, else the first by resource; the
//      others are refused (RecordOwnedElsewhere), and so is a resource that
//      wants a CNAME and other records at one name;
//   2. a resource is refused at a name (nothing written there for it, and what
//      it already owns there is left as it is) when a record set Route53 would
//      not hold beside its record (record-clash.ts: its own record set; a
//      simple one beside set identifiers of its name and type or the other way
//      round; another latency set for its region; anything beside a CNAME), or
//      beside its registry TXT, is not hostgate's to take: no TXT with
//      hostgate's owner id and its set identifier, or hostgate's under another
//      resource that may not give it up (a requested record while the requests
//      are not known), a set identifier without a region (another routing
//      policy: never touched), or beside a wanted CNAME a record of a type
//      hostgate never deletes (an MX, say). Another cluster's latency set
//      never blocks this cluster's latency set of another region, but blocks a
//      simple (RegionBound) record until that cluster deletes it; a latency
//      set whose registry TXT names another workload than a DomainRoute of
//      the same namespace blocks joining its name (a tenant must not take
//      another team's name in its own region);
//      a CNAME is also refused where another placed record's registry TXT goes;
//   3. hostgate's records no longer wanted (route gone, deleting, unclaimed,
//      refused, load balancer or record type changed) or in the way of a
//      wanted one (a type switch, an Active<->RegionBound switch) are deleted
//      with exactly their current values, with their registry TXT records,
//      unless their resource may not be deleted yet (`deletable`); never a
//      record set of another set identifier whose TXT names another owner;
//   4. a wanted record missing is created; one that differs is deleted with
//      its exact current values and created anew in the same group, which
//      Route53 applies only if the record is still what was read (an UPSERT
//      would overwrite a record changed meanwhile); the same for its TXT;
//   5. one group per name: a record type switch (an A replaced by a CNAME),
//      the A and AAAA of a dualstack route, a simple record replaced by this
//      cluster's latency set or the other way round, and every TXT speaking
//      for the name change together: deletes first, the name's own records
//      before the TXTs that speak for them.
// A plan computed from the zone its own changes produced is empty, but where
// names cross: a CNAME wanted at another record's registry name, or a record
// whose registry name holds a CNAME, while this same plan deletes what is in
// the way (hostgate's own, no longer wanted). The blocked record is refused in
// this pass and placed in the next, once the delete has landed (the
// controller looks again while a change is pending); planning around deletes
// of the same pass would make a batch's validity depend on their order.
import { compareStrings } from "../../core/compare-strings.ts";
import type { ChangeGroup } from "./change-group.ts";
import type { DesiredRecord, ManagedZone } from "./desired-records.ts";
import type { DnsRecord, RecordChange } from "./route53-port.ts";
import type { Clash } from "./record-clash.ts";
import { clash, describeSet } from "./record-clash.ts";
import { portWritable, recordSetKey, sameRecord } from "./route53/record-sets.ts";
import type { RegistryEntry } from "./txt-registry.ts";
import { registryName, registryRecord, ZoneRegistry } from "./txt-registry.ts";

export interface ZonePlanInput {
  readonly zone: ManagedZone;
  readonly ownerId: string;
  /** The zone's desired records (any order). */
  readonly desired: readonly DesiredRecord[];
  /** Every record the zone holds. */
  readonly current: readonly DnsRecord[];
  /** Whether hostgate's records of `resource` that nothing wants may be deleted (false for requested records until the requests are known). */
  readonly deletable: (resource: string) => boolean;
  /** This cluster's latency records' set identifier and region (latencyIdentity); absent on a single-region platform. */
  readonly latency?: LatencyIdentity;
}

/** What this cluster's latency records carry: its cluster name as set identifier and its region's route53Region. */
export interface LatencyIdentity {
  readonly setIdentifier: string;
  readonly region: string;
}

/**
 * Whether what `entry` speaks for is hostgate's (this cluster's): its TXT
 * names `ownerId` and, for a latency record set when this cluster's latency
 * identity is known, it carries this cluster's set identifier or answers for
 * this cluster's region (the set of a cluster renamed since, which its new set
 * replaces). Another set identifier for another region is another cluster's
 * whatever owner id its TXT names.
 */
export function ownsEntry(entry: Pick<RegistryEntry, "labels" | "setIdentifier" | "txt">, ownerId: string, latency?: LatencyIdentity): boolean {
  if (entry.labels.owner !== ownerId) return false;
  if (entry.setIdentifier === undefined || latency === undefined) return true;
  return entry.setIdentifier === latency.setIdentifier || entry.txt.region === latency.region;
}

/** A change group with the resources whose records it changes. */
export interface PlannedGroup extends ChangeGroup {
  readonly resources: readonly string[];
}

export interface ZonePlan {
  readonly zoneId: string;
  /** Sorted by key (the name the group is about). */
  readonly groups: readonly PlannedGroup[];
  /** Resources refused in this zone (RecordOwnedElsewhere) → why, one message per record, sorted. */
  readonly conflicts: ReadonlyMap<string, readonly string[]>;
}

export function planZone(input: ZonePlanInput): ZonePlan {
  const zone = new ZoneView(input);
  const conflicts = new Map<string, string[]>();
  const refusedAt = new Map<string, Set<string>>();
  /** `protect`: what the resource already owns at the name stays while it is refused (not so for a resource another one outranks). */
  const refuse = (name: string, resource: string, message: string, protect: boolean) => {
    conflicts.set(resource, [...(conflicts.get(resource) ?? []), message]);
    if (protect) refusedAt.set(name, new Set([...(refusedAt.get(name) ?? []), resource]));
  };
  const byName = new Map<string, DesiredRecord[]>();
  for (const d of input.desired) byName.set(d.record.name, [...(byName.get(d.record.name) ?? []), d]);
  const placed = new Map<string, DesiredRecord[]>();
  for (const [name, wanted] of byName) {
    // 1. one resource per name: the one hostgate's registry names there, else the first.
    const resources = [...new Set(wanted.map((d) => d.resource))].sort(compareStrings);
    const holders = zone.ourResourcesAt(name);
    const winner = resources.find((r) => holders.has(r)) ?? resources[0]!;
    for (const other of resources) if (other !== winner) refuse(name, other, `${name} is also wanted by ${winner}, which keeps it`, false);
    const mine = uniqueTypes(wanted.filter((d) => d.resource === winner));
    // 2. placed whole or not at all.
    const problems =
      mine.some((d) => d.record.type === "CNAME") && mine.length > 1
        ? [`${winner} wants a CNAME and other records at ${name}, which DNS does not allow`]
        : mine.flatMap((d) => zone.problemsFor(d));
    if (problems.length === 0) placed.set(name, mine);
    else for (const problem of problems) refuse(name, winner, problem, true);
  }
  // A CNAME about to be placed at a name where another placed record's registry TXT goes would make Route53 refuse one of them.
  const registryNames = new Map<string, DesiredRecord>();
  for (const records of placed.values()) for (const d of records) registryNames.set(zone.registryNameOf(d.record), d);
  for (const [name, records] of [...placed].sort(([a], [b]) => compareStrings(a, b))) {
    const other = registryNames.get(name);
    if (other === undefined || !records.some((d) => d.record.type === "CNAME")) continue;
    placed.delete(name);
    refuse(name, records[0]!.resource, `${name} is where the TXT registry record of ${describe(other.record)} goes, which a CNAME cannot sit beside`, true);
  }
  // 3-5. the changes, name by name.
  const names = new Set([...byName.keys(), ...zone.ownedNames()]);
  const groups: PlannedGroup[] = [];
  for (const name of [...names].sort(compareStrings)) {
    const group = zone.groupFor(name, placed.get(name) ?? [], refusedAt.get(name) ?? new Set());
    if (group !== undefined) groups.push(group);
  }
  const sortedConflicts = new Map(
    [...conflicts].sort(([a], [b]) => compareStrings(a, b)).map(([resource, messages]) => [resource, [...messages].sort(compareStrings)]),
  );
  return { zoneId: input.zone.zoneId, groups, conflicts: sortedConflicts };
}

/** Resources that own a record (or an orphaned registry TXT) in the zone under `ownerId` (and this cluster's latency identity: ownsEntry). */
export function ownedResources(current: readonly DnsRecord[], zone: ManagedZone, ownerId: string, latency?: LatencyIdentity): Set<string> {
  const owned = new Set<string>();
  for (const entry of new ZoneRegistry(current, zone.apex).entries()) if (ownsEntry(entry, ownerId, latency)) owned.add(entry.labels.resource ?? "");
  return owned;
}

/** `A shop.example.com`: how messages and group keys name a record. */
export function describe(record: Pick<DnsRecord, "name" | "type">): string {
  return `${record.type} ${record.name}`;
}

/** The zone as read, with the questions the plan asks of it. */
class ZoneView {
  readonly #input: ZonePlanInput;
  readonly #registry: ZoneRegistry;
  readonly #byName = new Map<string, DnsRecord[]>();

  constructor(input: ZonePlanInput) {
    this.#input = input;
    this.#registry = new ZoneRegistry(input.current, input.zone.apex);
    for (const record of input.current) this.#byName.set(record.name, [...(this.#byName.get(record.name) ?? []), record]);
  }

  /** The records at `name`. */
  at(name: string): readonly DnsRecord[] {
    return this.#byName.get(name) ?? [];
  }

  /** The record set with this name, type and set identifier. */
  slot(record: DnsRecord): DnsRecord | undefined {
    return this.at(record.name).find((r) => r.type === record.type && r.setIdentifier === record.setIdentifier);
  }

  /** hostgate's resources that the registry names for records at `name`. */
  ourResourcesAt(name: string): Set<string> {
    return new Set(
      this.#registry
        .entriesFor(name)
        .filter((e) => this.#ours(e))
        .map((e) => e.labels.resource ?? ""),
    );
  }

  /** Names that hostgate's registry speaks for: where its records (or orphaned TXTs) may need deleting. */
  ownedNames(): string[] {
    return [...this.#registry.entries()].filter((e) => this.#ours(e)).map((e) => e.name);
  }

  /** Why `d` cannot be written (empty when it can): what holds its record set or clashes with it (record-clash.ts), and the same for its registry TXT. */
  problemsFor(d: DesiredRecord): string[] {
    // A set identifier needs its policy's field: the port carries a latency region only, and Route53 refuses a set identifier alone.
    if (!portWritable(d.record)) {
      return [
        `${describeSet(d.record)} has a set identifier but no region, and hostgate writes only latency record sets: ` +
          "give the cluster's region a route53Region in the platform config",
      ];
    }
    const problems: string[] = [];
    /** Set identifiers ("" for simple) of the record sets of d's name and type already reported: their registry TXTs would only repeat them. */
    const reported = new Set<string>();
    for (const record of this.at(d.record.name)) {
      const kind = clash(record, d.record);
      if (kind === undefined) {
        const joined = this.#otherWorkload(record, d);
        if (joined !== undefined) problems.push(joined);
        continue;
      }
      const problem = record.type === "TXT" ? this.#txtBesideCname(record, d) : this.#recordProblem(record, kind, d);
      if (problem === undefined) continue;
      problems.push(problem);
      if (record.type === d.record.type) reported.add(record.setIdentifier ?? "");
    }
    const txt = this.registryRecordOf(d);
    for (const record of this.at(txt.name)) {
      const kind = clash(record, txt);
      if (kind === undefined || (record.type === "TXT" && reported.has(record.setIdentifier ?? ""))) continue;
      const problem =
        record.type === "TXT"
          ? this.#registryProblem(record, kind, d)
          : `the registry name ${txt.name} of ${describe(d.record)} is held by ${describeSet(record)}`;
      if (problem !== undefined) problems.push(problem);
    }
    return problems;
  }

  /** The changes at `name`: hostgate's records no longer wanted (or in the way of wanted ones) go, the kept desired ones are written, their TXTs follow. */
  groupFor(name: string, kept: readonly DesiredRecord[], refused: ReadonlySet<string>): PlannedGroup | undefined {
    const deletes: DnsRecord[] = [];
    const creates: DnsRecord[] = [];
    const resources = new Set<string>();
    const keptKeys = new Set(kept.map((d) => recordSetKey(d.record)));
    const keptResources = new Set(kept.map((d) => d.resource));
    const gone = new Set<DnsRecord>();
    for (const record of this.at(name)) {
      if (!WRITTEN_TYPES.has(record.type) || !portWritable(record) || keptKeys.has(recordSetKey(record))) continue;
      const entry = this.#registry.ownerOf(record);
      if (entry === undefined || !this.#ours(entry)) continue;
      const resource = entry.labels.resource ?? "";
      if (refused.has(resource)) continue;
      // In the way of a kept record (a type switch, an Active<->RegionBound switch), or simply no longer wanted.
      if (kept.some((d) => clash(record, d.record) !== undefined) || this.#input.deletable(resource)) {
        deletes.push(record);
        gone.add(record);
        resources.add(resource);
      }
    }
    for (const d of kept) {
      for (const wanted of [d.record, this.registryRecordOf(d)]) {
        const current = this.slot(wanted);
        if (current !== undefined && sameRecord(current, wanted)) continue;
        if (current !== undefined) deletes.push(current);
        creates.push(wanted);
        resources.add(d.resource);
      }
    }
    // Registry TXTs speaking for this name that nothing staying needs: the deleted records', orphans', and old formats replaced.
    const keptTxtKeys = new Set(kept.map((d) => recordSetKey(this.registryRecordOf(d))));
    const staying = this.at(name).filter((r) => WRITTEN_TYPES.has(r.type) && !gone.has(r) && !keptKeys.has(recordSetKey(r)));
    for (const entry of this.#registry.entriesFor(name)) {
      // A TXT also holding other values (an SPF record beside an old-format registry value) is never deleted whole.
      if (!this.#ours(entry) || !entry.pure || !portWritable(entry.txt) || keptTxtKeys.has(recordSetKey(entry.txt))) continue;
      if (staying.some((r) => this.#registry.ownerOf(r) === entry)) continue;
      const resource = entry.labels.resource ?? "";
      if (refused.has(resource) || !(this.#input.deletable(resource) || keptResources.has(resource))) continue;
      deletes.push(entry.txt);
      resources.add(resource);
    }
    if (deletes.length === 0 && creates.length === 0) return undefined;
    const order = (a: DnsRecord, b: DnsRecord) => Number(a.name !== name) - Number(b.name !== name) || byNameTypeAndSet(a, b);
    const changes: RecordChange[] = [
      ...deletes.sort(order).map((record) => ({ action: "DELETE" as const, record })),
      ...creates.sort(order).map((record) => ({ action: "CREATE" as const, record })),
    ];
    return { key: name, changes, resources: [...resources].sort(compareStrings) };
  }

  registryNameOf(record: Pick<DnsRecord, "name" | "type">): string {
    return registryName(record.name, record.type, this.#input.zone.apex);
  }

  /** The registry TXT hostgate writes beside `d` (with its set identifier and region). */
  registryRecordOf(d: DesiredRecord): DnsRecord {
    return registryRecord(d.record, this.#input.zone.apex, this.#input.ownerId, d.resource);
  }

  /** A TXT at the name of a wanted CNAME: only hostgate's own old-format registry TXT for the name may go with the record it replaces. */
  #txtBesideCname(record: DnsRecord, d: DesiredRecord): string | undefined {
    const entry = this.#registry.entryAt(record.name, record.setIdentifier);
    const oldFormatHere = entry !== undefined && entry.name === d.record.name && entry.type === undefined;
    if (oldFormatHere && entry.pure && portWritable(record) && this.#takeable(entry, d.resource)) return undefined;
    return `${describeSet(record)} exists, which a CNAME cannot sit beside, and hostgate does not own it (${this.#ownerText(entry)})`;
  }

  /** A record (not a TXT) at the wanted record's name that clashes with it: fine only when hostgate's and takeable (it is replaced in the same group). */
  #recordProblem(record: DnsRecord, kind: Clash, d: DesiredRecord): string | undefined {
    if (!portWritable(record)) return `${describe(record)} is a routing-policy record (set identifier ${record.setIdentifier}), which hostgate never changes`;
    if (!WRITTEN_TYPES.has(record.type))
      return `${describe(record)} exists, which a CNAME cannot sit beside, and hostgate never changes a ${record.type} record`;
    const entry = this.#registry.ownerOf(record);
    if (this.#takeable(entry, d.resource)) return undefined;
    const owner = this.#ownerText(entry);
    switch (kind) {
      case "simpleBesideSet":
        return (
          `${describe(record)} has a latency record with set identifier ${record.setIdentifier} (region ${record.region}; ${owner}), ` +
          `and Route53 allows no simple record beside latency records: ${this.#resolution(entry, "it goes when that cluster stops publishing it")}`
        );
      case "setBesideSimple":
        return `${describe(record)} is a simple record (${owner}), and Route53 allows no latency record beside it; hostgate never overwrites it`;
      case "sameRegion":
        return (
          `${describeSet(record)} already answers for region ${record.region} (${owner}), and Route53 allows one latency record per region: ` +
          this.#resolution(entry, "it goes when that cluster stops publishing it")
        );
      default: {
        // A record set of its own set identifier held by another owner: two clusters publish under one cluster name.
        const shared =
          record.setIdentifier !== undefined && entry !== undefined && !this.#ours(entry)
            ? `; a set identifier is one cluster's: give each cluster its own cluster name`
            : "";
        return `${describeSet(record)} exists and hostgate does not own it (${owner}); hostgate never overwrites it${shared}`;
      }
    }
  }

  /**
   * Another cluster's latency set at the name of a wanted latency record, when
   * its registry TXT names a workload other than a DomainRoute of the wanted
   * one's namespace: joining it would give this route that name's traffic in
   * this cluster's region, so a tenant could take a name another team
   * publishes in other regions (DomainClaims are per cluster). The same
   * namespace in every cluster (namespace sameness) is the same workload; a
   * set no registry record speaks for is a platform team's, and may be joined.
   */
  #otherWorkload(record: DnsRecord, d: DesiredRecord): string | undefined {
    if (d.record.setIdentifier === undefined || record.setIdentifier === undefined || record.region === undefined || !WRITTEN_TYPES.has(record.type)) {
      return undefined;
    }
    const entry = this.#registry.ownerOf(record);
    if (entry === undefined || this.#ours(entry)) return undefined;
    const namespace = routeNamespace(d.resource);
    if (namespace === undefined || routeNamespace(entry.labels.resource ?? "") === namespace) return undefined;
    const theirs = routeNamespace(entry.labels.resource ?? "");
    const only =
      theirs === undefined ? "it is no DomainRoute's, so this cluster does not join it" : `this cluster joins it only for a DomainRoute in namespace ${theirs}`;
    const fix = theirs === undefined ? "route another name" : `route another name, or publish it from namespace ${theirs}`;
    return (
      `${describeSet(record)} answers for region ${record.region} (${this.#ownerText(entry)}), and a latency name serves one workload in every region: ` +
      `${only} (this is ${d.resource}); ${fix}`
    );
  }

  /** A TXT at the wanted record's registry name that clashes with its registry TXT. */
  #registryProblem(record: DnsRecord, kind: Clash, d: DesiredRecord): string | undefined {
    const name = record.name;
    if (!portWritable(record))
      return `the registry name ${name} of ${describe(d.record)} holds ${describeSet(record)} of a routing policy hostgate never changes`;
    const entry = this.#registry.entryAt(name, record.setIdentifier);
    if (entry === undefined || !entry.pure) {
      return `the registry name ${name} of ${describe(d.record)} holds a TXT record${setText(record)} with values that are not registry values`;
    }
    if (this.#takeable(entry, d.resource)) return undefined;
    if (kind === "same")
      return `the registry record ${name}${setText(record)} says ${describeSet(d.record)} is not hostgate's to write (${this.#ownerText(entry)})`;
    return (
      `the registry record ${name}${setText(record)}, ${this.#ownerText(entry)}, leaves no room beside it for the registry record of ${describeSet(d.record)}: ` +
      this.#resolution(entry, "it goes when that cluster stops publishing it")
    );
  }

  #ours(entry: RegistryEntry): boolean {
    return ownsEntry(entry, this.#input.ownerId, this.#input.latency);
  }

  /** hostgate may write over a record its registry gives to `resource`, or to a resource of its own that may give it up. */
  #takeable(entry: RegistryEntry | undefined, resource: string): boolean {
    if (entry === undefined || !this.#ours(entry)) return false;
    const holder = entry.labels.resource ?? "";
    return holder === resource || this.#input.deletable(holder);
  }

  #ownerText(entry: RegistryEntry | undefined): string {
    if (entry === undefined) return "no TXT registry record names an owner";
    const { labels } = entry;
    const resource = labels.resource === undefined ? "" : ` for ${labels.resource}`;
    if (labels.owner === this.#input.ownerId && !this.#ours(entry))
      return (
        `owned by ${labels.owner}${resource} under set identifier ${entry.setIdentifier}, another cluster's (this cluster's is ${this.#input.latency?.setIdentifier}); ` +
        "two clusters share this owner id, so give each cluster its own dns.ownerId"
      );
    if (!this.#ours(entry)) return `owned by ${labels.owner ?? "an unnamed owner"}${resource}`;
    return `hostgate holds it${resource}, which may not give it up yet`;
  }

  /** How a clash with a record set resolves: `another` when another owner holds it; hostgate's own goes when its resource gives it up; nobody's stays. */
  #resolution(entry: RegistryEntry | undefined, another: string): string {
    if (entry === undefined) return "hostgate never deletes a record nobody owns";
    return this.#ours(entry) ? "it goes when its resource gives it up" : another;
  }
}

/** The types hostgate writes (besides its registry TXTs): the only ones it ever deletes as no longer wanted. */
const WRITTEN_TYPES: ReadonlySet<string> = new Set(["A", "AAAA", "CNAME"]);

/** The namespace of a DomainRoute's registry resource (`domainroute/<namespace>/<name>`); undefined for any other resource. */
function routeNamespace(resource: string): string | undefined {
  const parts = resource.split("/");
  return parts.length === 3 && parts[0] === "domainroute" ? parts[1] : undefined;
}

/** A resource's records at one name, one per type (the first of each). */
function uniqueTypes(records: readonly DesiredRecord[]): DesiredRecord[] {
  const seen = new Set<string>();
  return records.filter((d) => {
    if (seen.has(d.record.type)) return false;
    seen.add(d.record.type);
    return true;
  });
}

function byNameTypeAndSet(a: DnsRecord, b: DnsRecord): number {
  return compareStrings(a.name, b.name) || compareStrings(a.type, b.type) || compareStrings(a.setIdentifier ?? "", b.setIdentifier ?? "");
}

/** ` (set identifier x)` for a record set that has one. */
function setText(record: Pick<DnsRecord, "setIdentifier">): string {
  return record.setIdentifier === undefined ? "" : ` (set identifier ${record.setIdentifier})`;
}
