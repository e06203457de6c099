// What the DNS controller remembers between passes, in memory only (a restart
// reads every zone again): each zone's records as last read with the changes
// that landed since applied, when it was read, and the change ids Route53 has
// not reported INSYNC yet. Route53 has no watch, so this is what lets a pass
// where nothing changed send no request at all.
import type { DnsRecord, RecordChange } from "./route53-port.ts";
import { withChanges } from "./zone-records.ts";

interface ZoneCache {
  records: readonly DnsRecord[];
  readAt: number;
  /** A send failed or was refused: what Route53 holds is not known, read it before planning again. */
  stale: boolean;
}

export interface PendingChange {
  readonly changeId: string;
  readonly zoneId: string;
  /** The resources whose records the change carries. */
  readonly resources: readonly string[];
}

export class DnsState {
  readonly #zones = new Map<string, ZoneCache>();
  #pending: PendingChange[] = [];
  #ignored = "";

  /** The zone's records when they may be planned against: read, not stale, and read less than `maxAgeMs` ago. */
  fresh(zoneId: string, now: number, maxAgeMs: number): readonly DnsRecord[] | undefined {
    const zone = this.#zones.get(zoneId);
    if (zone === undefined || zone.stale || now - zone.readAt >= maxAgeMs) return undefined;
    return zone.records;
  }

  /** The zone's records as last known (maybe stale), or undefined when never read in this term. */
  known(zoneId: string): readonly DnsRecord[] | undefined {
    return this.#zones.get(zoneId)?.records;
  }

  /** When the zone is next due to be read again (undefined when never read, or due now). */
  dueAt(zoneId: string, maxAgeMs: number): number | undefined {
    const zone = this.#zones.get(zoneId);
    return zone === undefined || zone.stale ? undefined : zone.readAt + maxAgeMs;
  }

  read(zoneId: string, records: readonly DnsRecord[], now: number): void {
    this.#zones.set(zoneId, { records, readAt: now, stale: false });
  }

  /** Route53 accepted these changes: the cached zone holds them now. */
  landed(zoneId: string, changes: readonly RecordChange[]): void {
    const zone = this.#zones.get(zoneId);
    if (zone !== undefined) zone.records = withChanges(zone.records, changes);
  }

  /** A send failed or was refused: read the zone before the next plan. */
  invalidate(zoneId: string): void {
    const zone = this.#zones.get(zoneId);
    if (zone !== undefined) zone.stale = true;
  }

  /** Forgets zones the config no longer names. */
  keepOnly(zoneIds: ReadonlySet<string>): void {
    for (const zoneId of [...this.#zones.keys()]) if (!zoneIds.has(zoneId)) this.#zones.delete(zoneId);
    this.#pending = this.#pending.filter((p) => zoneIds.has(p.zoneId));
  }

  addPending(change: PendingChange): void {
    this.#pending.push(change);
  }

  /** Changes not yet INSYNC, oldest first. */
  pending(): readonly PendingChange[] {
    return this.#pending;
  }

  insync(changeId: string): void {
    this.#pending = this.#pending.filter((p) => p.changeId !== changeId);
  }

  /** Remembers the requests left out in this pass; true when they differ from the last pass's (worth a log line). */
  noteIgnored(problems: readonly string[]): boolean {
    const joined = problems.join("\n");
    const changed = joined !== this.#ignored;
    this.#ignored = joined;
    return changed && problems.length > 0;
  }

  /** Resources with a change not yet INSYNC. */
  pendingResources(): Set<string> {
    return new Set(this.#pending.flatMap((p) => p.resources));
  }
}
