import { describe, test } from "node:test";
import assert from "node:assert/strict";
import type { ManagedFieldsEntry } from "./managed-fields-upgrade.ts";
import { mayNeedTakeOver, takeOverManagedFields } from "./managed-fields-upgrade.ts";

const ME = "hostgate-reconciler";
const entry = (manager: string, operation: "Apply" | "Update", fieldsV1: Record<string, unknown>): ManagedFieldsEntry => ({
  ...{ manager, operation, apiVersion: "v1", time: "t" },
  ...{ fieldsType: "FieldsV1", fieldsV1 },
});
const label = (name: string) => ({ "f:metadata": { "f:labels": { [`f:${name}`]: {} } } });

describe("taking over the fields hostgate must own before it applies", () => {
  const cases: { name: string; entries: ManagedFieldsEntry[]; result: ManagedFieldsEntry[] | "unchanged" }[] = [
    {
      name: "its create's Update entry becomes its Apply entry",
      entries: [entry(ME, "Update", { "f:spec": { "f:hosts": {} }, ...label("a") })],
      result: [entry(ME, "Apply", { "f:spec": { "f:hosts": {} }, ...label("a") })],
    },
    {
      name: "its Update entry's fields join its existing Apply entry",
      entries: [entry(ME, "Apply", { "f:spec": { "f:hosts": {} } }), entry(ME, "Update", { "f:spec": { "f:tls": {} } })],
      result: [entry(ME, "Apply", { "f:spec": { "f:hosts": {}, "f:tls": {} } })],
    },
    {
      name: "another writer's spec fields move to it; that writer keeps its labels",
      entries: [entry(ME, "Apply", { "f:spec": { "f:hosts": {} } }), entry("kubectl-edit", "Update", { "f:spec": { "f:targetRefs": {} }, ...label("team") })],
      result: [entry("kubectl-edit", "Update", label("team")), entry(ME, "Apply", { "f:spec": { "f:hosts": {}, "f:targetRefs": {} } })],
    },
    {
      name: "a writer left owning nothing is dropped; its status fields would have stayed",
      entries: [entry(ME, "Apply", {}), entry("tool", "Update", { "f:data": { "f:extra": {} } }), entry("istio", "Update", { "f:status": { "f:x": {} } })],
      result: [entry("istio", "Update", { "f:status": { "f:x": {} } }), entry(ME, "Apply", { "f:data": { "f:extra": {} } })],
    },
    {
      name: "nothing moves when others own only metadata and status",
      entries: [entry(ME, "Apply", { "f:spec": {} }), entry("argocd", "Update", label("app"))],
      result: "unchanged",
    },
    {
      name: "nothing moves for an entry without a field set (kept as it is)",
      entries: [entry(ME, "Apply", { "f:spec": {} }), entry("other", "Update", {})],
      result: "unchanged",
    },
  ];
  for (const c of cases) {
    test(c.name, () => {
      const result = takeOverManagedFields(c.entries, ME);
      if (c.result === "unchanged") assert.equal(result, c.entries);
      else assert.deepEqual(result, c.result);
    });
  }

  const needs: { name: string; managers: { manager: string; operation: string }[]; needs: boolean }[] = [
    { name: "only hostgate's Apply entry: nothing to read", managers: [{ manager: ME, operation: "Apply" }], needs: false },
    { name: "hostgate's Update entry (its create)", managers: [{ manager: ME, operation: "Update" }], needs: true },
    {
      name: "another writer's entry",
      managers: [
        { manager: ME, operation: "Apply" },
        { manager: "kubectl-edit", operation: "Update" },
      ],
      needs: true,
    },
  ];
  for (const c of needs) {
    test(`reads the live object first when the cached managers show ${c.name}: ${c.needs}`, () =>
      assert.equal(mayNeedTakeOver({ metadata: { managedFields: c.managers } }, ME), c.needs));
  }
});
