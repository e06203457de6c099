// What the self-managed certificates must look like and when they turn over.
// The defaults and why (README "Lifetimes" has the timeline):
//   CA 365 days: short enough that rotation actually runs every year (a path
//     that never runs rots; cert-controller's 10-year CA never rotates in a
//     cluster's lifetime), long enough to be invisible. Kyverno uses 365 too.
//   serving 90 days: cert-manager's default; a leaked key is useful for at
//     most three months.
//   renew at 2/3 of the lifetime (cert-manager's renewBefore default: 1/3
//     left): 30 days of margin for a serving certificate, 122 for the CA, far
//     beyond any plausible outage of the API server or this controller.
//   overlap 7 days: how long a new CA sits in the bundle before anything is
//     signed by it, and how long an old CA stays after nothing is: a weekend
//     of failing publishes or a replica that cannot read the Secret still
//     finds every served certificate trusted. CA rotation is yearly, so a
//     week of two CAs in the bundle costs nothing.
//   backdate 1 hour: notBefore lies an hour in the past, so a verifier whose
//     clock is behind ours (another node, the API server) does not see a
//     "not yet valid" certificate (cert-controller does the same).
import { isIP } from "node:net";
import { canonicalIp } from "./ip-address.ts";
import { InputError } from "../core/errors.ts";

export const HOUR = 3_600_000;
export const DAY = 24 * HOUR;

export interface CertificateLifetimes {
  caLifetime: number;
  servingLifetime: number;
  /** Fraction of a certificate's lifetime after which it is replaced (0 < f < 1). */
  renewFraction: number;
  overlap: number;
  backdate: number;
}

export interface CertificatePolicy extends CertificateLifetimes {
  /** Names the serving certificate must hold, exactly (more or fewer means re-issue). */
  dnsNames: readonly string[];
  ipAddresses: readonly string[];
  /** CA common names are `<caName>@<issue time>`: unique, so chain building never confuses two CAs. */
  caName: string;
}

export const DEFAULT_LIFETIMES: CertificateLifetimes = {
  caLifetime: 365 * DAY,
  servingLifetime: 90 * DAY,
  renewFraction: 2 / 3,
  overlap: 7 * DAY,
  backdate: HOUR,
};

export class CertificatePolicyError extends InputError {
  constructor(problems: string[]) {
    super(problems, "the certificate settings are unusable");
  }
}

/** Lowercase RFC 1123 host name (no wildcard: a serving certificate names exact hosts). */
const DNS_NAME = /^(?=.{1,253}$)[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?(\.[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?)*$/;

/**
 * A complete policy from names and optional lifetime overrides; throws a
 * CertificatePolicyError listing every problem. `hosts` mixes DNS names and
 * IP addresses (as `--tls-dir` local mode takes them).
 */
export function certificatePolicy(hosts: readonly string[], overrides: Partial<CertificateLifetimes> & { caName?: string } = {}): CertificatePolicy {
  const problems: string[] = [];
  const dnsNames: string[] = [];
  const ipAddresses: string[] = [];
  for (const host of hosts) {
    if (isIP(host) !== 0) {
      const ip = canonicalIp(host);
      if (ip === undefined) problems.push(`host "${host}" is an IP address with a zone; give the address alone`);
      else if (!ipAddresses.includes(ip)) ipAddresses.push(ip);
    } else if (DNS_NAME.test(host)) {
      if (!dnsNames.includes(host)) dnsNames.push(host);
    } else {
      problems.push(
        `host "${host}" is neither an IP address nor a lowercase DNS name (letters, digits, '-' and '.'); e.g. "hostgate-webhook.hostgate-system.svc" or "127.0.0.1"`,
      );
    }
  }
  if (hosts.length === 0) problems.push(`no hosts were given; the serving certificate needs at least one DNS name or IP address`);
  const policy: CertificatePolicy = { ...DEFAULT_LIFETIMES, caName: "hostgate-webhook-ca", ...overrides, dnsNames, ipAddresses };
  problems.push(...lifetimeProblems(policy));
  if (!/^[\x20-\x7e]{1,40}$/.test(policy.caName) || policy.caName.includes("@"))
    problems.push(`caName "${policy.caName}" must be 1-40 printable ASCII characters without '@'`);
  if (problems.length > 0) throw new CertificatePolicyError(problems);
  return policy;
}

function lifetimeProblems(p: CertificateLifetimes): string[] {
  const problems: string[] = [];
  const positive = (name: keyof CertificateLifetimes) => {
    const value = p[name];
    if (!Number.isFinite(value) || value <= 0) problems.push(`${name} must be a positive number of milliseconds, got ${value}`);
  };
  positive("caLifetime");
  positive("servingLifetime");
  positive("overlap");
  if (!Number.isFinite(p.backdate) || p.backdate < 0) problems.push(`backdate must be zero or more milliseconds, got ${p.backdate}`);
  if (!(p.renewFraction > 0 && p.renewFraction < 1)) problems.push(`renewFraction must be between 0 and 1 (exclusive), got ${p.renewFraction}`);
  if (problems.length > 0) return problems;
  // A rotation adds the new CA at renewFraction of the old one's life, switches
  // after one overlap and drops the old CA after another: all before it expires.
  const caLeft = p.caLifetime * (1 - p.renewFraction);
  if (2 * p.overlap >= caLeft) {
    problems.push(
      `CA rotation cannot finish before the old CA expires: it starts with ${days(caLeft)} days left (caLifetime × (1 - renewFraction)) and needs two overlaps (${days(2 * p.overlap)} days); shorten overlap or lengthen caLifetime`,
    );
  }
  if (p.servingLifetime > p.caLifetime)
    problems.push(`servingLifetime (${days(p.servingLifetime)} days) must not exceed caLifetime (${days(p.caLifetime)} days)`);
  return problems;
}

function days(ms: number): string {
  return (ms / DAY).toFixed(1).replace(/\.0$/, "");
}
