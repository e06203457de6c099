// What a person does to Route53 by hand behind hostgate's back: points a
// record somewhere else, or deletes it. hostgate must undo both at its next
// resync (Route53 has no watch).
import { ChangeResourceRecordSetsCommand } from "@aws-sdk/client-route-53";
import type { ResourceRecordSet } from "@aws-sdk/client-route-53";
import { recordLine, zoneRecords } from "./aws-inspect.ts";
import type { AwsClients } from "./platform-setup.ts";

/** Points the alias record `name`/`type` at another load balancer. */
export async function repointAlias(clients: AwsClients, zoneId: string, name: string, type: "A" | "AAAA", target: { dnsName: string; hostedZoneId: string }) {
  const set: ResourceRecordSet = {
    Name: name,
    Type: type,
    AliasTarget: { DNSName: target.dnsName, HostedZoneId: target.hostedZoneId, EvaluateTargetHealth: false },
  };
  await clients.route53.send(
    new ChangeResourceRecordSetsCommand({ HostedZoneId: zoneId, ChangeBatch: { Changes: [{ Action: "UPSERT", ResourceRecordSet: set }] } }),
  );
}

/** Deletes the record set `name`/`type` exactly as Route53 holds it. */
export async function deleteRecordSet(clients: AwsClients, zoneId: string, name: string, type: string): Promise<void> {
  const sets = await zoneRecords(clients, zoneId);
  const set = sets.find((s) => s.Type === type && s.Name?.replace(/\.$/, "") === name);
  if (set === undefined) throw new Error(`no ${type} record ${name} to delete by hand`);
  await clients.route53.send(
    new ChangeResourceRecordSetsCommand({ HostedZoneId: zoneId, ChangeBatch: { Changes: [{ Action: "DELETE", ResourceRecordSet: set }] } }),
  );
}

/** The zone's line for `name`/`type` (aws-inspect.ts recordLine), or `(none)`. */
export async function currentLine(clients: AwsClients, zoneId: string, name: string, type: string): Promise<string> {
  const sets = await zoneRecords(clients, zoneId);
  return sets.map(recordLine).find((line) => line.startsWith(`${name} ${type} `)) ?? `(no ${type} record ${name})`;
}
