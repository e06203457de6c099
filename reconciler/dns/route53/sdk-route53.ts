// The Route53Port over @aws-sdk/client-route-53. It pages through record
// lists, turns Route53's spelling of names and ids into the port's, and
// retries what Route53 asks callers to retry (throttling, a zone busy with
// the previous change, 5xx, the network) with capped exponential backoff and
// jitter, so many replicas and clients sharing an account's ~5 requests a
// second spread out. The SDK's own retries are off (maxAttempts 1): one
// retry policy, with its sleep and randomness injected so tests take no time.
import {
  ChangeResourceRecordSetsCommand,
  GetChangeCommand,
  GetHostedZoneCommand,
  ListResourceRecordSetsCommand,
  Route53Client,
  type RRType,
  type ResourceRecordSet,
} from "@aws-sdk/client-route-53";
import { Backoff, type BackoffOptions } from "../../../core/backoff.ts";
import type { Logger } from "../../../core/logger.ts";
import { silentLogger } from "../../../core/logger.ts";
import type { ChangeStatus, DnsRecord, HostedZone, RecordChange, Route53Port } from "../route53-port.ts";
import { classifyRoute53Error, exhaustedError, type Route53Call } from "./route53-errors.ts";
import { bareChangeId, bareZoneId, portName, route53Name } from "./route53-names.ts";

/** Route53 is a global service: any region signs for it, and us-east-1 is where it lives. */
export const ROUTE53_FALLBACK_REGION = "us-east-1";

/** Close to the SDK's standard retry policy (capped exponential, jittered), a little more patient for Route53's low rate. */
export const ROUTE53_RETRY: { attempts: number; backoff: BackoffOptions } = {
  attempts: 6,
  backoff: { initialMs: 500, maxMs: 20_000, factor: 2, jitter: 0.5 },
};

export interface SdkRoute53Options {
  /** Waits between attempts; a real timer in production, a recorder in tests. */
  sleep?: (ms: number) => Promise<void>;
  /** Uniform in [0, 1): the jitter's source. */
  random?: () => number;
  retry?: { attempts: number; backoff: BackoffOptions };
  logger?: Logger;
}

/**
 * A client from the SDK's default chain (AWS_REGION, AWS_ENDPOINT_URL,
 * profiles, web identity, pod identity), with no hostgate flag in between;
 * only when nothing names a region does it fall back to us-east-1.
 */
export async function defaultRoute53Client(): Promise<Route53Client> {
  const client = new Route53Client({ maxAttempts: 1 });
  try {
    await client.config.region();
    return client;
  } catch {
    client.destroy();
    return new Route53Client({ maxAttempts: 1, region: ROUTE53_FALLBACK_REGION });
  }
}

export class SdkRoute53 implements Route53Port {
  readonly #client: Route53Client;
  readonly #sleep: (ms: number) => Promise<void>;
  readonly #random: () => number;
  readonly #retry: { attempts: number; backoff: BackoffOptions };
  readonly #logger: Logger;

  constructor(client: Route53Client, options: SdkRoute53Options = {}) {
    this.#client = client;
    this.#sleep = options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
    this.#random = options.random ?? Math.random;
    this.#retry = options.retry ?? ROUTE53_RETRY;
    this.#logger = options.logger ?? silentLogger;
    if (!(Number.isInteger(this.#retry.attempts) && this.#retry.attempts >= 1)) {
      throw new RangeError(`Route53 retry attempts must be an integer >= 1 (got ${this.#retry.attempts})`);
    }
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
      start = {
        StartRecordName: page.NextRecordName,
        ...(page.NextRecordType === undefined ? {} : { StartRecordType: page.NextRecordType }),
        ...(page.NextRecordIdentifier === undefined ? {} : { StartRecordIdentifier: page.NextRecordIdentifier }),
      };
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

  /** One API call with the retry policy: retryable failures back off, the rest become the port's errors at once. */
  async #call<T>(call: Route53Call, send: () => Promise<T>): Promise<T> {
    const backoff = new Backoff(this.#retry.backoff, this.#random);
    for (let attempt = 1; ; attempt++) {
      try {
        return await send();
      } catch (error) {
        const failure = classifyRoute53Error(error, call);
        if (failure.kind === "fail") throw failure.error;
        if (attempt >= this.#retry.attempts) throw exhaustedError(failure, call, attempt);
        const delay = backoff.next();
        this.#logger.debug(
          { operation: call.operation, target: call.target, code: failure.code, attempt, delayMs: delay },
          "Route53 asked to retry; backing off",
        );
        await this.#sleep(delay);
      }
    }
  }
}

/** A record set as read, in the port's plain form. */
export function portRecord(set: ResourceRecordSet): DnsRecord {
  const alias = set.AliasTarget;
  return {
    name: portName(set.Name ?? ""),
    type: set.Type ?? "",
    ...(set.SetIdentifier === undefined ? {} : { setIdentifier: set.SetIdentifier }),
    ...(alias === undefined
      ? { ...(set.TTL === undefined ? {} : { ttl: set.TTL }), values: (set.ResourceRecords ?? []).map((r) => r.Value ?? "") }
      : {
          alias: {
            hostedZoneId: alias.HostedZoneId ?? "",
            // Lowercase without the dot; a `dualstack.` prefix stays as read (comparing targets is the planner's concern).
            dnsName: (alias.DNSName ?? "").toLowerCase().replace(/\.$/, ""),
            evaluateTargetHealth: alias.EvaluateTargetHealth === true,
          },
        }),
  };
}

/** A port record as Route53 is sent it: the name fully qualified, TXT values as given (already quoted). */
export function route53RecordSet(record: DnsRecord): ResourceRecordSet {
  return {
    Name: route53Name(record.name),
    Type: record.type as RRType,
    ...(record.setIdentifier === undefined ? {} : { SetIdentifier: record.setIdentifier }),
    ...(record.ttl === undefined ? {} : { TTL: record.ttl }),
    ...(record.values === undefined ? {} : { ResourceRecords: record.values.map((Value) => ({ Value })) }),
    ...(record.alias === undefined
      ? {}
      : { AliasTarget: { HostedZoneId: record.alias.hostedZoneId, DNSName: record.alias.dnsName, EvaluateTargetHealth: record.alias.evaluateTargetHealth } }),
  };
}
