// The running webhook on a live policy set: readiness waits for the first
// list, and a review takes one snapshot of the set, so a swap landing while it
// is being judged never gives it a verdict from parts of two sets.
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { localCertificates } from "../../certs/index.ts";
import type { TlsMaterial } from "../../certs/index.ts";
import { silentLogger } from "../../core/logger.ts";
import { startWebhook } from "../webhook.ts";
import type { PolicyStateSource } from "../webhook.ts";
import { postJson } from "../testing/http.ts";
import { admissionReview } from "../testing/reviews.ts";
import { DEBOUNCE_MS, denyNamePrefix, liveHarness } from "./testing/policy-modules.ts";
import type { LiveHarness } from "./testing/policy-modules.ts";

let dir: string;
let material: TlsMaterial;
before(async () => {
  dir = mkdtempSync(join(tmpdir(), "hostgate-live-swap-"));
  const manager = localCertificates({ dir, hosts: ["127.0.0.1", "localhost"] });
  await manager.start();
  material = manager.current();
  manager.stop();
});
after(() => rmSync(dir, { recursive: true, force: true }));

/** A synced cache whose current() runs `during` first: the moment a review is being assembled. */
class HookedState implements PolicyStateSource {
  during: (() => void) | undefined;
  synced = () => true;
  current() {
    const hook = this.during;
    this.during = undefined;
    hook?.();
    return {};
  }
  counts = () => ({ hostnameGrants: 0, domainRoutes: 0, domains: 0, appIds: 0, grantedNamespaces: 0 });
}

async function serving(h: LiveHarness, state = new HookedState()) {
  const webhook = await startWebhook({
    policies: h.live.policies,
    config: {},
    state,
    certificate: { current: () => material, onChange: () => undefined, problem: () => undefined, notAfter: () => material.notAfter },
    listen: { host: "127.0.0.1", port: 0 },
    healthListen: { host: "127.0.0.1", port: 0 },
    logger: silentLogger,
    shutdownDelayMs: 0,
    shutdownTimeoutMs: 2000,
    defaultMetrics: false,
  });
  return { webhook, state };
}

const route = (name: string) => ({ apiVersion: "hostgate.dev/v1alpha1", kind: "DomainRoute", metadata: { name, namespace: "team-a" }, spec: {} });

async function review(url: string, name: string): Promise<{ allowed: boolean; message: string }> {
  const res = await postJson(`${url}/validate`, JSON.stringify(admissionReview(route(name))), material.ca);
  assert.equal(res.status, 200, res.text);
  const response = JSON.parse(res.text).response as { allowed: boolean; status?: { message: string } };
  return { allowed: response.allowed, message: response.status?.message ?? "" };
}

describe("the webhook on the cluster's PolicyModules", () => {
  it("is unready and refuses reviews until the first list of PolicyModules, then judges by them", async () => {
    const h = liveHarness([denyNamePrefix("no-bad", "bad", "names must not start with bad")]);
    const { webhook } = await serving(h);
    try {
      const before = await fetch(`${webhook.healthUrl}/readyz?verbose`);
      assert.equal(before.status, 503);
      assert.match(await before.text(), /\[-\]policies failed: the PolicyModules have not been listed yet/);
      const refused = await review(webhook.url, "fine-shop");
      assert.equal(refused.allowed, false);
      assert.match(refused.message, /the PolicyModules have not been listed yet/);

      h.live.start();
      await h.settle();
      assert.equal((await fetch(`${webhook.healthUrl}/readyz`)).status, 200);
      assert.deepEqual(await review(webhook.url, "fine-shop"), { allowed: true, message: "" });
      assert.match((await review(webhook.url, "bad-shop")).message, /names must not start with bad/);
      assert.match(await (await fetch(`${webhook.healthUrl}/metrics`)).text(), /^hostgate_policies_loaded 1$/m);
    } finally {
      await webhook.stop();
      await h.live.stop();
    }
  });

  it("judges a review in flight during a swap by the whole set it started with, and the next one by the whole new set", async () => {
    const h = liveHarness([denyNamePrefix("no-bad", "bad", "old rule: no bad names")]);
    const { webhook, state } = await serving(h);
    h.live.start();
    await h.settle();
    try {
      // While the review is being assembled, the module changes and a second one arrives; the debounce ends and the set swaps.
      state.during = () => {
        h.put(denyNamePrefix("no-bad", "bad", "new rule: no bad names"));
        h.put(denyNamePrefix("no-bad-too", "bad", "new module: still no bad names"));
        h.clock.advance(DEBOUNCE_MS);
        assert.equal(h.live.policies.generation(), 2, "the swap landed mid-review");
      };
      const inFlight = await review(webhook.url, "bad-shop");
      assert.equal(state.during, undefined, "the hook ran");
      assert.match(inFlight.message, /old rule: no bad names/);
      assert.doesNotMatch(inFlight.message, /new rule|new module/);

      const next = await review(webhook.url, "bad-shop");
      assert.match(next.message, /new rule: no bad names/);
      assert.match(next.message, /new module: still no bad names/);
      assert.doesNotMatch(next.message, /old rule/);
    } finally {
      await webhook.stop();
      await h.live.stop();
    }
  });
});
