// clusterCertificates: the self-managed certificate on the real Kubernetes
// API, with the in-cluster (or kubeconfig) credentials of `kubeConfig`.
import { AdmissionregistrationV1Api, CoreV1Api } from "@kubernetes/client-node";
import type { KubeConfig } from "@kubernetes/client-node";
import type { ClusterNames, Common } from "./factories.ts";
import { clusterCertificatesWith, HOSTGATE_NAMESPACE } from "./factories.ts";
import { kubernetesSecretsClient } from "./kubernetes-secrets-client.ts";
import { kubernetesWebhookClient } from "./kubernetes-webhook-client.ts";
import type { CertificateManager } from "./manager.ts";

export interface ClusterCertificatesOptions extends Common, ClusterNames {
  kubeConfig: KubeConfig;
}

export function clusterCertificates(options: ClusterCertificatesOptions): CertificateManager {
  const namespace = options.namespace ?? HOSTGATE_NAMESPACE;
  return clusterCertificatesWith({
    ...options,
    secrets: kubernetesSecretsClient(options.kubeConfig.makeApiClient(CoreV1Api), namespace),
    webhooks: kubernetesWebhookClient(options.kubeConfig.makeApiClient(AdmissionregistrationV1Api)),
  });
}
