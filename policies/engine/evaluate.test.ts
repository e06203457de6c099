import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { matchesRequest, runMutations, runValidations } from "./evaluate.ts";
import { compileModule, makePolicySet } from "./module-loader.ts";
import type { CompiledModule, PolicySet } from "./module-loader.ts";
import { RequestContext } from "./request-context.ts";
import type { EngineEnvironment } from "./request-context.ts";
import type { AdmissionInput } from "./types.ts";

/** Builds a compiled module from the parts a test cares about. */
function policy(name: string, spec: Record<string, unknown>): CompiledModule {
  const result = compileModule(
    {
      apiVersion: "hostgate.dev/v1alpha1",
      kind: "PolicyModule",
      metadata: { name },
      spec: { description: `test policy ${name}`, match: [{ apiGroups: ["hostgate.dev"], kinds: ["DomainRoute"], operations: ["CREATE", "UPDATE"] }], ...spec },
    },
    `${name}.yaml`,
  );
  if ("problems" in result) assert.fail(result.problems.join("\n"));
  return result.module;
}

function route(spec: Record<string, unknown>, operation: AdmissionInput["operation"] = "CREATE"): AdmissionInput {
  return {
    operation,
    kind: { group: "hostgate.dev", version: "v1alpha1", kind: "DomainRoute" },
    namespace: "team-a",
    name: "web",
    object: { apiVersion: "hostgate.dev/v1alpha1", kind: "DomainRoute", metadata: { name: "web", namespace: "team-a" }, spec },
    oldObject: null,
  };
}

const ctx = { config: new Map([["limit", 2n]]), cluster: new Map() };

/** One request's validation (or mutation), in a context of its own, as decide() gives each request. */
const validate = (set: PolicySet, input: AdmissionInput, env: EngineEnvironment = ctx) => runValidations(set, new RequestContext(input, env));
const mutate = (set: PolicySet, input: AdmissionInput, env: EngineEnvironment = ctx) => runMutations(set, new RequestContext(input, env));

