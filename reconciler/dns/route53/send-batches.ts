// Sends a zone's planned batches, one ChangeResourceRecordSets each, in the
// planner's order. Route53 applies a batch all or nothing, so one bad change
// (a record someone created by hand a moment ago, a name Route53 refuses)
// would hold back every other change in its batch. A refused batch is split
// in halves along group boundaries and each half sent again, down to single
// groups: with one bad group among n, that costs 2·⌈log2 n⌉ more requests,
// every good group lands, and the bad one is reported with Route53's reasons.
// Route53UnavailableError is not split over: it says nothing about the batch,
// so it propagates and the controller retries the whole pass.
import type { Logger } from "../../../core/logger.ts";
import { silentLogger } from "../../../core/logger.ts";
import type { ChangeGroup, ZoneSendResult } from "../change-group.ts";
import { ChangeRejectedError, type Route53Port } from "../route53-port.ts";

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
