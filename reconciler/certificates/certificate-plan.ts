// The shapes every certificate planner shares: what the controller read from
// AWS (a view), the actions a plan asks for, and the plan itself.
import type { KubeObject } from "../../core/kube/object-key.ts";
import type { RecordRequest } from "../dns/record-requests.ts";
import type { AcmCertificate, CertificateImport, CertificateRequest } from "./acm-port.ts";
import type { CertificateOutcome } from "./certificate-outcomes.ts";
import type { ListenerCertificate } from "./listener-port.ts";

/** What the controller knows of ACM and the listeners: plain data, possibly cached. */
export interface AcmView {
  /** The certificates described (tags included): every wildcard under a platform apex, and every one on a listener. */
  readonly certificates: readonly AcmCertificate[];
  /** Each configured listener's certificates as listed, default included. A listener missing here was not read: nothing is planned on it. */
  readonly listeners: ReadonlyMap<string, readonly ListenerCertificate[]>;
  /** Configured listeners ELBv2 refused to list (ListenerNotFound, a malformed ARN…), with its message: reported on their routes. */
  readonly listenerErrors?: ReadonlyMap<string, string>;
}

export type CertificateAction =
  | { readonly kind: "request"; readonly wildcard: string; readonly request: CertificateRequest }
  /** Carries the Secret's private key: log the kind, wildcard and ARN only. */
  | { readonly kind: "import"; readonly wildcard: string; readonly import: CertificateImport }
  | { readonly kind: "attach"; readonly listenerArn: string; readonly arns: readonly string[] }
  | { readonly kind: "detach"; readonly listenerArn: string; readonly arns: readonly string[] }
  | { readonly kind: "delete"; readonly arn: string }
  /** cert-manager Certificate objects: created when new, applied over hostgate's own, deleted with its uid. */
  | { readonly kind: "createObject"; readonly wildcard: string; readonly object: KubeObject }
  | { readonly kind: "applyObject"; readonly wildcard: string; readonly object: KubeObject; readonly current: KubeObject }
  | { readonly kind: "deleteObject"; readonly object: KubeObject };

/** A short, stable name of an action: what failures are keyed by, and what the log shows. */
export function actionKey(action: CertificateAction): string {
  switch (action.kind) {
    case "request":
    case "import":
    case "createObject":
    case "applyObject":
      return `${action.kind} ${action.wildcard}`;
    case "attach":
    case "detach":
      return `${action.kind} ${action.listenerArn} ${action.arns.join(",")}`;
    case "delete":
      return `delete ${action.arn}`;
    case "deleteObject":
      return `deleteObject ${action.object.metadata?.namespace}/${action.object.metadata?.name}`;
  }
}

/**
 * Actions of the last execution that failed, for the plan that follows it to
 * report: `request <wildcard>`, `import <wildcard>`, `object <wildcard>`,
 * `attach <listenerArn> <arn>`, and `limit <listenerArn> <arn>` (an attach
 * ELBv2 refused with TooManyCertificates) → the error's message.
 */
export type PlanFailures = ReadonlyMap<string, string>;

export interface CertificatePlan {
  /** In execution order: requests and imports, object writes, then per listener attach and detach, then deletes. */
  readonly actions: CertificateAction[];
  /** ACM's validation CNAMEs of the certificates hostgate uses and owns, sorted by zone and name. */
  readonly records: RecordRequest[];
  /** Every route's outcome, keyed by `namespace/name`. */
  readonly outcomes: Map<string, CertificateOutcome>;
  /** Certificates to describe again soon: pending ones, and owned ones waiting for ACM to show them unused before their deletion. */
  readonly poll: string[];
}
