// The background audit's controller over a hand-written holder of the
// existing objects (testing/existing-objects.ts) and the in-memory API
// server, on a manual clock: what a pass publishes for the intercepted kinds,
// what it does while a kind is pending or dropped, what queues a pass, and the
// holder's lifecycle (the controller's term).
import assert from "node:assert/strict";
import { join } from "node:path";
import { afterEach, beforeEach, describe, it } from "node:test";
import { Registry } from "prom-client";
import { ManualClock } from "../../core/clock.ts";
import { FakeKubeApi } from "../../core/kube/testing/fake-kube-api.ts";
import { RecordingLogger } from "../../core/testing/recording-logger.ts";
import { loadPolicySet } from "../../policies/engine/module-loader.ts";
import { LIBRARY } from "../../test/fixtures.ts";
import { poolConfig } from "../edge/testing/pool-config.ts";
import { AuditController } from "./audit-controller.ts";
import { AuditViolations, registerAuditMetrics } from "./audit-metrics.ts";
import { PENDING_RETRY_MS } from "./background-audit.ts";
import { OPENREPORTS_GROUP } from "./report-resources.ts";
import { publishedResults } from "./testing/audit-results.ts";
import { FakeExistingObjects, grant, HTTP_ROUTES, httpRoute, VIRTUAL_SERVICES, virtualService } from "./testing/existing-objects.ts";

const DEBOUNCE_MS = 1000;
const INTERVAL_MS = 60 * 60_000;
const teamAShop = grant("team-a-shop", ["team-a"], ["shop.example.com"]);
const ungrantedRoute = httpRoute("team-a", "shop", ["shop.other.example.com"]);
const ungrantedService = virtualService("team-a", "web", ["web.other.example.com"]);

