// The certificate planner: from what is stored and the time, what should be
// stored. Pure (no I/O, no clock, no randomness): it returns intents
// ("keep this CA", "create a CA", "issue the serving certificate from CA n")
// and the executor (execute-plan.ts) makes the keys and signs. Intents keep
// every decision in one synchronous function that tests drive through a
// year of rotation with tables, and make "nothing to do" a plain value
// (`changed: false`) instead of a comparison of freshly signed bytes.
//
// The rotation, for one CA (README "Rotation phases" has the timeline):
//   1. CA1 reaches renewFraction of its life: CA2 joins the bundle; the
//      serving certificate stays signed by CA1.
//   2. CA2 has been in the bundle for `overlap` (and, in the cluster, this
//      replica has seen the bundle with it published): the serving
//      certificate is re-issued from CA2; CA1's key is dropped (it will sign
//      nothing more) but CA1 stays trusted.
//   3. The CA2-signed serving certificate has existed for `overlap` (every
//      replica has re-read it): CA1 leaves the bundle.
// The serving certificate is also re-issued, from the newest CA that has
// been trusted for an overlap, when it is missing, unusable, not signed by
// a CA in the bundle, names other hosts than the policy's, or past
// renewFraction of its life.
import type { ParsedCertificate } from "./certificate-info.ts";
import { describe, isSignedBy, readCertificates } from "./certificate-info.ts";
import type { CertificatePolicy } from "./policy.ts";
import type { Authority, ServingPair } from "./stored-state.ts";
import { byIssueOrder, decodeCertificates } from "./stored-state.ts";

export interface PlanOptions extends CertificatePolicy {
  /**
   * The bundle this replica last saw published in the webhook
   * configurations. When set, the serving certificate moves to a new CA only
   * once that CA is in it. Undefined where nothing publishes (local mode:
   * ca.crt is written with the certificates), so nothing waits for it.
   */
  publishedBundle?: string;
}

export type AuthorityStep = { action: "keep"; authority: Authority } | { action: "create" };

export type ServingStep = { action: "keep"; pair: ServingPair } | { action: "issue"; signer: number };

export interface CertificatePlan {
  /** The next bundle in issue order; a "create" comes last. Kept authorities may have lost their key. */
  authorities: AuthorityStep[];
  /** For "issue", `signer` indexes `authorities`. */
  serving: ServingStep;
  /** Whether the stored data must be rewritten. */
  changed: boolean;
  /** Stored data that is unusable and is being discarded, one sentence each. */
  problems: string[];
  /** Each change and why, in order. */
  reasons: string[];
  /** Changes that are due but held back, and what they wait for. */
  waiting: string[];
  /** When planning again, with nothing else changed, next changes something (now when `changed`). */
  nextReviewAt: Date;
}

