import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { CrdManifest } from "./catalog.ts";
import { CRD_DIRECTORY, readCrds } from "./catalog.ts";
import { crdSpecProblems } from "./crd-spec.ts";

function crd(change: (c: CrdManifest) => void = () => {}): CrdManifest {
  const c: CrdManifest = {
    apiVersion: "apiextensions.k8s.io/v1",
    kind: "CustomResourceDefinition",
    metadata: { name: "widgets.example.com" },
    spec: {
      group: "example.com",
      scope: "Namespaced",
      names: { kind: "Widget", listKind: "WidgetList", plural: "widgets", singular: "widget", shortNames: ["wd"], categories: ["things"] },
      versions: [{ name: "v1", served: true, storage: true, schema: { openAPIV3Schema: { type: "object" } } }],
    },
  };
  change(c);
  return c;
}

describe("crdSpecProblems", () => {
  for (const { crd: shipped } of readCrds(CRD_DIRECTORY)) {
    it(`finds nothing wrong with the shipped ${shipped.spec.names.kind} CRD`, () => {
      assert.deepEqual(crdSpecProblems(shipped), []);
    });
  }

  const cases: { name: string; crd: CrdManifest; problem: string }[] = [
    {
      name: "a name other than plural.group is rejected",
      crd: crd((c) => (c.metadata.name = "widget.example.com")),
      problem: 'metadata.name: Invalid value: "widget.example.com": must be spec.names.plural+"."+spec.group',
    },
    {
      name: "a group without a dot is rejected",
      crd: crd((c) => {
        c.spec.group = "example";
        c.metadata.name = "widgets.example";
      }),
      problem: 'spec.group: Invalid value: "example": should be a domain with at least one dot',
    },
    {
      name: "an uppercase plural is rejected",
      crd: crd((c) => {
        c.spec.names.plural = "Widgets";
        c.metadata.name = "Widgets.example.com";
      }),
      problem: 'spec.names.plural: Invalid value: "Widgets": must be a lowercase DNS-1035 label',
    },
    {
      name: "a listKind equal to the kind is rejected",
      crd: crd((c) => (c.spec.names.listKind = "Widget")),
      problem: 'spec.names.listKind: Invalid value: "Widget": kind and listKind may not be the same',
    },
    {
      name: "a short name that is not a DNS label is rejected",
      crd: crd((c) => (c.spec.names.shortNames = ["w_d"])),
      problem: 'spec.names.shortNames[0]: Invalid value: "w_d": must be a DNS-1035 label',
    },
    {
      name: "two storage versions are rejected",
      crd: crd((c) => c.spec.versions.push({ name: "v2", served: true, storage: true, schema: { openAPIV3Schema: { type: "object" } } })),
      problem: "spec.versions: Invalid value: must have exactly one version marked as storage version",
    },
    {
      name: "a version without a schema is rejected",
      crd: crd((c) => delete c.spec.versions[0]!.schema),
      problem: "spec.versions[0].schema.openAPIV3Schema: Required value: schemas are required",
    },
    {
      name: "an unknown scope is rejected",
      crd: crd((c) => (c.spec.scope = "Regional" as never)),
      problem: 'spec.scope: Unsupported value: "Regional": supported values: "Cluster", "Namespaced"',
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      assert.ok(crdSpecProblems(c.crd).includes(c.problem), crdSpecProblems(c.crd).join("\n"));
    });
  }

  it("finds nothing wrong with a well-formed CRD", () => {
    assert.deepEqual(crdSpecProblems(crd()), []);
  });
});
