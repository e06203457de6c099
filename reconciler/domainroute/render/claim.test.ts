import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { loadCrdCatalog } from "../../../crds/catalog.ts";
import { checkCustomResource } from "../../../policies/schema/check.ts";
import { renderClaim } from "./claim.ts";
import { LONGEST_DOMAIN } from "./testing/render-cases.ts";
import { aRoute, DEFAULT_UID } from "./testing/route-builder.ts";

function crdCheck(claim: unknown) {
  const entry = loadCrdCatalog().lookup("hostgate.dev/v1alpha1", "DomainClaim");
  assert.ok(entry, "the DomainClaim CRD is missing from crds/");
  return checkCustomResource(entry, claim, { operation: "CREATE" });
}

describe("renderClaim", () => {
  it("names the cluster-scoped claim after the domain and records the owning route", () => {
    assert.deepEqual(renderClaim(aRoute().named("shop", "team-a").domain("shop.example.com").build()), {
      apiVersion: "hostgate.dev/v1alpha1",
      kind: "DomainClaim",
      metadata: { name: "shop.example.com", labels: { "app.kubernetes.io/managed-by": "hostgate" } },
      spec: { domain: "shop.example.com", owner: { namespace: "team-a", name: "shop", uid: DEFAULT_UID } },
    });
  });

  for (const domain of ["shop.example.com", LONGEST_DOMAIN]) {
    it(`passes the DomainClaim CRD's schema and rules, with no field pruned, for a ${domain.length}-character domain`, () => {
      const result = crdCheck(renderClaim(aRoute().domain(domain).build()));
      assert.deepEqual(result.violations, []);
      assert.deepEqual(result.prunedFields, []);
    });
  }

  it("is refused by the CRD when the route has no uid, which is why renderRoute reports that", () => {
    const result = crdCheck(renderClaim(aRoute().uid(undefined).build()));
    assert.ok(
      result.violations.some((v) => v.field === "spec.owner.uid"),
      JSON.stringify(result.violations),
    );
  });
});
