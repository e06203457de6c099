// WebhookConfigurationsClient on the ObjectApi port (core/kube/object-api.ts).
// The CA bundle is written by server-side apply under the field manager
// "hostgate": a body naming each webhook (the webhooks list is keyed by name:
// listType=map, listMapKey=name in admissionregistration/v1) with only its
// clientConfig.caBundle, and the resourceVersion read as the precondition.
// Nothing else of the configuration is touched, and the bundle stays
// hostgate's field when the manifests are re-applied without it.
import type { ObjectApi } from "../core/kube/object-api.ts";
import type { ResourceRef } from "../core/kube/resource.ts";
import type { CaBundleWrite, WebhookConfigurationRef, WebhookConfigurationsClient, WebhookConfigurationState } from "./bundle-publisher.ts";
import { apiFailure, kubernetesError } from "./kubernetes-errors.ts";

/** The field manager of the bundle (the webhook's own; the reconciler writes as hostgate-reconciler). */
export const WEBHOOK_FIELD_MANAGER = "hostgate";

interface WebhookConfiguration {
  metadata?: { resourceVersion?: string };
  webhooks?: { name: string; clientConfig?: { caBundle?: string } }[];
}

function resourceOf(ref: WebhookConfigurationRef): ResourceRef {
  const resource = ref.kind === "ValidatingWebhookConfiguration" ? "validatingwebhookconfigurations" : "mutatingwebhookconfigurations";
  return { group: "admissionregistration.k8s.io", version: "v1", resource, kind: ref.kind, namespaced: false };
}

export function kubernetesWebhookClient(api: ObjectApi): WebhookConfigurationsClient {
  return {
    async read(ref) {
      let configuration: WebhookConfiguration | undefined;
      try {
        configuration = (await api.get(resourceOf(ref), { name: ref.name })) as WebhookConfiguration | undefined;
      } catch (error) {
        throw kubernetesError(`reading ${ref.kind} ${ref.name}`, error, `get on ${resourceOf(ref).resource} named ${ref.name}`);
      }
      if (configuration === undefined) return undefined;
      const state: WebhookConfigurationState = {
        resourceVersion: configuration.metadata?.resourceVersion ?? "",
        webhooks: (configuration.webhooks ?? []).map((w) => ({
          name: w.name,
          ...(w.clientConfig?.caBundle !== undefined ? { caBundle: w.clientConfig.caBundle } : {}),
        })),
      };
      return state;
    },
    async writeCaBundle(ref, write: CaBundleWrite) {
      const body = {
        apiVersion: "admissionregistration.k8s.io/v1",
        kind: ref.kind,
        metadata: { name: ref.name, resourceVersion: write.resourceVersion },
        webhooks: write.webhooks.map((name) => ({ name, clientConfig: { caBundle: write.caBundle } })),
      };
      try {
        await api.apply(resourceOf(ref), body, { fieldManager: WEBHOOK_FIELD_MANAGER, force: true });
      } catch (error) {
        const failure = apiFailure(error);
        // 409: the resourceVersion moved; 422: a webhook named in the write is gone. Either way it changed meanwhile.
        if (failure.code === 409 || failure.code === 422) throw new Error(`${ref.kind} ${ref.name} changed while the CA bundle was being written; retrying`);
        throw kubernetesError(`writing the CA bundle of ${ref.kind} ${ref.name}`, error, `patch on ${resourceOf(ref).resource} named ${ref.name}`);
      }
    },
  };
}
