// The DNS plan for one hosted zone: what to change so the zone holds the
// desired records, each with its TXT registry record, without ever changing a
// record hostgate does not own. Pure: desired records, every record the zone
// holds, the owner id → change groups (batch-changes.ts packs them into
// requests) and the resources whose records could not be placed.
//
// Rules, in the order they are applied:
//   1. a name is held by one resource: when several want it, the one the
//      registry already names there keeps it, else the first by resource; the
//      others are refused (RecordOwnedElsewhere), and so is a resource that
//      wants a CNAME and other records at one name;
//   2. a resource is refused at a name (nothing written there for it, and what
//      it already owns there is left as it is) when the name+type, a CNAME
//      beside it (or anything beside a CNAME it wants), or its registry name
//      is held by a record that is not hostgate's to take: no TXT with
//      hostgate's owner id, or hostgate's under another resource that may not
//      give it up (a requested record while the requests are not known), a
//      routing-policy record (set identifier: never touched), or beside a
//      wanted CNAME a record of a type hostgate never deletes (an MX, say);
//      a CNAME is also refused where another placed record's registry TXT goes;
//   3. hostgate's records no longer wanted (route gone, deleting, unclaimed,
//      refused, load balancer or record type changed) are deleted with exactly
//      their current values, with their registry TXT records, unless their
//      resource may not be deleted yet (`deletable`);
//   4. a wanted record missing is created; one that differs is deleted with
//      its exact current values and created anew in the same group, which
//      Route53 applies only if the record is still what was read (an UPSERT
//      would overwrite a record changed meanwhile); the same for its TXT;
//   5. one group per name: a record type switch (an A replaced by a CNAME),
//      the A and AAAA of a dualstack route, and every TXT speaking for the
//      name change together: deletes first, the name's own records before
//      the TXTs that speak for them.
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
import { sameRecord } from "./route53/record-sets.ts";
import type { RegistryLabels } from "./txt-registry.ts";
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

