// The running webhook shares one impact scanning budget across its reviews
// (policies/audit/impact-budget.ts): PolicyModule dry runs in a row cannot
// hold the event loop, which every team's route reviews wait on, for 1.5 s
// each. Here with a budget the test controls: the first review scans and
// records what it took; a review that finds the budget spent is admitted at
// once with the short warning.
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { before, describe, test } from "node:test";
import { localCertificates } from "../certs/index.ts";
import type { LoadedEnvironment } from "../core/environment.ts";
import type { KubeObject } from "../core/kube/object-key.ts";
import { silentLogger } from "../core/logger.ts";
import { AUDITED_RESOURCES } from "../core/state/audited-resources.ts";
import type { ExistingObjectsHolder } from "../core/state/existing-objects.ts";
import type { ImpactBudget } from "../policies/audit/impact-budget.ts";
import { IMPACT_BUSY } from "../policies/audit/module-impact.ts";
import { policyModule } from "../policies/testing/policy-module-cases.ts";
import { postJson } from "./testing/http.ts";
import { admissionReview, exampleEnvironment } from "./testing/reviews.ts";
import { startWebhook } from "./webhook.ts";
import type { PolicyStateSource } from "./webhook.ts";

let env: LoadedEnvironment;
before(async () => {
  env = await exampleEnvironment();
});

const shop: KubeObject = {
  apiVersion: "hostgate.dev/v1alpha1",
  kind: "DomainRoute",
  metadata: { name: "shop", namespace: "team-a", uid: "uid-shop" },
  spec: { domain: "shop.example.com", lb: "alb-out" },
};
const holder: ExistingObjectsHolder = {
  snapshot: () => ({ objects: [shop], kinds: AUDITED_RESOURCES.map((resource) => ({ resource, state: { kind: "synced", version: resource.versions[0]! } })) }),
  onChange: () => () => {},
};
const STRICTER = policyModule("impact-no-public-lb", [{ expression: "object.spec.lb != 'alb-out'", message: "alb-out is public; use alb-in" }]);

/** A budget with `left` ms, recording each scan's time. */
function budget(left: number): ImpactBudget & { spent: number[] } {
  const spent: number[] = [];
  return { spent, available: () => left - spent.reduce((a, b) => a + b, 0), spend: (ms) => spent.push(ms) };
}

async function withWebhook(
  impactBudget: ImpactBudget,
  send: (review: (object: unknown) => Promise<{ allowed: boolean; warnings?: string[] }>) => Promise<void>,
) {
  const dir = mkdtempSync(join(tmpdir(), "hostgate-impact-budget-test-"));
  const manager = localCertificates({ dir, hosts: ["127.0.0.1", "localhost"] });
  await manager.start();
  const material = manager.current();
  manager.stop();
  const state: PolicyStateSource = {
    synced: () => true,
    current: () => env.verdict.cluster,
    counts: () => ({ hostnameGrants: 0, domainRoutes: 1, domains: 2, appIds: 0, grantedNamespaces: 0 }),
  };
  const certificate = { current: () => material, onChange: () => {}, problem: () => undefined, notAfter: () => material.notAfter };
  const webhook = await startWebhook({
    policies: env.policies,
    config: env.verdict.config,
    state,
    existingObjects: holder,
    impactBudget,
    certificate,
    listen: { host: "127.0.0.1", port: 0 },
    healthListen: { host: "127.0.0.1", port: 0 },
    logger: silentLogger,
    shutdownDelayMs: 0,
    shutdownTimeoutMs: 2000,
    defaultMetrics: false,
  });
  try {
    await send(async (object) => {
      const res = await postJson(`${webhook.url}/validate`, JSON.stringify(admissionReview(object, { operation: "CREATE", dryRun: true })), material.ca);
      assert.equal(res.status, 200);
      return JSON.parse(res.text).response;
    });
  } finally {
    await webhook.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

describe("the webhook's impact scanning shares one budget across reviews", () => {
  test("a PolicyModule review with time left scans and records what it took; the next, finding none left, answers without scanning", async () => {
    const shared = budget(1500);
    await withWebhook(shared, async (review) => {
      assert.deepEqual((await review(STRICTER)).warnings, ["policy-impact: this change would deny 1 existing object: team-a/DomainRoute/shop"]);
      assert.equal(shared.spent.length, 1, "the scan recorded its time");
      shared.spend(1500);
      const busy = await review(STRICTER);
      assert.equal(busy.allowed, true);
      assert.deepEqual(busy.warnings, [`policy-impact: ${IMPACT_BUSY}`]);
      assert.equal(shared.spent.length, 2, "the busy answer scanned nothing");
    });
  });
});
