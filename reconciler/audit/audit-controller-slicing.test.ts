// The background audit's pass as it shares the reconciler's event loop: it
// judges in slices and gives the loop a turn between them, gives up without
// publishing when its term ends, and does not judge again when what it would
// judge is the very snapshot and policy set it last judged (the pass the
// reports' own writes queue).
import assert from "node:assert/strict";
import { join } from "node:path";
import { afterEach, describe, it } from "node:test";
import { ManualClock } from "../../core/clock.ts";
import type { KubeObject } from "../../core/kube/object-key.ts";
import { FakeKubeApi } from "../../core/kube/testing/fake-kube-api.ts";
import { RecordingLogger } from "../../core/testing/recording-logger.ts";
import type { ExistingObjectsSnapshot } from "../../core/state/existing-objects.ts";
import type { SliceOptions } from "../../policies/audit/sliced-audit.ts";
import { loadPolicySet } from "../../policies/engine/module-loader.ts";
import { LIBRARY } from "../../test/fixtures.ts";
import { poolConfig } from "../edge/testing/pool-config.ts";
import { AuditController } from "./audit-controller.ts";
import { AuditViolations } from "./audit-metrics.ts";
import type { BackgroundAuditSettings } from "./background-audit.ts";
import { denyNamePrefix, withExpression } from "../../webhook/policy-set/testing/policy-modules.ts";
import { OPENREPORTS_GROUP, REPORTS } from "./report-resources.ts";
import { publishedResults } from "./testing/audit-results.ts";
import { FakeExistingObjects, grant, httpRoute } from "./testing/existing-objects.ts";

const DEBOUNCE_MS = 1000;
const INTERVAL_MS = 60 * 60_000;
const teamAShop = grant("team-a-shop", ["team-a"], ["shop.example.com"]);
const routes = (n: number): KubeObject[] =>
  Array.from({ length: n }, (_, i) => httpRoute("team-a", `r${String(i).padStart(2, "0")}`, ["shop.other.example.com"]));

/** A holder that hands out the same objects array until it changes, as ExistingObjectsCache does. */
class StableHolder extends FakeExistingObjects {
  #cached: ExistingObjectsSnapshot | undefined;
  override snapshot(): ExistingObjectsSnapshot {
    this.#cached ??= super.snapshot();
    return this.#cached;
  }
  override set(...objects: KubeObject[]): void {
    this.#cached = undefined;
    super.set(...objects);
  }
}

const running: AuditController[] = [];
afterEach(async () => {
  for (const audit of running.splice(0)) {
    await audit.stop();
    await audit.controller.stop(1000);
  }
});

function setUp(
  slicing: Pick<SliceOptions, "yieldToLoop"> = {},
  policies: BackgroundAuditSettings["policies"] = loadPolicySet([join(LIBRARY, "hostname-granted.yaml")]),
) {
  const api = new FakeKubeApi();
  const clock = new ManualClock();
  const holder = new StableHolder();
  let t = 0;
  const audit = new AuditController({
    api,
    reader: { get: (r, k) => api.server.get(r, k), list: (r) => api.server.objects(r) },
    objects: holder,
    config: poolConfig({}, "none"),
    settings: { policies, debounceMs: DEBOUNCE_MS, intervalMs: INTERVAL_MS },
    violations: new AuditViolations(),
    clock,
    logger: new RecordingLogger(),
    // Each reading of the pass's clock is 1 ms later: with a 1 ms slice, every object is a slice of its own.
    slicing: { now: () => t++, sliceMs: 1, ...slicing },
  });
  running.push(audit);
  const kick = () => audit.enqueue(DEBOUNCE_MS);
  const start = () => {
    audit.controller.start();
    audit.start(kick);
    kick();
  };
  /** Moves the clock by `ms` a second at a time, letting each pass that comes due run to its end. */
  const advance = async (ms: number) => {
    for (let moved = 0; moved < ms; moved += 1000) {
      clock.advance(Math.min(1000, ms - moved));
      for (let i = 0; i < 5; i++) await new Promise((resolve) => setImmediate(resolve));
    }
    while (audit.controller.stats().inFlight > 0) await new Promise((resolve) => setTimeout(resolve, 1));
  };
  const reportWrites = () => api.takeWrites().filter((w) => w.resource.endsWith(`.${OPENREPORTS_GROUP}`)).length;
  return { api, clock, audit, holder, kick, start, advance, reportWrites, teamA: () => publishedResults(api, "team-a") };
}