describe("AuditController", () => {
  let api: FakeKubeApi;
  let clock: ManualClock;
  let holder: FakeExistingObjects;
  let logger: RecordingLogger;
  let violations: AuditViolations;
  let audit: AuditController;

  beforeEach(() => {
    api = new FakeKubeApi();
    clock = new ManualClock();
    holder = new FakeExistingObjects();
    logger = new RecordingLogger();
    violations = new AuditViolations();
    audit = new AuditController({
      api,
      reader: { get: (r, k) => api.server.get(r, k), list: (r) => api.server.objects(r) },
      objects: holder,
      config: poolConfig({}, "none"),
      settings: { policies: loadPolicySet([join(LIBRARY, "hostname-granted.yaml")]), debounceMs: DEBOUNCE_MS, intervalMs: INTERVAL_MS },
      violations,
      clock,
      logger,
    });
  });
  afterEach(async () => {
    await audit.stop();
    await audit.controller.stop(1000);
  });

  /** Starts the term as controller-set.ts does: a pass at once after the debounce, and one after each holder change. */
  function start(): void {
    const kick = () => audit.enqueue(DEBOUNCE_MS);
    audit.controller.start();
    audit.start(kick);
    kick();
  }
  const passes = () => audit.controller.stats().reconciles;
  /** Moves the clock by `ms` a second at a time, letting each pass that comes due run. */
  async function advance(ms: number): Promise<void> {
    for (let moved = 0; moved < ms; moved += 1000) {
      clock.advance(Math.min(1000, ms - moved));
      for (let i = 0; i < 5; i++) await new Promise((resolve) => setImmediate(resolve));
    }
    while (audit.controller.stats().inFlight > 0) await new Promise((resolve) => setTimeout(resolve, 1));
  }
  const teamA = () => publishedResults(api, "team-a");
  const reportWrites = () => api.takeWrites().filter((w) => w.resource.endsWith(`.${OPENREPORTS_GROUP}`)).length;
  const published = ["HTTPRoute shop hostname-granted fail", "VirtualService web hostname-granted fail"];

  it("starts the holder with its term, and stops and leaves it with its term", async () => {
    start();
    assert.equal(holder.started, true);
    assert.equal(holder.listeners(), 1);
    await audit.stop();
    assert.equal(holder.stopped, true);
    assert.equal(holder.listeners(), 0);
  });

  it("publishes an HTTPRoute and a VirtualService with ungranted hostnames as failing hostname-granted in their namespace's Report", async () => {
    holder.set(teamAShop, ungrantedRoute, ungrantedService);
    start();
    await advance(DEBOUNCE_MS);
    assert.deepEqual(teamA(), published);
    assert.deepEqual(violations.counts(), [{ policy: "hostname-granted", enforcement: "Deny", count: 2 }]);
  });

  it("queues a pass, after the debounce, when an HTTPRoute changes in the holder", async () => {
    holder.set(teamAShop, ungrantedRoute);
    start();
    await advance(DEBOUNCE_MS);
    const before = passes();
    holder.set(teamAShop, httpRoute("team-a", "shop", ["shop.example.com"]));
    await advance(DEBOUNCE_MS - 1000);
    assert.equal(passes(), before, "no pass before the debounce");
    await advance(1000);
    assert.equal(passes(), before + 1);
    assert.deepEqual(teamA(), ["HTTPRoute shop hostname-granted pass"]);
  });

  it("writes no report on a pass whose results are unchanged", async () => {
    holder.set(teamAShop, ungrantedRoute, ungrantedService);
    start();
    await advance(DEBOUNCE_MS);
    assert.ok(reportWrites() > 0);
    const before = passes();
    holder.set(teamAShop, ungrantedRoute, ungrantedService);
    await advance(DEBOUNCE_MS);
    assert.equal(passes(), before + 1);
    assert.equal(reportWrites(), 0);
  });

  it("keeps a pending kind's published results (no write), says why, and publishes again once the kind is listed", async () => {
    holder.set(teamAShop, ungrantedRoute, ungrantedService);
    start();
    await advance(DEBOUNCE_MS);
    assert.deepEqual(teamA(), published);
    reportWrites();
    const reason = "listing httproutes.gateway.networking.k8s.io failed: 500 etcd timeout";
    holder.state(HTTP_ROUTES, { kind: "pending", reason });
    await advance(DEBOUNCE_MS);
    assert.deepEqual(teamA(), published, "the HTTPRoute's result is still published");
    assert.equal(reportWrites(), 0);
    assert.ok(
      logger.messages("info").some((m) => m.includes("waits") && m.includes(reason)),
      logger.messages().join("\n"),
    );
    assert.deepEqual(violations.unjudged(), [{ resource: "httproutes.gateway.networking.k8s.io", state: "pending", reason }]);
    // Still pending: it looks again soon, without a change of the holder.
    const before = passes();
    await advance(PENDING_RETRY_MS);
    assert.equal(passes(), before + 1);
    holder.state(HTTP_ROUTES, { kind: "synced", version: "v1" });
    await advance(DEBOUNCE_MS);
    assert.deepEqual(teamA(), published);
    assert.deepEqual(violations.unjudged(), []);
  });

  it("publishes a kind that is not served as having no objects", async () => {
    holder.set(teamAShop, ungrantedRoute, ungrantedService);
    holder.state(VIRTUAL_SERVICES, { kind: "not-served" });
    start();
    await advance(DEBOUNCE_MS);
    assert.deepEqual(teamA(), ["HTTPRoute shop hostname-granted fail"]);
  });

  it("publishes nothing while a kind is dropped over the holder's bound, logging an error and counting it in a metric", async () => {
    holder.set(teamAShop, ungrantedRoute);
    start();
    await advance(DEBOUNCE_MS);
    reportWrites();
    const reason = "over the limit of 10 existing objects (--impact-objects-max), so none are kept; raise --impact-objects-max to keep them";
    holder.set();
    holder.state(HTTP_ROUTES, { kind: "dropped", reason });
    await advance(DEBOUNCE_MS);
    assert.deepEqual(teamA(), ["HTTPRoute shop hostname-granted fail"], "the report is left as it was");
    assert.equal(reportWrites(), 0);
    assert.ok(
      logger.messages("error").some((m) => m.includes("not published") && m.includes(reason)),
      logger.messages().join("\n"),
    );
    const registry = new Registry();
    registerAuditMetrics(registry, violations);
    assert.match(await registry.metrics(), /hostgate_audit_unjudged_kinds\{resource="httproutes.gateway.networking.k8s.io",state="dropped"\} 1/);
  });
});
