// The cert-manager certificate plan (pure): one cert-manager Certificate per
// needed wildcard, in certificates.certManager.namespace, named
// certificateName(wildcard), issued by the configured issuer; with
// importToAcm, each issued Secret imported into ACM and put on the listeners
// like an ACM certificate (plan-listeners.ts: same limit, same ownership).
//
// Which Certificates are hostgate's: those carrying its managed-by label AND
// sitting in the configured namespace. The label alone proves nothing (anyone
// who may write an object may label it); the namespace is the platform's,
// written only by the platform, hostgate and cert-manager: tenants must not be
// able to write there (an assumption the RBAC of the deployment must hold, as
// for the gateway namespace). hostgate creates a new one (never applies at a
// name it has not judged its own), applies over its own when the rendered
// spec changed, and deletes its own once no route needs the wildcard.
//
// importToAcm: the ACM certificate of a wildcard is the IMPORTED one tagged
// with the ownerId and the wildcard. The first import carries those tags;
// every renewal (the Secret's leaf has another not-after than ACM shows) is
// re-imported into the same ARN, so the listeners need no change. An import
// is attempted only once the Certificate is Ready, so a Secret cert-manager
// is still writing is never imported; until then the imported one (if any)
// keeps serving.
//
// With the AWS Load Balancer Controller (importToAcm, `discovery`) the import
// is what serves: the controller finds it in ACM by the route's hostname, so a
// route is ready once its Secret is imported, and nothing is attached. A
// renewal is a re-import into the same ARN: never a second issued certificate
// for the controller to trip on (discovery-conflicts.ts).
import type { CertManagerConfig } from "../../core/config/platform-config.ts";
import type { KubeObject } from "../../core/kube/object-key.ts";
import { compareStrings } from "../../core/compare-strings.ts";
import { planApply, withAppliedHash } from "../apply/plan-apply.ts";
import { LABEL_MANAGED_BY, MANAGED_BY_HOSTGATE } from "../domainroute/render/metadata.ts";
import type { AcmCertificate } from "./acm-port.ts";
import type { CertificateReadiness } from "./cert-manager/certificate-readiness.ts";
import { certificateReadiness } from "./cert-manager/certificate-readiness.ts";
import { renderCertificate } from "./cert-manager/render-certificate.ts";
import { secretToImport } from "./cert-manager/secret-to-import.ts";
import { certificateName, certificateTags, TAG_WILDCARD, wildcardParent } from "./certificate-names.ts";
import type { CertificateDecision, CertificateStatus } from "./certificate-outcomes.ts";
import type { CertificateAction, CertificatePlan, PlanFailures } from "./certificate-plan.ts";
import type { DesiredCertificate, DesiredCertificates } from "./desired-certificates.ts";
import { placed } from "./plan-certificates.ts";
import type { ListenerSettings, Placement } from "./plan-listeners.ts";
import { isOwned, planListenersFor } from "./plan-listeners.ts";
import { remainingOnListener, routeOutcomes } from "./route-outcomes.ts";
import { withDiscoveryConflicts } from "./discovery-conflicts.ts";

export const CERTIFICATE_LABELS: Readonly<Record<string, string>> = { [LABEL_MANAGED_BY]: MANAGED_BY_HOSTGATE };

/** `view` is empty without importToAcm. */
export interface CertManagerPlanInput extends ListenerSettings {
  readonly desired: DesiredCertificates;
  readonly certManager: CertManagerConfig;
  /** The Certificates in the configured namespace carrying hostgate's label (the cache's). */
  readonly certificates: readonly KubeObject[];
  /** Secrets in the configured namespace by name (read only with importToAcm). */
  readonly secrets: ReadonlyMap<string, KubeObject>;
  readonly now: number;
}

/** Only objects carrying hostgate's label in the configured namespace are hostgate's: anything else is never written or deleted. */
export function isHostgateCertificate(object: KubeObject, namespace: string): boolean {
  const labels = (object.metadata?.labels ?? {}) as Record<string, string>;
  return object.metadata?.namespace === namespace && labels[LABEL_MANAGED_BY] === MANAGED_BY_HOSTGATE;
}

export function renderWildcardCertificate(certificate: DesiredCertificate, certManager: CertManagerConfig): KubeObject {
  return withAppliedHash(
    renderCertificate({
      name: certificate.name,
      namespace: certManager.namespace,
      dnsNames: certificate.names,
      issuerRef: certManager.issuerRef,
      labels: CERTIFICATE_LABELS,
    }),
  );
}

