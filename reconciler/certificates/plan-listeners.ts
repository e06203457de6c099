// Where certificates go on the listeners, and which of hostgate's own go away
// (pure). Shared by the ACM and the cert-manager (importToAcm) planners: they
// decide which certificate serves each wildcard; this puts it on every
// listener that needs it, within the listener certificate limit, and takes
// hostgate's unused certificates off the listeners and then out of ACM.
//
// The limit. AWS's quota is "certificates per Application Load Balancer,
// excluding default certificates: 25" (ALB quotas page): the default
// certificate does not count, the certificate list does. DescribeListener-
// Certificates lists the default with IsDefault=true, and lists it a second
// time (IsDefault=false) when it is also in the certificate list; so the
// count here is the distinct ARNs listed with isDefault false. The quota is
// per load balancer: a second HTTPS listener's certificates count too, which
// hostgate does not read; set certificates.listenerCertificateLimit (or a
// pool member's capacity.certificates) lower when a load balancer has other
// HTTPS listeners with certificates. Each listener has its own limit: a pool
// member's capacity.certificates (listener-limits.ts), `limit` otherwise.
//
// Safety: only certificates tagged with this installation's ownerId are ever
// detached or deleted, never a listener's default, never an untagged or
// another owner's certificate (an untagged one may be used, attached, and
// stays when hostgate stops using it: someone else may rely on it).
import type { AcmCertificate } from "./acm-port.ts";
import type { AcmView, CertificateAction, PlanFailures } from "./certificate-plan.ts";
import { TAG_OWNER } from "./certificate-names.ts";
import type { DesiredCertificate } from "./desired-certificates.ts";
import { compareStrings } from "../../core/compare-strings.ts";

export type Placement =
  | { readonly kind: "attached" }
  /** Planned in this pass. */
  | { readonly kind: "attaching" }
  /** No room: by the configured limit, or (`refused`, ELBv2's message) because ELBv2 refused the last attach with TooManyCertificates. */
  | { readonly kind: "limit"; readonly limit: number; readonly held: number; readonly refused?: string }
  /** The listener was not read: nothing is known or planned there. */
  | { readonly kind: "unknown" }
  /** ELBv2 refused to list the listener: nothing is planned there; `message` says why. */
  | { readonly kind: "unreadable"; readonly message: string };

/**
 * What a certificate planner's input carries for the listeners (plan-certificates'
 * AcmPlanInput and plan-cert-manager's CertManagerPlanInput extend it): both
 * hand it to planListenersFor the same way.
 */
export interface ListenerSettings {
  /** ACM and the listeners as last read (empty when certificates do not go on listeners). */
  readonly view: AcmView;
  /** dns.ownerId: the owner tag's value. */
  readonly ownerId: string;
  readonly listenerCertificateLimit: number;
  /** listenerArn → its own limit (listener-limits.ts: a pool member's capacity.certificates); others have listenerCertificateLimit. */
  readonly listenerLimits?: ReadonlyMap<string, number>;
  /** What the last execution failed to do, to report on the routes concerned. */
  readonly failures?: PlanFailures;
  /**
   * The AWS Load Balancer Controller finds the certificates by hostname (acm-settings.ts certificatesByDiscovery): no
   * listener is hostgate's, so nothing is attached or detached whatever the view lists; a spare certificate of
   * hostgate's is deleted once ACM shows no load balancer using it (the controller has moved its listener off it).
   */
  readonly discovery?: boolean;
}

/** planListeners from a planner's settings, for its certificates, the certificate serving each wildcard and the ones to keep. */
export function planListenersFor(
  settings: ListenerSettings,
  certificates: readonly DesiredCertificate[],
  inUse: ReadonlyMap<string, string>,
  keep: ReadonlySet<string>,
): ListenerPlan {
  return planListeners({
    certificates,
    inUse,
    view: settings.discovery === true ? { certificates: settings.view.certificates, listeners: new Map() } : settings.view,
    ownerId: settings.ownerId,
    limit: settings.listenerCertificateLimit,
    ...(settings.listenerLimits === undefined ? {} : { limits: settings.listenerLimits }),
    keep,
    ...(settings.failures === undefined ? {} : { failures: settings.failures }),
  });
}

export interface ListenerPlanInput {
  readonly certificates: readonly DesiredCertificate[];
  /** The issued certificate serving each wildcard, when there is one. */
  readonly inUse: ReadonlyMap<string, string>;
  readonly view: AcmView;
  readonly ownerId: string;
  readonly limit: number;
  /** listenerArn → its limit (a pool member's capacity.certificates); a listener not listed has `limit`. */
  readonly limits?: ReadonlyMap<string, number>;
  /** Owned certificates not to delete although unused: a pending one, failed ones kept to report why until a replacement is issued. */
  readonly keep: ReadonlySet<string>;
  /** The last execution's failures: an attach ELBv2 refused for lack of room (`limit <listenerArn> <arn>`) counts as no room. */
  readonly failures?: PlanFailures;
}