describe("the background audit's pass on a shared event loop", () => {
  it("judges in slices, and other work runs between them before the pass publishes", async () => {
    const log: string[] = [];
    let turns = 0;
    const { holder, start, advance, teamA } = setUp({
      yieldToLoop: async () => {
        turns++;
        // Work queued while the pass runs (a Lease renewal, another controller) gets its turn now.
        if (turns === 1) setImmediate(() => log.push(`other work, ${teamA().length} results published`));
        await new Promise((resolve) => setImmediate(resolve));
      },
    });
    holder.set(teamAShop, ...routes(20));
    start();
    await advance(DEBOUNCE_MS);
    assert.equal(turns, 22, "a turn after indexing the cluster state, after preparing, and between each two of the 21 objects");
    assert.deepEqual(log, ["other work, 0 results published"]);
    assert.equal(teamA().length, 20);
  });

  it("publishes nothing when its term ends between slices", async () => {
    let ended: Promise<void> | undefined;
    const setup = setUp({
      yieldToLoop: async () => {
        ended ??= setup.audit.stop();
      },
    });
    setup.holder.set(teamAShop, ...routes(5));
    setup.start();
    await setup.advance(DEBOUNCE_MS);
    await ended;
    assert.equal(setup.reportWrites(), 0);
    assert.deepEqual(setup.audit.passes, { judged: 0, reused: 0, superseded: 1 });
  });

  it("gives up without publishing when another policy set comes into force under it, and judges again by the new one", async () => {
    const module = denyNamePrefix("no-r0", "r0", "names must not start with r0");
    let changed = false;
    const setup = setUp(
      {
        yieldToLoop: async () => {
          if (changed) return;
          changed = true;
          // The PolicyModule changes mid-pass and the live set swaps it in (its debounce, on the manual clock).
          setup.audit.policyModulesHandler().onUpdate!(module, withExpression(module, "!object.metadata.name.startsWith('r1')"), "no-r0");
          setup.clock.advance(60_000);
        },
      },
      "cluster",
    );
    setup.audit.policyModulesHandler().onAdd!(module, "no-r0");
    const domainRoute = (name: string): KubeObject => ({
      apiVersion: "hostgate.dev/v1alpha1",
      kind: "DomainRoute",
      metadata: { name, namespace: "team-a", uid: `uid-${name}` },
      spec: { domain: `${name}.example.com`, lb: "alb-in", routing: { mode: "External" } },
    });
    setup.holder.set(domainRoute("r0-shop"), domainRoute("r1-blog"), domainRoute("web"));
    setup.start();
    await setup.advance(DEBOUNCE_MS);
    await setup.advance(DEBOUNCE_MS);
    assert.equal(setup.audit.passes.superseded, 1);
    const noR0 = setup.teamA().filter((r) => r.includes("no-r0"));
    assert.deepEqual(noR0, ["DomainRoute r0-shop no-r0 pass", "DomainRoute r1-blog no-r0 fail", "DomainRoute web no-r0 pass"], "published by the new set");
    assert.deepEqual(setup.audit.passes, { judged: 1, reused: 0, superseded: 1 }, "the old set's pass published nothing");
  });

  it("reuses the last results for the pass its own report writes queue, and still puts a hand-edited report back", async () => {
    const { api, audit, holder, kick, start, advance, reportWrites, teamA } = setUp();
    holder.set(teamAShop, ...routes(3));
    start();
    await advance(DEBOUNCE_MS);
    assert.ok(reportWrites() > 0);
    assert.deepEqual(audit.passes, { judged: 1, reused: 0, superseded: 0 });
    // The reports informer's event for the write just made (controller-set.ts kicks on hostgate's reports).
    kick();
    await advance(DEBOUNCE_MS);
    assert.deepEqual(audit.passes, { judged: 1, reused: 1, superseded: 0 });
    assert.equal(reportWrites(), 0);
    // A hand edit of the report is put back without judging again.
    const published = teamA();
    const report = api.server.objects(REPORTS)[0]!;
    api.server.put(REPORTS, { ...report, results: [] } as KubeObject);
    assert.notDeepEqual(teamA(), published);
    kick();
    await advance(DEBOUNCE_MS);
    assert.deepEqual(teamA(), published);
    assert.ok(reportWrites() > 0, "the report was written back");
    assert.deepEqual(audit.passes, { judged: 1, reused: 2, superseded: 0 });
  });

  it("judges again when an object changes, and after the interval over the same snapshot", async () => {
    const { audit, holder, kick, start, advance } = setUp();
    holder.set(teamAShop, ...routes(2));
    start();
    await advance(DEBOUNCE_MS);
    holder.set(teamAShop, ...routes(3));
    await advance(DEBOUNCE_MS);
    assert.deepEqual(audit.passes, { judged: 2, reused: 0, superseded: 0 });
    await advance(INTERVAL_MS);
    kick();
    await advance(DEBOUNCE_MS);
    assert.equal(audit.passes.judged, 3, "the interval's pass judged again");
  });
});