describe("running validations", () => {
  test("every violated policy is reported, not just the first", () => {
    const set = makePolicySet([
      policy("needs-lb", { validations: [{ expression: "has(object.spec.lb)", message: "lb is required" }] }),
      policy("needs-domain", { validations: [{ expression: "has(object.spec.domain)", message: "domain is required", fieldPath: "spec.domain" }] }),
      policy("passes", { validations: [{ expression: "true", message: "never" }] }),
    ]);
    const violations = validate(set, route({}));
    assert.deepEqual(
      violations.map((v) => [v.policy, v.message, v.field]),
      [
        ["needs-lb", "lb is required", undefined],
        ["needs-domain", "domain is required", "spec.domain"],
      ],
    );
  });

  test("an erroring policy denies (fails closed) and does not hide another policy's denial", () => {
    const set = makePolicySet([
      policy("broken", { validations: [{ expression: "object.spec.protection.appId != ''", message: "unused" }] }),
      policy("needs-lb", { validations: [{ expression: "has(object.spec.lb)", message: "lb is required" }] }),
    ]);
    const violations = validate(set, route({}));
    assert.equal(violations.length, 2);
    assert.equal(violations[0]!.policy, "broken");
    assert.equal(violations[0]!.action, "Deny");
    assert.match(
      violations[0]!.message,
      /could not be evaluated \(spec.validations\[0\].expression: .*protection.*\); the request is denied because policy errors fail closed/,
    );
    assert.equal(violations[1]!.message, "lb is required");
  });

  test("a Warn policy that errors still denies: errors always fail closed", () => {
    const set = makePolicySet([policy("warn-broken", { action: "Warn", validations: [{ expression: "object.spec.nope == 1", message: "x" }] })]);
    assert.equal(validate(set, route({}))[0]!.action, "Deny");
  });

  test("a validation that yields a non-bool denies and says what it produced", () => {
    const set = makePolicySet([policy("not-bool", { validations: [{ expression: "'yes'", message: "x" }] })]);
    assert.match(validate(set, route({}))[0]!.message, /must produce a bool, produced string "yes"/);
  });

  test("messageExpression builds the message from the object", () => {
    const set = makePolicySet([policy("msg", { validations: [{ expression: "false", messageExpression: "'domain ' + object.spec.domain + ' is taken'" }] })]);
    assert.equal(validate(set, route({ domain: "a.example.com" }))[0]!.message, "domain a.example.com is taken");
  });

  test("a failing messageExpression falls back to the static message instead of hiding the violation", () => {
    const set = makePolicySet([policy("msg", { validations: [{ expression: "false", message: "static text", messageExpression: "object.spec.nope" }] })]);
    assert.equal(validate(set, route({}))[0]!.message, "static text");
  });

  test("validation actions come from the validation, else the policy", () => {
    const set = makePolicySet([
      policy("mixed", {
        action: "Warn",
        validations: [
          { expression: "false", message: "a" },
          { expression: "false", message: "b", action: "Audit" },
        ],
      }),
    ]);
    assert.deepEqual(
      validate(set, route({})).map((v) => v.action),
      ["Warn", "Audit"],
    );
  });

  test("a policy whose match condition is false is skipped", () => {
    const set = makePolicySet([
      policy("public-only", {
        matchConditions: [{ name: "public", expression: "object.spec.lb == 'alb-out'" }],
        validations: [{ expression: "false", message: "x" }],
      }),
    ]);
    assert.equal(validate(set, route({ lb: "alb-in" })).length, 0);
    assert.equal(validate(set, route({ lb: "alb-out" })).length, 1);
  });

  test("a match condition that errors denies", () => {
    const set = makePolicySet([
      policy("cond-broken", { matchConditions: [{ name: "bad", expression: "object.spec.lb == 'x'" }], validations: [{ expression: "true", message: "x" }] }),
    ]);
    assert.match(validate(set, route({}))[0]!.message, /spec.matchConditions\[0\] \("bad"\)/);
  });

  // As in ValidatingAdmissionPolicy: a false condition skips the policy wherever it is listed; an error counts only when none is false.
  const erringAndFalse: Array<{ name: string; conditions: Array<{ name: string; expression: string }>; denied: boolean }> = [
    {
      name: "an erring condition listed before a false one does not deny: the false one skips the policy",
      conditions: [
        { name: "bad", expression: "object.spec.lb == 'x'" },
        { name: "never", expression: "false" },
      ],
      denied: false,
    },
    {
      name: "an erring condition listed after a false one does not deny either",
      conditions: [
        { name: "never", expression: "false" },
        { name: "bad", expression: "object.spec.lb == 'x'" },
      ],
      denied: false,
    },
    {
      name: "an erring condition with only true ones beside it denies, naming it",
      conditions: [
        { name: "always", expression: "true" },
        { name: "bad", expression: "object.spec.lb == 'x'" },
      ],
      denied: true,
    },
  ];
  for (const c of erringAndFalse) {
    test(c.name, () => {
      const set = makePolicySet([policy("cond-order", { matchConditions: c.conditions, validations: [{ expression: "true", message: "x" }] })]);
      const findings = validate(set, route({}));
      assert.equal(findings.length, c.denied ? 1 : 0);
      if (c.denied) assert.match(findings[0]!.message, /spec.matchConditions\[1\] \("bad"\)/);
    });
  }

  test("policies do not run for operations or kinds they do not match", () => {
    const set = makePolicySet([policy("p", { validations: [{ expression: "false", message: "x" }] })]);
    assert.equal(validate(set, { ...route({}), operation: "DELETE", object: null }).length, 0);
    assert.equal(validate(set, { ...route({}), kind: { group: "gateway.networking.k8s.io", version: "v1", kind: "HTTPRoute" } }).length, 0);
  });

  test("variables are computed once per request, lazily, and shared by validations", () => {
    const set = makePolicySet([
      policy("vars", {
        variables: [
          { name: "n", expression: "object.spec.items.size()" },
          { name: "twice", expression: "variables.n * 2" },
          { name: "unused", expression: "object.spec.missing.field" },
        ],
        validations: [
          { expression: "variables.twice <= config.limit", messageExpression: "'too many: ' + string(variables.twice)" },
          { expression: "variables.n > 0", message: "empty" },
        ],
      }),
    ]);
    // `unused` would error if evaluated: laziness is what keeps this request clean.
    assert.deepEqual(
      validate(set, route({ items: [1, 2] })).map((v) => v.message),
      ["too many: 4"],
    );
  });

  test("a variable that errors fails the validations that read it", () => {
    const set = makePolicySet([
      policy("vars", { variables: [{ name: "bad", expression: "object.spec.missing.x" }], validations: [{ expression: "variables.bad == 1", message: "x" }] }),
    ]);
    assert.match(validate(set, route({}))[0]!.message, /spec.variables\[0\] \("bad"\)/);
  });

  test("an object over the size limit is denied unevaluated", () => {
    const set = makePolicySet([policy("p", { validations: [{ expression: "true", message: "x" }] })]);
    const violations = validate(set, route({ blob: "x".repeat(2000) }), { ...ctx, limits: { maxObjectBytes: 1000 } });
    assert.equal(violations[0]!.reason, "RequestEntityTooLarge");
  });

  test("a policy that exhausts its budget denies; the next policy is still evaluated", () => {
    const items = Array.from({ length: 100 }, (_, i) => i);
    const set = makePolicySet([
      policy("heavy", { validations: [{ expression: "object.spec.items.all(a, object.spec.items.all(b, a + b >= 0))", message: "x" }] }),
      policy("light", { validations: [{ expression: "has(object.spec.lb)", message: "lb is required" }] }),
    ]);
    const violations = validate(set, route({ items }), { ...ctx, limits: { maxIterations: 500 } });
    assert.match(violations[0]!.message, /exceeded its budget of 500 iterations/);
    assert.equal(violations[1]!.message, "lb is required");
  });
});

