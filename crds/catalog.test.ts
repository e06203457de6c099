import assert from "node:assert/strict";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { loadCrdCatalog } from "./catalog.ts";

describe("loadCrdCatalog", () => {
  const catalog = loadCrdCatalog();

  const lookups: { name: string; groupOrApiVersion: string; kind: string; expect: { plural: string; scope: string; version: string } | undefined }[] = [
    {
      name: "finds DomainRoute by apiVersion",
      groupOrApiVersion: "hostgate.dev/v1alpha1",
      kind: "DomainRoute",
      expect: { plural: "domainroutes", scope: "Namespaced", version: "v1alpha1" },
    },
    {
      name: "finds HostnameGrant by group",
      groupOrApiVersion: "hostgate.dev",
      kind: "HostnameGrant",
      expect: { plural: "hostnamegrants", scope: "Cluster", version: "v1alpha1" },
    },
    {
      name: "finds DomainClaim by apiVersion",
      groupOrApiVersion: "hostgate.dev/v1alpha1",
      kind: "DomainClaim",
      expect: { plural: "domainclaims", scope: "Cluster", version: "v1alpha1" },
    },
    {
      name: "finds RegionPolicy by apiVersion",
      groupOrApiVersion: "hostgate.dev/v1alpha1",
      kind: "RegionPolicy",
      expect: { plural: "regionpolicies", scope: "Namespaced", version: "v1alpha1" },
    },
    {
      name: "finds PolicyModule, cluster-scoped, by apiVersion",
      groupOrApiVersion: "hostgate.dev/v1alpha1",
      kind: "PolicyModule",
      expect: { plural: "policymodules", scope: "Cluster", version: "v1alpha1" },
    },
    { name: "knows nothing of a version that is not served", groupOrApiVersion: "hostgate.dev/v1", kind: "DomainRoute", expect: undefined },
    { name: "knows nothing of other groups", groupOrApiVersion: "networking.istio.io/v1", kind: "VirtualService", expect: undefined },
    { name: "knows nothing of core kinds", groupOrApiVersion: "v1", kind: "Service", expect: undefined },
    { name: "matches kinds case-sensitively, as the API server does", groupOrApiVersion: "hostgate.dev/v1alpha1", kind: "domainroute", expect: undefined },
  ];
  for (const c of lookups) {
    it(c.name, () => {
      const entry = catalog.lookup(c.groupOrApiVersion, c.kind);
      assert.deepEqual(entry === undefined ? undefined : { plural: entry.plural, scope: entry.scope, version: entry.version }, c.expect);
    });
  }

  it("gives each entry its schema, CRD and collected rules", () => {
    const entry = catalog.lookup("hostgate.dev/v1alpha1", "DomainRoute")!;
    assert.equal(entry.crd.metadata.name, "domainroutes.hostgate.dev");
    assert.equal(entry.schema, entry.crd.spec.versions[0]!.schema!.openAPIV3Schema);
    assert.equal(entry.hasStatusSubresource, true);
    assert.deepEqual(
      entry.validations.map((v) => [v.dataPath, v.transition]),
      [
        ["spec", false],
        ["spec", false],
        ["spec", false],
        ["spec.domain", true],
        ["spec.dns", false],
        ["spec.dns", false],
        ["spec.observability.errorRate.threshold", false],
        ["spec.observability.errorRate.window", false],
        ["spec.observability.errorRate.window", false],
      ],
    );
  });

  it("loads a folder once and returns the same catalog afterwards", () => {
    assert.equal(loadCrdCatalog(), catalog);
  });

  it("prefers the storage version when looked up by group, and serves every served version", () => {
    const dir = mkdtempSync(join(tmpdir(), "hostgate-crds-"));
    const version = (name: string, storage: boolean, served = true) => `
    - name: ${name}
      served: ${served}
      storage: ${storage}
      schema:
        openAPIV3Schema:
          type: object`;
    writeFileSync(
      join(dir, "widgets.yaml"),
      `apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: widgets.example.com
spec:
  group: example.com
  scope: Namespaced
  names: {kind: Widget, plural: widgets}
  versions:${version("v1beta1", false)}${version("v1", true)}${version("v0", false, false)}
---
apiVersion: v1
kind: ConfigMap
metadata: {name: not-a-crd}
`,
    );
    const custom = loadCrdCatalog(dir);
    assert.equal(custom.lookup("example.com", "Widget")?.version, "v1");
    assert.equal(custom.lookup("example.com/v1beta1", "Widget")?.version, "v1beta1");
    assert.equal(custom.lookup("example.com/v0", "Widget"), undefined);
    assert.equal(custom.entries().length, 2);
    assert.equal(custom.crds().length, 1);
  });

  it("names the file when a manifest is not valid YAML", () => {
    const dir = mkdtempSync(join(tmpdir(), "hostgate-crds-"));
    writeFileSync(join(dir, "broken.yaml"), "spec: [unclosed\n");
    assert.throws(() => loadCrdCatalog(dir), /broken\.yaml: not valid YAML: .*fix the manifest so it parses/);
  });
});
