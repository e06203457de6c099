// A route's state in plain words, from its metadata and status conditions:
// "live", "waiting for the certificate", "domain already taken by team-b/shop".
// Pure. Ready is True only when every other condition is; otherwise the
// reconciler gives it the first failing condition's reason and the message
// `<Type>: <message>` (reconciler/domainroute/route-conditions.ts#ready), so
// Ready alone says what the person is waiting for. The reasons are the
// reconciler's stable constants, written here as strings (portal/ never
// imports reconciler/); test/status-words-reasons.test.ts collects every
// reason the reconciler exports or writes and fails on one this table lacks.
import type { KubeObject } from "../core/kube/object-key.ts";
import { CONDITION_CLAIMED, CONDITION_READY, LB_INTERNAL } from "../crds/types.ts";
import type { Condition } from "../crds/types.ts";
import type { RouteWords } from "./route-view.ts";

export type { RouteWords };

/** The words for one Ready reason; `state` is how the page marks it. */
export interface Wording {
  state: RouteWords["state"];
  text: string;
}

const WAITING_FOR_CERTIFICATE: Wording = { state: "pending", text: "waiting for the certificate" };
const PUBLISHING_DNS: Wording = { state: "pending", text: "publishing DNS" };
const SETTING_UP_LOGIN: Wording = { state: "pending", text: "setting up the login" };
const WAITING_FOR_LOAD_BALANCER: Wording = { state: "pending", text: "waiting for a load balancer" };
const NEEDS_ATTENTION: Wording = { state: "attention", text: "needs attention" };
const DNS_REFUSED: Wording = { state: "attention", text: "its DNS name cannot be published" };
const NO_HTTPS_LISTENER: Wording = { state: "attention", text: "no HTTPS listener for its certificate (platform team)" };
const REMOVING: Wording = { state: "removing", text: "being removed" };
/** The explicit fallback: a reason of a condition that is True (so never Ready's while Ready is not), or one with nothing more to say. */
export const IN_PROGRESS: Wording = { state: "pending", text: "in progress" };

/** Every reason the reconciler gives a DomainRoute condition → its words. A reason missing here reads as IN_PROGRESS. */
export const REASON_WORDS: Readonly<Record<string, Wording>> = {
  // The claim and the data plane (route-conditions.ts REASON, apply/ownership.ts, gateway-api/data-plane-refusal.ts).
  DomainTaken: { state: "attention", text: "domain already taken" },
  NotClaimed: { state: "pending", text: "waiting for the domain to be claimed" },
  InvalidSpec: NEEDS_ATTENTION,
  ApplyFailed: NEEDS_ATTENTION,
  BackendRejected: NEEDS_ATTENTION,
  ObjectNotOwned: NEEDS_ATTENTION,
  ObjectOwnedByAnotherRoute: NEEDS_ATTENTION,
  UnknownProvider: { state: "attention", text: "unknown login provider" },
  ProtectionUnsupported: { state: "attention", text: "its login is not available on this platform's gateways (platform team)" },
  WaitingForPlacement: WAITING_FOR_LOAD_BALANCER,
  // The login (protection-condition.ts; the gateways' listener gate).
  ProtectionPending: SETTING_UP_LOGIN,
  WaitingForLogin: SETTING_UP_LOGIN,
  AppIDConflict: { state: "attention", text: "appId already used" },
  IdentityTableTooLarge: { state: "attention", text: "the login table is full (platform team)" },
  // The load balancer pool (edge-condition.ts).
  PlacementPending: WAITING_FOR_LOAD_BALANCER,
  EdgePoolFull: { state: "attention", text: "no room on the load balancers (platform team)" },
  // DNS (dns-condition.ts, desired-records.ts, dns-outcomes.ts, external-dns/, reserved-name.ts, gateway-records.ts).
  DNSPending: PUBLISHING_DNS,
  RecordsPending: PUBLISHING_DNS,
  WaitingForExternalDns: PUBLISHING_DNS,
  EndpointPending: PUBLISHING_DNS,
  GatewayAddressPending: PUBLISHING_DNS,
  Route53Unavailable: { state: "pending", text: "publishing DNS (retrying: the DNS service did not answer)" },
  RecordOwnedElsewhere: { state: "attention", text: "another DNS record holds the name (platform team)" },
  ZoneNotAllowed: { state: "attention", text: "DNS zone not allowed" },
  ZoneNotSelectable: { state: "attention", text: "DNS zone not allowed" },
  DomainNotManaged: { state: "attention", text: "domain outside the platform's domains" },
  CnameAtApex: DNS_REFUSED,
  RecordNameTooLong: DNS_REFUSED,
  ReservedName: DNS_REFUSED,
  NoRoute53Region: DNS_REFUSED,
  UnknownSourceRegion: DNS_REFUSED,
  ChangeRejected: DNS_REFUSED,
  RecordsReleasing: REMOVING,
  RecordsReleased: REMOVING,
  // The certificate (certificate-condition.ts, cert-manager/, the gateways' listeners).
  CertificatePending: WAITING_FOR_CERTIFICATE,
  PendingValidation: WAITING_FOR_CERTIFICATE,
  PendingIssuance: WAITING_FOR_CERTIFICATE,
  PendingImport: WAITING_FOR_CERTIFICATE,
  PendingAttachment: WAITING_FOR_CERTIFICATE,
  NotObserved: WAITING_FOR_CERTIFICATE,
  WaitingForCertificate: WAITING_FOR_CERTIFICATE,
  ListenerCertificateLimit: { state: "attention", text: "no room for its certificate on the load balancer (platform team)" },
  CertificateFailed: { state: "attention", text: "the certificate failed; a new one is requested" },
  CertificateConflict: { state: "attention", text: "another certificate covers the name (platform team)" },
  DomainOutsideApexes: { state: "attention", text: "domain outside the platform's domains" },
  NoListener: NO_HTTPS_LISTENER,
  NoCertificate: NO_HTTPS_LISTENER,
  ListenerUnsupported: NO_HTTPS_LISTENER,
  Releasing: REMOVING,
  Released: REMOVING,
  // Reasons of True conditions: explicitly nothing more to say than "in progress".
  Ready: IN_PROGRESS,
  Claimed: IN_PROGRESS,
  Applied: IN_PROGRESS,
  NotRequested: IN_PROGRESS,
  Published: IN_PROGRESS,
  Placed: IN_PROGRESS,
  MoveRefused: IN_PROGRESS,
  NotManaged: IN_PROGRESS,
  RecordsReady: IN_PROGRESS,
  PublishedBySourceRegion: IN_PROGRESS,
  HandedToExternalDns: IN_PROGRESS,
  Issued: IN_PROGRESS,
  Attached: IN_PROGRESS,
  // ObservabilityReady's own reasons: that condition is never part of Ready, so they are never Ready's reason.
  NoManagedBackend: IN_PROGRESS,
  PrometheusOperatorMissing: IN_PROGRESS,
  DataPlaneUnsupported: IN_PROGRESS,
  NotServed: IN_PROGRESS,
  ObservabilityPending: IN_PROGRESS,
};

