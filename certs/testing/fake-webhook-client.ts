// The WebhookConfigurationsClient port over a map. Patches are applied the
// way the API server applies JSON Patch: a failing `test` rejects the whole
// patch, an `add` to a path that does not exist is an error.
import type { JsonPatchOperation, WebhookConfigurationRef, WebhookConfigurationsClient, WebhookConfigurationState } from "../bundle-publisher.ts";

interface StoredConfiguration {
  resourceVersion: string;
  webhooks: { name: string; clientConfig: { caBundle?: string } }[];
}

export class FakeWebhookClient implements WebhookConfigurationsClient {
  readonly configurations = new Map<string, StoredConfiguration>();
  readonly patches: { ref: string; operations: JsonPatchOperation[] }[] = [];
  #resourceVersion = 500;

  add(ref: WebhookConfigurationRef, webhookNames: string[], caBundle?: string): void {
    this.configurations.set(key(ref), {
      resourceVersion: String(++this.#resourceVersion),
      webhooks: webhookNames.map((name) => ({ name, clientConfig: caBundle === undefined ? {} : { caBundle } })),
    });
  }

  /** The PEM each webhook of the configuration trusts (undefined where unset). */
  bundles(ref: WebhookConfigurationRef): (string | undefined)[] {
    const stored = this.configurations.get(key(ref));
    if (stored === undefined) throw new Error(`no ${key(ref)}`);
    return stored.webhooks.map((w) => (w.clientConfig.caBundle === undefined ? undefined : Buffer.from(w.clientConfig.caBundle, "base64").toString("utf8")));
  }

  async read(ref: WebhookConfigurationRef): Promise<WebhookConfigurationState | undefined> {
    const stored = this.configurations.get(key(ref));
    if (stored === undefined) return undefined;
    return structuredClone({ resourceVersion: stored.resourceVersion, webhooks: stored.webhooks.map((w) => ({ name: w.name, ...(w.clientConfig.caBundle !== undefined ? { caBundle: w.clientConfig.caBundle } : {}) })) });
  }

  async patch(ref: WebhookConfigurationRef, operations: JsonPatchOperation[]): Promise<void> {
    this.patches.push({ ref: key(ref), operations: structuredClone(operations) });
    const stored = this.configurations.get(key(ref));
    if (stored === undefined) throw new Error(`${key(ref)} not found`);
    const next = structuredClone(stored);
    for (const operation of operations) {
      if (operation.op === "test") {
        if (operation.path !== "/metadata/resourceVersion") throw new Error(`unsupported test path ${operation.path}`);
        if (operation.value !== stored.resourceVersion) throw new Error(`HTTP 422: the test of ${operation.path} failed`);
        continue;
      }
      const match = /^\/webhooks\/(\d+)\/clientConfig\/caBundle$/.exec(operation.path);
      const webhook = match ? next.webhooks[Number(match[1])] : undefined;
      if (webhook === undefined) throw new Error(`HTTP 422: path ${operation.path} does not exist`);
      webhook.clientConfig.caBundle = String(operation.value);
    }
    next.resourceVersion = String(++this.#resourceVersion);
    this.configurations.set(key(ref), next);
  }
}

function key(ref: WebhookConfigurationRef): string {
  return `${ref.kind}/${ref.name}`;
}
