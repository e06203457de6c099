// The certificate controller's one reconcile (one queue key for the whole
// cluster, like the appId table): gather every route and claim, read what
// ACM and the listeners hold (cached: see acm-view-cache.ts), plan (pure),
// execute in a safe order, then publish ACM's validation CNAMEs to the DNS
// controller (RecordRequests) and every route's outcome to the route
// controller (CertificateOutcomes). It never writes a DomainRoute.
//
// Order: a certificate is requested, its validation records handed to DNS,
// and it is attached only once ACM says ISSUED (a later pass); an unused one
// of hostgate's is detached, and deleted in a later pass once ACM shows it
// unused. Outcomes and records are planned again from the view the
// execution left, so a route shows Attached only once its certificate is on
// the listener.
//
// With the AWS Load Balancer Controller (certificatesByDiscovery) no listener
// is read or changed: the controller finds the certificate in ACM by the
// route's hostname, so a route is ready once its certificate is issued.
//
// Requests to AWS: a full read every dns.resyncInterval; between full reads
// only what hostgate changed, pending certificates (every 30 s, every 5 s
// while ACM does not show their validation records yet), and certificates
// it detached and waits to delete. A steady pass makes no AWS request.
import type { Clock } from "../../core/clock.ts";
import type { PlatformConfig } from "../../core/config/platform-config.ts";
import { durationMs } from "../../core/config/duration.ts";
import type { ObjectApi } from "../../core/kube/object-api.ts";
import type { KubeObject } from "../../core/kube/object-key.ts";
import type { Logger } from "../../core/logger.ts";
import type { DomainClaim, DomainRoute } from "../../crds/types.ts";
import type { ObjectReader } from "../cluster/object-reader.ts";
import type { RecordRequests } from "../dns/record-requests.ts";
import { DOMAIN_CLAIMS, DOMAIN_ROUTES } from "../resources.ts";
import type { AcmPort } from "./acm-port.ts";
import { AcmViewCache } from "./acm-view-cache.ts";
import { certManagerCertificates, certManagerSecrets } from "./cert-manager-resources.ts";
import type { CertificateOutcomes } from "./certificate-outcomes.ts";
import type { CertificatePlan, PlanFailures } from "./certificate-plan.ts";
import type { DesiredCertificates } from "./desired-certificates.ts";
import { desiredCertificates, desiredOptions } from "./desired-certificates.ts";
import { executeCertificatePlan } from "./execute-certificate-plan.ts";
import type { ListenerPort } from "./listener-port.ts";
import { planCertManager } from "./plan-cert-manager.ts";
import { planCertificates } from "./plan-certificates.ts";
import { certificatesByDiscovery, certificatesInAcm, certificatesOnListeners, listenerArns } from "../../core/config/acm-settings.ts";
import { listenerLimits } from "./listener-limits.ts";

/** The single queue key: any route or claim change plans every certificate again. */
export const CERTIFICATES_KEY = "certificates";
/** A pending certificate is described again this often… */
export const PENDING_POLL_MS = 30_000;
/** …and this often while ACM does not show its validation records yet (they appear seconds after the request). */
export const RECORDS_POLL_MS = 5000;
/** After changing AWS, look again this soon (InUseBy after a detach, the new certificate's records after a request). */
export const AFTER_CHANGE_MS = 5000;
/** After a refused action, try again this much later (or on the next route change). */
export const REFUSED_RETRY_MS = 60_000;

export interface CertificateReconcilerDeps {
  reader: ObjectReader;
  /** For provider cert-manager: Certificate objects are written through it. */
  api?: ObjectApi;
  config: PlatformConfig;
  /** For provider acm, and cert-manager with importToAcm. */
  acm?: AcmPort;
  listeners?: ListenerPort;
  records: RecordRequests;
  outcomes: CertificateOutcomes;
  clock: Clock;
  logger: Logger;
}

