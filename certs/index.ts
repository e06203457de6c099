// The serving certificate of the webhook: self-managed (local directory or
// Kubernetes Secret, with CA rotation) or from files (cert-manager). See
// certs/README.md. `hostgate serve` calls one factory and then:
//   const source = clusterCertificates({ kubeConfig, logger });
//   await source.start();                       // a valid certificate exists
//   https.createServer({ ...source.current() }) // cert, key
//   source.onChange((m) => server.setSecureContext({ cert: m.cert, key: m.key }));
//   readiness: source.problem(now); shutdown: source.stop().
export type { CertificateValidity, ServingCertificateSource, TlsMaterial } from "./source.ts";
export { keepServerCertificateCurrent, validityAt } from "./source.ts";

export { clusterCertificates } from "./cluster-certificates.ts";
export type { ClusterCertificatesOptions } from "./cluster-certificates.ts";
export {
  clusterCertificatesWith,
  DEFAULT_LOCAL_HOSTS,
  DEFAULT_TLS_DIR,
  fileCertificates,
  HOSTGATE_NAMESPACE,
  localCertificates,
  WEBHOOK_CONFIGURATIONS,
  WEBHOOK_SERVICE,
  WEBHOOK_TLS_SECRET,
} from "./factories.ts";
export type { ClusterNames, FileCertificatesOptions, LocalCertificatesOptions } from "./factories.ts";

export { CertificateManager } from "./manager.ts";
export type { CertificateManagerOptions, CheckResult, ManagerStatus } from "./manager.ts";
export { CertificateFileError, FileCertificateSource } from "./file-source.ts";
export type { FileCertificateSourceOptions, ReloadResult } from "./file-source.ts";

export { planCertificates } from "./planner.ts";
export type { AuthorityStep, CertificatePlan, PlanOptions, ServingStep } from "./planner.ts";
export { executePlan } from "./execute-plan.ts";
export { certificatePolicy, CertificatePolicyError, DAY, DEFAULT_LIFETIMES, HOUR } from "./policy.ts";
export type { CertificateLifetimes, CertificatePolicy } from "./policy.ts";
export { createCertificateIssuer } from "./issuer.ts";
export type { CertificateIssuer } from "./issuer.ts";

export { StoreConflictError } from "./store.ts";
export type { CertificateStore, StoredCertificates } from "./store.ts";
export { FileCertificateStore } from "./file-store.ts";
export { SecretCertificateStore } from "./secret-store.ts";
export type { SecretObject, SecretsClient } from "./secret-store.ts";
export { caBundleWrite, PublishError, WebhookCaBundlePublisher } from "./bundle-publisher.ts";
export type { CaBundlePublisher, PublishResult, WebhookConfigurationRef, WebhookConfigurationsClient } from "./bundle-publisher.ts";
export { kubernetesSecretsClient } from "./kubernetes-secrets-client.ts";
export { kubernetesWebhookClient } from "./kubernetes-webhook-client.ts";

export { registerCertificateMetrics } from "./metrics.ts";
