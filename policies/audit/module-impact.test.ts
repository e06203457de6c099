// The impact of a PolicyModule change, through decide() as the webhook and
// `hostgate check` call it: what it would deny or newly warn among existing
// objects comes back as bounded warnings, never as a denial.
import assert from "node:assert/strict";
import { join } from "node:path";
import { describe, test } from "node:test";
import { configToCel, loadPlatformConfig } from "../../core/config/index.ts";
import type { KubeObject } from "../../core/kube/object-key.ts";
import { ClusterStateIndex } from "../../core/state/index.ts";
import { compileModule, makePolicySet } from "../engine/module-loader.ts";
import { admissionInput } from "../testing/admission-scenarios.ts";
import { policyModule } from "../testing/policy-module-cases.ts";
import { decide } from "../verdict.ts";
import type { Phases, VerdictEnvironment } from "../verdict.ts";
import { AUDITED_RESOURCES } from "../../core/state/audited-resources.ts";
import type { AuditedKindState, ExistingObjectsHolder } from "../../core/state/existing-objects.ts";
import { existingObjectsOf, POLICY_IMPACT_RULE } from "./module-impact.ts";
import type { ExistingObjects, IncompleteKind } from "./module-impact.ts";

const ROOT = join(import.meta.dirname, "..", "..");
const CONFIG = configToCel(loadPlatformConfig(join(ROOT, "examples", "platform-config.yaml")));
const VALIDATE_ONLY: Phases = { schema: false, mutate: false, validate: true };

function route(namespace: string, name: string, lb: string): KubeObject {
  return {
    apiVersion: "hostgate.dev/v1alpha1",
    kind: "DomainRoute",
    metadata: { name, namespace, uid: `uid-${name}` },
    spec: { domain: `${name}.example.com`, lb },
  };
}

const NO_PUBLIC = policyModule("no-public-lb", [{ expression: "object.spec.lb != 'alb-out'", message: "alb-out is public; use alb-in" }]);
const WARN_PUBLIC = policyModule("no-public-lb", [{ expression: "object.spec.lb != 'alb-out'", message: "alb-out is public" }], { enforcement: "Warn" });
const HARMLESS = policyModule("no-legacy-lb", [{ expression: "object.spec.lb != 'alb-legacy'", message: "alb-legacy is gone" }]);
const BROKEN = policyModule("broken", [{ expression: "object.spec.lb ==", message: "m" }]);

function environment(objects: readonly KubeObject[], modules: Record<string, unknown>[] = [], impact: Partial<ExistingObjects> = {}): VerdictEnvironment {
  const compiled = modules.map((m) => {
    const result = compileModule(m, "test.yaml");
    if ("problems" in result) throw new Error(result.problems.join("\n"));
    return result.module;
  });
  return {
    policies: makePolicySet(compiled),
    config: CONFIG,
    cluster: ClusterStateIndex.fromObjects(objects).celValue(),
    impact: { objects: () => objects, ...impact },
  };
}

function impactOf(module: Record<string, unknown>, env: VerdictEnvironment, operation: "CREATE" | "UPDATE" = "CREATE") {
  const verdict = decide(admissionInput(operation, module, operation === "UPDATE" ? module : null, null), env, VALIDATE_ONLY);
  return {
    allowed: verdict.allowed,
    denials: verdict.denials,
    warnings: verdict.warnings.filter((w) => w.policy === POLICY_IMPACT_RULE).map((w) => w.message),
  };
}

const OBJECTS = [route("team-a", "shop", "alb-out"), route("team-b", "blog", "alb-in"), route("team-a", "api", "alb-out")];

describe("a PolicyModule that compiles is allowed, its impact on existing objects told as warnings", () => {
  const cases = [
    {
      name: "a stricter module warns that it would deny the existing objects it rejects, naming them in order",
      module: NO_PUBLIC,
      env: environment(OBJECTS),
      warnings: ["this change would deny 2 existing objects: team-a/DomainRoute/api, team-a/DomainRoute/shop"],
    },
    {
      name: "a harmless module says it denies no existing object, and how many it checked",
      module: HARMLESS,
      env: environment(OBJECTS),
      warnings: ["this change would deny no existing object (3 objects checked)"],
    },
    {
      name: "a module under Warn reports the objects it would newly warn on",
      module: WARN_PUBLIC,
      env: environment(OBJECTS),
      warnings: [
        "this change would deny no existing object (3 objects checked)",
        "it would newly warn on 2 existing objects: team-a/DomainRoute/api, team-a/DomainRoute/shop",
      ],
    },
    {
      name: "an UPDATE that tightens a module in force counts only what the new version adds",
      module: NO_PUBLIC,
      env: environment(OBJECTS, [WARN_PUBLIC]),
      operation: "UPDATE" as const,
      warnings: ["this change would deny 2 existing objects: team-a/DomainRoute/api, team-a/DomainRoute/shop"],
    },
    {
      name: "an UPDATE that changes nothing denies no existing object (the module replaces its namesake, it is not added twice)",
      module: NO_PUBLIC,
      env: environment(OBJECTS, [NO_PUBLIC]),
      operation: "UPDATE" as const,
      warnings: ["this change would deny no existing object (3 objects checked)"],
    },
  ];
  for (const c of cases) {
    test(c.name, () => {
      const answer = impactOf(c.module, c.env, c.operation);
      assert.equal(answer.allowed, true);
      assert.deepEqual(answer.denials, []);
      assert.deepEqual(answer.warnings, c.warnings);
    });
  }
});