/** What the controller keeps between passes; one per leader term (a new term starts from scratch). */
export interface CertificateReconcilerState {
  readonly cache: AcmViewCache;
  /** Certificates to describe again at `pollAt`. */
  poll: string[];
  pollAt: number;
  /** Certificates hostgate detached, and when: waited on (polled) for one resync interval before their deletion. */
  readonly detachedAt: Map<string, number>;
}

export function newCertificateReconcilerState(): CertificateReconcilerState {
  return { cache: new AcmViewCache(), poll: [], pollAt: 0, detachedAt: new Map() };
}

export interface CertificateReconcileResult {
  /** When to run again (pending certificates, a change to look at, the next full read); undefined when nothing is due. */
  requeueAfterMs?: number;
  /** Routes (`namespace/name`) whose outcome changed, sorted. */
  changed: string[];
  /** AWS and object actions carried out. */
  done: number;
}

export async function reconcileCertificates(deps: CertificateReconcilerDeps, state: CertificateReconcilerState): Promise<CertificateReconcileResult> {
  const { config } = deps;
  const provider = config.certificates.provider;
  if (provider === "none") {
    // Nothing is managed: no validation record is needed, and routes report NotManaged without an outcome.
    deps.records.publish([]);
    return { changed: deps.outcomes.publish(new Map()), done: 0 };
  }
  const usesAcm = certificatesInAcm(config);
  const routes = deps.reader.list(DOMAIN_ROUTES) as unknown as DomainRoute[];
  const claims = deps.reader.list(DOMAIN_CLAIMS) as unknown as DomainClaim[];
  const desired = desiredCertificates(routes, claims, config, desiredOptions(config));
  const now = deps.clock.now();
  const resyncMs = durationMs(config.dns.resyncInterval);
  if (usesAcm) await refresh(deps, state, desired, now, resyncMs);
  const planned = plan(deps, state, desired, now);
  const execution = await executeCertificatePlan(planned.actions, {
    ...(deps.acm === undefined ? {} : { acm: deps.acm }),
    ...(deps.listeners === undefined ? {} : { listeners: deps.listeners }),
    ...(deps.api === undefined ? {} : { api: deps.api }),
    ...(config.certificates.certManager === undefined ? {} : { certificatesResource: certManagerCertificates(config.certificates.certManager.namespace) }),
    cache: state.cache,
    logger: deps.logger,
  });
  for (const action of planned.actions) if (action.kind === "detach") for (const arn of action.arns) state.detachedAt.set(arn, now);
  // What the routes see is what the execution left: planned again (cheap, pure); its actions wait for the next pass.
  const final = planned.actions.length > 0 ? plan(deps, state, desired, now, execution.failures) : planned;
  // Something changed in AWS or the cluster: look again soon. Only refusals: a minute later (a refusal is not retried in a hot loop).
  const acted = execution.done > 0;
  deps.records.publish(final.records);
  const changed = deps.outcomes.publish(final.outcomes);
  if (execution.retryable !== undefined) throw execution.retryable;
  const requeueAfterMs = nextPass(state, final, { now, resyncMs, usesAcm, acted, refused: execution.failures.size > 0 });
  if (acted) deps.logger.info({ actions: planned.actions.length, done: execution.done, failed: execution.failures.size }, "certificates reconciled");
  return { ...(requeueAfterMs === undefined ? {} : { requeueAfterMs }), changed, done: execution.done };
}

