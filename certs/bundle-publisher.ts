// Writes the CA bundle into every webhook of the webhook configurations, so
// the API server trusts the serving certificate. It patches only entries
// whose caBundle differs (an unchanged configuration costs one GET and no
// write, so every replica can run it every minute), and each patch is
// guarded by a JSON Patch `test` of the resourceVersion read: a
// configuration changed in between (kubectl apply, another replica) makes
// the patch fail instead of writing over a list of webhooks it did not see.
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

export type JsonPatchOperation = { op: "test"; path: string; value: unknown } | { op: "add"; path: string; value: unknown };

/** The narrow port the publisher needs; kubernetes-webhook-client.ts implements it on the real API. */
export interface WebhookConfigurationsClient {
  /** undefined when the configuration does not exist. */
  read(ref: WebhookConfigurationRef): Promise<WebhookConfigurationState | undefined>;
  patch(ref: WebhookConfigurationRef, operations: JsonPatchOperation[]): Promise<void>;
}

export interface PublishResult {
  /** "Kind/name" of each configuration patched. */
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

/**
 * The JSON Patch that gives every webhook `bundle` (PEM), or [] when all
 * already hold it. `add` sets the member whether or not it exists.
 */
export function caBundlePatch(state: WebhookConfigurationState, bundle: string): JsonPatchOperation[] {
  const wanted = Buffer.from(bundle, "utf8").toString("base64");
  const operations: JsonPatchOperation[] = [];
  state.webhooks.forEach((webhook, index) => {
    const held = webhook.caBundle === undefined ? undefined : Buffer.from(webhook.caBundle, "base64").toString("utf8");
    if (held !== bundle) operations.push({ op: "add", path: `/webhooks/${index}/clientConfig/caBundle`, value: wanted });
  });
  if (operations.length === 0) return [];
  return [{ op: "test", path: "/metadata/resourceVersion", value: state.resourceVersion }, ...operations];
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
        const operations = caBundlePatch(state, bundle);
        if (operations.length === 0) {
          result.unchanged.push(label);
          continue;
        }
        await this.#client.patch(target, operations);
        result.updated.push(label);
      } catch (error) {
        problems.push(`${label}: ${messageOf(error)}`);
      }
    }
    if (problems.length > 0) throw new PublishError(problems);
    return result;
  }
}