export function planCertificates(current: Readonly<Record<string, string>> | undefined, now: Date, options: PlanOptions): CertificatePlan {
  const t = now.getTime();
  const decoded = decodeCertificates(current);
  const reasons: string[] = [];
  const waiting: string[] = [];
  const due: number[] = [];
  const at = (ms: number) => new Date(ms).toISOString();
  const renewAt = (c: ParsedCertificate) => c.notBefore.getTime() + (c.notAfter.getTime() - c.notBefore.getTime()) * options.renewFraction;
  // When a certificate was made: notBefore is backdated by `backdate`.
  const issuedAt = (c: ParsedCertificate) => c.notBefore.getTime() + options.backdate;
  const aged = (a: Authority) => issuedAt(a.certificate) + options.overlap <= t;
  const newer = (a: Authority, b: Authority) => byIssueOrder(a, b) > 0;

  const authorities = decoded.authorities.filter((a) => {
    if (t < a.certificate.notAfter.getTime()) return true;
    reasons.push(`CA ${describe(a.certificate)} expired at ${at(a.certificate.notAfter.getTime())}; removing it from the bundle`);
    return false;
  });

  const serving = decoded.serving;
  const servingIssuer = serving && authorities.find((a) => isSignedBy(serving.certificate, a.certificate));
  const servingProblem = problemOfServing(serving, servingIssuer, t, options, renewAt);

  // Rotation: a new CA joins when the newest CA that can sign nears its end.
  const signers = authorities.filter((a) => a.keyPem !== undefined);
  const newestSigner = signers.at(-1);
  let create = false;
  if (newestSigner === undefined) {
    create = true;
    reasons.push(
      authorities.length === 0 ? "no CA is stored; creating one" : "no CA in the bundle has its private key stored, so none can sign; creating a new CA",
    );
  } else if (t >= renewAt(newestSigner.certificate)) {
    create = true;
    reasons.push(
      `CA ${describe(newestSigner.certificate)} passed ${percent(options.renewFraction)} of its lifetime at ${at(renewAt(newestSigner.certificate))} (it expires ${at(newestSigner.certificate.notAfter.getTime())}); adding a new CA to the bundle next to it`,
    );
  } else {
    due.push(renewAt(newestSigner.certificate));
  }

  // Sign with the newest CA clients have trusted for an overlap; failing
  // that (a first install, a lost key), with the newest that can sign. A CA
  // so close to its end that a certificate from it would already be due for
  // renewal is passed over, or the serving certificate would churn.
  const useful = (a: Authority) => {
    const v = servingValidity(t, options, a.certificate.notAfter);
    return v.notBefore.getTime() + (v.notAfter.getTime() - v.notBefore.getTime()) * options.renewFraction > t;
  };
  const preferred: Authority | "new" =
    signers.filter((a) => aged(a) && useful(a)).at(-1) ?? signers.filter(useful).at(-1) ?? (create ? "new" : (newestSigner as Authority));
  let issueFrom: Authority | "new" | undefined;
  if (servingProblem !== undefined) {
    issueFrom = preferred;
    reasons.push(`the serving certificate ${servingProblem}; issuing one from ${preferred === "new" ? "the new CA" : `CA ${describe(preferred.certificate)}`}`);
  } else if (preferred !== "new" && servingIssuer !== undefined && newer(preferred, servingIssuer) && aged(preferred)) {
    if (options.publishedBundle !== undefined && !fingerprintsOf(options.publishedBundle).has(preferred.certificate.fingerprint)) {
      waiting.push(
        `the serving certificate moves to CA ${describe(preferred.certificate)} once the webhook configurations trust it; the bundle published so far does not hold it`,
      );
    } else {
      issueFrom = preferred;
      reasons.push(
        `CA ${describe(preferred.certificate)} has been in the bundle since ${at(issuedAt(preferred.certificate))}, longer than the overlap; re-issuing the serving certificate from it`,
      );
    }
  }
  if (servingProblem === undefined && serving !== undefined) {
    due.push(renewAt(serving.certificate));
    for (const a of signers) if (servingIssuer && newer(a, servingIssuer) && !aged(a)) due.push(issuedAt(a.certificate) + options.overlap);
  }

  // The next bundle: the serving certificate's issuer, newer CAs that can
  // still take over, and older CAs until the serving certificate has come
  // from a newer one for an overlap.
  const issuer = issueFrom ?? (servingIssuer as Authority);
  const switchedAt = issueFrom !== undefined ? issueTime(t, options.backdate) : issuedAt((serving as ServingPair).certificate);
  const steps: AuthorityStep[] = [];
  for (const a of authorities) {
    due.push(a.certificate.notAfter.getTime());
    if (a === issuer) {
      steps.push({ action: "keep", authority: a });
    } else if (issuer !== "new" && newer(a, issuer)) {
      if (a.keyPem !== undefined) steps.push({ action: "keep", authority: a });
      else
        reasons.push(
          `CA ${describe(a.certificate)} is newer than the serving certificate's issuer but its private key is not stored, so it can never sign; removing it from the bundle`,
        );
    } else if (t >= switchedAt + options.overlap) {
      reasons.push(`nothing served is signed by CA ${describe(a.certificate)} since ${at(switchedAt)}, longer than the overlap; removing it from the bundle`);
    } else {
      due.push(switchedAt + options.overlap);
      if (a.keyPem !== undefined)
        reasons.push(
          `the serving certificate comes from a newer CA now; dropping the private key of CA ${describe(a.certificate)}, which will sign nothing more`,
        );
      steps.push({ action: "keep", authority: { certificate: a.certificate } });
    }
  }
  if (create) steps.push({ action: "create" });
  const servingStep: ServingStep =
    issueFrom === undefined
      ? { action: "keep", pair: serving as ServingPair }
      : {
          action: "issue",
          signer: issueFrom === "new" ? steps.length - 1 : steps.findIndex((s) => s.action === "keep" && s.authority.certificate === issueFrom.certificate),
        };

  const changed = decoded.problems.length > 0 || reasons.length > 0;
  const future = due.filter((d) => d > t);
  return {
    authorities: steps,
    serving: servingStep,
    changed,
    problems: decoded.problems,
    reasons,
    waiting,
    nextReviewAt: changed || future.length === 0 ? now : new Date(Math.min(...future)),
  };
}

