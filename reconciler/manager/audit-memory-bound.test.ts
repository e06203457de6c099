// The reconciler's background audit within its memory: the held objects are
// bounded by the platform config's audit.maxObjects (and the dropped reason
// names that setting, the one an operator can change), and dropped when the
// heap passes the audit's own guard, below the share the rest of the
// reconciler would need, so the audit cannot take the reconciler down.
import assert from "node:assert/strict";
import { afterEach, describe, it } from "node:test";
import { DEFAULT_HEAP_FRACTION, HeapGuard } from "../../core/memory/heap-guard.ts";
import type { HeapReading } from "../../core/memory/heap-guard.ts";
import type { KubeObject } from "../../core/kube/object-key.ts";
import { FakeKubeApi } from "../../core/kube/testing/fake-kube-api.ts";
import { makePolicySet } from "../../policies/engine/module-loader.ts";
import { poolConfig } from "../edge/testing/pool-config.ts";
import { DOMAIN_ROUTES } from "../resources.ts";
import { AUDIT_HEAP_FRACTION } from "./reconciler-manager.ts";
import type { ReconcilerManager } from "./reconciler-manager.ts";
import { eventually } from "./testing/eventually.ts";
import { startQuickManager } from "./testing/quick-manager.ts";

const config = poolConfig({}, "none");
const running: ReconcilerManager[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((m) => m.stop()));
});

function route(name: string): KubeObject {
  return {
    apiVersion: "hostgate.dev/v1alpha1",
    kind: "DomainRoute",
    metadata: { name, namespace: "team-a" },
    spec: { domain: `${name}.example.com`, lb: "alb-out", routing: { mode: "External" } },
  };
}

/** A guard whose heap reading and full collections the test decides. */
function fakeGuard(): { guard: HeapGuard; collect: (reading: HeapReading) => void } {
  let reading: HeapReading = { usedBytes: 10, limitBytes: 100 };
  let afterGc: () => void = () => {};
  const guard = new HeapGuard({
    fraction: AUDIT_HEAP_FRACTION,
    read: () => reading,
    afterFullGc: (listener) => {
      afterGc = listener;
      return () => {};
    },
  });
  guard.start();
  return {
    guard,
    collect: (next) => {
      reading = next;
      afterGc();
    },
  };
}

const dropped = (manager: ReconcilerManager) =>
  manager
    .auditViolations()!
    .unjudged()
    .filter((k) => k.state === "dropped");

describe("the background audit's memory bound", () => {
  it("names audit.maxObjects in the platform config when the objects are over the bound", async () => {
    const api = new FakeKubeApi();
    await api.create(DOMAIN_ROUTES, route("one"));
    await api.create(DOMAIN_ROUTES, route("two"));
    const manager = startQuickManager(api, config, running, { audit: { policies: makePolicySet([]), debounceMs: 10, maxObjects: 1 } });
    await eventually("the audit's objects were dropped", () => dropped(manager).length > 0);
    const reason = dropped(manager)[0]!.reason;
    assert.match(reason, /over the limit of 1 existing objects \(audit\.maxObjects in the platform config\)/);
    assert.doesNotMatch(reason, /audit bound/, "no setting is called that");
  });

  it("drops the held objects when the heap passes the audit's guard, and publishes nothing", async () => {
    const api = new FakeKubeApi();
    await api.create(DOMAIN_ROUTES, route("one"));
    const { guard, collect } = fakeGuard();
    const manager = startQuickManager(api, config, running, { audit: { policies: makePolicySet([]), debounceMs: 10, heapGuard: guard } });
    await eventually("the audit published (nothing unjudged)", () => manager.totals()["audit-reports"]?.reconciles !== undefined);
    assert.deepEqual(dropped(manager), []);
    collect({ usedBytes: 61, limitBytes: 100 });
    await eventually("the audit's objects were dropped", () => dropped(manager).length > 0);
    assert.match(dropped(manager)[0]!.reason, /heap passed 60% of its limit.*lower audit\.maxObjects in the platform config/);
    guard.stop();
  });

  it("guards below the share the rest of the process is given", () => {
    assert.ok(AUDIT_HEAP_FRACTION < DEFAULT_HEAP_FRACTION);
  });
});
