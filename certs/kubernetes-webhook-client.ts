// WebhookConfigurationsClient on @kubernetes/client-node v2
// (AdmissionregistrationV1Api). Patches go out as application/json-patch+json:
// client-node picks the first media type the operation declares, which for
// these patch operations is JSON Patch.
import type { AdmissionregistrationV1Api } from "@kubernetes/client-node";
import type { JsonPatchOperation, WebhookConfigurationRef, WebhookConfigurationsClient, WebhookConfigurationState } from "./bundle-publisher.ts";
import { apiFailure, kubernetesError } from "./kubernetes-errors.ts";

interface WebhookConfiguration {
  metadata?: { resourceVersion?: string };
  webhooks?: { name: string; clientConfig?: { caBundle?: string } }[];
}

export function kubernetesWebhookClient(api: AdmissionregistrationV1Api): WebhookConfigurationsClient {
  const resource = (ref: WebhookConfigurationRef) => (ref.kind === "ValidatingWebhookConfiguration" ? "validatingwebhookconfigurations" : "mutatingwebhookconfigurations");
  return {
    async read(ref) {
      let configuration: WebhookConfiguration;
      try {
        configuration =
          ref.kind === "ValidatingWebhookConfiguration"
            ? await api.readValidatingWebhookConfiguration({ name: ref.name })
            : await api.readMutatingWebhookConfiguration({ name: ref.name });
      } catch (error) {
        if (apiFailure(error).code === 404) return undefined;
        throw kubernetesError(`reading ${ref.kind} ${ref.name}`, error, `get on ${resource(ref)} named ${ref.name}`);
      }
      const state: WebhookConfigurationState = {
        resourceVersion: configuration.metadata?.resourceVersion ?? "",
        webhooks: (configuration.webhooks ?? []).map((w) => ({ name: w.name, ...(w.clientConfig?.caBundle !== undefined ? { caBundle: w.clientConfig.caBundle } : {}) })),
      };
      return state;
    },
    async patch(ref, operations: JsonPatchOperation[]) {
      try {
        if (ref.kind === "ValidatingWebhookConfiguration") await api.patchValidatingWebhookConfiguration({ name: ref.name, body: operations, fieldManager: "hostgate" });
        else await api.patchMutatingWebhookConfiguration({ name: ref.name, body: operations, fieldManager: "hostgate" });
      } catch (error) {
        const failure = apiFailure(error);
        // A failed `test` (the resourceVersion moved) comes back as 422 Invalid; 409 likewise means "changed meanwhile".
        if (failure.code === 422 || failure.code === 409) throw new Error(`${ref.kind} ${ref.name} changed while the CA bundle was being written; retrying`);
        throw kubernetesError(`patching ${ref.kind} ${ref.name}`, error, `patch on ${resource(ref)} named ${ref.name}`);
      }
    },
  };
}