/** When a certificate issued at `t` counts as issued: its notBefore is whole seconds, backdated. */
export function issueTime(t: number, backdate: number): number {
  return Math.floor((t - backdate) / 1000) * 1000 + backdate;
}

/**
 * The validity of a serving certificate issued at `t`, in the whole seconds
 * X.509 holds: backdated, and never past its signer's end (a certificate that
 * outlives its CA fails verification from that moment).
 */
export function servingValidity(
  t: number,
  lifetimes: { servingLifetime: number; backdate: number },
  signerNotAfter?: Date,
): { notBefore: Date; notAfter: Date } {
  const seconds = (ms: number) => Math.floor(ms / 1000) * 1000;
  const end = Math.min(t + lifetimes.servingLifetime, signerNotAfter?.getTime() ?? Infinity);
  return { notBefore: new Date(seconds(t - lifetimes.backdate)), notAfter: new Date(seconds(end)) };
}

/** The validity of a CA created at `t`, in whole seconds, backdated. */
export function authorityValidity(t: number, lifetimes: { caLifetime: number; backdate: number }): { notBefore: Date; notAfter: Date } {
  const seconds = (ms: number) => Math.floor(ms / 1000) * 1000;
  return { notBefore: new Date(seconds(t - lifetimes.backdate)), notAfter: new Date(seconds(t + lifetimes.caLifetime)) };
}

function problemOfServing(
  serving: ServingPair | undefined,
  issuer: Authority | undefined,
  t: number,
  options: PlanOptions,
  renewAt: (c: ParsedCertificate) => number,
): string | undefined {
  if (serving === undefined) return "is not stored (or unusable)";
  const c = serving.certificate;
  const d = describe(c);
  if (t < c.notBefore.getTime()) return `${d} is not valid until ${c.notBefore.toISOString()}`;
  if (t >= c.notAfter.getTime()) return `${d} expired at ${c.notAfter.toISOString()}`;
  if (issuer === undefined) return `${d} is not signed by any CA in the bundle`;
  const held = [...c.dnsNames, ...c.ipAddresses].sort();
  const wanted = [...options.dnsNames, ...options.ipAddresses].sort();
  if (held.join(",") !== wanted.join(",")) return `${d} names [${held.join(", ")}], not the required [${wanted.join(", ")}]`;
  if (t >= renewAt(c))
    return `${d} passed ${percent(options.renewFraction)} of its lifetime at ${new Date(renewAt(c)).toISOString()} (it expires ${c.notAfter.toISOString()})`;
  return undefined;
}

function fingerprintsOf(bundle: string): Set<string> {
  return new Set(readCertificates(bundle).certificates.map((c) => c.fingerprint));
}

function percent(fraction: number): string {
  return `${Math.round(fraction * 100)}%`;
}
