// `kubectl apply` (and `--dry-run=server`) of a PolicyModule through the
// webhook (issue 16): a module that compiles is allowed, and the response
// carries what it would deny among the objects in the webhook's cache as
// warnings within the API server's bounds (120 characters each). End to end,
// the cache is the real ExistingObjectsCache listing a fake API server.
import { before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import request from "supertest";
import { localCertificates } from "../certs/index.ts";
import { silentLogger } from "../core/logger.ts";
import type { LoadedEnvironment } from "../core/environment.ts";
import { ManualClock } from "../core/clock.ts";
import { KubeApiError } from "../core/kube/api-error.ts";
import type { KubeObject } from "../core/kube/object-key.ts";
import { FakeListWatchClient } from "../core/kube/testing/fake-list-watch.ts";
import { ServedVersionsClient } from "../core/kube/testing/served-versions.ts";
import { AUDITED_RESOURCES, auditedResourceRef } from "../core/state/audited-resources.ts";
import type { ExistingObjectsHolder } from "../core/state/existing-objects.ts";
import { ExistingObjectsCache } from "../core/state/sources/existing-objects-cache.ts";
import { LAST_APPLIED_ANNOTATION } from "../core/state/trim-for-audit.ts";
import { RecordingLogger } from "../core/testing/recording-logger.ts";
import { policyModule } from "../policies/testing/policy-module-cases.ts";
import type { VerdictEnvironment } from "../policies/verdict.ts";
import { createAdmissionApp } from "./admission-app.ts";
import { admissionReview, exampleEnvironment } from "./testing/reviews.ts";
import { postJson } from "./testing/http.ts";
import { IMPACT_DISABLED } from "./serve-options.ts";
import { IMPACT_NOT_CACHED, startWebhook } from "./webhook.ts";
import type { PolicyStateSource, WebhookOptions } from "./webhook.ts";

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

/** Starts the webhook with these existing objects, sends a dry-run CREATE of `module`, and returns the response. */
async function applyToRunningWebhook(module: unknown, existingObjects: WebhookOptions["existingObjects"]) {
  const dir = mkdtempSync(join(tmpdir(), "hostgate-impact-test-"));
  const manager = localCertificates({ dir, hosts: ["127.0.0.1", "localhost"] });
  await manager.start();
  const material = manager.current();
  manager.stop();
  const state: PolicyStateSource = {
    synced: () => true,
    current: () => env.verdict.cluster,
    counts: () => ({ hostnameGrants: 0, domainRoutes: 2, domains: 2, appIds: 0, grantedNamespaces: 0 }),
  };
  const certificate = { current: () => material, onChange: () => {}, problem: () => undefined, notAfter: () => material.notAfter };
  const webhook = await startWebhook({
    policies: env.policies,
    config: env.verdict.config,
    state,
    ...(existingObjects === undefined ? {} : { existingObjects }),
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

const HTTP_ROUTE = AUDITED_RESOURCES.find((r) => r.kind === "HTTPRoute")!;
const HTTP_ROUTES_V1 = auditedResourceRef(HTTP_ROUTE, "v1");
const DOMAIN_ROUTES = auditedResourceRef(AUDITED_RESOURCES.find((r) => r.kind === "DomainRoute")!, "v1alpha1");

/** An object as kubectl apply leaves it in the API server: managedFields, the last-applied annotation, a status. */
function asApplied(object: KubeObject): KubeObject {
  return {
    ...object,
    metadata: {
      ...object.metadata,
      annotations: { [LAST_APPLIED_ANNOTATION]: JSON.stringify(object) },
      managedFields: [{ manager: "kubectl-client-side-apply", operation: "Update", fieldsType: "FieldsV1", fieldsV1: { "f:spec": {} } }],
    },
    status: { conditions: [{ type: "Accepted", status: "True" }] },
  };
}

function httpRoute(namespace: string, name: string, hostnames: string[]): KubeObject {
  return { apiVersion: "gateway.networking.k8s.io/v1", kind: "HTTPRoute", metadata: { namespace, name, uid: `uid-${name}` }, spec: { hostnames } };
}

const NO_LEGACY_HOSTS = policyModule(
  "impact-no-legacy-hosts",
  [{ expression: "object.spec.hostnames.all(h, !h.startsWith('legacy.'))", message: "legacy. hosts are retired" }],
  {
    match: [{ apiGroups: ["gateway.networking.k8s.io"], kinds: ["HTTPRoute"], operations: ["CREATE", "UPDATE"] }],
  },
);

/**
 * A fake API server with hostgate's CRDs and Gateway API installed, two
 * DomainRoutes and two HTTPRoutes as kubectl left them, and the real cache
 * listing it; `forbidHttpRoutes` makes every list of HTTPRoutes a 403.
 */
async function cachedCluster(options: { forbidHttpRoutes?: boolean } = {}) {
  const server = new FakeListWatchClient();
  const cluster = new ServedVersionsClient(server);
  for (const r of AUDITED_RESOURCES.filter((a) => a.group === "hostgate.dev" || a.kind === "HTTPRoute")) cluster.install(r, r.versions[0]!);
  for (const r of CACHED) server.put(DOMAIN_ROUTES, asApplied(r));
  server.put(HTTP_ROUTES_V1, asApplied(httpRoute("team-a", "x", ["legacy.shop.example.com"])));
  server.put(HTTP_ROUTES_V1, asApplied(httpRoute("team-b", "y", ["www.blog.example.com"])));
  const forbidden = new KubeApiError("403 Forbidden: httproutes.gateway.networking.k8s.io is forbidden", 403, "Forbidden");
  if (options.forbidHttpRoutes === true) server.failLists(HTTP_ROUTES_V1, ...Array.from({ length: 20 }, () => forbidden));
  // A manual clock: no retry fires during the test, so a forbidden kind stays pending.
  const cache = new ExistingObjectsCache({ client: cluster, clock: new ManualClock(), random: () => 0.5 });
  cache.start();
  for (let i = 0; i < 20 && cache.snapshot().kinds.some((k) => k.state.kind === "pending" && k.state.reason.startsWith("looking up")); i++)
    await new Promise((resolve) => setImmediate(resolve));
  for (let i = 0; i < 5; i++) await new Promise((resolve) => setImmediate(resolve));
  return cache;
}

describe("the running webhook weighs a PolicyModule against the existing objects it keeps", () => {
  const cases: {
    name: string;
    module: Record<string, unknown>;
    existing: () => Promise<ExistingObjectsHolder | { unavailable: string } | undefined>;
    warnings: string[];
  }[] = [
    {
      name: "applying a stricter module for HTTPRoutes names the existing HTTPRoute it would deny, from the cluster cache",
      module: NO_LEGACY_HOSTS,
      existing: () => cachedCluster(),
      warnings: ["policy-impact: this change would deny 1 existing object: team-a/HTTPRoute/x"],
    },
    {
      name: "applying a stricter module for DomainRoutes names the existing DomainRoute it would deny, from the cluster cache",
      module: STRICTER,
      existing: () => cachedCluster(),
      warnings: ["policy-impact: this change would deny 1 existing object: team-a/DomainRoute/shop"],
    },
    {
      name: "while HTTPRoutes cannot be listed (RBAC), a module for them says the answer is partial and which kind is missing",
      module: NO_LEGACY_HOSTS,
      existing: () => cachedCluster({ forbidHttpRoutes: true }),
      warnings: [
        "policy-impact: this change would deny no existing object (2 objects checked)",
        "policy-impact: partial answer: not listed yet: HTTPRoute; run hostgate diff for all",
      ],
    },
    {
      name: "while HTTPRoutes cannot be listed, a module for DomainRoutes only gives its whole answer, with no partial note",
      module: STRICTER,
      existing: () => cachedCluster({ forbidHttpRoutes: true }),
      warnings: ["policy-impact: this change would deny 1 existing object: team-a/DomainRoute/shop"],
    },
    {
      name: "a webhook given no existing objects says the impact was not computed, never 'denies nothing'",
      module: STRICTER,
      existing: async () => undefined,
      warnings: [`policy-impact: ${IMPACT_NOT_CACHED}`],
    },
    {
      name: "a webhook run with --impact-objects-max 0 says so, and where to get the answer",
      module: STRICTER,
      existing: async () => ({ unavailable: IMPACT_DISABLED }),
      warnings: [`policy-impact: ${IMPACT_DISABLED}`],
    },
  ];
  for (const c of cases) {
    test(c.name, async () => {
      const existing = await c.existing();
      try {
        const response = await applyToRunningWebhook(c.module, existing);
        assert.equal(response.allowed, true);
        assert.deepEqual(response.warnings, c.warnings);
        for (const w of response.warnings ?? []) assert.ok(w.length <= 120, w);
      } finally {
        if (existing instanceof ExistingObjectsCache) await existing.stop();
      }
    });
  }
});
