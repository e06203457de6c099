import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { formatObjectRef, objectRef } from "./object-ref.ts";

describe("objectRef", () => {
  const cases: { name: string; object: unknown; ref: ReturnType<typeof objectRef>; text: string }[] = [
    {
      name: "a namespaced object keeps its namespace",
      object: { apiVersion: "hostgate.dev/v1alpha1", kind: "DomainRoute", metadata: { name: "web", namespace: "team-a" } },
      ref: { apiVersion: "hostgate.dev/v1alpha1", kind: "DomainRoute", namespace: "team-a", name: "web" },
      text: "DomainRoute team-a/web",
    },
    {
      name: "a cluster-scoped object has no namespace key",
      object: { apiVersion: "hostgate.dev/v1alpha1", kind: "HostnameGrant", metadata: { name: "team-a" } },
      ref: { apiVersion: "hostgate.dev/v1alpha1", kind: "HostnameGrant", name: "team-a" },
      text: "HostnameGrant team-a",
    },
    {
      name: "generateName stands in for a missing name",
      object: { apiVersion: "v1", kind: "Pod", metadata: { generateName: "web-" } },
      ref: { apiVersion: "v1", kind: "Pod", name: "web-" },
      text: "Pod web-",
    },
    {
      name: "junk gives empty fields instead of throwing",
      object: "nonsense",
      ref: { apiVersion: "", kind: "", name: "" },
      text: "<no kind> <no name>",
    },
    {
      name: "wrongly typed fields are ignored",
      object: { apiVersion: 1, kind: "X", metadata: { name: ["a"], namespace: 3 } },
      ref: { apiVersion: "", kind: "X", name: "" },
      text: "X <no name>",
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      assert.deepEqual(objectRef(c.object), c.ref);
      assert.equal(formatObjectRef(objectRef(c.object)), c.text);
    });
  }
});
