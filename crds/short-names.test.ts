import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { CRD_DIRECTORY, readCrds } from "./catalog.ts";
import { TAKEN_SHORT_NAMES } from "./taken-short-names.ts";

describe("hostgate's short names", () => {
  const crds = readCrds(CRD_DIRECTORY).map((l) => l.crd);
  for (const crd of crds) {
    for (const shortName of crd.spec.names.shortNames ?? []) {
      it(`${shortName} (${crd.spec.names.kind}) is not a short name another common project declares`, () => {
        const owners = Object.entries(TAKEN_SHORT_NAMES)
          .filter(([, names]) => names.includes(shortName))
          .map(([project]) => project);
        assert.deepEqual(owners, [], `${shortName} is already ${owners.join(", ")}'s: kubectl would resolve it to one of them only`);
      });
    }
  }

  it("are unique among hostgate's own CRDs", () => {
    const all = crds.flatMap((c) => c.spec.names.shortNames ?? []);
    assert.deepEqual(all, [...new Set(all)]);
  });

  it("include DomainRoute's, so the check above has something to check", () => {
    assert.ok((crds.find((c) => c.spec.names.kind === "DomainRoute")?.spec.names.shortNames ?? []).length > 0);
  });
});
