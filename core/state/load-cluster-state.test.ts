import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { stringify } from "yaml";
import { ManifestError } from "../objects/manifest.ts";
import { loadClusterState } from "./load-cluster-state.ts";
import { grant, route } from "./state-fixtures.ts";

describe("loadClusterState", () => {
  const dir = mkdtempSync(join(tmpdir(), "hostgate-state-"));
  after(() => rmSync(dir, { recursive: true, force: true }));
  writeFileSync(join(dir, "grants.yaml"), stringify(grant({ name: "g", namespaces: ["team-a"], hostnames: ["a.example.com"] })));
  writeFileSync(
    join(dir, "routes.yaml"),
    [route({ name: "web", domain: "a.example.com" }), { apiVersion: "v1", kind: "Service", metadata: { name: "web", namespace: "team-a" } }]
      .map((o) => stringify(o))
      .join("---\n"),
  );

  it("indexes the grants and routes of a folder and ignores other objects", async () => {
    const index = await loadClusterState(dir);
    assert.deepEqual(index.counts(), { hostnameGrants: 1, domainRoutes: 1, domains: 1, appIds: 0, grantedNamespaces: 1 });
  });

  it("accepts a list of files", async () => {
    const index = await loadClusterState([join(dir, "routes.yaml")]);
    assert.equal(index.counts().domainRoutes, 1);
    assert.equal(index.counts().hostnameGrants, 0);
  });

  it("reports a missing folder as a ManifestError, not a crash", async () => {
    await assert.rejects(loadClusterState(join(dir, "nope")), (e: unknown) => e instanceof ManifestError && /nope: not found/.test(e.message));
  });
});