interface Decided {
  readonly readiness: CertificateReadiness | undefined;
  /** With importToAcm: the imported certificate (the re-import target). */
  readonly imported?: AcmCertificate;
  /** Why it cannot be imported, when it cannot. */
  readonly importProblem?: { readonly message: string; readonly pending: boolean };
  readonly importing: boolean;
  /** The imported certificate is issued, unexpired and covers the names: it goes on the listeners. */
  readonly serving: boolean;
}

export function planCertManager(input: CertManagerPlanInput): CertificatePlan {
  const { desired, certManager, view, ownerId } = input;
  const namespace = certManager.namespace;
  const own = input.certificates.filter((o) => isHostgateCertificate(o, namespace));
  const byName = new Map(own.map((o) => [o.metadata?.name ?? "", o]));
  const rendered = desired.certificates.map((c) => renderWildcardCertificate(c, certManager));
  const objects = planApply(rendered, own);
  const actions: CertificateAction[] = [];
  const imports: CertificateAction[] = [];
  const decided = new Map<string, Decided>();
  const inUse = new Map<string, string>();
  const keep = new Set<string>();
  for (const certificate of desired.certificates) {
    const object = byName.get(certificate.name);
    const readiness = object === undefined ? undefined : certificateReadiness(object);
    if (!certManager.importToAcm) {
      decided.set(certificate.wildcard, { readiness, importing: false, serving: false });
      continue;
    }
    const imported = importedFor(certificate, view.certificates, ownerId);
    if (imported !== undefined) keep.add(imported.arn);
    const serving = imported !== undefined && usable(imported, certificate, input.now);
    if (serving) inUse.set(certificate.wildcard, imported.arn);
    let importProblem: Decided["importProblem"];
    let importing = false;
    if (readiness?.state === "ready" && ownerId !== "") {
      const secret = input.secrets.get(certificate.name);
      const found = secretToImport(secret, imported?.arn, { now: input.now, tags: certificateTags(ownerId, certificate.wildcard) });
      if (!found.ok) importProblem = { message: found.message, pending: found.problem === "SecretMissing" };
      else if (imported === undefined || imported.notAfter !== found.notAfter || imported.status !== "ISSUED") {
        imports.push({ kind: "import", wildcard: certificate.wildcard, import: found.import });
        importing = true;
      }
    }
    decided.set(certificate.wildcard, {
      readiness,
      ...(imported === undefined ? {} : { imported }),
      ...(importProblem === undefined ? {} : { importProblem }),
      importing,
      serving,
    });
  }
  const renderedByName = new Map(rendered.map((o) => [o.metadata?.name ?? "", o]));
  for (const object of objects.apply) {
    const name = object.metadata?.name ?? "";
    const wildcard = desired.certificates.find((c) => c.name === name)!.wildcard;
    const current = byName.get(name);
    actions.push(current === undefined ? { kind: "createObject", wildcard, object } : { kind: "applyObject", wildcard, object, current });
  }
  actions.push(...imports);
  const listeners = certManager.importToAcm ? planListenersFor(input, desired.certificates, inUse, keep) : undefined;
  if (listeners !== undefined) actions.push(...listeners.actions);
  for (const object of objects.prune) actions.push({ kind: "deleteObject", object });
  const failures = input.failures ?? new Map<string, string>();
  const onListener = certManager.importToAcm ? remainingOnListener(desired, view, ownerId) : () => undefined;
  const outcomes = routeOutcomes(
    desired,
    (certificate, listenerArn) =>
      decide(
        certificate,
        decided.get(certificate.wildcard)!,
        renderedByName.get(certificate.name)!,
        listeners !== undefined && listenerArn !== undefined ? listeners.placement(certificate.wildcard, listenerArn) : undefined,
        failures,
        listenerArn,
        input.discovery === true,
      ),
    (need) => {
      const parts = [onListener(need)];
      const { wildcard } = need;
      const stillNeeded = wildcard === undefined || desired.certificates.some((c) => c.wildcard === wildcard);
      const object = stillNeeded ? undefined : byName.get(certificateName(wildcard));
      if (object !== undefined) parts.push(`deleting Certificate ${namespace}/${object.metadata?.name}`);
      const left = parts.filter((p): p is string => p !== undefined);
      return left.length === 0 ? undefined : left.join("; ");
    },
  );
  const shown = input.discovery === true ? withDiscoveryConflicts(outcomes, desired, view.certificates, ownerId) : outcomes;
  return { actions, records: [], outcomes: shown, poll: listeners === undefined ? [] : [...listeners.awaitingDelete].sort(compareStrings) };
}

