// One DomainRoute reconcile, level-triggered and in three steps:
//   gather (gather-route.ts): read the route and everything its decision
//     needs from the caches into one plain input;
//   plan (plan-route.ts): a pure function of that input returns one plan:
//     finalizer, claim, objects to apply and prune, status, Events, requeue;
//   execute (execute-route-plan.ts): carry the plan out in a safe order,
//     stopping at the first failure.
// Every step is safe to retry: a reconcile after convergence plans nothing
// and writes nothing. A new concern (DNS, certificates) is a field of the
// input and a section of the plan, executed in its place in the order; DNS
// records and certificates come in as their controllers' outcomes.
import type { Clock } from "../../core/clock.ts";
import type { Logger } from "../../core/logger.ts";
import type { ObjectApi } from "../../core/kube/object-api.ts";
import type { ObjectKey } from "../../core/kube/object-key.ts";
import type { PlatformConfig } from "../../core/config/platform-config.ts";
import type { AppIdOutcomeReader } from "../app-id-table/app-id-outcomes.ts";
import type { CertificateOutcome } from "../certificates/certificate-outcomes.ts";
import type { DnsOutcome } from "../dns/dns-outcomes.ts";
import type { OutcomeReader } from "../status/outcomes.ts";
import type { EventRecorder } from "../cluster/event-recorder.ts";
import type { ObjectReader } from "../cluster/object-reader.ts";
import { executeRoutePlan } from "./execute-route-plan.ts";
import type { RouteReconcileResult } from "./execute-route-plan.ts";
import type { EdgeOutcome } from "../edge/edge-outcomes.ts";
import { gatherRoute } from "./gather-route.ts";
import type { RenderRoute } from "./gather-route.ts";
import { planRoute } from "./plan-route.ts";
import type { MonitoringState } from "./observability-plan.ts";

export { REFUSED_RECHECK_MS, RELEASED_CLAIM_RETRY_MS, ROUTE_FINALIZER } from "./plan-route.ts";
export type { RouteReconcileResult } from "./execute-route-plan.ts";

export interface RouteReconcilerDeps {
  api: ObjectApi;
  reader: ObjectReader;
  config: PlatformConfig;
  clock: Clock;
  logger: Logger;
  events: EventRecorder;
  /** The appId table's outcome for each route (app-id-table/app-id-outcomes.ts): the source of ProtectionReady. */
  appIds: AppIdOutcomeReader;
  /** The DNS controller's outcome for each route (provider route53): the source of DNSReady and status.dns. */
  dnsOutcomes?: OutcomeReader<DnsOutcome>;
  /** The certificate controller's outcome for each route: the source of CertificateReady and status.certificate. */
  certificateOutcomes?: OutcomeReader<CertificateOutcome>;
  /** The pool controller's outcome for each route: the source of EdgePlaced and status.edge. */
  edgeOutcomes?: OutcomeReader<EdgeOutcome>;
  /** What the route renders to; renderRoute, or a test's stand-in (for example one with colliding names). */
  render?: RenderRoute;
  /** Whether the cluster serves prometheus-operator's CRDs (manager/monitoring-kinds.ts): the route's alerts need them. */
  monitoring?: { state(): MonitoringState };
}

export async function reconcileRoute(deps: RouteReconcilerDeps, key: ObjectKey): Promise<RouteReconcileResult> {
  const input = await gatherRoute(deps, key);
  if (input === undefined) return {};
  const plan = (i: typeof input) => (deps.render === undefined ? planRoute(i) : planRoute(i, deps.render));
  return executeRoutePlan(deps, input, plan(input), plan);
}
