// The fake ACM and the fake listeners wired to each other as in AWS: ACM's
// InUseBy lists the load balancers whose listeners hold a certificate (so a
// delete of an attached certificate fails), and ELBv2 accepts only
// certificates ACM holds as ISSUED. Plus the validation checks a test gives
// the fake ACM: a plain set of CNAMEs, the fake Route53's zones, or any Route53Port.
import type { DnsRecord, Route53Port } from "../../dns/route53-port.ts";
import type { FakeAcmOptions, ValidationCheck } from "./fake-acm.ts";
import { FakeAcm } from "./fake-acm.ts";
import type { FakeListenerOptions } from "./fake-listener.ts";
import { FakeListener } from "./fake-listener.ts";

export interface FakeCertificateAws {
  readonly acm: FakeAcm;
  readonly listener: FakeListener;
}

export function fakeCertificateAws(
  options: { acm?: Omit<FakeAcmOptions, "inUseBy">; listener?: Omit<FakeListenerOptions, "certificateUsable"> } = {},
): FakeCertificateAws {
  const acm = new FakeAcm(options.acm);
  const listener = new FakeListener({ ...options.listener, certificateUsable: (arn) => acm.peek(arn)?.status === "ISSUED" });
  acm.setInUseBy((arn) => listener.usingLoadBalancers(arn));
  return { acm, listener };
}

/** `name value` keys, as validationKey makes them: a test adds the CNAMEs "published" in DNS. */
export function validationInSet(published: ReadonlySet<string>): ValidationCheck {
  return (record) => published.has(validationKey(record));
}

export function validationKey(record: { name: string; value: string }): string {
  return `${record.name} ${record.value}`;
}

/**
 * Reads the zones through the port on every check: each check costs one
 * listRecords call per zone, which a test counting Route53 requests must allow
 * for (or use validationInSet over the fake's own state).
 */
export function validationInRoute53(route53: Route53Port, zoneIds: readonly string[]): ValidationCheck {
  return async (record) => {
    for (const zoneId of zoneIds) {
      if (holdsCname(await route53.listRecords(zoneId), record)) return true;
    }
    return false;
  };
}

/**
 * Looks at zones without a request (FakeRoute53's `peek`), so a test counting
 * Route53 requests sees only the controllers' own: the check a test wiring the
 * fake ACM to the fake Route53 should use.
 */
export function validationInZones(route53: { peek(zoneId: string): readonly DnsRecord[] }, zoneIds: readonly string[]): ValidationCheck {
  return (record) => zoneIds.some((zoneId) => holdsCname(route53.peek(zoneId), record));
}

function holdsCname(records: readonly DnsRecord[], record: { name: string; value: string }): boolean {
  return records.some((r) => r.type === "CNAME" && r.name === record.name && (r.values ?? []).some((v) => sameName(v, record.value)));
}

/** Route53 may hold a CNAME value with its trailing dot or in another case. */
function sameName(value: string, wanted: string): boolean {
  return value.toLowerCase().replace(/\.$/, "") === wanted;
}
