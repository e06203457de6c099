import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { caBundleWrite, PublishError, WebhookCaBundlePublisher } from "./bundle-publisher.ts";
import type { WebhookConfigurationRef } from "./bundle-publisher.ts";
import { FakeWebhookClient } from "./testing/fake-webhook-client.ts";

const VALIDATING: WebhookConfigurationRef = { kind: "ValidatingWebhookConfiguration", name: "hostgate-validating" };
const MUTATING: WebhookConfigurationRef = { kind: "MutatingWebhookConfiguration", name: "hostgate-mutating" };
const BUNDLE = "-----BEGIN CERTIFICATE-----\nAAEC\n-----END CERTIFICATE-----\n";
const b64 = (text: string) => Buffer.from(text).toString("base64");

function setUp() {
  const client = new FakeWebhookClient();
  client.add(VALIDATING, ["domainroutes.hostgate.dev", "routes.hostgate.dev"]);
  client.add(MUTATING, ["defaults.hostgate.dev"], b64("an old bundle"));
  return { client, publisher: new WebhookCaBundlePublisher(client, [VALIDATING, MUTATING]) };
}

describe("caBundleWrite", () => {
  it("writes the bundle to every webhook by name when any lacks it, guarded by the resourceVersion read", () => {
    const state = { resourceVersion: "7", webhooks: [{ name: "a" }, { name: "b", caBundle: b64(BUNDLE) }, { name: "c", caBundle: b64("old") }] };
    assert.deepEqual(caBundleWrite(state, BUNDLE), { resourceVersion: "7", webhooks: ["a", "b", "c"], caBundle: b64(BUNDLE) });
  });

  it("is nothing when every webhook already holds the bundle", () => {
    assert.equal(caBundleWrite({ resourceVersion: "7", webhooks: [{ name: "a", caBundle: b64(BUNDLE) }] }, BUNDLE), undefined);
  });

  it("is nothing for a configuration without webhooks", () => {
    assert.equal(caBundleWrite({ resourceVersion: "7", webhooks: [] }, BUNDLE), undefined);
  });
});

describe("WebhookCaBundlePublisher", () => {
  it("writes the bundle into every webhook of both configurations", async () => {
    const { client, publisher } = setUp();
    const result = await publisher.publish(BUNDLE);
    assert.deepEqual(result, {
      updated: ["ValidatingWebhookConfiguration hostgate-validating", "MutatingWebhookConfiguration hostgate-mutating"],
      unchanged: [],
    });
    assert.deepEqual(client.bundles(VALIDATING), [BUNDLE, BUNDLE]);
    assert.deepEqual(client.bundles(MUTATING), [BUNDLE]);
  });

  it("writes nothing the second time: publishing is idempotent", async () => {
    const { client, publisher } = setUp();
    await publisher.publish(BUNDLE);
    const writes = client.writes.length;
    assert.deepEqual(await publisher.publish(BUNDLE), {
      updated: [],
      unchanged: ["ValidatingWebhookConfiguration hostgate-validating", "MutatingWebhookConfiguration hostgate-mutating"],
    });
    assert.equal(client.writes.length, writes);
  });

  it("reports a missing configuration and still publishes to the other", async () => {
    const { client } = setUp();
    const publisher = new WebhookCaBundlePublisher(client, [{ kind: "ValidatingWebhookConfiguration", name: "absent" }, MUTATING]);
    await assert.rejects(publisher.publish(BUNDLE), (error: unknown) => {
      assert.ok(error instanceof PublishError);
      assert.deepEqual(error.problems, ["ValidatingWebhookConfiguration absent does not exist (apply the manifests in deploy/; retrying)"]);
      return true;
    });
    assert.deepEqual(client.bundles(MUTATING), [BUNDLE]);
  });

  it("fails the write instead of writing when the configuration changed after it was read", async () => {
    const { client, publisher } = setUp();
    const read = client.read.bind(client);
    client.read = async (ref) => {
      const state = await read(ref);
      client.add(ref, ["domainroutes.hostgate.dev", "a-new-webhook.hostgate.dev"]); // someone re-applied the manifests meanwhile
      return state;
    };
    await assert.rejects(publisher.publish(BUNDLE), /hostgate-validating: HTTP 409 Conflict: .* is at resourceVersion \d+, not \d+/);
    assert.deepEqual(client.bundles(VALIDATING), [undefined, undefined], "nothing was written over the list it did not see");
  });
});