describe("running mutations", () => {
  const defaults = policy("defaults", {
    mutations: [
      { patchType: "JSONPatch", expression: "!has(object.spec.routing) ? [{'op': 'add', 'path': '/spec/routing', 'value': {'mode': 'Managed'}}] : []" },
      {
        patchType: "JSONPatch",
        expression:
          "object.spec.domain != object.spec.domain.lowerAscii() ? [{'op': 'replace', 'path': '/spec/domain', 'value': object.spec.domain.lowerAscii()}] : []",
      },
    ],
  });

  test("each mutation sees the object as changed by the ones before", () => {
    const later = policy("sees-routing", {
      mutations: [{ patchType: "JSONPatch", expression: "has(object.spec.routing) ? [{'op': 'add', 'path': '/spec/seen', 'value': true}] : []" }],
    });
    const outcome = mutate(makePolicySet([defaults, later]), route({ domain: "A.Example.com" }));
    assert.deepEqual(outcome.patch, [
      { op: "add", path: "/spec/routing", value: { mode: "Managed" } },
      { op: "replace", path: "/spec/domain", value: "a.example.com" },
      { op: "add", path: "/spec/seen", value: true },
    ]);
    assert.deepEqual((outcome.object as { spec: unknown }).spec, { domain: "a.example.com", routing: { mode: "Managed" }, seen: true });
  });

  test("mutating an already mutated object patches nothing", () => {
    const first = mutate(makePolicySet([defaults]), route({ domain: "A.Example.com" }));
    const second = mutate(makePolicySet([defaults]), { ...route({}), object: first.object });
    assert.deepEqual(second.patch, []);
  });

  test("a mutation that produces a malformed patch denies and leaves the object as it was", () => {
    const bad = policy("bad", { mutations: [{ patchType: "JSONPatch", expression: "[{'op': 'replace', 'path': '/spec/nothing', 'value': 1}]" }] });
    const input = route({ domain: "a.example.com" });
    const outcome = mutate(makePolicySet([bad]), input);
    assert.equal(outcome.violations.length, 1);
    assert.match(outcome.violations[0]!.message, /its patch does not apply: operation 0 \(replace \/spec\/nothing\): path does not exist/);
    assert.deepEqual(outcome.object, input.object);
    assert.deepEqual(outcome.patch, []);
  });
});

