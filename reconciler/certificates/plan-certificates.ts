// The ACM certificate plan (pure): from the certificates the routes need
// (desired-certificates.ts) and what ACM and the listeners hold (a view),
// the actions that make AWS match, the validation records DNS must hold, and
// every route's outcome. A plan computed from the state its own execution
// produced has no actions.
//
// For each needed wildcard, the certificate that serves it is, in order:
//   1. hostgate's own (tagged with the ownerId and the wildcard), issued,
//      unexpired and covering the names; the newest when several are;
//   2. else an untagged one, issued, unexpired, covering the names: used
//      (attached), never detached or deleted, since someone else made it;
//   3. else hostgate's own pending one: wait, publishing its validation CNAMEs;
//   4. else a new request (DNS validation, an idempotency token from the
//      owner, the names, the failed certificates it replaces and the routes
//      it serves (certificate-names.ts idempotencyToken), the tags).
// Another owner's certificate (another ownerId) is never used: its owner may
// delete it when its own routes go.
//
// A failed certificate of hostgate's (EXPIRED, VALIDATION_TIMED_OUT, FAILED,
// REVOKED, INACTIVE, or ISSUED past its not-after) makes the routes'
// outcome `failed` with ACM's status until a replacement is issued; the
// replacement is requested at once (its token names the failed ARNs, so ACM's
// one-hour idempotency cannot hand the failed one back). The failed one is
// taken off the listeners (it serves nothing valid) but kept in ACM, so the
// status keeps saying why, until the replacement is issued; then it is
// deleted like any unused certificate of hostgate's. A wildcard that fails
// again and again (a zone hostgate cannot write) costs one request per
// validation timeout (72 hours).
//
// Validation records are published for hostgate's own certificate in use or
// pending, issued ones included: ACM renews a DNS-validated certificate only
// while its CNAMEs stay in DNS.
//
// With the AWS Load Balancer Controller (`discovery`: it finds the certificate
// in ACM by the route's hostname and puts it on its own ALB's listener) the
// same certificate is chosen, requested and validated, and nothing is attached
// or detached. The controller refuses a host two ISSUED certificates match, so
// hostgate never holds two issued ones of its own for a wildcard for longer
// than it takes ACM to let one go: it requests only when none is usable; a
// replacement only replaces a failed one (EXPIRED, REVOKED…: no longer listed
// as ISSUED; an ISSUED one past its not-after until ACM marks it EXPIRED);
// and of several of its own issued ones (a retried request after ACM's hour)
// it keeps the one a load balancer already uses, deleting the others, which no
// load balancer uses, in the same pass. A host some other certificate matches
// too is reported on its routes (discovery-conflicts.ts).
import type { RecordRequest } from "../dns/record-requests.ts";
import { compareStrings } from "../../core/compare-strings.ts";
import type { AcmCertificate, AcmStatus } from "./acm-port.ts";
import type { CertificateAction, CertificatePlan, PlanFailures } from "./certificate-plan.ts";
import { COMMON_NAME_MAX, certificateTags, idempotencyToken, subjectName, TAG_OWNER, TAG_WILDCARD, wildcardParent } from "./certificate-names.ts";
import type { CertificateDecision, CertificateStatus } from "./certificate-outcomes.ts";
import type { DesiredCertificate, DesiredCertificates } from "./desired-certificates.ts";
import type { ListenerSettings, Placement } from "./plan-listeners.ts";
import { isOwned, planListenersFor } from "./plan-listeners.ts";
import { remainingOnListener, routeOutcomes } from "./route-outcomes.ts";
import { withDiscoveryConflicts } from "./discovery-conflicts.ts";

/** TTL of the validation CNAMEs hostgate asks DNS for. */
export const VALIDATION_RECORD_TTL = 300;

const FAILED: ReadonlySet<AcmStatus> = new Set(["EXPIRED", "VALIDATION_TIMED_OUT", "FAILED", "REVOKED", "INACTIVE"]);

export interface AcmPlanInput extends ListenerSettings {
  readonly desired: DesiredCertificates;
  /** Milliseconds since the epoch: an ISSUED certificate past its not-after serves nothing. */
  readonly now: number;
}

/** What serves one wildcard. */
export interface AcmChoice {
  /** Issued and usable: goes on the listeners. */
  readonly use?: AcmCertificate;
  /** hostgate's own, not issued yet. */
  readonly pending?: AcmCertificate;
  /** hostgate's own failed ones (kept until a replacement is issued). */
  readonly failed: readonly AcmCertificate[];
}