describe("the impact warning stays inside the API server's bounds", () => {
  test("many denied objects are summarised: the names that fit and 'and N more', at most 120 characters with its rule name", () => {
    const many = Array.from({ length: 500 }, (_, i) => route(`team-${String(i).padStart(3, "0")}`, `route-${i}`, "alb-out"));
    const answer = impactOf(NO_PUBLIC, environment(many));
    assert.equal(answer.warnings.length, 1);
    assert.deepEqual(answer.warnings, ["this change would deny 500 existing objects: team-000/DomainRoute/route-0 and 499 more"]);
    assert.ok(`${POLICY_IMPACT_RULE}: ${answer.warnings[0]}`.length <= 120, answer.warnings[0]);
  });

  test("a name too long to list leaves only the count and where to see the list", () => {
    const long = route("team-a", "x".repeat(200), "alb-out");
    const answer = impactOf(NO_PUBLIC, environment([long]));
    assert.deepEqual(answer.warnings, ["this change would deny 1 existing object; run hostgate diff to list them"]);
  });

  test("when the time budget runs out the scan stops and the answer says it is partial, with how many it checked", () => {
    const objects = Array.from({ length: 2000 }, (_, i) => route("team-a", `route-${i}`, "alb-in"));
    // Each reading of the clock moves it 1 ms: the check before each object reads it once.
    let clock = 0;
    const answer = impactOf(HARMLESS, environment(objects, [], { budgetMs: 5, now: () => clock++ }));
    assert.deepEqual(answer.warnings, [
      "this change would deny no existing object (5 objects checked)",
      "partial answer: checked 5 of 2,000 objects within 0.005 s; run hostgate diff for all",
    ]);
  });
});

describe("no impact is computed where it does not apply", () => {
  test("a module that does not compile is denied with its problems, and no impact is computed", () => {
    const verdict = decide(admissionInput("CREATE", BROKEN, null, null), environment(OBJECTS), VALIDATE_ONLY);
    assert.equal(verdict.allowed, false);
    assert.deepEqual(verdict.warnings, []);
  });

  test("without existing objects in the environment there is no impact warning", () => {
    const { impact: _impact, ...env } = environment(OBJECTS);
    assert.deepEqual(impactOf(NO_PUBLIC, env).warnings, []);
  });

  test("where the objects cannot be weighed, the reason is the one warning (silence would read as 'denies nothing')", () => {
    const env = environment(OBJECTS, [], { unavailable: "impact not computed here; use hostgate diff" });
    assert.deepEqual(impactOf(NO_PUBLIC, env).warnings, ["impact not computed here; use hostgate diff"]);
  });

  test("a DELETE of a module is not scanned: removing a module only loosens the set", () => {
    const verdict = decide(admissionInput("DELETE", null, NO_PUBLIC, null), environment(OBJECTS), VALIDATE_ONLY);
    assert.deepEqual(verdict.warnings, []);
  });
});

const HTTP_ROUTE_HOSTS = policyModule("httproute-hosts", [{ expression: "object.spec.hostnames.size() > 0", message: "name a hostname" }], {
  match: [{ apiGroups: ["gateway.networking.k8s.io"], kinds: ["HTTPRoute"], operations: ["CREATE", "UPDATE"] }],
});
const EVERY_KIND = policyModule("every-kind", [{ expression: "true", message: "m" }], { match: [{ apiGroups: ["*"], kinds: ["*"], operations: ["*"] }] });
const CREATE_ONLY = policyModule("httproute-create", [{ expression: "true", message: "m" }], {
  match: [{ apiGroups: ["gateway.networking.k8s.io"], kinds: ["HTTPRoute"], operations: ["CREATE"] }],
});
const pending = (group: string, kind: string): IncompleteKind => ({ group, kind, state: "pending" });
const HTTP_PENDING = pending("gateway.networking.k8s.io", "HTTPRoute");
const NOT_PARTIAL = ["this change would deny 2 existing objects: team-a/DomainRoute/api, team-a/DomainRoute/shop"];

