// What the certificate controller decided for each route (status/outcomes.ts):
// the route controller turns a route's outcome into CertificateReady and
// status.certificate (certificate-condition.ts). Every outcome names the
// route's uid and domain as the certificate controller saw them: a route
// re-created under the same name must not take an outcome decided for the
// one before.
import type { OutcomeLookup, OutcomeReader } from "../status/outcomes.ts";
import { Outcomes } from "../status/outcomes.ts";

/** status.certificate as the CRD has it: the certificate serving the route. */
export interface CertificateStatus {
  readonly domains: readonly string[];
  readonly arn?: string;
  /** cert-manager's Certificate, `namespace/name`. */
  readonly certificateName?: string;
  /** RFC 3339. */
  readonly notAfter?: string;
}

/**
 * validation: ACM is issuing (requested, or validating through its CNAMEs);
 * issuance: cert-manager's Certificate is not Ready; import: the issued Secret
 * is being imported into ACM; attachment: being put on the listener.
 */
export type PendingStage = "validation" | "issuance" | "import" | "attachment";

/** What was decided for a route, before the route's uid and domain are added. */
export type CertificateDecision =
  /**
   * Issued and on the route's listener (`listenerArn`), or, for cert-manager without importToAcm, issued into its Secret.
   * `issuedAt` (RFC 3339, with the AWS Load Balancer Controller only): when ACM issued or imported it (discovery-listener-gate.ts).
   */
  | { readonly kind: "ready"; readonly certificate: CertificateStatus; readonly listenerArn?: string; readonly issuedAt?: string }
  /**
   * With the AWS Load Balancer Controller: hostgate's certificate is issued, but more issued ACM certificates match the route's
   * host (`others`, sorted; discovery-conflicts.ts). A listener already on the Gateway stays; a new one is not added.
   */
  | { readonly kind: "discoveryConflict"; readonly certificate: CertificateStatus; readonly others: readonly string[]; readonly message: string }
  /** Not serving yet; `stage` says which step it waits for, `detail` what exactly. */
  | { readonly kind: "pending"; readonly stage: PendingStage; readonly certificate: CertificateStatus; readonly detail: string }
  /**
   * Issued, but the listener already holds `limit` certificates: attaching would exceed the quota. `refused`: ELBv2's
   * TooManyCertificates message, when ELBv2 found the load balancer full before the configured limit (its quota counts
   * every listener of the load balancer).
   */
  | {
      readonly kind: "listenerLimit";
      readonly certificate: CertificateStatus;
      readonly listenerArn: string;
      readonly limit: number;
      readonly held: number;
      readonly refused?: string;
    }
  /** It failed (ACM's status, a refused request or attachment); `message` says what and how to fix. */
  | { readonly kind: "failed"; readonly certificate?: CertificateStatus; readonly message: string }
  | { readonly kind: "notClaimed" }
  /** The domain is under none of the platform's domains. */
  | { readonly kind: "noApex" }
  | { readonly kind: "noListener"; readonly lb: string }
  /** Certificates go on listeners and the route has no pool member yet: attached nowhere until it is placed. */
  | { readonly kind: "unplaced" }
  /** Being deleted and something it used is still on a listener (or its Certificate object still exists). */
  | { readonly kind: "releasing"; readonly detail: string }
  /** Being deleted and nothing hostgate holds for it remains: its finalizer may go. */
  | { readonly kind: "released" };

export type CertificateOutcome = { readonly uid: string; readonly domain: string } & CertificateDecision;

export type CertificateOutcomeLookup = OutcomeLookup<CertificateOutcome>;
export type CertificateOutcomeReader = OutcomeReader<CertificateOutcome>;

export class CertificateOutcomes extends Outcomes<CertificateOutcome> {}