export function planCertificates(input: AcmPlanInput): CertificatePlan {
  const { desired, view, ownerId } = input;
  const choices = new Map<string, AcmChoice>();
  const actions: CertificateAction[] = [];
  const keep = new Set<string>();
  for (const certificate of desired.certificates) {
    const choice = chooseAcmCertificate(certificate, view.certificates, ownerId, input.now, { preferInUse: input.discovery === true });
    choices.set(certificate.wildcard, choice);
    if (choice.use !== undefined) continue;
    for (const failed of choice.failed) keep.add(failed.arn);
    if (choice.pending !== undefined) keep.add(choice.pending.arn);
    else if (ownerId !== "" && subjectName(certificate.names) !== undefined)
      actions.push({ kind: "request", wildcard: certificate.wildcard, request: requestFor(certificate, ownerId, choice.failed, desired) });
  }
  const inUse = new Map([...choices].flatMap(([wildcard, choice]) => (choice.use === undefined ? [] : [[wildcard, choice.use.arn] as const])));
  const listeners = planListenersFor(input, desired.certificates, inUse, keep);
  actions.push(...listeners.actions);
  const records = validationRecords(desired.certificates, choices, ownerId);
  const poll = [...choices.values()].flatMap((c) => (c.use === undefined && c.pending !== undefined ? [c.pending.arn] : []));
  const failures = input.failures ?? new Map<string, string>();
  const outcomes = routeOutcomes(
    desired,
    (certificate, listenerArn) =>
      outcomeFor(
        certificate,
        choices.get(certificate.wildcard)!,
        listenerArn ? listeners.placement(certificate.wildcard, listenerArn) : undefined,
        failures,
        listenerArn,
        ownerId !== "",
      ),
    remainingOnListener(desired, view, ownerId),
  );
  return {
    actions,
    records,
    outcomes: input.discovery === true ? withDiscoveryConflicts(outcomes, desired, view.certificates, ownerId) : outcomes,
    poll: [...poll, ...listeners.awaitingDelete].sort(compareStrings),
  };
}

/**
 * `preferInUse`: of several usable certificates of hostgate's, one ACM shows in use by a load balancer first (then the
 * newest): with the AWS Load Balancer Controller, the one its ALB holds is the one hostgate cannot delete.
 */
export function chooseAcmCertificate(
  certificate: DesiredCertificate,
  certificates: readonly AcmCertificate[],
  ownerId: string,
  now: number,
  options: { readonly preferInUse?: boolean } = {},
): AcmChoice {
  const parent = wildcardParent(certificate.wildcard);
  const covering = certificates.filter((c) => covers(c, certificate.names));
  const mine = covering.filter((c) => isOwned(c, ownerId) && c.tags[TAG_WILDCARD] === parent && c.type === "AMAZON_ISSUED");
  const usable = (c: AcmCertificate) => c.status === "ISSUED" && (c.notAfter === undefined || Date.parse(c.notAfter) > now);
  const mineUsable = mine.filter(usable);
  const inUse = options.preferInUse === true ? newest(mineUsable.filter((c) => c.inUseBy.length > 0)) : undefined;
  const use = inUse ?? newest(mineUsable) ?? newest(covering.filter((c) => !(TAG_OWNER in c.tags) && usable(c)));
  const pending = mine.filter((c) => c.status === "PENDING_VALIDATION").sort((a, b) => compareStrings(a.arn, b.arn))[0];
  const failed = mine.filter((c) => FAILED.has(c.status) || (c.status === "ISSUED" && !usable(c))).sort((a, b) => compareStrings(a.arn, b.arn));
  return { ...(use === undefined ? {} : { use }), ...(pending === undefined ? {} : { pending }), failed };
}

/** Every name needed is one of the certificate's (ACM keeps names lowercase). */
function covers(certificate: AcmCertificate, names: readonly string[]): boolean {
  const held = new Set(certificate.subjectAlternativeNames.map((n) => n.toLowerCase()));
  return names.every((name) => held.has(name));
}

/** The latest not-after, then the smallest ARN: deterministic. */
function newest(certificates: readonly AcmCertificate[]): AcmCertificate | undefined {
  return [...certificates].sort((a, b) => compareStrings(b.notAfter ?? "", a.notAfter ?? "") || compareStrings(a.arn, b.arn))[0];
}

function requestFor(certificate: DesiredCertificate, ownerId: string, failed: readonly AcmCertificate[], desired: DesiredCertificates) {
  const routeUids = certificate.routes.map((ref) => desired.routes.get(ref)?.uid ?? ref);
  return {
    // ACM's first name may have 64 octets at most: the wildcard, else the apex (the planner requests none when neither fits).
    domainName: subjectName(certificate.names)!,
    subjectAlternativeNames: certificate.names,
    idempotencyToken: idempotencyToken(
      ownerId,
      certificate.names,
      failed.map((c) => c.arn),
      routeUids,
    ),
    tags: certificateTags(ownerId, certificate.wildcard),
  };
}

/** The resource validation records are registered under in the TXT registry. */
export function validationResource(ownerId: string, certificate: DesiredCertificate): string {
  return `certificate/${ownerId}/${certificate.name}`;
}

