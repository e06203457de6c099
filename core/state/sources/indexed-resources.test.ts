import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { loadCrdCatalog } from "../../../crds/catalog.ts";
import { INDEXED_RESOURCES } from "./indexed-resources.ts";

describe("INDEXED_RESOURCES", () => {
  for (const resource of INDEXED_RESOURCES) {
    it(`${resource.resource} names a served version, plural, kind and scope of the shipped CRD`, () => {
      const entry = loadCrdCatalog().lookup(`${resource.group}/${resource.version}`, resource.kind);
      assert.ok(entry, `no CRD serves ${resource.group}/${resource.version} ${resource.kind}`);
      assert.equal(entry.plural, resource.resource);
      assert.equal(entry.scope, resource.namespaced ? "Namespaced" : "Cluster");
    });
  }

  it("covers every kind the cluster index reads", () => {
    assert.deepEqual(INDEXED_RESOURCES.map((r) => r.kind).sort(), ["DomainRoute", "HostnameGrant"]);
  });
});
