// The WebhookConfigurationsClient port over a map. A write is applied the way
// the API server applies the server-side apply the real client sends: a stale
// resourceVersion rejects it whole (409 Conflict), and a webhook name the
// configuration does not hold is an error (the API server would add a webhook
// with only a caBundle, which its validation refuses: 422 Invalid).
import type { CaBundleWrite, WebhookConfigurationRef, WebhookConfigurationsClient, WebhookConfigurationState } from "../bundle-publisher.ts";

interface StoredConfiguration {
  resourceVersion: string;
  webhooks: { name: string; clientConfig: { caBundle?: string } }[];
}

export class FakeWebhookClient implements WebhookConfigurationsClient {
  readonly configurations = new Map<string, StoredConfiguration>();
  readonly writes: { ref: string; write: CaBundleWrite }[] = [];
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
    const webhooks = stored.webhooks.map((w) => ({ name: w.name, ...(w.clientConfig.caBundle !== undefined ? { caBundle: w.clientConfig.caBundle } : {}) }));
    return structuredClone({ resourceVersion: stored.resourceVersion, webhooks });
  }

  async writeCaBundle(ref: WebhookConfigurationRef, write: CaBundleWrite): Promise<void> {
    this.writes.push({ ref: key(ref), write: structuredClone(write) });
    const stored = this.configurations.get(key(ref));
    if (stored === undefined) throw new Error(`${key(ref)} not found`);
    if (write.resourceVersion !== stored.resourceVersion)
      throw new Error(`HTTP 409 Conflict: ${key(ref)} is at resourceVersion ${stored.resourceVersion}, not ${write.resourceVersion}`);
    const next = structuredClone(stored);
    for (const name of write.webhooks) {
      const webhook = next.webhooks.find((w) => w.name === name);
      if (webhook === undefined) throw new Error(`HTTP 422 Invalid: ${key(ref)} has no webhook ${name}`);
      webhook.clientConfig.caBundle = write.caBundle;
    }
    next.resourceVersion = String(++this.#resourceVersion);
    this.configurations.set(key(ref), next);
  }
}

function key(ref: WebhookConfigurationRef): string {
  return `${ref.kind}/${ref.name}`;
}
