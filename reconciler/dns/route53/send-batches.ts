// Sends a zone's planned batches, one ChangeResourceRecordSets each, in the
// planner's order. Route53 applies a batch all or nothing, so one bad change
// (a record someone created by hand a moment ago, a name Route53 refuses)
// would hold back every other change in its batch. A refused batch is split
// in halves along group boundaries and each half sent again, down to single
// groups: with one bad group among n, that costs 2·⌈log2 n⌉ more requests,
// every good group lands, and the bad one is reported with Route53's reasons.
// Route53UnavailableError is not split over: it says nothing about the batch,
// so it propagates and the controller retries the whole pass.
//
// One refusal is checked before it is believed: "Tried to create … but it
// already exists" for a record that a fresh read shows absent (or holding
// exactly what the group deletes first). Route53 never says that, but moto
// (and LocalStack, built on it) does when a CREATE repeats an earlier one
// word for word, which is what restoring a record deleted or edited by hand,
// or re-creating a deleted route, sends (for a latency record set too, which
// moto names without its set identifier). Such a group is sent once more with
// those CREATEs as UPSERTs (and without the DELETE they follow), which
// writes the same record. A record someone else created meanwhile shows in
// the fresh read, and its group stays refused: nothing is overwritten.
import type { Logger } from "../../../core/logger.ts";
import { silentLogger } from "../../../core/logger.ts";
import type { ChangeGroup, ZoneSendResult } from "../change-group.ts";
import { ChangeRejectedError, type RecordChange, type Route53Port } from "../route53-port.ts";
import { recordSetKey, sameRecord } from "./record-sets.ts";
import { portName } from "./route53-names.ts";

export async function sendZoneChanges(
  port: Route53Port,
  zoneId: string,
  batches: readonly (readonly ChangeGroup[])[],
  log: Logger = silentLogger,
): Promise<ZoneSendResult> {
  const sent: { changeId: string; groups: string[] }[] = [];
  const rejected: { group: string; reasons: readonly string[] }[] = [];
  let requests = 0;

  const send = async (groups: readonly ChangeGroup[]): Promise<void> => {
    const changes = groups.flatMap((group) => group.changes);
    // A pass with nothing to change sends nothing (Route53 refuses an empty batch anyway).
    if (changes.length === 0) return;
    requests++;
    try {
      const { changeId } = await port.changeRecords(zoneId, changes);
      sent.push({ changeId, groups: groups.map((group) => group.key) });
    } catch (error) {
      if (!(error instanceof ChangeRejectedError)) throw error;
      if (groups.length === 1) {
        const upserts = await asUpserts(port, zoneId, groups[0]!.changes, error);
        if (upserts !== undefined) {
          requests++;
          try {
            const { changeId } = await port.changeRecords(zoneId, upserts);
            log.info({ zoneId, group: groups[0]!.key }, "Route53 said a record exists that a fresh read does not show; sent its CREATE as an UPSERT");
            sent.push({ changeId, groups: [groups[0]!.key] });
            return;
          } catch (retryError) {
            if (!(retryError instanceof ChangeRejectedError)) throw retryError;
          }
        }
        const group = groups[0]!.key;
        log.warn({ zoneId, group, code: error.code, reasons: error.reasons }, "Route53 refused a change group; the rest of its batch was sent without it");
        rejected.push({ group, reasons: error.reasons });
        return;
      }
      const half = Math.ceil(groups.length / 2);
      log.debug({ zoneId, groups: groups.length, code: error.code }, "Route53 refused a change batch; sending each half on its own");
      await send(groups.slice(0, half));
      await send(groups.slice(half));
    }
  };

  for (const batch of batches) await send(batch);
  if (requests > 0) {
    log.info(
      { zoneId, batches: batches.length, requests, sentGroups: sent.reduce((n, s) => n + s.groups.length, 0), rejectedGroups: rejected.length },
      "sent Route53 change batches",
    );
  }
  return { sent, rejected };
}

/**
 * `[name='x.example.com.', type='A']` in "Tried to create resource record set … but it already exists" (also inside Route53's
 * bracketed list), with `, set-identifier='…'` for a latency record set as Route53 names one; moto leaves the set identifier out.
 */
const ALREADY_EXISTS = /Tried to create resource record set \[name='([^']*)', type='([^']*)'(?:, set-identifier='([^']*)')?\] but it already exists/g;

/**
 * The group's changes with its CREATEs as UPSERTs (and the DELETEs they
 * follow dropped), when the refusal only says records exist and a fresh read
 * shows each CREATE's record set (name, type, set identifier) absent or
 * exactly what the group deletes first. Every CREATE of the group is checked,
 * not only those named: moto names the first repeated CREATE only, and
 * without its set identifier. Undefined when the refusal must be believed.
 */
async function asUpserts(port: Route53Port, zoneId: string, changes: readonly RecordChange[], error: ChangeRejectedError): Promise<RecordChange[] | undefined> {
  const said: { name: string; type: string; setIdentifier?: string }[] = [];
  for (const reason of error.reasons) {
    for (const [, name, type, setIdentifier] of reason.matchAll(ALREADY_EXISTS)) {
      said.push({ name: portName(name!), type: type!, ...(setIdentifier === undefined ? {} : { setIdentifier }) });
    }
    // Any other complaint (Route53 lists several as `[a, b]`) is a real one: believe the refusal.
    if (!/^[[\],\s]*$/.test(reason.replace(ALREADY_EXISTS, ""))) return undefined;
  }
  const creates = changes.filter((c) => c.action === "CREATE");
  const created = new Set(creates.map((c) => recordSetKey(c.record)));
  // Every record set named must be one the group creates (a name without a set identifier: any of its name and type).
  const namesACreate = (s: (typeof said)[number]) =>
    creates.some((c) => c.record.name === s.name && c.record.type === s.type && (s.setIdentifier === undefined || c.record.setIdentifier === s.setIdentifier));
  if (said.length === 0 || !said.every(namesACreate)) return undefined;
  const fresh = await port.listRecords(zoneId);
  for (const create of creates) {
    const key = recordSetKey(create.record);
    const current = fresh.find((r) => recordSetKey(r) === key);
    const deleted = changes.find((c) => c.action === "DELETE" && recordSetKey(c.record) === key);
    if (current !== undefined && (deleted === undefined || !sameRecord(current, deleted.record))) return undefined;
  }
  return changes
    .filter((c) => !(c.action === "DELETE" && created.has(recordSetKey(c.record))))
    .map((c) => (c.action === "CREATE" ? { action: "UPSERT" as const, record: c.record } : c));
}
