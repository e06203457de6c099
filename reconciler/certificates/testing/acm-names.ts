// Names the fake ACM gives out, shaped like ACM's own and deterministic, so a
// test can predict them and two runs agree:
// - certificate ARNs `arn:aws:acm:<region>:<account>:certificate/<uuid>`;
// - DNS validation records. ACM derives a validation record from the account
//   and the name being validated, minus any `*.`: `*.example.com` and
//   `example.com` share one record, and every certificate of the account for
//   that name reuses it (what lets a wildcard with its apex as SAN, or a
//   replacement certificate, validate through CNAMEs already in the zone).
import { createHash } from "node:crypto";
import type { ValidationRecord } from "../acm-port.ts";

/** The name a validation record proves: `*.example.com` → `example.com`. */
export function validatedName(domainName: string): string {
  return domainName.startsWith("*.") ? domainName.slice(2) : domainName;
}

/** `_<32 hex>.<name>` → `_<32 hex>.<10 letters>.acm-validations.aws`, as ACM writes them. */
export function validationRecordFor(accountId: string, domainName: string): ValidationRecord {
  const name = validatedName(domainName);
  const nameHash = sha256(`name:${accountId}:${name}`).slice(0, 32);
  const valueHash = sha256(`value:${accountId}:${name}`);
  const letters = [...valueHash.slice(32, 42)].map((c) => String.fromCharCode(97 + (Number.parseInt(c, 16) % 26))).join("");
  return { name: `_${nameHash}.${name}`, type: "CNAME", value: `_${valueHash.slice(0, 32)}.${letters}.acm-validations.aws` };
}

/** The n-th (1-based) certificate ARN of an account: a UUID-shaped id from a counter. */
export function certificateArn(region: string, accountId: string, n: number): string {
  const hex = n.toString(16).padStart(12, "0");
  return `arn:aws:acm:${region}:${accountId}:certificate/00000000-0000-4000-8000-${hex}`;
}

/**
 * The load balancer a listener belongs to, as ACM's InUseBy names it:
 * `…:listener/app/<name>/<lb id>/<listener id>` → `…:loadbalancer/app/<name>/<lb id>`.
 */
export function loadBalancerOfListener(listenerArn: string): string {
  const match = /^(arn:[^:]+:elasticloadbalancing:[^:]*:[^:]*:)listener\/((?:app|net|gwy)\/[^/]+\/[^/]+)\/[^/]+$/.exec(listenerArn);
  if (match === null)
    throw new Error(`"${listenerArn}" is not a load balancer listener ARN (arn:aws:elasticloadbalancing:<region>:<account>:listener/app/<name>/<id>/<id>)`);
  return `${match[1]}loadbalancer/${match[2]}`;
}

function sha256(text: string): string {
  return createHash("sha256").update(text).digest("hex");
}
