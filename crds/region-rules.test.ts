// The CRD rules of regions, as the API server (and `hostgate check`, which
// runs the same schema step) applies them: a RegionPolicy is named default
// and pairs RegionBound with a source region; a DomainRoute's spec.dns.mode
// and spec.dns.sourceRegion pair the same way. Whether the region exists is
// the webhook's policy (region-known), not the CRD's.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { MAX_REGIONS } from "../core/config/schema.ts";
import { checkCustomResource } from "../policies/schema/check.ts";
import { loadCrdCatalog } from "./catalog.ts";

const catalog = loadCrdCatalog();
const policyEntry = catalog.lookup("hostgate.dev/v1alpha1", "RegionPolicy")!;
const routeEntry = catalog.lookup("hostgate.dev/v1alpha1", "DomainRoute")!;

// A rule's value is shown as the type of the object it sits on, as the API server does.
const NAME = 'metadata.name: Invalid value: "object": a RegionPolicy must be named default';
/** The API server skips CEL rules on an object that failed the rest of the schema, and says so. */
const RULES_SKIPPED = '<nil>: Invalid value: "null": some validation rules were not checked because the object was invalid';
const POLICY_NEEDS_SOURCE = "spec.sourceRegion: Required value: spec.mode is RegionBound, so spec.sourceRegion is required";
const POLICY_SOURCE_ALONE = "spec.sourceRegion: Forbidden: spec.sourceRegion is only used with spec.mode RegionBound";
const ROUTE_NEEDS_SOURCE = "spec.dns.sourceRegion: Required value: spec.dns.mode is RegionBound, so spec.dns.sourceRegion is required";
const ROUTE_SOURCE_ALONE = "spec.dns.sourceRegion: Forbidden: spec.dns.sourceRegion is only used with spec.dns.mode RegionBound";

function policy(name: string, spec: Record<string, unknown>): Record<string, unknown> {
  return { apiVersion: "hostgate.dev/v1alpha1", kind: "RegionPolicy", metadata: { name, namespace: "shop" }, spec };
}

function route(dns: Record<string, unknown>): Record<string, unknown> {
  return {
    apiVersion: "hostgate.dev/v1alpha1",
    kind: "DomainRoute",
    metadata: { name: "web", namespace: "shop" },
    spec: { domain: "shop.example.com", lb: "alb-in", backend: { service: { name: "web", port: 8080 } }, dns },
  };
}

/** Each message's start: the rule messages continue with how to fix. */
function starts(messages: readonly string[], expected: readonly string[]): void {
  assert.equal(messages.length, expected.length, messages.join("\n"));
  for (const [i, prefix] of expected.entries()) assert.ok(messages[i]!.startsWith(prefix), `${messages[i]}\ndoes not start with\n${prefix}`);
}

describe("the RegionPolicy CRD", () => {
  const cases: { name: string; object: Record<string, unknown>; messages: string[] }[] = [
    { name: "an Active policy named default is accepted", object: policy("default", { mode: "Active" }), messages: [] },
    { name: "a RegionBound policy with its source region is accepted", object: policy("default", { mode: "RegionBound", sourceRegion: "weu" }), messages: [] },
    { name: "a policy named otherwise is refused, saying it must be default", object: policy("eu-only", { mode: "Active" }), messages: [NAME] },
    { name: "RegionBound without a source region is refused", object: policy("default", { mode: "RegionBound" }), messages: [POLICY_NEEDS_SOURCE] },
    { name: "Active with a source region is refused", object: policy("default", { mode: "Active", sourceRegion: "weu" }), messages: [POLICY_SOURCE_ALONE] },
    { name: "a policy without a mode is refused", object: policy("default", {}), messages: ["spec.mode: Required value", RULES_SKIPPED] },
    {
      name: "an unknown mode is refused",
      object: policy("default", { mode: "Passive" }),
      messages: ['spec.mode: Unsupported value: "Passive"', RULES_SKIPPED],
    },
    {
      name: "a source region that is not a DNS label is refused",
      object: policy("default", { mode: "RegionBound", sourceRegion: "West_EU" }),
      messages: ['spec.sourceRegion: Invalid value: "West_EU": spec.sourceRegion in body should match'],
    },
  ];
  for (const c of cases) {
    it(c.name, () =>
      starts(
        checkCustomResource(policyEntry, c.object, { operation: "CREATE" }).violations.map((v) => v.message),
        c.messages,
      ),
    );
  }
});

describe("a DomainRoute's spec.dns mode and source region", () => {
  const cases: { name: string; dns: Record<string, unknown>; messages: string[] }[] = [
    { name: "neither is accepted (the namespace's policy applies)", dns: {}, messages: [] },
    { name: "Active alone is accepted", dns: { mode: "Active" }, messages: [] },
    { name: "RegionBound with a source region is accepted", dns: { mode: "RegionBound", sourceRegion: "neu" }, messages: [] },
    { name: "RegionBound without a source region is refused", dns: { mode: "RegionBound" }, messages: [ROUTE_NEEDS_SOURCE] },
    { name: "a source region without a mode is refused", dns: { sourceRegion: "neu" }, messages: [ROUTE_SOURCE_ALONE] },
    { name: "a source region with Active is refused", dns: { mode: "Active", sourceRegion: "neu" }, messages: [ROUTE_SOURCE_ALONE] },
    { name: "an unknown mode is refused", dns: { mode: "Everywhere" }, messages: ['spec.dns.mode: Unsupported value: "Everywhere"', RULES_SKIPPED] },
  ];
  for (const c of cases) {
    it(c.name, () =>
      starts(
        checkCustomResource(routeEntry, route(c.dns), { operation: "CREATE" }).violations.map((v) => v.message),
        c.messages,
      ),
    );
  }
});

describe("a DomainRoute's status.dns", () => {
  it("holds two records (A and AAAA) for every region the platform config allows, or the status write would be refused", () => {
    const dns = routeEntry.schema.properties!.status!.properties!.dns!;
    assert.ok(dns.maxItems! >= 2 * MAX_REGIONS, `maxItems ${dns.maxItems} < 2 × ${MAX_REGIONS}`);
  });
});
