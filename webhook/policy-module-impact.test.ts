// `kubectl apply` (and `--dry-run=server`) of a PolicyModule through the
// webhook (issue 16): a module that compiles is allowed, and the response
// carries what it would deny among the objects in the webhook's cache as
// warnings within the API server's bounds (120 characters each).
import { before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import request from "supertest";
import { localCertificates } from "../certs/index.ts";
import { silentLogger } from "../core/logger.ts";
import type { LoadedEnvironment } from "../core/environment.ts";
import type { KubeObject } from "../core/kube/object-key.ts";
import { RecordingLogger } from "../core/testing/recording-logger.ts";
import { policyModule } from "../policies/testing/policy-module-cases.ts";
import type { VerdictEnvironment } from "../policies/verdict.ts";
import { createAdmissionApp } from "./admission-app.ts";
import { admissionReview, exampleEnvironment } from "./testing/reviews.ts";
import { postJson } from "./testing/http.ts";
import { IMPACT_NOT_CACHED, startWebhook } from "./webhook.ts";
import type { PolicyStateSource } from "./webhook.ts";

let env: LoadedEnvironment;
before(async () => {
  env = await exampleEnvironment();
});

function route(namespace: string, name: string, lb: string): KubeObject {
  return {
    apiVersion: "hostgate.dev/v1alpha1",
    kind: "DomainRoute",
    metadata: { name, namespace, uid: `uid-${name}` },
    spec: { domain: `${name}.example.com`, lb },
  };
}

const CACHED = [route("team-a", "shop", "alb-out"), route("team-b", "blog", "alb-in")];
const STRICTER = policyModule("impact-no-public-lb", [{ expression: "object.spec.lb != 'alb-out'", message: "alb-out is public; use alb-in" }]);
const HARMLESS = policyModule("impact-no-legacy-lb", [{ expression: "object.spec.lb != 'alb-legacy'", message: "alb-legacy is gone" }]);

async function apply(object: unknown, environment: () => VerdictEnvironment) {
  const app = createAdmissionApp({ environment, logger: new RecordingLogger() });
  const review = admissionReview(object, { operation: "CREATE", dryRun: true });
  const res = await request(app).post("/validate").set("Content-Type", "application/json").send(JSON.stringify(review));
  assert.equal(res.status, 200);
  return res.body.response as { allowed: boolean; warnings?: string[]; status?: { message: string } };
}

describe("the webhook answers a PolicyModule dry run with its impact on the cached objects", () => {
  const withCache = () => ({ ...env.verdict, impact: { objects: () => CACHED } });
  const cases = [
    {
      name: "a stricter module is allowed, with a warning naming the existing object it would deny",
      module: STRICTER,
      environment: withCache,
      warnings: ["policy-impact: this change would deny 1 existing object: team-a/DomainRoute/shop"],
    },
    {
      name: "a harmless module is allowed, with a warning that it denies no existing object",
      module: HARMLESS,
      environment: withCache,
      warnings: ["policy-impact: this change would deny no existing object (2 objects checked)"],
    },
    {
      name: "a webhook whose cache does not keep the objects answers without an impact warning",
      module: STRICTER,
      environment: () => env.verdict,
      warnings: undefined,
    },
  ];
  for (const c of cases) {
    test(c.name, async () => {
      const response = await apply(c.module, c.environment);
      assert.equal(response.allowed, true, response.status?.message);
      assert.deepEqual(response.warnings, c.warnings);
      for (const w of response.warnings ?? []) assert.ok(w.length <= 120, w);
    });
  }
});

/** Starts the webhook on this state source, sends a dry-run CREATE of `module`, and returns the response. */
async function applyToRunningWebhook(module: unknown, objects: (() => readonly KubeObject[]) | undefined) {
  const dir = mkdtempSync(join(tmpdir(), "hostgate-impact-test-"));
  const manager = localCertificates({ dir, hosts: ["127.0.0.1", "localhost"] });
  await manager.start();
  const material = manager.current();
  manager.stop();
  const state: PolicyStateSource = {
    synced: () => true,
    current: () => env.verdict.cluster,
    counts: () => ({ hostnameGrants: 0, domainRoutes: 2, domains: 2, appIds: 0, grantedNamespaces: 0 }),
    ...(objects !== undefined ? { objects } : {}),
  };
  const certificate = { current: () => material, onChange: () => {}, problem: () => undefined, notAfter: () => material.notAfter };
  const webhook = await startWebhook({
    policies: env.policies,
    config: env.verdict.config,
    state,
    certificate,
    listen: { host: "127.0.0.1", port: 0 },
    healthListen: { host: "127.0.0.1", port: 0 },
    logger: silentLogger,
    shutdownDelayMs: 0,
    shutdownTimeoutMs: 2000,
    defaultMetrics: false,
  });
  try {
    const review = admissionReview(module, { operation: "CREATE", dryRun: true });
    const res = await postJson(`${webhook.url}/validate`, JSON.stringify(review), material.ca);
    assert.equal(res.status, 200);
    return JSON.parse(res.text).response as { allowed: boolean; warnings?: string[] };
  } finally {
    await webhook.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

describe("the running webhook weighs a PolicyModule against the objects its state source keeps", () => {
  const cases = [
    {
      name: "a state source offering objects() makes the webhook answer with the impact warning",
      objects: () => CACHED,
      warnings: ["policy-impact: this change would deny 1 existing object: team-a/DomainRoute/shop"],
    },
    {
      name: "a state source that keeps only indexed fields makes the webhook say the impact was not computed, never 'denies nothing'",
      objects: undefined,
      warnings: [`policy-impact: ${IMPACT_NOT_CACHED}`],
    },
  ];
  for (const c of cases) {
    test(c.name, async () => {
      const response = await applyToRunningWebhook(STRICTER, c.objects);
      assert.equal(response.allowed, true);
      assert.deepEqual(response.warnings, c.warnings);
      for (const w of response.warnings ?? []) assert.ok(w.length <= 120, w);
    });
  }
});
