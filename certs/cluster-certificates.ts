// clusterCertificates: the self-managed certificate on the real Kubernetes
// API, with the in-cluster (or kubeconfig) credentials of `kubeConfig`.
import type { KubeConfig } from "@kubernetes/client-node";
import { ClientNodeObjectApi } from "../core/kube/client-node-object-api.ts";
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
  // The same ObjectApi adapter as the reconciler's writes: one client, one error mapping.
  const api = new ClientNodeObjectApi(options.kubeConfig);
  return clusterCertificatesWith({ ...options, secrets: kubernetesSecretsClient(api, namespace), webhooks: kubernetesWebhookClient(api) });
}
