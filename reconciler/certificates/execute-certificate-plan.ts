// Carries a certificate plan out, in the plan's order (requests and imports,
// object writes, per listener attach and detach, deletes), and keeps the
// cached view in step with what it did. One action's failure does not stop
// the others (one wildcard's refused request must not keep every other
// route waiting); it is recorded for the next plan to report on the routes
// concerned. A certificate still in use when deleted is simply deleted in a
// later pass, once ACM shows it unused.
import { KubeApiError } from "../../core/kube/api-error.ts";
import type { ObjectApi } from "../../core/kube/object-api.ts";
import { keyOf } from "../../core/kube/object-key.ts";
import type { ResourceRef } from "../../core/kube/resource.ts";
import type { Logger } from "../../core/logger.ts";
import { applyOwned } from "../apply/apply-object.ts";
import { FIELD_MANAGER } from "../resources.ts";
import type { AcmPort } from "./acm-port.ts";
import { AcmInUseError, AcmRejectedError } from "./acm-port.ts";
import type { AcmViewCache } from "./acm-view-cache.ts";
import type { CertificateAction } from "./certificate-plan.ts";
import { actionKey } from "./certificate-plan.ts";
import type { ListenerPort } from "./listener-port.ts";
import { ListenerRejectedError } from "./listener-port.ts";

export interface ExecuteContext {
  readonly acm?: AcmPort;
  readonly listeners?: ListenerPort;
  readonly api?: ObjectApi;
  /** The cert-manager Certificates resource (cert-manager-resources.ts), for object actions. */
  readonly certificatesResource?: ResourceRef;
  readonly cache: AcmViewCache;
  readonly logger: Logger;
}

export interface ExecutionResult {
  /** Actions carried out. */
  readonly done: number;
  /** Failed actions by failure key (certificate-plan.ts PlanFailures), with the error's message. */
  readonly failures: Map<string, string>;
  /** The first failure that retrying may cure (AWS or the API server unavailable): the controller retries with backoff. */
  readonly retryable?: unknown;
}

export async function executeCertificatePlan(actions: readonly CertificateAction[], context: ExecuteContext): Promise<ExecutionResult> {
  const failures = new Map<string, string>();
  let done = 0;
  let retryable: unknown;
  for (const action of actions) {
    try {
      await execute(action, context);
      done++;
      context.logger.info({ action: actionKey(action) }, "certificate action done");
    } catch (error) {
      if (action.kind === "delete" && error instanceof AcmInUseError) {
        // ACM's InUseBy lags a detach: the next read shows it unused, and the delete is planned again.
        context.cache.markCertificateStale(action.arn);
        continue;
      }
      const message = error instanceof Error ? error.message : String(error);
      for (const key of failureKeys(action, error)) failures.set(key, message);
      if (!isRefusal(error)) retryable ??= error;
      if (action.kind === "attach" || action.kind === "detach") context.cache.markListenerStale(action.listenerArn);
      context.logger.warn({ action: actionKey(action), error: message }, "certificate action failed");
    }
  }
  return { done, failures, ...(retryable === undefined ? {} : { retryable }) };
}

/** Refused as invalid: retrying at once will not help, so the route reports it and a later pass tries again. A 409 (a cache a moment behind) is retried. */
function isRefusal(error: unknown): boolean {
  return (
    error instanceof AcmRejectedError ||
    error instanceof ListenerRejectedError ||
    (error instanceof KubeApiError && error.status >= 400 && error.status < 500 && error.status !== 409 && error.status !== 429)
  );
}

function failureKeys(action: CertificateAction, error: unknown): string[] {
  switch (action.kind) {
    case "attach":
      // No room by ELBv2's count (its quota spans the load balancer's listeners): reported as the listener limit, not as a failure.
      if (error instanceof ListenerRejectedError && error.code === "TooManyCertificates") return action.arns.map((arn) => `limit ${action.listenerArn} ${arn}`);
      return action.arns.map((arn) => `attach ${action.listenerArn} ${arn}`);
    case "createObject":
    case "applyObject":
      return [`object ${action.wildcard}`];
    default:
      return [actionKey(action)];
  }
}

async function execute(action: CertificateAction, context: ExecuteContext): Promise<void> {
  const { cache } = context;
  switch (action.kind) {
    case "request": {
      const acm = required(context.acm, "acm");
      const arn = await acm.requestCertificate(action.request);
      await describeInto(acm, cache, arn);
      return;
    }
    case "import": {
      const acm = required(context.acm, "acm");
      const arn = await acm.importCertificate(action.import);
      await describeInto(acm, cache, arn);
      return;
    }
    case "attach":
      await required(context.listeners, "listeners").addCertificates(action.listenerArn, action.arns);
      cache.changeListener(action.listenerArn, action.arns, []);
      // InUseBy changes: read again in the next pass.
      for (const arn of action.arns) cache.markCertificateStale(arn);
      return;
    case "detach":
      await required(context.listeners, "listeners").removeCertificates(action.listenerArn, action.arns);
      cache.changeListener(action.listenerArn, [], action.arns);
      for (const arn of action.arns) cache.markCertificateStale(arn);
      return;
    case "delete":
      await required(context.acm, "acm").deleteCertificate(action.arn);
      cache.forget(action.arn);
      return;
    case "createObject":
      await required(context.api, "api").create(required(context.certificatesResource, "certificatesResource"), action.object, { fieldManager: FIELD_MANAGER });
      return;
    case "applyObject":
      await applyOwned(required(context.api, "api"), required(context.certificatesResource, "certificatesResource"), action.current, action.object);
      return;
    case "deleteObject": {
      const uid = action.object.metadata?.uid;
      await required(context.api, "api").delete(
        required(context.certificatesResource, "certificatesResource"),
        keyOf(action.object)!,
        uid === undefined ? {} : { uid },
      );
      return;
    }
  }
}

/** The new certificate into the cache; when ACM does not show it yet, it is read in the next pass. */
async function describeInto(acm: AcmPort, cache: AcmViewCache, arn: string): Promise<void> {
  const described = await acm.describeCertificate(arn);
  if (described === undefined) cache.markCertificateStale(arn);
  else cache.put(described);
}

function required<T>(value: T | undefined, what: string): T {
  if (value === undefined) throw new Error(`the certificate controller was started without ${what}, which this plan needs: a wiring error`);
  return value;
}
