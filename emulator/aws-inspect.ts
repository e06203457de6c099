// What the emulator holds, read with the SDK directly (not through hostgate's
// adapters, so a bug there cannot hide itself): every record of a zone, a
// certificate with its tags, the certificates on a listener.
import { DescribeCertificateCommand, ListTagsForCertificateCommand } from "@aws-sdk/client-acm";
import { DescribeListenerCertificatesCommand } from "@aws-sdk/client-elastic-load-balancing-v2";
import { ListResourceRecordSetsCommand } from "@aws-sdk/client-route-53";
import type { ResourceRecordSet } from "@aws-sdk/client-route-53";
import type { AwsClients } from "./platform-setup.ts";

/** One record set as a stable line: `name type value…` (alias: `ALIAS zone dns-name`), names without the trailing dot. */
export function recordLine(set: ResourceRecordSet): string {
  const name = (set.Name ?? "").replace(/\.$/, "").replace(/\\052/g, "*");
  const values = set.AliasTarget
    ? `ALIAS ${set.AliasTarget.HostedZoneId} ${(set.AliasTarget.DNSName ?? "").replace(/\.$/, "").toLowerCase()}`
    : (set.ResourceRecords ?? [])
        .map((r) => r.Value)
        .sort()
        .join(" ");
  return `${name} ${set.Type} ${values}`;
}

export async function zoneRecords(clients: AwsClients, zoneId: string): Promise<ResourceRecordSet[]> {
  const sets: ResourceRecordSet[] = [];
  let start: { StartRecordName?: string; StartRecordType?: ResourceRecordSet["Type"]; StartRecordIdentifier?: string } = {};
  for (;;) {
    const page = await clients.route53.send(new ListResourceRecordSetsCommand({ HostedZoneId: zoneId, ...start }));
    sets.push(...(page.ResourceRecordSets ?? []));
    if (page.IsTruncated !== true) return sets;
    start = { StartRecordName: page.NextRecordName, StartRecordType: page.NextRecordType, StartRecordIdentifier: page.NextRecordIdentifier };
  }
}

export async function zoneLines(clients: AwsClients, zoneId: string): Promise<string[]> {
  return (await zoneRecords(clients, zoneId)).map(recordLine).sort();
}

export interface CertificateView {
  arn: string;
  domainName: string;
  names: string[];
  status: string;
  tags: Record<string, string>;
}

/** undefined when ACM no longer knows the ARN. */
export async function certificate(clients: AwsClients, arn: string): Promise<CertificateView | undefined> {
  try {
    const { Certificate: c } = await clients.acm.send(new DescribeCertificateCommand({ CertificateArn: arn }));
    const { Tags } = await clients.acm.send(new ListTagsForCertificateCommand({ CertificateArn: arn }));
    return {
      arn,
      domainName: c?.DomainName ?? "",
      names: [...(c?.SubjectAlternativeNames ?? [])].sort(),
      status: c?.Status ?? "",
      tags: Object.fromEntries((Tags ?? []).map((t) => [t.Key ?? "", t.Value ?? ""])),
    };
  } catch (error) {
    if ((error as Error).name === "ResourceNotFoundException") return undefined;
    throw error;
  }
}

/** The listener's certificates: ARN → whether it is the default. */
export async function listenerCertificates(clients: AwsClients, listenerArn: string): Promise<Map<string, boolean>> {
  const result = new Map<string, boolean>();
  let marker: string | undefined;
  do {
    const page = await clients.elb.send(
      new DescribeListenerCertificatesCommand({ ListenerArn: listenerArn, ...(marker === undefined ? {} : { Marker: marker }) }),
    );
    for (const c of page.Certificates ?? []) if (c.CertificateArn !== undefined) result.set(c.CertificateArn, c.IsDefault === true);
    marker = page.NextMarker;
  } while (marker !== undefined && marker !== "");
  return result;
}
