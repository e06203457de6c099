// spec.enforcement end to end through decide(), the verdict the webhook,
// `hostgate check` and the policy tests share: Deny denies, Warn admits with
// the denial as a warning, Audit admits with nothing for the user and the
// finding in verdict.audits (where audit results are recorded).
import assert from "node:assert/strict";
import { join } from "node:path";
import { describe, test } from "node:test";
import { configToCel, loadPlatformConfig } from "../core/config/index.ts";
import { ClusterStateIndex } from "../core/state/index.ts";
import { enforcedAction } from "./engine/enforcement.ts";
import { compileModule, makePolicySet } from "./engine/module-loader.ts";
import type { CompiledModule } from "./engine/module-loader.ts";
import type { Action, AdmissionInput } from "./engine/types.ts";
import { decide } from "./verdict.ts";
import type { Finding, VerdictEnvironment } from "./verdict.ts";

const CONFIG = configToCel(loadPlatformConfig(join(import.meta.dirname, "..", "examples", "platform-config.yaml")));
const CLUSTER = ClusterStateIndex.fromObjects([]).celValue();

function module(name: string, spec: Record<string, unknown>): CompiledModule {
  const result = compileModule(
    {
      apiVersion: "hostgate.dev/v1alpha1",
      kind: "PolicyModule",
      metadata: { name },
      spec: { description: `test module ${name}`, match: [{ apiGroups: ["hostgate.dev"], kinds: ["DomainRoute"], operations: ["CREATE"] }], ...spec },
    },
    `${name}.yaml`,
  );
  if ("problems" in result) throw new Error(result.problems.join("\n"));
  return result.module;
}

const route = { apiVersion: "hostgate.dev/v1alpha1", kind: "DomainRoute", metadata: { name: "web", namespace: "team-a" }, spec: { lb: "alb-out" } };
const input: AdmissionInput = {
  operation: "CREATE",
  kind: { group: "hostgate.dev", version: "v1alpha1", kind: "DomainRoute" },
  namespace: "team-a",
  name: "web",
  object: route,
  oldObject: null,
};

function verdictOf(...modules: CompiledModule[]) {
  const env: VerdictEnvironment = { policies: makePolicySet(modules), config: CONFIG, cluster: CLUSTER };
  return decide(input, env, { schema: false, mutate: true, validate: true });
}

const denial: Finding = { policy: "no-public-lb", message: "alb-out is public; use alb-in", field: "spec.lb", reason: "Forbidden" };
const denying = (enforcement?: Action) =>
  module("no-public-lb", {
    ...(enforcement !== undefined ? { enforcement } : {}),
    validations: [{ expression: "object.spec.lb != 'alb-out'", message: denial.message, fieldPath: "spec.lb", reason: "Forbidden" }],
  });

describe("spec.enforcement decides what a module's denial does", () => {
  const cases: Array<{ name: string; enforcement: Action | undefined; allowed: boolean; denials: Finding[]; warnings: Finding[]; audits: Finding[] }> = [
    { name: "unset, a denying validation denies", enforcement: undefined, allowed: false, denials: [denial], warnings: [], audits: [] },
    { name: "Deny denies", enforcement: "Deny", allowed: false, denials: [denial], warnings: [], audits: [] },
    { name: "Warn admits and returns the denial as a warning", enforcement: "Warn", allowed: true, denials: [], warnings: [denial], audits: [] },
    {
      name: "Audit admits with no warning and records the denial as an audit result",
      enforcement: "Audit",
      allowed: true,
      denials: [],
      warnings: [],
      audits: [denial],
    },
  ];
  for (const c of cases) {
    test(c.name, () => {
      const verdict = verdictOf(denying(c.enforcement));
      assert.equal(verdict.allowed, c.allowed);
      assert.deepEqual(verdict.denials, c.denials);
      assert.deepEqual(verdict.warnings, c.warnings);
      assert.deepEqual(verdict.audits, c.audits);
    });
  }

  test("one module's enforcement leaves the other modules' denials alone", () => {
    const other = module("other", { validations: [{ expression: "false", message: "always denied" }] });
    const verdict = verdictOf(denying("Audit"), other);
    assert.equal(verdict.allowed, false);
    assert.deepEqual(verdict.denials, [{ policy: "other", message: "always denied", reason: "Invalid" }]);
    assert.deepEqual(verdict.audits, [denial]);
  });

  test("Deny keeps a validation written as an advisory (action: Warn) a warning: enforcement caps, it never raises", () => {
    const advisory = module("advisory", { enforcement: "Deny", validations: [{ expression: "false", message: "consider alb-in", action: "Warn" }] });
    const verdict = verdictOf(advisory);
    assert.equal(verdict.allowed, true);
    assert.deepEqual(verdict.warnings, [{ policy: "advisory", message: "consider alb-in", reason: "Invalid" }]);
  });

  const broken = (enforcement: Action) =>
    module("broken", { enforcement, validations: [{ expression: "object.spec.missing == 'x'", message: "never reached" }] });
  const errorCases: Array<{ enforcement: Action; denied: number; warned: number; audited: number }> = [
    { enforcement: "Deny", denied: 1, warned: 0, audited: 0 },
    { enforcement: "Warn", denied: 0, warned: 1, audited: 0 },
    { enforcement: "Audit", denied: 0, warned: 0, audited: 1 },
  ];
  for (const c of errorCases) {
    test(`an evaluation error of a module under ${c.enforcement} is reported at ${c.enforcement}, with what failed`, () => {
      const verdict = verdictOf(broken(c.enforcement));
      assert.deepEqual([verdict.denials.length, verdict.warnings.length, verdict.audits.length], [c.denied, c.warned, c.audited]);
      const [finding] = [...verdict.denials, ...verdict.warnings, ...verdict.audits];
      assert.match(finding!.message, /policy could not be evaluated \(spec\.validations\[0\]\.expression: .*missing/);
    });
  }

  test("a mutation's error is capped like a validation's", () => {
    const mutating = module("bad-patch", { enforcement: "Warn", mutations: [{ patchType: "JSONPatch", expression: "object.spec.missing" }] });
    const verdict = verdictOf(mutating);
    assert.equal(verdict.allowed, true);
    assert.deepEqual(
      verdict.warnings.map((w) => w.policy),
      ["bad-patch"],
    );
  });
});

describe("enforcedAction", () => {
  const order: Action[] = ["Audit", "Warn", "Deny"];
  for (const enforcement of order) {
    for (const action of order) {
      const expected = order[Math.min(order.indexOf(action), order.indexOf(enforcement))];
      test(`${action === "Audit" ? "an" : "a"} ${action} finding of a module under ${enforcement} is ${expected}`, () => {
        assert.equal(enforcedAction(action, enforcement), expected);
      });
    }
  }
});
