// What a cert-manager Certificate's status says, for hostgate's
// CertificateReady condition: ready (its Secret holds a valid certificate),
// pending (cert-manager is working on it, or has not looked at this
// generation yet), or failed (the last issuance failed; cert-manager retries
// with backoff). cert-manager reports a failed issuance on the Issuing
// condition (False, the CertificateRequest's reason, "The certificate request
// has failed to complete and will be retried: …") with lastFailureTime and
// failedIssuanceAttempts; the Ready condition alone does not tell.
import type { KubeObject } from "../../../core/kube/object-key.ts";

export interface CertificateFacts {
  /** status.notAfter, RFC 3339, once a certificate was issued. */
  readonly notAfter?: string;
  /** status.revision: one more on every issuance (a renewal). */
  readonly revision?: number;
}

export type CertificateReadiness =
  | (CertificateFacts & {
      readonly state: "ready";
      /** A renewal failed while the issued certificate is still valid: cert-manager's reason and message. */
      readonly renewalFailure?: { readonly reason: string; readonly message: string };
    })
  | (CertificateFacts & { readonly state: "pending"; readonly reason: string; readonly message: string })
  | (CertificateFacts & { readonly state: "failed"; readonly reason: string; readonly message: string; readonly failedIssuanceAttempts?: number });

interface Condition {
  type?: unknown;
  status?: unknown;
  reason?: unknown;
  message?: unknown;
  observedGeneration?: unknown;
}

export function certificateReadiness(certificate: KubeObject): CertificateReadiness {
  const status = (certificate.status ?? {}) as Record<string, unknown>;
  const conditions = Array.isArray(status.conditions) ? (status.conditions as Condition[]) : [];
  const ready = conditions.find((c) => c?.type === "Ready");
  const issuing = conditions.find((c) => c?.type === "Issuing");
  const facts: CertificateFacts = {
    ...(typeof status.notAfter === "string" ? { notAfter: status.notAfter } : {}),
    ...(typeof status.revision === "number" ? { revision: status.revision } : {}),
  };
  const name = `${certificate.metadata?.namespace}/${certificate.metadata?.name}`;
  const failure = issuanceFailure(issuing, status);

  if (ready === undefined) {
    if (failure !== undefined) return { ...facts, state: "failed", ...failure };
    return {
      ...facts,
      state: "pending",
      reason: "NotObserved",
      message: `cert-manager has not reported on Certificate ${name} yet: check that cert-manager runs and watches its namespace`,
    };
  }
  const generation = certificate.metadata?.generation;
  if (typeof generation === "number" && typeof ready.observedGeneration === "number" && ready.observedGeneration < generation) {
    return {
      ...facts,
      state: "pending",
      reason: "NotObserved",
      message: `cert-manager has not yet looked at generation ${generation} of Certificate ${name} (its Ready condition is about generation ${ready.observedGeneration})`,
    };
  }
  if (ready.status === "True") {
    return failure === undefined
      ? { ...facts, state: "ready" }
      : { ...facts, state: "ready", renewalFailure: { reason: failure.reason, message: failure.message } };
  }
  if (failure !== undefined) return { ...facts, state: "failed", ...failure };
  return {
    ...facts,
    state: "pending",
    reason: text(ready.reason) ?? "Pending",
    message: text(ready.message) ?? `cert-manager has not issued Certificate ${name} yet`,
  };
}

/** The failure of the last issuance, when cert-manager reports one: Issuing False, or a failure time without an Issuing condition. */
function issuanceFailure(
  issuing: Condition | undefined,
  status: Record<string, unknown>,
): { reason: string; message: string; failedIssuanceAttempts?: number } | undefined {
  const failedIssuing = issuing?.status === "False";
  if (!failedIssuing && typeof status.lastFailureTime !== "string") return undefined;
  // A retry in progress (Issuing True) is not a failure yet.
  if (issuing?.status === "True") return undefined;
  const attempts = typeof status.failedIssuanceAttempts === "number" ? { failedIssuanceAttempts: status.failedIssuanceAttempts } : {};
  return {
    reason: (failedIssuing ? text(issuing?.reason) : undefined) ?? "Failed",
    message: (failedIssuing ? text(issuing?.message) : undefined) ?? "cert-manager's last issuance of the certificate failed and will be retried",
    ...attempts,
  };
}

function text(value: unknown): string | undefined {
  return typeof value === "string" && value !== "" ? value : undefined;
}
