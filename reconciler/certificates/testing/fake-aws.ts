// The fake ACM and the fake listeners wired to each other as in AWS: ACM's
// InUseBy lists the load balancers whose listeners hold a certificate (so a
// delete of an attached certificate fails), and ELBv2 accepts only
// certificates ACM holds as ISSUED. Plus the validation checks a test gives
// the fake ACM: a plain set of CNAMEs, or any Route53Port (the fake Route53).
import type { Route53Port } from "../../dns/route53-port.ts";
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
      const records = await route53.listRecords(zoneId);
      if (records.some((r) => r.type === "CNAME" && r.name === record.name && (r.values ?? []).some((v) => sameName(v, record.value)))) return true;
    }
    return false;
  };
}

/** Route53 may hold a CNAME value with its trailing dot or in another case. */
function sameName(value: string, wanted: string): boolean {
  return value.toLowerCase().replace(/\.$/, "") === wanted;
}
