// The Route53Port over @aws-sdk/client-route-53. It pages through record
// lists, turns Route53's spelling of names and ids into the port's, and
// retries what Route53 asks callers to retry (throttling, a zone busy with
// the previous change, 5xx, the network) with the one AWS retry policy
// (core/aws/aws-retry.ts: capped exponential backoff with jitter, so replicas
// and clients sharing an account's ~5 requests a second spread out). The
// SDK's own retries are off (maxAttempts 1), so that policy is the only one.
import {
  ChangeResourceRecordSetsCommand,
  GetChangeCommand,
  GetHostedZoneCommand,
  ListResourceRecordSetsCommand,
  Route53Client,
  type RRType,
  type ResourceRecordSet,
  type ResourceRecordSetRegion,
} from "@aws-sdk/client-route-53";
import { AwsRetry, type AwsRetryOptions } from "../../../core/aws/aws-retry.ts";
import type { ChangeStatus, DnsRecord, HostedZone, RecordChange, Route53Port } from "../route53-port.ts";
import { Route53UnavailableError } from "../route53-port.ts";
import type { AwsHttpTimeouts } from "../../../core/aws/aws-http-timeouts.ts";
import { AWS_HTTP_TIMEOUTS } from "../../../core/aws/aws-http-timeouts.ts";
import { type Route53Call, route53Error } from "./route53-errors.ts";
import { bareChangeId, bareZoneId, portName, route53Name } from "./route53-names.ts";

/** Route53 is a global service: any region signs for it, and us-east-1 is where it lives. */
export const ROUTE53_FALLBACK_REGION = "us-east-1";

/**
 * A client from the SDK's default chain (AWS_REGION, AWS_ENDPOINT_URL,
 * profiles, web identity, pod identity), with no hostgate flag in between;
 * only when nothing names a region does it fall back to us-east-1.
 */
export async function defaultRoute53Client(timeouts: AwsHttpTimeouts = AWS_HTTP_TIMEOUTS): Promise<Route53Client> {
  const options = { maxAttempts: 1, requestHandler: { ...timeouts } };
  const client = new Route53Client(options);
  try {
    await client.config.region();
    return client;
  } catch {
    client.destroy();
    return new Route53Client({ ...options, region: ROUTE53_FALLBACK_REGION });
  }
}

export class SdkRoute53 implements Route53Port {
  readonly #client: Route53Client;
  readonly #retry: AwsRetry;

  constructor(client: Route53Client, options: AwsRetryOptions = {}) {
    this.#client = client;
    this.#retry = new AwsRetry(options);
  }