function validationRecords(certificates: readonly DesiredCertificate[], choices: ReadonlyMap<string, AcmChoice>, ownerId: string): RecordRequest[] {
  const byName = new Map<string, RecordRequest>();
  for (const certificate of certificates) {
    const choice = choices.get(certificate.wildcard)!;
    const source = choice.use !== undefined && isOwned(choice.use, ownerId) ? choice.use : choice.use === undefined ? choice.pending : undefined;
    for (const validation of source?.validation ?? []) {
      const record = validation.record;
      // Only CNAMEs inside the apex's zone (ACM's names start with `_`, which hostname checks refuse): nothing else is for hostgate to write.
      if (record === undefined || record.type !== "CNAME" || !record.name.endsWith(`.${certificate.apex}`)) continue;
      const key = `${certificate.zoneId} ${record.name}`;
      // `*.x` and `x` share one record; the first wildcard (sorted) names it.
      if (byName.has(key)) continue;
      byName.set(key, {
        zoneId: certificate.zoneId,
        record: { name: record.name, type: "CNAME", ttl: VALIDATION_RECORD_TTL, values: [record.value] },
        resource: validationResource(ownerId, certificate),
      });
    }
  }
  return [...byName.keys()].sort(compareStrings).map((key) => byName.get(key)!);
}

function statusOf(certificate: DesiredCertificate, acm: AcmCertificate | undefined): CertificateStatus {
  return {
    domains: certificate.names,
    ...(acm === undefined ? {} : { arn: acm.arn }),
    ...(acm?.notAfter === undefined ? {} : { notAfter: acm.notAfter }),
  };
}

function outcomeFor(
  certificate: DesiredCertificate,
  choice: AcmChoice,
  placement: Placement | undefined,
  failures: PlanFailures,
  listenerArn: string | undefined,
  requestable: boolean,
): CertificateDecision {
  const { wildcard } = certificate;
  if (choice.use !== undefined) {
    const status = statusOf(certificate, choice.use);
    const failure = listenerArn === undefined ? undefined : failures.get(`attach ${listenerArn} ${choice.use.arn}`);
    if (failure !== undefined)
      return { kind: "failed", certificate: status, message: `attaching ${choice.use.arn} (${wildcard}) to listener ${listenerArn} failed: ${failure}` };
    return placed(status, placement, listenerArn);
  }
  const previous = choice.failed.at(-1);
  const failedNote =
    previous === undefined
      ? ""
      : `ACM certificate ${previous.arn} for ${wildcard} is ${previous.status}; check the validation CNAMEs in zone ${certificate.zoneId} and CAA records. `;
  const requestFailure = failures.get(`request ${wildcard}`);
  if (requestFailure !== undefined)
    return {
      kind: "failed",
      certificate: statusOf(certificate, undefined),
      message: `${failedNote}requesting a certificate for ${wildcard} failed: ${requestFailure}`,
    };
  if (choice.pending !== undefined) {
    const status = statusOf(certificate, choice.pending);
    if (previous !== undefined)
      return { kind: "failed", certificate: status, message: `${failedNote}Its replacement ${choice.pending.arn} is pending validation` };
    const shown = choice.pending.validation.some((v) => v.record !== undefined);
    const detail = shown
      ? `ACM is validating ${choice.pending.arn} for ${wildcard} through its CNAME records in zone ${certificate.zoneId}`
      : `waiting for ACM to show the validation records of ${choice.pending.arn} for ${wildcard}`;
    return { kind: "pending", stage: "validation", certificate: status, detail };
  }
  if (subjectName(certificate.names) === undefined) {
    const message =
      `ACM cannot issue a certificate for ${wildcard}: it is ${wildcard.length} characters; ACM's first name may have ${COMMON_NAME_MAX} at most ` +
      "and the certificate has no shorter name; serve the route under a shorter parent domain";
    return { kind: "failed", certificate: statusOf(certificate, undefined), message };
  }
  if (!requestable) {
    const message = `no issued certificate covers ${certificate.names.join(", ")}, and hostgate requests none without an owner: set dns.ownerId (the tag that marks hostgate's certificates)`;
    return { kind: "failed", certificate: statusOf(certificate, undefined), message };
  }
  if (previous !== undefined)
    return { kind: "failed", certificate: statusOf(certificate, undefined), message: `${failedNote}A replacement is being requested` };
  return {
    kind: "pending",
    stage: "validation",
    certificate: statusOf(certificate, undefined),
    detail: `requesting a certificate for ${certificate.names.join(", ")} from ACM`,
  };
}

/** The outcome of an issued certificate given where it stands on the route's listener. */
export function placed(status: CertificateStatus, placement: Placement | undefined, listenerArn: string | undefined): CertificateDecision {
  if (placement === undefined || listenerArn === undefined) return { kind: "ready", certificate: status };
  switch (placement.kind) {
    case "attached":
      return { kind: "ready", certificate: status, listenerArn };
    case "attaching":
      return { kind: "pending", stage: "attachment", certificate: status, detail: `attaching ${status.arn} to listener ${listenerArn}` };
    case "limit":
      return {
        kind: "listenerLimit",
        certificate: status,
        listenerArn,
        limit: placement.limit,
        held: placement.held,
        ...(placement.refused === undefined ? {} : { refused: placement.refused }),
      };
    case "unknown":
      return { kind: "pending", stage: "attachment", certificate: status, detail: `listener ${listenerArn} has not been read yet` };
    case "unreadable":
      return { kind: "failed", certificate: status, message: `listener ${listenerArn} cannot be read: ${placement.message}` };
  }
}