/** hostgate's imported certificate for the wildcard; the smallest ARN when a retried first import made two (the other is deleted as unused). */
function importedFor(certificate: DesiredCertificate, certificates: readonly AcmCertificate[], ownerId: string): AcmCertificate | undefined {
  const parent = wildcardParent(certificate.wildcard);
  return certificates
    .filter((c) => isOwned(c, ownerId) && c.tags[TAG_WILDCARD] === parent && c.type === "IMPORTED")
    .sort((a, b) => compareStrings(a.arn, b.arn))[0];
}

function usable(certificate: AcmCertificate, desired: DesiredCertificate, now: number): boolean {
  const names = new Set(certificate.subjectAlternativeNames);
  return (
    certificate.status === "ISSUED" &&
    (certificate.notAfter === undefined || Date.parse(certificate.notAfter) > now) &&
    desired.names.every((n) => names.has(n))
  );
}

function decide(
  certificate: DesiredCertificate,
  decided: Decided,
  object: KubeObject,
  placement: Placement | undefined,
  failures: PlanFailures,
  listenerArn: string | undefined,
  discovery: boolean,
): CertificateDecision {
  const certificateName = `${object.metadata?.namespace}/${object.metadata?.name}`;
  const objectFailure = failures.get(`object ${certificate.wildcard}`);
  if (objectFailure !== undefined) return { kind: "failed", message: `writing Certificate ${certificateName} failed: ${objectFailure}` };
  const { readiness } = decided;
  const fromCertManager: CertificateStatus = {
    domains: certificate.names,
    certificateName,
    ...(readiness?.notAfter === undefined ? {} : { notAfter: readiness.notAfter }),
  };
  const notReady = (): CertificateDecision => {
    if (readiness === undefined) return { kind: "pending", stage: "issuance", certificate: fromCertManager, detail: `creating Certificate ${certificateName}` };
    if (readiness.state === "ready")
      return {
        kind: "pending",
        stage: "import",
        certificate: fromCertManager,
        detail: `waiting to import the Secret of Certificate ${certificateName} into ACM`,
      };
    if (readiness.state === "failed")
      return {
        kind: "failed",
        certificate: fromCertManager,
        message: `cert-manager could not issue Certificate ${certificateName}: ${readiness.reason}: ${readiness.message}`,
      };
    return {
      kind: "pending",
      stage: "issuance",
      certificate: fromCertManager,
      detail: `Certificate ${certificateName} is not ready: ${readiness.reason}: ${readiness.message}`,
    };
  };
  // Without importToAcm the Secret is what serves; with the AWS Load Balancer Controller, the import (on no listener of hostgate's).
  if (listenerArn === undefined && !discovery) return readiness?.state === "ready" ? { kind: "ready", certificate: fromCertManager } : notReady();
  const imported = decided.imported;
  const importFailure = failures.get(`import ${certificate.wildcard}`);
  if (importFailure !== undefined)
    return { kind: "failed", certificate: fromCertManager, message: `importing Secret ${certificateName} into ACM failed: ${importFailure}` };
  if (imported !== undefined && decided.serving) {
    const status: CertificateStatus = {
      domains: certificate.names,
      arn: imported.arn,
      certificateName,
      ...(imported.notAfter === undefined ? {} : { notAfter: imported.notAfter }),
    };
    const attachFailure = listenerArn === undefined ? undefined : failures.get(`attach ${listenerArn} ${imported.arn}`);
    if (attachFailure !== undefined)
      return { kind: "failed", certificate: status, message: `attaching ${imported.arn} to listener ${listenerArn} failed: ${attachFailure}` };
    return placed(status, placement, listenerArn);
  }
  if (decided.importProblem !== undefined) {
    const message = `the Secret of Certificate ${certificateName} cannot be imported into ACM: ${decided.importProblem.message}`;
    return decided.importProblem.pending
      ? { kind: "pending", stage: "import", certificate: fromCertManager, detail: message }
      : { kind: "failed", certificate: fromCertManager, message };
  }
  if (decided.importing)
    return { kind: "pending", stage: "import", certificate: fromCertManager, detail: `importing the Secret of Certificate ${certificateName} into ACM` };
  return notReady();
}