export interface ListenerPlan {
  /** Per listener its attach and detach (attach first unless the detach must make room), then the deletes. */
  readonly actions: CertificateAction[];
  /** `placement(wildcard, listenerArn)` for a wildcard with a certificate in use. */
  placement(wildcard: string, listenerArn: string): Placement;
  /** Owned, unused, on none of the listeners, but ACM still shows in use: deleted once ACM shows it unused. */
  readonly awaitingDelete: string[];
}

export function isOwned(certificate: AcmCertificate | undefined, ownerId: string): boolean {
  return certificate !== undefined && ownerId !== "" && certificate.tags[TAG_OWNER] === ownerId;
}

export function planListeners(input: ListenerPlanInput): ListenerPlan {
  const byArn = new Map(input.view.certificates.map((c) => [c.arn, c]));
  const placements = new Map<string, Placement>();
  const actions: CertificateAction[] = [];
  const onListeners = new Set<string>();
  for (const [listenerArn, entries] of [...input.view.listeners].sort(([a], [b]) => compareStrings(a, b))) {
    for (const entry of entries) onListeners.add(entry.arn);
    const held = new Set(entries.map((e) => e.arn));
    const defaults = new Set(entries.filter((e) => e.isDefault).map((e) => e.arn));
    const count = new Set(entries.filter((e) => !e.isDefault).map((e) => e.arn)).size;
    const limit = input.limits?.get(listenerArn) ?? input.limit;
    const wanted = new Map<string, string[]>();
    for (const certificate of input.certificates) {
      const arn = input.inUse.get(certificate.wildcard);
      if (arn === undefined || !certificate.listenerArns.includes(listenerArn)) continue;
      wanted.set(arn, [...(wanted.get(arn) ?? []), certificate.wildcard]);
    }
    const detach = [...new Set(entries.filter((e) => !e.isDefault && !defaults.has(e.arn) && !wanted.has(e.arn)).map((e) => e.arn))]
      .filter((arn) => isOwned(byArn.get(arn), input.ownerId))
      .sort(compareStrings);
    // Missing ones in wildcard order (wanted is filled in the desired order), so who gets the last room is stable.
    const refused = (arn: string) => input.failures?.get(`limit ${listenerArn} ${arn}`);
    const missing = [...wanted.keys()].filter((arn) => !held.has(arn) && refused(arn) === undefined);
    const room = Math.max(0, limit - (count - detach.length));
    const attach = missing.slice(0, room);
    for (const [arn, wildcards] of wanted) {
      const refusal = refused(arn);
      const placement: Placement = held.has(arn)
        ? { kind: "attached" }
        : attach.includes(arn)
          ? { kind: "attaching" }
          : { kind: "limit", limit, held: count, ...(refusal === undefined ? {} : { refused: refusal }) };
      for (const wildcard of wildcards) placements.set(`${wildcard} ${listenerArn}`, placement);
    }
    const attachAction: CertificateAction[] = attach.length === 0 ? [] : [{ kind: "attach", listenerArn, arns: attach }];
    const detachAction: CertificateAction[] = detach.length === 0 ? [] : [{ kind: "detach", listenerArn, arns: detach }];
    // Attach first, so a replaced certificate leaves only once its successor serves; detach first only when the room is needed.
    if (count + attach.length <= limit) actions.push(...attachAction, ...detachAction);
    else actions.push(...detachAction, ...attachAction);
  }
  const inUse = new Set(input.inUse.values());
  const awaitingDelete: string[] = [];
  for (const certificate of [...input.view.certificates].sort((a, b) => compareStrings(a.arn, b.arn))) {
    if (!isOwned(certificate, input.ownerId) || inUse.has(certificate.arn) || input.keep.has(certificate.arn)) continue;
    // Still on a listener: detached above in this pass, deleted in a later one.
    if (onListeners.has(certificate.arn)) continue;
    if (certificate.inUseBy.length > 0) awaitingDelete.push(certificate.arn);
    else actions.push({ kind: "delete", arn: certificate.arn });
  }
  return {
    actions,
    awaitingDelete,
    placement: (wildcard, listenerArn) => {
      const refused = input.view.listenerErrors?.get(listenerArn);
      return placements.get(`${wildcard} ${listenerArn}`) ?? (refused === undefined ? { kind: "unknown" } : { kind: "unreadable", message: refused });
    },
  };
}
