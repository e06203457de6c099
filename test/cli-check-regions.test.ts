// `hostgate check` on regions' objects (RegionPolicy, a DomainRoute's
// spec.dns.mode) answers as the cluster would: the CRD's rules as the API
// server applies them, then the webhook's policy region-known against the
// platform's regions; and the webhook alone gives the same policy answer.
import assert from "node:assert/strict";
import { join } from "node:path";
import { describe, test } from "node:test";
import { loadEnvironment } from "../core/environment.ts";
import { BUILTIN_POLICIES } from "../core/cli/paths.ts";
import { loadPolicySet } from "../policies/engine/module-loader.ts";
import { decide } from "../policies/verdict.ts";
import { ENDPOINT_PHASES } from "../webhook/admission-app.ts";
import { REVIEWED_KINDS } from "../webhook/metrics.ts";
import { caseInput } from "../policies/testing/run-suites.ts";
import { domainRoute, entriesOf, EXAMPLES, hostgate, LIBRARY, tempDir, writeYaml } from "./fixtures.ts";

const REGIONS = join(EXAMPLES, "regions");
const WEU = join(REGIONS, "platform-config-weu.yaml");
const NEU = join(REGIONS, "platform-config-neu.yaml");

function regionPolicy(namespace: string, spec: Record<string, unknown>, name = "default"): Record<string, unknown> {
  return { apiVersion: "hostgate.dev/v1alpha1", kind: "RegionPolicy", metadata: { name, namespace }, spec };
}

describe("hostgate check on the two-region examples", () => {
  for (const [region, config] of [
    ["weu", WEU],
    ["neu", NEU],
  ]) {
    test(`admits every object under ${region}'s config`, async () => {
      const result = await hostgate("check", "--config", config, "-f", REGIONS);
      assert.equal(result.exitCode, 0, result.stdout + result.stderr);
      assert.match(result.stdout, /^5 objects: 5 allowed, 0 denied$/m);
    });
  }

  test("refuses the RegionBound ones under a config without regions, at the field each kind sets", async () => {
    const entries = entriesOf(await hostgate("check", "-f", REGIONS, "-o", "json"));
    const denied = entries.filter((e) => !e.allowed).map((e) => [e.kind, e.namespace, e.denials.map((d) => [d.policy, d.field])]);
    assert.deepEqual(denied, [
      ["RegionPolicy", "marketing", [["region-known", "spec.mode"]]],
      ["DomainRoute", "team-a", [["region-known", "spec.dns.mode"]]],
    ]);
  });
});

describe("hostgate check on RegionPolicies and route modes", () => {
  const dir = tempDir("check-regions");
  const cases: { name: string; object: Record<string, unknown>; denials: [string, string, RegExp][] }[] = [
    {
      name: "a RegionBound policy naming a listed region is allowed",
      object: regionPolicy("team-a", { mode: "RegionBound", sourceRegion: "neu" }),
      denials: [],
    },
    {
      name: "a policy named other than default is refused by the CRD, as the API server would",
      object: regionPolicy("team-a", { mode: "Active" }, "eu-only"),
      denials: [["crd-schema", "metadata.name", /^metadata\.name: Invalid value: "object": a RegionPolicy must be named default/]],
    },
    {
      name: "a RegionBound policy without a source region is refused by the CRD",
      object: regionPolicy("team-a", { mode: "RegionBound" }),
      denials: [["crd-schema", "spec.sourceRegion", /^spec\.sourceRegion: Required value: spec\.mode is RegionBound, so spec\.sourceRegion is required/]],
    },
    {
      name: "a policy naming a region the platform does not list is refused by the webhook, naming the listed ones",
      object: regionPolicy("team-a", { mode: "RegionBound", sourceRegion: "seu" }),
      denials: [["region-known", "spec.sourceRegion", /^spec\.sourceRegion seu is not one of the regions the platform lists \(weu, neu\)/]],
    },
    {
      name: "a route naming a region the platform does not list is refused by the webhook",
      object: domainRoute({ name: "eu", spec: { dns: { mode: "RegionBound", sourceRegion: "seu" } } }),
      denials: [["region-known", "spec.dns.sourceRegion", /^spec\.dns\.sourceRegion seu is not one of the regions the platform lists \(weu, neu\)/]],
    },
    {
      name: "a route with a source region but no mode is refused by the CRD",
      object: domainRoute({ name: "eu", spec: { dns: { sourceRegion: "weu" } } }),
      denials: [
        ["crd-schema", "spec.dns.sourceRegion", /^spec\.dns\.sourceRegion: Forbidden: spec\.dns\.sourceRegion is only used with spec\.dns\.mode RegionBound/],
      ],
    },
    {
      // No HostnameGrant covers it either (check runs without cluster state), so hostname-granted refuses it too.
      name: "a route at this cluster's gateway hostname is refused by the webhook, naming the load balancer whose record it is",
      object: domainRoute({ name: "gw", spec: { domain: "aks01-weu-public.example.com" } }),
      denials: [
        [
          "gateway-hostname-reserved",
          "spec.domain",
          /^spec\.domain aks01-weu-public\.example\.com is the platform's gateway hostname of load balancer alb-out \(loadBalancers\.alb-out\.gatewayHostname/,
        ],
        ["hostname-granted", "spec.domain", /aks01-weu-public\.example\.com, which is not granted to namespace team-a/],
      ],
    },
  ];
  for (const [i, c] of cases.entries()) {
    test(c.name, async () => {
      const file = writeYaml(dir, `case-${i}.yaml`, c.object);
      const result = await hostgate("check", "--config", WEU, "-f", file, "-o", "json");
      const [entry] = entriesOf(result);
      assert.equal(result.exitCode, c.denials.length === 0 ? 0 : 1, result.stdout + result.stderr);
      assert.deepEqual(
        entry!.denials.map((d) => [d.policy, d.field]),
        c.denials.map(([policy, field]) => [policy, field]),
      );
      for (const [j, [, , message]] of c.denials.entries()) assert.match(entry!.denials[j]!.message, message);
    });
  }
});

describe("the webhook's validating endpoint", () => {
  test("refuses an unknown source region with the same policy, field and message as check", async () => {
    const environment = await loadEnvironment({ config: WEU, policies: [BUILTIN_POLICIES], state: join(EXAMPLES, "state") });
    const object = regionPolicy("team-a", { mode: "RegionBound", sourceRegion: "seu" });
    const webhook = decide(caseInput({ name: "webhook", object, expect: { allowed: false } }), environment.verdict, ENDPOINT_PHASES.validate);
    const file = writeYaml(tempDir("check-regions-webhook"), "policy.yaml", object);
    const [checked] = entriesOf(await hostgate("check", "--config", WEU, "-f", file, "-o", "json"));
    assert.equal(webhook.allowed, false);
    assert.deepEqual(
      webhook.denials.map((d) => [d.policy, d.field, d.message]),
      checked!.denials.map((d) => [d.policy, d.field, d.message]),
    );
  });

  test("counts the reviews of every kind a built-in policy checks (RegionPolicy among them) under that kind in its metrics, not as other", () => {
    const checked = new Set(loadPolicySet([LIBRARY]).modules.flatMap((module) => module.match.flatMap((rule) => rule.kinds)));
    assert.ok(checked.has("RegionPolicy"));
    assert.deepEqual(
      [...checked].filter((kind) => !REVIEWED_KINDS.has(kind)),
      [],
    );
  });
});
