// `hostgate check -f module.yaml --state DIR` answers a PolicyModule with its
// impact on the state's objects, as the webhook answers it with its cache's
// (issue 16): the same warning, from the same decide(); never a denial.
import assert from "node:assert/strict";
import { join } from "node:path";
import { describe, test } from "node:test";
import { policyModule } from "../policies/testing/policy-module-cases.ts";
import { entriesOf, hostgate, tempDir, writeYaml } from "./fixtures.ts";

const dir = tempDir("check-policy-module-impact");
const route = (namespace: string, name: string, lb: string) => ({
  apiVersion: "hostgate.dev/v1alpha1",
  kind: "DomainRoute",
  metadata: { name, namespace },
  spec: { domain: `${name}.example.com`, lb },
});
const STATE = join(dir, "state");
writeYaml(STATE, "routes.yaml", route("team-a", "shop", "alb-out"), route("team-a", "api", "alb-out"), route("team-b", "blog", "alb-in"));
const STRICTER = writeYaml(dir, "stricter.yaml", policyModule("no-public-lb", [{ expression: "object.spec.lb != 'alb-out'", message: "alb-out is public" }]));
const HARMLESS = writeYaml(dir, "harmless.yaml", policyModule("no-legacy-lb", [{ expression: "object.spec.lb != 'alb-legacy'", message: "gone" }]));

describe("hostgate check weighs a PolicyModule file against the state's objects", () => {
  const cases = [
    {
      name: "a stricter module is ALLOWED, exit 0, warning which existing objects it would deny",
      file: STRICTER,
      says: "this change would deny 2 existing objects: team-a/DomainRoute/api, team-a/DomainRoute/shop",
    },
    {
      name: "a harmless module is ALLOWED, exit 0, saying it denies no existing object",
      file: HARMLESS,
      says: "this change would deny no existing object (3 objects checked)",
    },
  ];
  for (const c of cases) {
    test(c.name, async () => {
      const result = await hostgate("check", "-f", c.file, "--state", STATE, "-o", "json");
      assert.equal(result.exitCode, 0, result.stdout + result.stderr);
      const [entry] = entriesOf(result);
      assert.equal(entry!.allowed, true);
      assert.deepEqual(entry!.warnings, [{ policy: "policy-impact", message: c.says }]);

      const text = await hostgate("check", "-f", c.file, "--state", STATE);
      assert.equal(text.exitCode, 0, text.stdout + text.stderr);
      assert.ok(text.stdout.includes(c.says), text.stdout);
    });
  }
});
