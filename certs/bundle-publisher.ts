// Writes the CA bundle into every webhook of the webhook configurations, so
// the API server trusts the serving certificate. It writes only when some
// webhook's caBundle differs (an unchanged configuration costs one GET and no
// write, so every replica can run it every minute). The write is a
// server-side apply of caBundle alone, for every webhook by name (the list is
// keyed by name, so nothing else of the configuration is touched, and the
// bundle stays hostgate's field), guarded by the resourceVersion read: a
// configuration changed in between (kubectl apply, another replica) makes the
// write fail instead of writing over a list of webhooks it did not see.
// A missing configuration is reported and retried, never fatal: the
// manifests may be applied after the webhook starts.
import { messageOf } from "./certificate-info.ts";

export type WebhookConfigurationKind = "ValidatingWebhookConfiguration" | "MutatingWebhookConfiguration";

export interface WebhookConfigurationRef {
  kind: WebhookConfigurationKind;
  name: string;
}

export interface WebhookConfigurationState {
  resourceVersion: string;
  /** In the configuration's order; caBundle as stored: base64 of the PEM. */
  webhooks: { name: string; caBundle?: string }[];
}

/** caBundle (base64 of the PEM) for each named webhook, written only while the configuration is at resourceVersion. */
export interface CaBundleWrite {
  resourceVersion: string;
  /** Every webhook of the configuration, by name: an apply that left one out would remove the bundle it wrote there before. */
  webhooks: string[];
  caBundle: string;
}

/** The narrow port the publisher needs; kubernetes-webhook-client.ts implements it on the real API. */
export interface WebhookConfigurationsClient {
  /** undefined when the configuration does not exist. */
  read(ref: WebhookConfigurationRef): Promise<WebhookConfigurationState | undefined>;
  /** Throws when the configuration is no longer at `write.resourceVersion` (nothing is written then). */
  writeCaBundle(ref: WebhookConfigurationRef, write: CaBundleWrite): Promise<void>;
}

export interface PublishResult {
  /** "Kind name" of each configuration written. */
  updated: string[];
  unchanged: string[];
}

export interface CaBundlePublisher {
  /** Resolves when every configuration holds `bundle`; throws PublishError naming each one that does not. */
  publish(bundle: string): Promise<PublishResult>;
}

export class PublishError extends Error {
  readonly problems: readonly string[];

  constructor(problems: string[]) {
    super(`the CA bundle could not be published: ${problems.join("; ")}`);
    this.name = "PublishError";
    this.problems = problems;
  }
}

/** The write that gives every webhook `bundle` (PEM), or undefined when all already hold it. */
export function caBundleWrite(state: WebhookConfigurationState, bundle: string): CaBundleWrite | undefined {
  const stale = state.webhooks.some(
    (webhook) => (webhook.caBundle === undefined ? undefined : Buffer.from(webhook.caBundle, "base64").toString("utf8")) !== bundle,
  );
  if (!stale) return undefined;
  return { resourceVersion: state.resourceVersion, webhooks: state.webhooks.map((w) => w.name), caBundle: Buffer.from(bundle, "utf8").toString("base64") };
}

export class WebhookCaBundlePublisher implements CaBundlePublisher {
  readonly #client: WebhookConfigurationsClient;
  readonly #targets: readonly WebhookConfigurationRef[];

  constructor(client: WebhookConfigurationsClient, targets: readonly WebhookConfigurationRef[]) {
    this.#client = client;
    this.#targets = targets;
  }

  async publish(bundle: string): Promise<PublishResult> {
    const result: PublishResult = { updated: [], unchanged: [] };
    const problems: string[] = [];
    // One configuration's failure does not keep the bundle from the others.
    for (const target of this.#targets) {
      const label = `${target.kind} ${target.name}`;
      try {
        const state = await this.#client.read(target);
        if (state === undefined) {
          problems.push(`${label} does not exist (apply the manifests in deploy/; retrying)`);
          continue;
        }
        const write = caBundleWrite(state, bundle);
        if (write === undefined) {
          result.unchanged.push(label);
          continue;
        }
        await this.#client.writeCaBundle(target, write);
        result.updated.push(label);
      } catch (error) {
        problems.push(`${label}: ${messageOf(error)}`);
      }
    }
    if (problems.length > 0) throw new PublishError(problems);
    return result;
  }
}
