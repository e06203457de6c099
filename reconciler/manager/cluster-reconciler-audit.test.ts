// What the reconciler's background audit is started with on a real cluster
// (cluster-reconciler.ts auditOf): nothing unless audit.reports, else the
// webhook's policy set and the config's interval.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { ReconcilerSettings } from "../../core/cli/serve-component.ts";
import { makePolicySet } from "../../policies/engine/module-loader.ts";
import { poolConfig } from "../edge/testing/pool-config.ts";
import { auditOf } from "./cluster-reconciler.ts";

const base = poolConfig({}, "none");
const settings = (audit: { reports: boolean; interval: string; maxObjects?: number }, policies?: ReconcilerSettings["policies"]): ReconcilerSettings => ({
  config: { ...base, audit },
  leaseNamespace: "hostgate-system",
  leaseName: "hostgate-reconciler",
  holderId: "pod-a",
  ...(policies === undefined ? {} : { policies }),
});

describe("auditOf", () => {
  const set = makePolicySet([]);
  const cases = [
    { name: "is off when audit.reports is false, whatever set is passed", given: settings({ reports: false, interval: "1h" }, set), want: {} },
    {
      name: "judges by the files' set, every interval, when audit.reports is true",
      given: settings({ reports: true, interval: "30m" }, set),
      want: { audit: { policies: set, intervalMs: 30 * 60_000 } },
    },
    {
      name: "judges by the cluster's PolicyModules when serve passes cluster",
      given: settings({ reports: true, interval: "1h" }, "cluster"),
      want: { audit: { policies: "cluster", intervalMs: 3_600_000 } },
    },
    {
      name: "holds at most the config's audit.maxObjects existing objects",
      given: settings({ reports: true, interval: "1h", maxObjects: 120_000 }, set),
      want: { audit: { policies: set, intervalMs: 3_600_000, maxObjects: 120_000 } },
    },
  ];
  for (const { name, given, want } of cases) it(name, () => assert.deepEqual(auditOf(given), want));

  it("refuses audit.reports without a policy set, naming both", () => {
    assert.throws(() => auditOf(settings({ reports: true, interval: "1h" })), /audit\.reports is on, but the reconciler was started without the policy set/);
  });
});