  async listRecords(zoneId: string): Promise<DnsRecord[]> {
    const HostedZoneId = bareZoneId(zoneId);
    const records: DnsRecord[] = [];
    let start: { StartRecordName?: string; StartRecordType?: RRType; StartRecordIdentifier?: string } = {};
    for (;;) {
      const page = await this.#call({ operation: "ListResourceRecordSets", target: HostedZoneId }, () =>
        this.#client.send(new ListResourceRecordSetsCommand({ HostedZoneId, ...start })),
      );
      for (const set of page.ResourceRecordSets ?? []) records.push(portRecord(set));
      if (page.IsTruncated !== true) return records;
      if (page.NextRecordName === undefined)
        throw new Error(`Route53 ListResourceRecordSets on hosted zone ${HostedZoneId} said IsTruncated without NextRecordName`);
      const next = {
        StartRecordName: page.NextRecordName,
        ...(page.NextRecordType === undefined ? {} : { StartRecordType: page.NextRecordType }),
        ...(page.NextRecordIdentifier === undefined ? {} : { StartRecordIdentifier: page.NextRecordIdentifier }),
      };
      // The same start again would read the same page forever (an endpoint that leaves out NextRecordIdentifier can answer so).
      if (Object.keys(start).length > 0 && JSON.stringify(next) === JSON.stringify(start)) {
        const at = [next.StartRecordName, next.StartRecordType, next.StartRecordIdentifier].filter((part) => part !== undefined).join(" ");
        throw new Route53UnavailableError(
          "PaginationStalled",
          `Route53 ListResourceRecordSets on hosted zone ${HostedZoneId} answered the same next page (${at}) twice, so the zone cannot be read to its end: ` +
            "the endpoint does not page past record sets of one name and type (Route53 answers NextRecordIdentifier); check that AWS_ENDPOINT_URL, if set, is Route53 or a faithful emulator",
        );
      }
      start = next;
    }
  }

  async getZone(zoneId: string): Promise<HostedZone> {
    const Id = bareZoneId(zoneId);
    const answer = await this.#call({ operation: "GetHostedZone", target: Id }, () => this.#client.send(new GetHostedZoneCommand({ Id })));
    const zone = answer.HostedZone;
    return { id: bareZoneId(zone?.Id ?? Id), name: portName(zone?.Name ?? ""), privateZone: zone?.Config?.PrivateZone === true };
  }

  async changeRecords(zoneId: string, changes: readonly RecordChange[]): Promise<{ changeId: string }> {
    const HostedZoneId = bareZoneId(zoneId);
    const Changes = changes.map((change) => ({ Action: change.action, ResourceRecordSet: route53RecordSet(change.record) }));
    const answer = await this.#call({ operation: "ChangeResourceRecordSets", target: HostedZoneId }, () =>
      this.#client.send(new ChangeResourceRecordSetsCommand({ HostedZoneId, ChangeBatch: { Changes } })),
    );
    return { changeId: bareChangeId(answer.ChangeInfo?.Id ?? "") };
  }

  async changeStatus(changeId: string): Promise<ChangeStatus> {
    const Id = bareChangeId(changeId);
    const answer = await this.#call({ operation: "GetChange", target: Id }, () => this.#client.send(new GetChangeCommand({ Id })));
    return answer.ChangeInfo?.Status === "INSYNC" ? "INSYNC" : "PENDING";
  }

  /** One API call under the retry policy; what still fails becomes the port's error. */
  async #call<T>(call: Route53Call, send: () => Promise<T>): Promise<T> {
    try {
      return await this.#retry.run(`Route53 ${call.operation} ${call.target}`, send);
    } catch (error) {
      throw route53Error(call, error, this.#retry.policy.attempts);
    }
  }
}

/**
 * A record set as read, in the port's plain form. A latency record keeps its
 * set identifier and region; a record of another routing policy (Weight,
 * Failover, GeoLocation, GeoProximityLocation, MultiValueAnswer,
 * CidrRoutingConfig) keeps its set identifier only, so the planner sees a set
 * identifier without a region and never touches it (the port cannot write
 * those policies back, so it must never try to delete or replace one).
 */
export function portRecord(set: ResourceRecordSet): DnsRecord {
  const alias = set.AliasTarget;
  return {
    name: portName(set.Name ?? ""),
    type: set.Type ?? "",
    ...(set.SetIdentifier === undefined ? {} : { setIdentifier: set.SetIdentifier }),
    ...(set.SetIdentifier === undefined || set.Region === undefined ? {} : { region: set.Region }),
    ...(alias === undefined
      ? { ...(set.TTL === undefined ? {} : { ttl: set.TTL }), values: (set.ResourceRecords ?? []).map((r) => r.Value ?? "") }
      : {
          alias: {
            // Bare, as the config and the SDK's writes have it: a `/hostedzone/` prefix as read would make every pass replace the record.
            hostedZoneId: bareZoneId(alias.HostedZoneId ?? ""),
            // Lowercase without the dot; a `dualstack.` prefix stays as read (comparing targets is the planner's concern).
            dnsName: (alias.DNSName ?? "").toLowerCase().replace(/\.$/, ""),
            evaluateTargetHealth: alias.EvaluateTargetHealth === true,
          },
        }),
  };
}

/** A port record as Route53 is sent it: the name fully qualified, TXT values as given (already quoted), a latency record's Region beside its SetIdentifier. */
export function route53RecordSet(record: DnsRecord): ResourceRecordSet {
  return {
    Name: route53Name(record.name),
    Type: record.type as RRType,
    ...(record.setIdentifier === undefined ? {} : { SetIdentifier: record.setIdentifier }),
    ...(record.region === undefined ? {} : { Region: record.region as ResourceRecordSetRegion }),
    ...(record.ttl === undefined ? {} : { TTL: record.ttl }),
    ...(record.values === undefined ? {} : { ResourceRecords: record.values.map((Value) => ({ Value })) }),
    ...(record.alias === undefined
      ? {}
      : { AliasTarget: { HostedZoneId: record.alias.hostedZoneId, DNSName: record.alias.dnsName, EvaluateTargetHealth: record.alias.evaluateTargetHealth } }),
  };
}
