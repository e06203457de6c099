// DNSReady and status.dns for `dns.provider: external-dns`, from the route's
// DNSEndpoint as cached. Pure; the route controller writes them.
//
// What hostgate can know: external-dns's CRD source sets the DNSEndpoint's
// status.observedGeneration to its metadata.generation when it has read that
// generation and taken its endpoints into its plan (source/crd.go). That is
// the last thing external-dns reports: whether the DNS vendor accepted the
// change is in external-dns's log and metrics, not on the object. So
// DNSReady=True here means "handed to external-dns", said so in the message.
//
// Ownership of the record is external-dns's: it writes its own TXT registry
// record with its own --txt-owner-id and resource `crd/<namespace>/<name>`;
// hostgate's dns.ownerId does not apply.
//
// zoneId in status.dns is "": external-dns, not hostgate, chooses the zone
// (every zone it manages that the name falls in), and with a non-AWS vendor
// there is no Route53 zone id at all.
import type { PlatformConfig } from "../../../core/config/platform-config.ts";
import type { KubeObject } from "../../../core/kube/object-key.ts";
import type { DomainRoute } from "../../../crds/types.ts";
import { CONDITION_DNS_READY } from "../../../crds/types.ts";
import type { ConditionInput } from "../../status/conditions.ts";
import { dnsEndpointRecord, dnsEndpointRefusal, EXTERNAL_DNS_REASON } from "./render-dns-endpoint.ts";

/** One entry of status.dns. */
export interface DnsStatusRecord {
  name: string;
  type: string;
  /** The alias DNS name or the CNAME value. */
  target: string;
  zoneId: string;
}

export interface ExternalDnsStatus {
  condition: ConditionInput;
  /** Present once external-dns has taken the endpoint up; sorted by name, then type. */
  records?: DnsStatusRecord[];
}

const type = CONDITION_DNS_READY;

/**
 * The DNSReady condition (and, once external-dns has read it, status.dns) of
 * a route that holds its claim, given its DNSEndpoint as cached (undefined
 * when there is none). The caller decides the cases before this one: a route
 * without its claim, or one refused whole, has no record to report on.
 */
export function externalDnsStatus(route: DomainRoute, endpoint: KubeObject | undefined, config: PlatformConfig): ExternalDnsStatus {
  const refusal = dnsEndpointRefusal(route, config);
  if (refusal !== undefined) return { condition: { type, status: "False", reason: refusal.reason, message: refusal.message } };
  const domain = route.spec.domain;
  if (endpoint === undefined) {
    return {
      condition: {
        type,
        status: "Unknown",
        reason: EXTERNAL_DNS_REASON.EndpointPending,
        message: `the DNSEndpoint for ${domain} is not in the cluster yet; hostgate creates it in the route's namespace`,
      },
    };
  }
  const what = `DNSEndpoint ${endpoint.metadata?.namespace}/${endpoint.metadata?.name}`;
  const generation = endpoint.metadata?.generation;
  const observed = (endpoint.status as { observedGeneration?: unknown } | undefined)?.observedGeneration;
  if (typeof generation !== "number" || typeof observed !== "number" || observed < generation) {
    const seen = typeof observed === "number" ? `generation ${observed}` : "no generation";
    return {
      condition: {
        type,
        status: "Unknown",
        reason: EXTERNAL_DNS_REASON.WaitingForExternalDns,
        message:
          `external-dns has not read generation ${generation ?? "?"} of ${what} (it has read ${seen}). ` +
          `Check that external-dns runs with --source=crd, watches namespace ${endpoint.metadata?.namespace}, and that its --label-filter ` +
          "matches the platform config's dns.externalDns.labels",
      },
    };
  }
  const records = statusRecords(route, config);
  const listed = records.map((r) => `${r.type} ${r.name} -> ${r.target}`).join(", ");
  return {
    condition: {
      type,
      status: "True",
      reason: EXTERNAL_DNS_REASON.HandedToExternalDns,
      message:
        `external-dns has read generation ${generation} of ${what} and writes ${listed} in its DNS provider, ` +
        "owned through its own TXT registry (its --txt-owner-id); whether the provider accepted the change is in external-dns's log",
    },
    records,
  };
}

/** The records the endpoint asks for, as Route53 would hold them: an alias is an A record (and AAAA on a dualstack load balancer). */
function statusRecords(route: DomainRoute, config: PlatformConfig): DnsStatusRecord[] {
  const record = dnsEndpointRecord(route, config);
  const target = record.targets[0]!;
  const name = record.dnsName;
  if (config.dns.recordType === "cname") return [{ name, type: "CNAME", target, zoneId: "" }];
  const records = [{ name, type: "A", target, zoneId: "" }];
  if (config.loadBalancers[route.spec.lb].ipAddressType === "dualstack") records.push({ name, type: "AAAA", target, zoneId: "" });
  return records;
}
