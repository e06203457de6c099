// A route's CertificateReady condition and status.certificate, from the
// certificate controller's outcome for it (certificate-outcomes.ts). Pure.
// The route controller writes them; the certificate controller only
// publishes outcomes. Messages carry no time and no request id, so an
// unchanged situation writes nothing.
//
// | reason | status | meaning |
// | --- | --- | --- |
// | NotManaged | True | certificates.provider is none: hostgate manages no certificate |
// | Attached | True | the certificate is issued and on the listener of the route's load balancer (its pool member) |
// | Issued | True | cert-manager (without importToAcm) has issued the Certificate into its Secret; with the AWS Load Balancer Controller, |
// |        |      | the ACM certificate is issued (imported): the controller picks it up by the route's hostname, hostgate attaches nothing |
// | WaitingForPlacement | Unknown | certificates go on listeners and the route has no member of its load balancer pool yet: attached nowhere |
// | CertificatePending | Unknown | the certificate controller has not decided for this route (this uid, this domain) yet |
// | PendingValidation | False | ACM is issuing it: requested, or validating through its CNAME records |
// | PendingIssuance | False | cert-manager's Certificate is not Ready yet |
// | PendingImport | False | the issued Secret is being imported into ACM |
// | PendingAttachment | False | being put on the listener |
// | ListenerCertificateLimit | False | the listener already holds its limit: certificates.listenerCertificateLimit, a pool member's capacity.certificates |
// | CertificateFailed | False | ACM's status (EXPIRED, VALIDATION_TIMED_OUT, FAILED, REVOKED…) or a refused request; a replacement is requested |
// | CertificateConflict | False | AWS Load Balancer Controller: another issued ACM certificate matches the host too (discovery-conflicts.ts); |
// |                     |       | older controller releases then update the member's ALB for no route, current ones serve both by SNI. Not True: |
// |                     |       | hostgate cannot tell which release runs, and in both the operator must act. A listener already on the Gateway stays |
// | NotClaimed | False | the route does not hold its DomainClaim: no certificate is made for it |
// | DomainOutsideApexes | False | spec.domain is under none of the platform's domains |
// | NoListener | False | the route's load balancer has no listenerArn in the platform config |
// | Releasing / Released | False | the route is being deleted: its certificate is being taken off the listener / is gone |
import type { PlatformConfig } from "../../core/config/platform-config.ts";
import type { DomainRoute } from "../../crds/types.ts";
import type { ConditionInput } from "../status/conditions.ts";
import { decidedCondition } from "../status/conditions.ts";
import type { CertificateOutcomeLookup, CertificateStatus } from "./certificate-outcomes.ts";
import { placedMember } from "../edge/placed-member.ts";
import { certificatesByDiscovery } from "../../core/config/acm-settings.ts";
import { memberField, memberName, WAITING_FOR_PLACEMENT, waitingForPlacementMessage } from "../dns/pool-member-records.ts";

export const CONDITION_CERTIFICATE_READY = "CertificateReady";

export const CERTIFICATE_REASON = {
  NotManaged: "NotManaged",
  Attached: "Attached",
  Issued: "Issued",
  CertificatePending: "CertificatePending",
  PendingValidation: "PendingValidation",
  PendingIssuance: "PendingIssuance",
  PendingImport: "PendingImport",
  PendingAttachment: "PendingAttachment",
  ListenerCertificateLimit: "ListenerCertificateLimit",
  CertificateFailed: "CertificateFailed",
  CertificateConflict: "CertificateConflict",
  NotClaimed: "NotClaimed",
  DomainOutsideApexes: "DomainOutsideApexes",
  NoListener: "NoListener",
  Releasing: "Releasing",
  Released: "Released",
  WaitingForPlacement: WAITING_FOR_PLACEMENT,
} as const;

const PENDING_REASON = {
  validation: CERTIFICATE_REASON.PendingValidation,
  issuance: CERTIFICATE_REASON.PendingIssuance,
  import: CERTIFICATE_REASON.PendingImport,
  attachment: CERTIFICATE_REASON.PendingAttachment,
} as const;

export interface RouteCertificateStatus {
  condition: ConditionInput;
  /** status.certificate: the certificate serving (or about to serve) the route; absent when there is none. */
  certificate?: CertificateStatus;
}

const type = CONDITION_CERTIFICATE_READY;

/** status.certificate as the route holds it (the CRD field the lead adds). */
function previousCertificate(route: DomainRoute): CertificateStatus | undefined {
  return (route.status as { certificate?: CertificateStatus } | undefined)?.certificate;
}