/** Resources that own a record (or an orphaned registry TXT) in the zone under `ownerId`. */
export function ownedResources(current: readonly DnsRecord[], zone: ManagedZone, ownerId: string): Set<string> {
  const owned = new Set<string>();
  for (const entry of new ZoneRegistry(current, zone.apex).entries()) if (entry.labels.owner === ownerId) owned.add(entry.labels.resource ?? "");
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

  /** The record without a set identifier at name+type. */
  simple(name: string, type: string): DnsRecord | undefined {
    return this.at(name).find((r) => r.type === type && r.setIdentifier === undefined);
  }

  /** hostgate's resources that the registry names for records at `name`. */
  ourResourcesAt(name: string): Set<string> {
    return new Set(
      this.#registry
        .entriesFor(name)
        .filter((e) => this.#ours(e.labels))
        .map((e) => e.labels.resource ?? ""),
    );
  }

  /** Names that hostgate's registry speaks for: where its records (or orphaned TXTs) may need deleting. */
  ownedNames(): string[] {
    return [...this.#registry.entries()].filter((e) => this.#ours(e.labels)).map((e) => e.name);
  }

  /** Why `d` cannot be written (empty when it can): what holds its name+type, its CNAME exclusivity or its registry name. */
  problemsFor(d: DesiredRecord): string[] {
    const { name, type } = d.record;
    const problems: string[] = [];
    for (const record of this.at(name)) {
      if (record.type === "TXT") {
        // Only a CNAME excludes a TXT at its name; hostgate's own old-format registry TXT for the name may go with the record it replaces.
        if (type !== "CNAME") continue;
        const entry = record.setIdentifier === undefined ? this.#registry.entryAt(record.name) : undefined;
        const oldFormatHere = entry !== undefined && entry.name === name && entry.type === undefined;
        if (!oldFormatHere || !entry.pure || !this.#takeable(entry.labels, d.resource)) {
          problems.push(`${describe(record)} exists, which a CNAME cannot sit beside, and hostgate does not own it (${this.#ownerText(entry?.labels)})`);
        }
        continue;
      }
      if (record.type !== type && type !== "CNAME" && record.type !== "CNAME") continue;
      if (record.setIdentifier !== undefined) {
        problems.push(`${describe(record)} is a routing-policy record (set identifier ${record.setIdentifier}), which hostgate never changes`);
        continue;
      }
      if (!WRITTEN_TYPES.has(record.type)) {
        problems.push(`${describe(record)} exists, which a CNAME cannot sit beside, and hostgate never changes a ${record.type} record`);
        continue;
      }
      const entry = this.#registry.ownerOf(record);
      if (!this.#takeable(entry?.labels, d.resource)) {
        problems.push(`${describe(record)} exists and hostgate does not own it (${this.#ownerText(entry?.labels)}); hostgate never overwrites it`);
      }
    }
    const txtName = this.registryNameOf(d.record);
    for (const record of this.at(txtName)) {
      if (record.type === "CNAME") problems.push(`the registry name ${txtName} of ${describe(d.record)} is held by ${describe(record)}`);
      if (record.type !== "TXT" || record.setIdentifier !== undefined) continue;
      const entry = this.#registry.entryAt(txtName);
      if (entry === undefined || !entry.pure) {
        problems.push(`the registry name ${txtName} of ${describe(d.record)} holds a TXT record with values that are not registry values`);
      } else if (!this.#takeable(entry.labels, d.resource)) {
        problems.push(`the registry record ${txtName} says ${describe(d.record)} is not hostgate's to write (${this.#ownerText(entry.labels)})`);
      }
    }
    return problems;
  }

  /** The changes at `name`: hostgate's records no longer wanted go, the kept desired ones are written, their TXTs follow. */
  groupFor(name: string, kept: readonly DesiredRecord[], refused: ReadonlySet<string>): PlannedGroup | undefined {
    const deletes: DnsRecord[] = [];
    const creates: DnsRecord[] = [];
    const resources = new Set<string>();
    const keptTypes = new Set(kept.map((d) => d.record.type));
    const keptResources = new Set(kept.map((d) => d.resource));
    const replacing = (record: DnsRecord) => keptTypes.has("CNAME") || (record.type === "CNAME" && keptTypes.size > 0);
    const gone = new Set<DnsRecord>();
    for (const record of this.at(name)) {
      if (!WRITTEN_TYPES.has(record.type) || record.setIdentifier !== undefined || keptTypes.has(record.type)) continue;
      const entry = this.#registry.ownerOf(record);
      if (entry === undefined || !this.#ours(entry.labels)) continue;
      const resource = entry.labels.resource ?? "";
      if (refused.has(resource)) continue;
      if (replacing(record) || this.#input.deletable(resource)) {
        deletes.push(record);
        gone.add(record);
        resources.add(resource);
      }
    }
    for (const d of kept) {
      const txt = registryRecord(d.record, this.#input.zone.apex, this.#input.ownerId, d.resource);
      for (const wanted of [d.record, txt]) {
        const current = this.simple(wanted.name, wanted.type);
        if (current !== undefined && sameRecord(current, wanted)) continue;
        if (current !== undefined) deletes.push(current);
        creates.push(wanted);
        resources.add(d.resource);
      }
    }
    // Registry TXTs speaking for this name that nothing staying needs: the deleted records', orphans', and old formats replaced.
    const keptTxtNames = new Set(kept.map((d) => this.registryNameOf(d.record)));
    const staying = this.at(name).filter((r) => WRITTEN_TYPES.has(r.type) && r.setIdentifier === undefined && !gone.has(r) && !keptTypes.has(r.type));
    for (const entry of this.#registry.entriesFor(name)) {
      // A TXT also holding other values (an SPF record beside an old-format registry value) is never deleted whole.
      if (!this.#ours(entry.labels) || !entry.pure || keptTxtNames.has(entry.txt.name)) continue;
      if (staying.some((r) => this.#registry.ownerOf(r) === entry)) continue;
      const resource = entry.labels.resource ?? "";
      if (refused.has(resource) || !(this.#input.deletable(resource) || keptResources.has(resource))) continue;
      deletes.push(entry.txt);
      resources.add(resource);
    }
    if (deletes.length === 0 && creates.length === 0) return undefined;
    const order = (a: DnsRecord, b: DnsRecord) => Number(a.name !== name) - Number(b.name !== name) || byNameAndType(a, b);
    const changes: RecordChange[] = [
      ...deletes.sort(order).map((record) => ({ action: "DELETE" as const, record })),
      ...creates.sort(order).map((record) => ({ action: "CREATE" as const, record })),
    ];
    return { key: name, changes, resources: [...resources].sort(compareStrings) };
  }

  registryNameOf(record: Pick<DnsRecord, "name" | "type">): string {
    return registryName(record.name, record.type, this.#input.zone.apex);
  }

  #ours(labels: RegistryLabels): boolean {
    return labels.owner === this.#input.ownerId;
  }

  /** hostgate may write over a record its registry gives to `resource`, or to a resource of its own that may give it up. */
  #takeable(labels: RegistryLabels | undefined, resource: string): boolean {
    if (labels === undefined || !this.#ours(labels)) return false;
    const holder = labels.resource ?? "";
    return holder === resource || this.#input.deletable(holder);
  }

  #ownerText(labels: RegistryLabels | undefined): string {
    if (labels === undefined) return "no TXT registry record names an owner";
    const resource = labels.resource === undefined ? "" : ` for ${labels.resource}`;
    if (!this.#ours(labels)) return `owned by ${labels.owner ?? "an unnamed owner"}${resource}`;
    return `hostgate holds it${resource}, which may not give it up yet`;
  }
}

/** The types hostgate writes (besides its registry TXTs): the only ones it ever deletes as no longer wanted. */
const WRITTEN_TYPES: ReadonlySet<string> = new Set(["A", "AAAA", "CNAME"]);

/** A resource's records at one name, one per type (the first of each). */
function uniqueTypes(records: readonly DesiredRecord[]): DesiredRecord[] {
  const seen = new Set<string>();
  return records.filter((d) => {
    if (seen.has(d.record.type)) return false;
    seen.add(d.record.type);
    return true;
  });
}

function byNameAndType(a: DnsRecord, b: DnsRecord): number {
  return compareStrings(a.name, b.name) || compareStrings(a.type, b.type);
}
