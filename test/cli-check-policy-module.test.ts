// `hostgate check -f module.yaml` answers for a PolicyModule what the webhook
// answers at `kubectl apply` (issue 16): the same decide(), the same findings.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { decide } from "../policies/verdict.ts";
import { admissionInput, scenarioEnvironment } from "../policies/testing/admission-scenarios.ts";
import { DENIED_MODULES, VALID_MODULE } from "../policies/testing/policy-module-cases.ts";
import { entriesOf, hostgate, STACK_TRACE, tempDir, writeYaml } from "./fixtures.ts";

const dir = tempDir("check-policy-module");
const ENVIRONMENT = scenarioEnvironment();

describe("hostgate check judges a PolicyModule file as the webhook judges the object", () => {
  test("a valid module is ALLOWED, exit 0, and not called unchecked", async () => {
    const result = await hostgate("check", "-f", writeYaml(dir, "valid.yaml", VALID_MODULE));
    assert.equal(result.exitCode, 0, result.stdout + result.stderr);
    assert.match(result.stdout, /^ALLOWED PolicyModule domain-suffix {2}\(/m);
    assert.doesNotMatch(result.stdout, /no hostgate policy or CRD schema applies/);
    assert.doesNotMatch(result.stderr, /skipped/);
  });

  for (const c of DENIED_MODULES) {
    test(`${c.name}; exit 1 with the webhook's message`, async () => {
      const name = (c.module.metadata as { name: string }).name;
      const file = writeYaml(dir, `${name}.yaml`, c.module);
      const expected = decide(admissionInput("CREATE", c.module, null, null), ENVIRONMENT).denials;

      const text = await hostgate("check", "-f", file);
      assert.equal(text.exitCode, 1, text.stdout + text.stderr);
      assert.match(text.stdout, new RegExp(`^DENIED  PolicyModule ${name} {2}\\(`, "m"));
      assert.ok(text.stdout.includes(`  ✗ policy-module-compiles: ${expected[0]!.message}`), text.stdout);
      assert.doesNotMatch(text.stdout + text.stderr, STACK_TRACE);

      const [entry] = entriesOf(await hostgate("check", "-f", file, "-o", "json"));
      assert.deepEqual(entry!.denials, [{ policy: "policy-module-compiles", message: expected[0]!.message, field: c.field }]);
      for (const pattern of c.says) assert.match(entry!.denials[0]!.message, pattern);
    });
  }
});
