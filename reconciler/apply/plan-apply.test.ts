import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { canonicalJson, contains, planApply, withAppliedHash } from "./plan-apply.ts";
import type { KubeObject } from "../../core/kube/object-key.ts";

const gateway = (name: string, hosts: string[], extra: Record<string, unknown> = {}): KubeObject =>
  withAppliedHash({
    apiVersion: "networking.istio.io/v1",
    kind: "Gateway",
    metadata: { name, namespace: "istio-system", labels: { "app.kubernetes.io/managed-by": "hostgate" } },
    spec: { selector: { istio: "ingressgateway" }, servers: [{ hosts, port: { number: 80, name: "http", protocol: "HTTP" } }], ...extra },
  });
/** What the API server returns for an applied object: server metadata added. */
const stored = (o: KubeObject, patch: (o: KubeObject) => void = () => {}): KubeObject => {
  const copy = structuredClone(o);
  copy.metadata = { ...copy.metadata, uid: "u", resourceVersion: "7", generation: 1 };
  patch(copy);
  return copy;
};

describe("planning applies and prunes", () => {
  const a = gateway("a", ["a.example.com"]);
  const b = gateway("b", ["b.example.com"]);
  const cases: { name: string; desired: KubeObject[]; current: KubeObject[]; apply: string[]; prune: string[] }[] = [
    { name: "missing objects are applied", desired: [a, b], current: [], apply: ["a", "b"], prune: [] },
    { name: "objects as rendered plan nothing (a second reconcile writes nothing)", desired: [a, b], current: [stored(a), stored(b)], apply: [], prune: [] },
    {
      name: "a hand edit of a field we own is reverted",
      desired: [a],
      current: [stored(a, (o) => ((o.spec as { servers: unknown[] }).servers = []))],
      apply: ["a"],
      prune: [],
    },
    {
      name: "a label someone else added is left alone",
      desired: [a],
      current: [stored(a, (o) => ((o.metadata!.labels as Record<string, string>).team = "x"))],
      apply: [],
      prune: [],
    },
    {
      name: "a field we set before and no longer render is caught by the hash",
      desired: [a],
      current: [stored(gateway("a", ["a.example.com"], { extra: true }))],
      apply: ["a"],
      prune: [],
    },
    { name: "objects of ours no longer rendered are pruned", desired: [a], current: [stored(a), stored(b)], apply: [], prune: ["b"] },
  ];
  for (const c of cases) {
    test(c.name, () => {
      const plan = planApply(c.desired, c.current);
      assert.deepEqual(
        plan.apply.map((o) => o.metadata?.name),
        c.apply,
      );
      assert.deepEqual(
        plan.prune.map((o) => o.metadata?.name),
        c.prune,
      );
    });
  }

  test("the hash does not depend on key order", () => {
    const x = withAppliedHash({ apiVersion: "v1", kind: "ConfigMap", metadata: { name: "x" }, data: { a: "1", b: "2" } });
    const y = withAppliedHash({ kind: "ConfigMap", apiVersion: "v1", data: { b: "2", a: "1" }, metadata: { name: "x" } });
    assert.equal(canonicalJson(x), canonicalJson(y));
  });

  test("containment compares lists whole and maps key by key", () => {
    assert.ok(contains({ a: 1, b: [1, 2], extra: true }, { a: 1, b: [1, 2] }));
    assert.ok(!contains({ a: 1, b: [1, 2, 3] }, { b: [1, 2] }));
    assert.ok(!contains({ b: [{ x: 1, y: 2 }] }, { b: [{ x: 1 }] }), "list items must be equal, not merely contain");
  });
});