/** A full read when due; otherwise what changed, and the certificates being polled once their time has come. */
async function refresh(deps: CertificateReconcilerDeps, state: CertificateReconcilerState, desired: DesiredCertificates, now: number, resyncMs: number) {
  const onListeners = certificatesOnListeners(deps.config);
  const context = {
    acm: requiredPort(deps.acm, "an AcmPort"),
    ...(onListeners ? { listeners: requiredPort(deps.listeners, "a ListenerPort") } : {}),
    listenerArns: onListeners ? listenerArns(deps.config) : [],
    apexes: deps.config.domains.map((d) => d.apex),
    wildcards: desired.certificates.map((c) => c.wildcard),
    // The AWS Load Balancer Controller matches certificates to the routes' hosts: one named after a host is described too.
    ...(certificatesByDiscovery(deps.config) ? { hosts: usedHosts(desired) } : {}),
  };
  if (state.cache.fullReadDue(now, resyncMs)) await state.cache.readAll(context, now);
  else await state.cache.readStale(context, now >= state.pollAt ? state.poll : []);
}

function plan(
  deps: CertificateReconcilerDeps,
  state: CertificateReconcilerState,
  desired: DesiredCertificates,
  now: number,
  failures?: PlanFailures,
): CertificatePlan {
  const { config } = deps;
  const common = {
    desired,
    view: state.cache.view(),
    // Required by the config's checks whenever ACM is used; an empty owner owns nothing (planListeners isOwned) and requests nothing.
    ownerId: config.dns.ownerId ?? "",
    listenerCertificateLimit: config.certificates.listenerCertificateLimit,
    // Each listener's own: its pool member's capacity.certificates.
    listenerLimits: listenerLimits(config),
    discovery: certificatesByDiscovery(config),
    now,
    ...(failures === undefined ? {} : { failures }),
  };
  if (config.certificates.provider === "acm") return planCertificates(common);
  const certManager = config.certificates.certManager!;
  const certificates = deps.reader.list(certManagerCertificates(certManager.namespace));
  const secrets = new Map<string, KubeObject>();
  if (certManager.importToAcm)
    for (const certificate of desired.certificates) {
      const secret = deps.reader.get(certManagerSecrets(certManager.namespace), { namespace: certManager.namespace, name: certificate.name });
      if (secret !== undefined) secrets.set(certificate.name, secret);
    }
  return planCertManager({ ...common, certManager, certificates, secrets });
}

function nextPass(
  state: CertificateReconcilerState,
  plan: CertificatePlan,
  at: { now: number; resyncMs: number; usesAcm: boolean; acted: boolean; refused: boolean },
): number | undefined {
  const { now, resyncMs } = at;
  for (const [arn, detached] of state.detachedAt) if (now - detached >= resyncMs) state.detachedAt.delete(arn);
  const view = state.cache.view();
  const byArn = new Map(view.certificates.map((c) => [c.arn, c]));
  // Awaiting deletion is polled only for a while after hostgate detached it; after that the full reads look at it.
  state.poll = plan.poll.filter((arn) => byArn.get(arn)?.status === "PENDING_VALIDATION" || state.detachedAt.has(arn));
  const recordsMissing = state.poll.some((arn) => byArn.get(arn)?.validation.some((v) => v.record === undefined));
  const pollMs = recordsMissing ? RECORDS_POLL_MS : PENDING_POLL_MS;
  if (now >= state.pollAt || state.poll.length === 0) state.pollAt = now + pollMs;
  const delays: number[] = [];
  if (state.poll.length > 0) delays.push(state.pollAt - now);
  if (at.acted) delays.push(AFTER_CHANGE_MS);
  if (at.refused) delays.push(REFUSED_RETRY_MS);
  if (at.usesAcm) delays.push(state.cache.untilFullRead(now, resyncMs));
  return delays.length === 0 ? undefined : Math.max(0, Math.min(...delays));
}

/** The domains of the routes a certificate is needed for, sorted. */
function usedHosts(desired: DesiredCertificates): string[] {
  return [...desired.routes.values()].flatMap((need) => (need.kind === "uses" ? [need.domain] : [])).sort();
}

function requiredPort<T>(port: T | undefined, what: string): T {
  if (port === undefined) throw new Error(`certificates go to ACM but the certificate controller was given no ${what}: a wiring error`);
  return port;
}
