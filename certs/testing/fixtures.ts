// Shared test material: the cluster policy, a start time, and a helper that
// runs plan + execute the way the manager does.
import { readCertificates } from "../certificate-info.ts";
import { executePlan } from "../execute-plan.ts";
import type { CertificateIssuer } from "../issuer.ts";
import { createCertificateIssuer } from "../issuer.ts";
import type { CertificatePlan, PlanOptions } from "../planner.ts";
import { planCertificates } from "../planner.ts";
import { certificatePolicy } from "../policy.ts";
import { decodeCertificates } from "../stored-state.ts";

export const SERVICE_HOST = "hostgate-webhook.hostgate-system.svc";
export const CLUSTER_HOSTS = [SERVICE_HOST, `${SERVICE_HOST}.cluster.local`];
export const POLICY = certificatePolicy(CLUSTER_HOSTS);
/** 2030-01-01T00:00:00Z: far enough ahead that UTCTime and real clocks never interfere. */
export const T0 = Date.UTC(2030, 0, 1);

export const issuer: CertificateIssuer = createCertificateIssuer();

/** An issuer that counts what it makes, to show a no-op check signs nothing. */
export function countingIssuer(): CertificateIssuer & { authorities: number; servings: number } {
  const counter = {
    authorities: 0,
    servings: 0,
    createAuthority: async (...args: Parameters<CertificateIssuer["createAuthority"]>) => {
      counter.authorities++;
      return issuer.createAuthority(...args);
    },
    issueServing: async (...args: Parameters<CertificateIssuer["issueServing"]>) => {
      counter.servings++;
      return issuer.issueServing(...args);
    },
  };
  return counter;
}

/** Plans at `now` and, if something must change, carries it out: one manager check without the I/O. */
export async function step(
  data: Record<string, string> | undefined,
  now: number,
  options: PlanOptions = POLICY,
): Promise<{ plan: CertificatePlan; data: Record<string, string> | undefined }> {
  const plan = planCertificates(data, new Date(now), options);
  if (!plan.changed) return { plan, data };
  return { plan, data: await executePlan(plan, { issuer, now: new Date(now), policy: options, ...(data ? { base: data } : {}) }) };
}

/** The common names of the CAs in the stored bundle, oldest first, `*` marking those whose key is stored. */
export function bundleOf(data: Record<string, string> | undefined): string[] {
  return decodeCertificates(data).authorities.map((a) => `${a.certificate.commonName}${a.keyPem ? "*" : ""}`);
}

/** The common name of the CA that signed the stored serving certificate. */
export function servingIssuerOf(data: Record<string, string> | undefined): string | undefined {
  const decoded = decodeCertificates(data);
  const serving = decoded.serving?.certificate;
  if (serving === undefined) return undefined;
  return decoded.authorities.find((a) => serving.x509.checkIssued(a.certificate.x509) && serving.x509.verify(a.certificate.x509.publicKey))?.certificate
    .commonName;
}

export function certificatesIn(pem: string) {
  return readCertificates(pem).certificates;
}

/** The common name executePlan gives a CA created at `t` (see CertificatePolicy.caName). */
export function caNameAt(t: number, backdate = POLICY.backdate): string {
  return `hostgate-webhook-ca@${new Date(Math.floor((t - backdate) / 1000) * 1000).toISOString().replace(/\.000Z$/, "Z")}`;
}

/**
 * Lets time pass from `from` to `until` the way a manager would see it:
 * plans at every moment the planner names (nextReviewAt) and applies each
 * change. Returns the stored data at `until` (before any change due then).
 */
export async function runUntil(
  data: Record<string, string> | undefined,
  from: number,
  until: number,
  options: PlanOptions = POLICY,
): Promise<Record<string, string> | undefined> {
  let t = from;
  for (;;) {
    data = (await step(data, t, options)).data;
    const after = planCertificates(data, new Date(t), options);
    if (after.changed) throw new Error(`not idempotent at ${new Date(t).toISOString()}: ${after.reasons.join("; ")}`);
    const review = after.nextReviewAt.getTime();
    if (review >= until) return data;
    t = review;
  }
}