describe("reporting failures", () => {
  test("one broken variable read by several validations is reported once", () => {
    const set = makePolicySet([
      policy("vars", {
        variables: [{ name: "bad", expression: "object.spec.missing.x" }],
        validations: [
          { expression: "variables.bad == 1", message: "a" },
          { expression: "variables.bad == 2", message: "b" },
        ],
      }),
    ]);
    assert.equal(validate(set, route({})).length, 1);
  });
});

describe("lazy variables", () => {
  test("a variable behind a has() guard is never computed when the guard fails", () => {
    const set = makePolicySet([
      policy("guarded", {
        variables: [{ name: "provider", expression: "object.spec.protection.provider" }],
        validations: [{ expression: "!has(object.spec.protection) || variables.provider == 'sso'", message: "provider must be sso" }],
      }),
    ]);
    assert.deepEqual(validate(set, route({})), []);
    assert.equal(validate(set, route({ protection: { provider: "okta" } }))[0]!.message, "provider must be sso");
  });

  test("an unguarded read of a failing variable denies, naming the variable", () => {
    const set = makePolicySet([
      policy("unguarded", {
        variables: [{ name: "provider", expression: "object.spec.protection.provider" }],
        validations: [{ expression: "variables.provider == 'sso'", message: "provider must be sso" }],
      }),
    ]);
    const [violation] = validate(set, route({}));
    assert.equal(violation!.action, "Deny");
    assert.match(violation!.message, /could not be evaluated \(spec\.variables\[0\] \("provider"\): .*protection/);
  });
});

describe("the request deadline", () => {
  test("mutation and validation share one deadline fixed for the request", () => {
    let clock = 0;
    const request = new RequestContext(route({}), { ...ctx, now: () => clock, limits: { timeoutMs: 10 } });
    assert.equal(request.deadline, 10);
    clock = 11; // the mutation phase used up the time
    const set = makePolicySet([policy("p", { validations: [{ expression: "true", message: "x" }] })]);
    const [violation] = runValidations(set, request);
    assert.match(violation!.message, /deadline of 10 ms/);
  });
});

describe("matching requests", () => {
  const module = policy("routes-on-create", {
    match: [{ apiGroups: ["hostgate.dev"], kinds: ["DomainRoute"], operations: ["CREATE"] }],
    validations: [{ expression: "true", message: "never" }],
  });
  const ask = (kind: string, operation: AdmissionInput["operation"], kindObject = { group: "hostgate.dev", version: "v1alpha1", kind }) =>
    matchesRequest(module, { ...route({}, operation), kind: kindObject });
  test("answers each request by its own kind and operation, however the requests alternate", () => {
    const cases: Array<[string, AdmissionInput["operation"], boolean]> = [
      ["DomainRoute", "CREATE", true],
      ["HostnameGrant", "CREATE", false],
      ["DomainRoute", "UPDATE", false],
      ["DomainRoute", "CREATE", true],
      ["DomainRoute", "DELETE", false],
      ["HostnameGrant", "UPDATE", false],
      ["DomainRoute", "CREATE", true],
    ];
    for (const [kind, operation, expected] of cases) assert.equal(ask(kind, operation), expected, `${operation} ${kind}`);
  });
  test("asked again about the same kind object and operation, answers as the first time", () => {
    const kind = { group: "hostgate.dev", version: "v1alpha1", kind: "DomainRoute" };
    assert.equal(ask("DomainRoute", "CREATE", kind), true);
    assert.equal(ask("DomainRoute", "CREATE", kind), true);
    assert.equal(ask("DomainRoute", "UPDATE", kind), false, "the same kind object with another operation is asked anew");
    const other = { group: "hostgate.dev", version: "v1alpha1", kind: "Gateway" };
    assert.equal(ask("Gateway", "CREATE", other), false);
    assert.equal(ask("DomainRoute", "CREATE", kind), true);
  });
});
