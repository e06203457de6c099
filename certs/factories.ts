// The three ways `hostgate serve` gets its serving certificate, each a
// ServingCertificateSource to `await source.start()` before listening:
//   localCertificates    --tls-dir: self-managed, files in a directory;
//   clusterCertificates  in the cluster: self-managed, kept in a Secret, the
//                        CA bundle written into the webhook configurations
//                        (cluster-certificates.ts: it alone loads client-node,
//                        which takes ~0.4 s to import);
//   fileCertificates     --tls-cert/--tls-key: someone else's files
//                        (cert-manager), reloaded when they change.
import type { Clock } from "../core/clock.ts";
import type { Logger } from "../core/logger.ts";
import type { WebhookConfigurationRef, WebhookConfigurationsClient } from "./bundle-publisher.ts";
import { WebhookCaBundlePublisher } from "./bundle-publisher.ts";
import { FileCertificateSource } from "./file-source.ts";
import type { FileCertificateSourceOptions } from "./file-source.ts";
import { FileCertificateStore } from "./file-store.ts";
import type { CertificateIssuer } from "./issuer.ts";
import { CertificateManager } from "./manager.ts";
import type { CertificateLifetimes } from "./policy.ts";
import { certificatePolicy, CertificatePolicyError } from "./policy.ts";
import type { SecretsClient } from "./secret-store.ts";
import { SecretCertificateStore } from "./secret-store.ts";

/** The names the deploy/ manifests use. */
export const HOSTGATE_NAMESPACE = "hostgate-system";
export const WEBHOOK_SERVICE = "hostgate-webhook";
export const WEBHOOK_TLS_SECRET = "hostgate-webhook-tls";
export const WEBHOOK_CONFIGURATIONS: readonly WebhookConfigurationRef[] = [
  { kind: "ValidatingWebhookConfiguration", name: "hostgate-validating" },
  { kind: "MutatingWebhookConfiguration", name: "hostgate-mutating" },
];
export const DEFAULT_TLS_DIR = ".hostgate/tls";
export const DEFAULT_LOCAL_HOSTS: readonly string[] = ["127.0.0.1", "localhost"];

export interface Common {
  clock?: Clock;
  logger?: Logger;
  /** Overrides of the lifetimes in policy.ts (tests, or a platform with its own rules). */
  lifetimes?: Partial<CertificateLifetimes>;
  /** See CertificateManagerOptions.checkInterval. */
  checkInterval?: number;
  issuer?: CertificateIssuer;
}

export interface LocalCertificatesOptions extends Common {
  dir?: string;
  hosts?: readonly string[];
}

export function localCertificates(options: LocalCertificatesOptions = {}): CertificateManager {
  return new CertificateManager({
    store: new FileCertificateStore(options.dir ?? DEFAULT_TLS_DIR),
    policy: certificatePolicy(options.hosts ?? DEFAULT_LOCAL_HOSTS, options.lifetimes),
    ...managerOptions(options),
  });
}

export interface ClusterNames {
  namespace?: string;
  serviceName?: string;
  secretName?: string;
  webhookConfigurations?: readonly WebhookConfigurationRef[];
  /** The cluster's DNS domain, for the `.svc.<domain>` name. Default cluster.local. */
  clusterDomain?: string;
}

/** clusterCertificates (cluster-certificates.ts) over any implementation of the two API ports (tests pass fakes). */
export function clusterCertificatesWith(
  options: Common & ClusterNames & { secrets: SecretsClient; webhooks: WebhookConfigurationsClient },
): CertificateManager {
  const namespace = options.namespace ?? HOSTGATE_NAMESPACE;
  const service = options.serviceName ?? WEBHOOK_SERVICE;
  const secret = options.secretName ?? WEBHOOK_TLS_SECRET;
  const clusterDomain = options.clusterDomain ?? "cluster.local";
  const problems = [
    ...nameProblems("namespace", namespace, LABEL),
    ...nameProblems("serviceName", service, LABEL),
    ...nameProblems("secretName", secret, SUBDOMAIN),
    ...nameProblems("clusterDomain", clusterDomain, SUBDOMAIN),
  ];
  if (problems.length > 0) throw new CertificatePolicyError(problems);
  // The API server calls `<service>.<namespace>.svc` (field-facts); the
  // fully qualified form serves clients that resolve it.
  const hosts = [`${service}.${namespace}.svc`, `${service}.${namespace}.svc.${clusterDomain}`];
  return new CertificateManager({
    store: new SecretCertificateStore(options.secrets, namespace, secret),
    publisher: new WebhookCaBundlePublisher(options.webhooks, options.webhookConfigurations ?? WEBHOOK_CONFIGURATIONS),
    policy: certificatePolicy(hosts, options.lifetimes),
    ...managerOptions(options),
  });
}

export type FileCertificatesOptions = FileCertificateSourceOptions;

export function fileCertificates(options: FileCertificatesOptions): FileCertificateSource {
  return new FileCertificateSource(options);
}

function managerOptions(options: Common) {
  return {
    ...(options.clock ? { clock: options.clock } : {}),
    ...(options.logger ? { logger: options.logger } : {}),
    ...(options.checkInterval !== undefined ? { checkInterval: options.checkInterval } : {}),
    ...(options.issuer ? { issuer: options.issuer } : {}),
  };
}

const LABEL = { pattern: /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/, what: "an RFC 1123 label (lowercase letters, digits and '-', at most 63)" };
const SUBDOMAIN = {
  pattern: /^(?=.{1,253}$)[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?(\.[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?)*$/,
  what: "an RFC 1123 subdomain (lowercase labels joined by '.')",
};

function nameProblems(field: string, value: string, rule: { pattern: RegExp; what: string }): string[] {
  return rule.pattern.test(value) ? [] : [`${field} "${value}" must be ${rule.what}`];
}