describe("the answer says it is partial for kinds the holder lacks, naming only those the module can match", () => {
  const cases: { name: string; module: Record<string, unknown>; inForce?: Record<string, unknown>[]; incomplete: IncompleteKind[]; warnings: string[] }[] = [
    {
      name: "a DomainRoute-only module does not care that HTTPRoutes are not listed yet",
      module: NO_PUBLIC,
      incomplete: [HTTP_PENDING],
      warnings: NOT_PARTIAL,
    },
    {
      name: "a module matching HTTPRoutes says they were not checked while they are pending",
      module: HTTP_ROUTE_HOSTS,
      incomplete: [HTTP_PENDING, pending("networking.istio.io", "VirtualService")],
      warnings: ["this change would deny no existing object (3 objects checked)", "partial answer: not listed yet: HTTPRoute; run hostgate diff for all"],
    },
    {
      name: "an UPDATE counts the kinds the module in force matches too: narrowing a module still leaves its old kinds unchecked",
      module: policyModule("httproute-hosts", [{ expression: "true", message: "m" }]),
      inForce: [HTTP_ROUTE_HOSTS],
      incomplete: [HTTP_PENDING],
      warnings: ["this change would deny no existing object (3 objects checked)", "partial answer: not listed yet: HTTPRoute; run hostgate diff for all"],
    },
    {
      name: "a module that matches only CREATE never judges an existing object, so it needs no kind",
      module: CREATE_ONLY,
      incomplete: [HTTP_PENDING],
      warnings: ["this change would deny no existing object (3 objects checked)"],
    },
    {
      name: "kinds dropped over the holder's bound are said apart from pending ones; the two Gateways are told apart by group",
      module: EVERY_KIND,
      incomplete: [
        { group: "gateway.networking.k8s.io", kind: "Gateway", state: "dropped" },
        { group: "networking.istio.io", kind: "Gateway", state: "dropped" },
        HTTP_PENDING,
      ],
      warnings: [
        "this change would deny no existing object (3 objects checked)",
        "partial answer: not listed yet: HTTPRoute; run hostgate diff for all",
        "partial answer: not kept (the cache hit its limit): 2 kinds; run hostgate diff for all",
      ],
    },
    {
      name: "a wildcard module with every kind pending lists those that fit and how many more, within 120 characters",
      module: EVERY_KIND,
      incomplete: AUDITED_RESOURCES.map((r) => pending(r.group, r.kind)),
      warnings: [
        "this change would deny no existing object (3 objects checked)",
        "partial answer: not listed yet: DomainRoute, RegionPolicy and 7 more; run hostgate diff for all",
      ],
    },
  ];
  for (const c of cases) {
    test(c.name, () => {
      const answer = impactOf(
        c.module,
        environment(OBJECTS, c.inForce ?? [], { incomplete: () => c.incomplete }),
        c.inForce === undefined ? "CREATE" : "UPDATE",
      );
      assert.deepEqual(answer.warnings, c.warnings);
      for (const w of answer.warnings) assert.ok(`${POLICY_IMPACT_RULE}: ${w}`.length <= 120, w);
    });
  }

  test("existingObjectsOf reads a holder's objects and names its pending and dropped kinds, not its synced or not-served ones", () => {
    const states: AuditedKindState[] = [
      { kind: "synced", version: "v1alpha1" },
      { kind: "pending", reason: "RBAC must allow list/watch on regionpolicies.hostgate.dev" },
      { kind: "not-served" },
      { kind: "dropped", reason: "over the limit" },
    ];
    const holder: ExistingObjectsHolder = {
      snapshot: () => ({ objects: OBJECTS, kinds: AUDITED_RESOURCES.slice(0, 4).map((resource, i) => ({ resource, state: states[i]! })) }),
      onChange: () => () => {},
    };
    const existing = existingObjectsOf(holder, { budgetMs: 100 });
    assert.equal(existing.objects(), OBJECTS);
    assert.equal(existing.budgetMs, 100);
    assert.deepEqual(existing.incomplete?.(), [
      { group: "hostgate.dev", kind: "RegionPolicy", state: "pending" },
      { group: "gateway.networking.k8s.io", kind: "HTTPRoute", state: "dropped" },
    ]);
  });
});

describe("objects the change cannot touch cost no time", () => {
  test("objects of kinds neither the proposed module nor the one it replaces match are counted checked without being judged or spending the budget", () => {
    const httpRoutes = Array.from({ length: 2000 }, (_, i) => ({
      apiVersion: "gateway.networking.k8s.io/v1",
      kind: "HTTPRoute",
      metadata: { namespace: "team-a", name: `h-${i}` },
      spec: { hostnames: [`h-${i}.example.com`] },
    }));
    // Each reading of the clock moves it 1 ms: judging 2,000 HTTPRoutes would take 2 s against a 5 ms budget.
    let clock = 0;
    const answer = impactOf(NO_PUBLIC, environment([...httpRoutes, ...OBJECTS], [], { budgetMs: 5, now: () => clock++ }));
    assert.deepEqual(answer.warnings, ["this change would deny 2 existing objects: team-a/DomainRoute/api, team-a/DomainRoute/shop"]);
    assert.ok(clock < 10, `the clock was read ${clock} times`);
  });
});