/** Longest condition message shown under the words; a status writer may write anything. */
export const MAX_DETAIL = 2048;

/**
 * The route's state in words, checked in this order: being deleted; not yet
 * seen by hostgate at its current generation; Ready; else Ready's reason.
 * `detail` is Ready's message, always shown under the words.
 */
export function routeWords(route: KubeObject): RouteWords {
  const metadata = (route.metadata ?? {}) as { generation?: unknown; deletionTimestamp?: unknown };
  const conditions = conditionsOf(route);
  const ready = conditions.find((c) => c.type === CONDITION_READY);
  const detail = ready === undefined || ready.message === "" ? {} : { detail: clip(ready.message, MAX_DETAIL) };
  if (typeof metadata.deletionTimestamp === "string" && metadata.deletionTimestamp !== "") {
    return { state: "removing", text: "being removed", ...(ready?.status === "True" ? {} : detail) };
  }
  if (ready === undefined || stale(ready, metadata.generation, route.status)) return { state: "pending", text: "waiting for hostgate to pick up your change" };
  if (ready.status === "True") return { state: "live", text: liveText(route.spec), ...detail };
  if (ready.reason === "DomainTaken") return { state: "attention", text: takenText(conditions), ...detail };
  const wording = REASON_WORDS[ready.reason] ?? IN_PROGRESS;
  return { state: wording.state, text: wording.text, ...detail };
}

/** Ready (or, without its own, the status's) observedGeneration is behind metadata.generation. */
function stale(ready: Condition, generation: unknown, status: unknown): boolean {
  if (typeof generation !== "number") return false;
  const observed = typeof ready.observedGeneration === "number" ? ready.observedGeneration : (status as { observedGeneration?: unknown }).observedGeneration;
  return typeof observed === "number" && observed < generation;
}

function liveText(spec: unknown): string {
  const s = (spec ?? {}) as { lb?: unknown; protection?: unknown };
  const parts = ["live"];
  if (s.lb === LB_INTERNAL) parts.push("internal only");
  if (s.protection !== undefined && s.protection !== null) parts.push("behind login");
  return parts.join(", ");
}

/** "domain already taken by team-b/shop": the owner as Claimed's message names it (`… is already claimed by DomainRoute ns/name;`). */
function takenText(conditions: readonly Condition[]): string {
  const claimed = conditions.find((c) => c.type === CONDITION_CLAIMED);
  const owner = /is already claimed by DomainRoute ([a-z0-9][a-z0-9.-]{0,252}\/[a-z0-9][a-z0-9.-]{0,252})/.exec(claimed?.message ?? "")?.[1];
  return owner === undefined ? REASON_WORDS.DomainTaken!.text : `domain already taken by ${owner}`;
}

/** The well-formed conditions of status.conditions (status is untrusted: anything else is skipped). */
function conditionsOf(route: KubeObject): Condition[] {
  const list = (route.status as { conditions?: unknown } | undefined)?.conditions;
  if (!Array.isArray(list)) return [];
  return list
    .filter(
      (c): c is Condition => typeof c === "object" && c !== null && typeof c.type === "string" && typeof c.status === "string" && typeof c.reason === "string",
    )
    .map((c) => ({ ...c, message: typeof c.message === "string" ? c.message : "" }));
}

function clip(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}
