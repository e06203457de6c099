// A PolicyModule is admitted only if it compiles as the loader compiles a
// module file (issue 16): through decide(), with the built-in library loaded,
// as the webhook and `hostgate check` call it.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { decide, SCHEMA_POLICY, REQUEST_NAMESPACE_RULE } from "./verdict.ts";
import type { Phases } from "./verdict.ts";
import { BUILT_IN_RULES, POLICY_MODULE_RULE } from "./policy-module-admission.ts";
import { POLICY_IMPACT_RULE } from "./audit/module-impact.ts";
import { admissionInput, scenarioEnvironment } from "./testing/admission-scenarios.ts";
import { asStored, DENIED_MODULES, policyModule, VALID_MODULE } from "./testing/policy-module-cases.ts";

const ENVIRONMENT = scenarioEnvironment();
const VALIDATE_ONLY: Phases = { schema: false, mutate: false, validate: true };

describe("decide admits a PolicyModule that compiles", () => {
  const cases = [
    { name: "a valid module is allowed on CREATE", input: admissionInput("CREATE", VALID_MODULE, null, null) },
    { name: "a valid module is allowed on UPDATE", input: admissionInput("UPDATE", VALID_MODULE, VALID_MODULE, null) },
    {
      name: "a valid module as the API server sends it (uid, managedFields, status) is allowed: that metadata is not the module",
      input: admissionInput("CREATE", asStored(VALID_MODULE), null, null),
    },
    {
      name: "an UPDATE that fixes a stored module that did not compile is allowed",
      input: admissionInput("UPDATE", VALID_MODULE, DENIED_MODULES[0]!.module, null),
    },
    { name: "a DELETE is allowed, even of a module that does not compile", input: admissionInput("DELETE", null, DENIED_MODULES[0]!.module, null) },
  ];
  for (const c of cases) {
    test(c.name, () => {
      const verdict = decide(c.input, ENVIRONMENT, VALIDATE_ONLY);
      assert.deepEqual(verdict.denials, []);
      assert.equal(verdict.allowed, true);
    });
  }

  test("the rule is named among what the verdict rests on, so `hostgate check` does not call the module unchecked", () => {
    assert.deepEqual(decide(admissionInput("CREATE", VALID_MODULE, null, null), ENVIRONMENT, VALIDATE_ONLY).applied.policies, [POLICY_MODULE_RULE]);
  });
});

describe("decide denies a PolicyModule that does not compile, with every problem and its position", () => {
  for (const operation of ["CREATE", "UPDATE"] as const) {
    for (const c of DENIED_MODULES) {
      test(`${operation}: ${c.name}`, () => {
        const input = admissionInput(operation, asStored(c.module), operation === "UPDATE" ? asStored(VALID_MODULE) : null, null);
        const verdict = decide(input, ENVIRONMENT, VALIDATE_ONLY);
        assert.equal(verdict.allowed, false);
        assert.equal(verdict.denials.length, 1, JSON.stringify(verdict.denials));
        const [denial] = verdict.denials;
        assert.equal(denial!.policy, POLICY_MODULE_RULE);
        assert.equal(denial!.field, c.field);
        assert.equal(denial!.reason, c.reason);
        for (const pattern of c.says) assert.match(denial!.message, pattern);
        assert.doesNotMatch(denial!.message, /\n\s+at /, "no stack trace");
      });
    }
  }

  test("every problem of a module is listed, not only the first", () => {
    const broken = policyModule("two-problems", [
      { expression: "object.spec.domain ==", message: "never shown" },
      { expression: "isShiny(object)", message: "never shown" },
    ]);
    const verdict = decide(admissionInput("CREATE", broken, null, null), ENVIRONMENT, VALIDATE_ONLY);
    assert.deepEqual(
      verdict.denials.map((d) => d.field),
      ["spec.validations[0].expression", "spec.validations[1].expression"],
    );
  });

  test("a module larger than the object bound is denied before it is compiled, naming the size, the bound and the fix", () => {
    const expression = `object.spec.domain != "${"x".repeat(4000)}"`;
    const huge = policyModule(
      "huge",
      Array.from({ length: 64 }, () => ({ expression, messageExpression: expression })),
      { variables: Array.from({ length: 64 }, (_, i) => ({ name: `v${i}`, expression })) },
    );
    const verdict = decide(admissionInput("CREATE", huge, null, null), { ...ENVIRONMENT, limits: { maxObjectBytes: 256 * 1024 } }, VALIDATE_ONLY);
    assert.equal(verdict.denials.length, 1);
    assert.equal(verdict.denials[0]!.reason, "RequestEntityTooLarge");
    assert.match(
      verdict.denials[0]!.message,
      /^PolicyModule\/huge: the module is \d+ bytes; hostgate compiles modules of at most 262144 bytes .* Split it into smaller modules$/,
    );
  });

  test("the built-in rule names a module may not take are the names decide() reports its built-in rules under", () => {
    assert.deepEqual([...BUILT_IN_RULES].sort(), [POLICY_MODULE_RULE, REQUEST_NAMESPACE_RULE, SCHEMA_POLICY, POLICY_IMPACT_RULE].sort());
  });

  test("a module named like a policy of the library is allowed: files and cluster modules are never loaded into one set", () => {
    const named = policyModule("hostname-granted", [{ expression: "true", message: "m" }]);
    assert.equal(decide(admissionInput("CREATE", named, null, null), ENVIRONMENT, VALIDATE_ONLY).allowed, true);
  });
});
