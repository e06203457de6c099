import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { ConfigError } from "./config-error.ts";
import { configYaml } from "./config-fixtures.ts";
import { parsePlatformConfig } from "./load.ts";
import { mergeConfigOverrides } from "./merge.ts";
import type { PlatformConfig } from "./platform-config.ts";

const base = (): PlatformConfig => parsePlatformConfig(configYaml(), "base.yaml");

describe("mergeConfigOverrides", () => {
  const cases: { name: string; overrides: unknown; check: (merged: PlatformConfig) => void }[] = [
    {
      name: "a nested scalar replaces only that key",
      overrides: { protection: { requireOnPublic: false } },
      check: (m) => assert.deepEqual(m.protection, { providers: ["sso"], requireOnPublic: false, identityHeader: "x-app-id" }),
    },
    {
      name: "a list replaces the whole list instead of appending",
      overrides: { protection: { providers: ["okta"] } },
      check: (m) => assert.deepEqual(m.protection.providers, ["okta"]),
    },
    {
      name: "mappings merge at every depth",
      overrides: { loadBalancers: { "alb-in": { dnsName: "internal-2.eu-west-1.elb.amazonaws.com" } } },
      check: (m) => {
        assert.equal(m.loadBalancers["alb-in"].dnsName, "internal-2.eu-west-1.elb.amazonaws.com");
        assert.equal(m.loadBalancers["alb-in"].hostedZoneId, "Z35SXDOTRQ7X7K");
        assert.equal(m.loadBalancers["alb-out"].dnsName, "public-1.us-east-1.elb.amazonaws.com");
      },
    },
    {
      name: "null resets an optional section to its defaults",
      overrides: { externalBackends: null },
      check: (m) => assert.deepEqual(m.externalBackends, { deniedCidrs: [] }),
    },
    {
      name: "no overrides give the base back",
      overrides: undefined,
      check: (m) => assert.equal(m.domains.length, 2),
    },
    {
      name: "an empty mapping changes nothing",
      overrides: {},
      check: (m) => assert.deepEqual(m, base()),
    },
  ];
  for (const c of cases) {
    it(c.name, () => c.check(mergeConfigOverrides(base(), c.overrides)));
  }

  it("leaves the base untouched", () => {
    const original = base();
    const snapshot = structuredClone(original);
    mergeConfigOverrides(original, { protection: { providers: [] }, domains: [{ apex: "example.org", zoneId: "Z9" }] });
    assert.deepEqual(original, snapshot);
  });

  const invalid: { name: string; overrides: unknown; problem: RegExp }[] = [
    {
      name: "an invalid merged config is refused with the path and the overrides' name",
      overrides: { serviceBackends: { allowCrossNamespace: "yes" } },
      problem: /^case 7 config: serviceBackends\.allowCrossNamespace: is "yes", must be a boolean/,
    },
    {
      name: "a misspelt override key is refused rather than silently ignored",
      overrides: { protection: { requireOnPublik: false } },
      problem: /^case 7 config: protection\.requireOnPublik: unknown key; did you mean "requireOnPublic"\?/,
    },
    {
      name: "overrides that are not a mapping are refused",
      overrides: ["protection"],
      problem: /^case 7 config: overrides must be a mapping of config keys .*found a list$/,
    },
  ];
  for (const c of invalid) {
    it(c.name, () => {
      assert.throws(
        () => mergeConfigOverrides(base(), c.overrides, "case 7 config"),
        (e: unknown) => e instanceof ConfigError && c.problem.test(e.problems[0]),
      );
    });
  }
});