export function certificateStatus(route: DomainRoute, lookup: CertificateOutcomeLookup, config: PlatformConfig): RouteCertificateStatus {
  const provider = config.certificates.provider;
  if (provider === "none") {
    const message = "certificates.provider is none: hostgate manages no certificate for this domain";
    return { condition: { type, status: "True", reason: CERTIFICATE_REASON.NotManaged, message } };
  }
  const previous = previousCertificate(route);
  const keep = previous === undefined ? {} : { certificate: previous };
  const pending: RouteCertificateStatus = {
    condition: {
      type,
      status: "Unknown",
      reason: CERTIFICATE_REASON.CertificatePending,
      message: `waiting for the certificate controller to decide on a certificate for ${route.spec.domain}`,
    },
    ...keep,
  };
  if (!lookup.known) {
    // The certificate controller has not finished a pass in this term (a restart): what the status says stays, so a restart writes nothing.
    const decided = decidedCondition(route.status?.conditions, type, CERTIFICATE_REASON.NotManaged);
    return decided === undefined ? pending : { condition: decided, ...keep };
  }
  const outcome = lookup.outcome;
  // Decided for another incarnation of the route (or, impossible for an immutable domain, another domain): the next pass decides for this one.
  if (outcome === undefined || outcome.uid !== route.metadata.uid || outcome.domain !== route.spec.domain.toLowerCase()) return pending;
  const member = placedMember(route, config);
  // In messages: the class of one entry as before pools (`alb-out`), else `member public-2 of alb-out`.
  const lb = member === undefined ? route.spec.lb : memberName(member, config);
  const limitField = member === undefined ? "certificates.listenerCertificateLimit" : limitFieldOf(member, config);
  switch (outcome.kind) {
    case "ready": {
      const what = describe(outcome.certificate);
      if (outcome.listenerArn === undefined) {
        const message = certificatesByDiscovery(config)
          ? `${what} is issued; the AWS Load Balancer Controller picks it up from ACM by the hostname of the route's listener (${route.spec.domain}) and ` +
            `serves it on the HTTPS listener of the ALB of ${lb} (hostgate attaches nothing there)`
          : `${what} is issued`;
        return { condition: { type, status: "True", reason: CERTIFICATE_REASON.Issued, message }, certificate: outcome.certificate };
      }
      const message = `${what} is issued and attached to the HTTPS listener of ${lb}`;
      return { condition: { type, status: "True", reason: CERTIFICATE_REASON.Attached, message }, certificate: outcome.certificate };
    }
    case "pending":
      return { condition: { type, status: "False", reason: PENDING_REASON[outcome.stage], message: outcome.detail }, certificate: outcome.certificate };
    case "listenerLimit": {
      if (outcome.refused !== undefined) {
        const message = `ELBv2 refused to attach ${describe(outcome.certificate)} to the HTTPS listener of ${lb} (${outcome.listenerArn}): ${outcome.refused}`;
        return { condition: { type, status: "False", reason: CERTIFICATE_REASON.ListenerCertificateLimit, message }, certificate: outcome.certificate };
      }
      const message =
        `the HTTPS listener of ${lb} (${outcome.listenerArn}) already holds ${outcome.held} certificates besides its default, and ` +
        `${limitField} is ${outcome.limit}: ${describe(outcome.certificate)} is not attached. Raise the load balancer's ` +
        "certificate quota and the limit, or remove certificates the listener no longer needs";
      return { condition: { type, status: "False", reason: CERTIFICATE_REASON.ListenerCertificateLimit, message }, certificate: outcome.certificate };
    }
    case "failed":
      return {
        condition: { type, status: "False", reason: CERTIFICATE_REASON.CertificateFailed, message: outcome.message },
        ...(outcome.certificate === undefined ? {} : { certificate: outcome.certificate }),
      };
    case "discoveryConflict":
      return {
        condition: { type, status: "False", reason: CERTIFICATE_REASON.CertificateConflict, message: outcome.message },
        certificate: outcome.certificate,
      };
    case "notClaimed": {
      const message = `the route does not hold the DomainClaim for ${route.spec.domain}, so no certificate is made for it`;
      return { condition: { type, status: "False", reason: CERTIFICATE_REASON.NotClaimed, message } };
    }
    case "noApex": {
      const apexes = config.domains.map((d) => d.apex).join(", ");
      const message = `${route.spec.domain} is under none of the platform's domains (${apexes}), so no certificate can be made for it; add its apex to the platform config's domains`;
      return { condition: { type, status: "False", reason: CERTIFICATE_REASON.DomainOutsideApexes, message } };
    }
    case "unplaced": {
      const what = certificatesByDiscovery(config) ? "hostgate requests no certificate for it yet" : "its certificate is attached to no listener";
      const message = waitingForPlacementMessage(route, what);
      return { condition: { type, status: "Unknown", reason: CERTIFICATE_REASON.WaitingForPlacement, message } };
    }
    case "noListener": {
      const field = member === undefined ? `loadBalancers.${outcome.lb}.listenerArn` : memberField(member, config, "listenerArn");
      const message = `${field} is not set in the platform config, so no listener can serve a certificate for ${route.spec.domain}; set it to the load balancer's HTTPS listener`;
      return { condition: { type, status: "False", reason: CERTIFICATE_REASON.NoListener, message } };
    }
    case "releasing":
      return { condition: { type, status: "False", reason: CERTIFICATE_REASON.Releasing, message: outcome.detail }, ...keep };
    case "released":
      return {
        condition: { type, status: "False", reason: CERTIFICATE_REASON.Released, message: "the route is being deleted and no certificate serves it any more" },
      };
  }
}

/**
 * True once nothing hostgate holds for the deleted route remains (its
 * certificate is off the listener, or still serves other routes), so its
 * finalizer may go. With provider none (pass `config`) nothing is ever held.
 * Until the controller has decided for this incarnation: false.
 */
export function certificateReleased(route: DomainRoute, lookup: CertificateOutcomeLookup, config?: PlatformConfig): boolean {
  if (config?.certificates.provider === "none") return true;
  return lookup.known && lookup.outcome?.kind === "released" && lookup.outcome.uid === route.metadata.uid;
}

/** What sets a member's listener limit: certificates.listenerCertificateLimit for a class of one entry, else the member's capacity.certificates. */
function limitFieldOf(member: NonNullable<ReturnType<typeof placedMember>>, config: PlatformConfig): string {
  const field = memberField(member, config, "capacity.certificates");
  return field.startsWith(`loadBalancers.${member.lbClass}.members[`) ? field : "certificates.listenerCertificateLimit";
}

function describe(certificate: CertificateStatus): string {
  const name = certificate.arn ?? certificate.certificateName;
  return `the certificate${name === undefined ? "" : ` ${name}`} for ${certificate.domains.join(", ")}`;
}
