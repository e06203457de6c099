// When the API server refuses the page's OWN right to impersonate (its
// ServiceAccount lacks the RBAC `impersonate` rule, or a person's group is not
// in its resourceNames), that is the operator's problem, not the person's:
// - the person reads a neutral sentence (CANNOT_ACT_FOR_YOU, as refusal.ts
//   says it for writes) with 503, never the 403 that names the ServiceAccount;
// - the operator reads an error in the log with the remedy, once a minute at
//   most (every request of every person fails the same way until it is fixed).
// Reads (portal-app.ts) and event streams (live-routes.ts) share one alarm.
import type { Clock } from "../core/clock.ts";
import { systemClock } from "../core/clock.ts";
import { KubeApiError } from "../core/kube/api-error.ts";
import { isImpersonationForbidden } from "../core/kube/impersonated-http.ts";
import type { Logger } from "../core/logger.ts";
import { CANNOT_ACT_FOR_YOU } from "./refusal.ts";

export { CANNOT_ACT_FOR_YOU };

/** What the operator does about it (deploy/components/portal/rbac.yaml). */
export const IMPERSONATION_REMEDY =
  "the portal's ServiceAccount may not impersonate the person using the page: apply deploy/components/portal " +
  "(ClusterRole and ClusterRoleBinding hostgate-portal-impersonator: verb impersonate on users, and on groups listed in its resourceNames), " +
  "and list every group people log in with in that resourceNames";

const LOG_INTERVAL_MS = 60_000;

/** True for the API server's refusal of the page's own impersonation (not the person's own 403). */
export function isImpersonationRefused(error: unknown): error is KubeApiError {
  return error instanceof KubeApiError && isImpersonationForbidden(error);
}

export class ImpersonationAlarm {
  readonly #logger: Logger;
  readonly #clock: Clock;
  #lastLogged = Number.NEGATIVE_INFINITY;

  constructor(logger: Logger, clock: Clock = systemClock) {
    this.#logger = logger;
    this.#clock = clock;
  }

  /** Logs the remedy (at most once a minute) when `error` is the page's own impersonation refused; true then. */
  check(error: unknown): boolean {
    if (!isImpersonationRefused(error)) return false;
    const now = this.#clock.now();
    if (now - this.#lastLogged >= LOG_INTERVAL_MS) {
      this.#lastLogged = now;
      this.#logger.error({ remedy: IMPERSONATION_REMEDY, apiServer: error.statusMessage }, "portal: the cluster refuses the page's impersonation");
    }
    return true;
  }
}

// One alarm per logger: the HTTP reads and the event streams of one page log the remedy once between them.
const alarms = new WeakMap<Logger, ImpersonationAlarm>();

/** The alarm shared by everything that logs to `logger` (the first caller's clock times it). */
export function alarmFor(logger: Logger, clock: Clock = systemClock): ImpersonationAlarm {
  let alarm = alarms.get(logger);
  if (alarm === undefined) {
    alarm = new ImpersonationAlarm(logger, clock);
    alarms.set(logger, alarm);
  }
  return alarm;
}
