// auditObjects: each existing object judged through decide() as a re-apply
// of itself (UPDATE, oldObject = object), one result per matched policy.
import assert from "node:assert/strict";
import { join } from "node:path";
import { describe, test } from "node:test";
import { configToCel, loadPlatformConfig } from "../../core/config/index.ts";
import { loadEnvironment } from "../../core/environment.ts";
import { readManifests } from "../../core/objects/index.ts";
import type { KubeObject } from "../../core/kube/object-key.ts";
import { objectNameFor } from "../../core/kube/produced-names.ts";
import { ClusterStateIndex } from "../../core/state/index.ts";
import { loadPolicySet, compileModule, makePolicySet } from "../engine/module-loader.ts";
import type { CompiledModule } from "../engine/module-loader.ts";
import type { VerdictEnvironment } from "../verdict.ts";
import { AUDIT_USER, auditObjects } from "./audit-objects.ts";
import { auditRequester, RECONCILER_USERNAME } from "./audit-requester.ts";
import type { AuditResult } from "./audit-result.ts";

const ROOT = join(import.meta.dirname, "..", "..");
const CONFIG = configToCel(loadPlatformConfig(join(ROOT, "examples", "platform-config.yaml")));

function module(name: string, spec: Record<string, unknown>): CompiledModule {
  const result = compileModule(
    {
      apiVersion: "hostgate.dev/v1alpha1",
      kind: "PolicyModule",
      metadata: { name },
      spec: { description: `test module ${name}`, match: [{ apiGroups: ["hostgate.dev"], kinds: ["DomainRoute"], operations: ["CREATE", "UPDATE"] }], ...spec },
    },
    `${name}.yaml`,
  );
  if ("problems" in result) throw new Error(result.problems.join("\n"));
  return result.module;
}

function route(namespace: string, name: string, spec: Record<string, unknown>): KubeObject {
  return { apiVersion: "hostgate.dev/v1alpha1", kind: "DomainRoute", metadata: { name, namespace, uid: `uid-${name}` }, spec };
}

function env(modules: CompiledModule[], objects: readonly KubeObject[] = []): VerdictEnvironment {
  return { policies: makePolicySet(modules), config: CONFIG, cluster: ClusterStateIndex.fromObjects(objects).celValue() };
}

const noPublic = (enforcement?: string, action?: string) =>
  module("no-public-lb", {
    ...(enforcement !== undefined ? { enforcement } : {}),
    validations: [
      {
        expression: "object.spec.lb != 'alb-out'",
        message: "alb-out is public; use alb-in",
        fieldPath: "spec.lb",
        reason: "Forbidden",
        ...(action ? { action } : {}),
      },
    ],
  });
const broken = (enforcement?: string) =>
  module("broken", {
    ...(enforcement !== undefined ? { enforcement } : {}),
    validations: [{ expression: "object.spec.missing.deeper == 1", message: "never reached" }],
  });

const PUBLIC = route("team-a", "web", { lb: "alb-out" });
const INTERNAL = route("team-a", "web", { lb: "alb-in" });

describe("auditObjects maps each matched policy's findings to one outcome", () => {
  const cases: Array<{ name: string; modules: CompiledModule[]; object: KubeObject; outcome: AuditResult["outcome"]; messages: RegExp[]; fields: string[] }> = [
    {
      name: "a denying policy under Deny fails",
      modules: [noPublic()],
      object: PUBLIC,
      outcome: "fail",
      messages: [/^alb-out is public/],
      fields: ["spec.lb"],
    },
    {
      name: "a denying policy under Warn warns",
      modules: [noPublic("Warn")],
      object: PUBLIC,
      outcome: "warn",
      messages: [/^alb-out is public/],
      fields: ["spec.lb"],
    },
    {
      name: "a validation whose own action is Warn warns",
      modules: [noPublic(undefined, "Warn")],
      object: PUBLIC,
      outcome: "warn",
      messages: [/alb-out/],
      fields: ["spec.lb"],
    },
    {
      name: "a denying policy under Audit is an audit finding",
      modules: [noPublic("Audit")],
      object: PUBLIC,
      outcome: "audit",
      messages: [/alb-out/],
      fields: ["spec.lb"],
    },
    {
      name: "a matched policy that finds nothing passes, with no messages",
      modules: [noPublic()],
      object: INTERNAL,
      outcome: "pass",
      messages: [],
      fields: [],
    },
    {
      name: "a policy that cannot be evaluated is an error (it fails closed)",
      modules: [broken()],
      object: INTERNAL,
      outcome: "error",
      messages: [/could not be evaluated/],
      fields: [],
    },
    {
      name: "a policy error capped at Audit admits, so it is an audit finding that says so",
      modules: [broken("Audit")],
      object: INTERNAL,
      outcome: "audit",
      messages: [/could not be evaluated/],
      fields: [],
    },
  ];
  for (const c of cases) {
    test(c.name, () => {
      const results = auditObjects([c.object], env(c.modules));
      assert.equal(results.length, 1, JSON.stringify(results));
      const [result] = results;
      assert.equal(result!.outcome, c.outcome, JSON.stringify(result));
      assert.deepEqual(result!.subject, { apiVersion: "hostgate.dev/v1alpha1", kind: "DomainRoute", namespace: "team-a", name: "web", uid: "uid-web" });
      assert.equal(result!.messages.length, c.messages.length);
      for (const [i, m] of c.messages.entries()) assert.match(result!.messages[i]!, m);
      assert.deepEqual(result!.fields, c.fields);
    });
  }
});

describe("auditObjects judges an existing object as a re-apply of itself", () => {
  const onlyOnCreate = module("create-only-marker", {
    validations: [{ expression: "request.operation != 'CREATE'", message: "judged as a CREATE" }],
  });
  const unchanged = module("unchanged", {
    validations: [{ expression: "oldObject != null && oldObject == object", message: "judged as a change, not a re-apply" }],
  });

  test("it sends UPDATE with oldObject equal to object, so operation and transition rules see no change", () => {
    const results = auditObjects([PUBLIC], env([onlyOnCreate, unchanged]));
    assert.deepEqual(
      results.map((r) => [r.policy, r.outcome]),
      [
        ["create-only-marker", "pass"],
        ["unchanged", "pass"],
      ],
    );
  });

  test("the library's uniqueness rules do not find an existing route in conflict with itself", async () => {
    const library = loadPolicySet([join(ROOT, "policies", "library")]).subset(["domain-unique", "appid-unique"]);
    const shop = route("team-a", "shop-web", {
      domain: "shop.example.com",
      lb: "alb-out",
      backend: { service: { name: "s", port: 80 } },
      protection: { provider: "sso", appId: "shop" },
    });
    const other = route("team-b", "copy", { domain: "shop.example.com", lb: "alb-in", backend: { service: { name: "s", port: 80 } } });
    const alone = auditObjects([shop], { ...env([], [shop]), policies: library });
    assert.deepEqual(
      alone.map((r) => [r.policy, r.outcome]),
      [
        ["appid-unique", "pass"],
        ["domain-unique", "pass"],
      ],
    );
    // The same rule still sees a real conflict between two existing routes.
    const both = auditObjects([shop, other], { ...env([], [shop, other]), policies: library });
    assert.deepEqual(
      both.filter((r) => r.policy === "domain-unique").map((r) => [r.subject.namespace, r.outcome]),
      [
        ["team-a", "fail"],
        ["team-b", "fail"],
      ],
    );
  });

  test("an object being deleted whose only pending change is its finalizers gets no results, as at admission", () => {
    const deleting = { ...PUBLIC, metadata: { ...PUBLIC.metadata, deletionTimestamp: "2026-01-01T00:00:00Z", finalizers: ["hostgate.dev/dns"] } };
    assert.deepEqual(auditObjects([deleting], env([noPublic()])), []);
  });
});

describe("auditObjects output", () => {
  test("it yields one result per object and matched policy, sorted by namespace (cluster-scoped first), kind, name, policy", () => {
    const grantPolicy = module("grant-ok", {
      match: [{ apiGroups: ["hostgate.dev"], kinds: ["HostnameGrant"], operations: ["UPDATE"] }],
      validations: [{ expression: "true", message: "never fails" }],
    });
    const grant: KubeObject = { apiVersion: "hostgate.dev/v1alpha1", kind: "HostnameGrant", metadata: { name: "g" }, spec: {} };
    const objects = [route("team-b", "b", { lb: "alb-in" }), route("team-a", "z", { lb: "alb-out" }), grant, route("team-a", "a", { lb: "alb-in" })];
    const results = auditObjects(objects, env([noPublic(), grantPolicy, broken("Warn")]));
    assert.deepEqual(
      results.map((r) => `${r.subject.namespace ?? "-"}/${r.subject.kind}/${r.subject.name} ${r.policy} ${r.outcome}`),
      [
        "-/HostnameGrant/g grant-ok pass",
        "team-a/DomainRoute/a broken warn",
        "team-a/DomainRoute/a no-public-lb pass",
        "team-a/DomainRoute/z broken warn",
        "team-a/DomainRoute/z no-public-lb fail",
        "team-b/DomainRoute/b broken warn",
        "team-b/DomainRoute/b no-public-lb pass",
      ],
    );
    assert.equal(results[0]!.subject.namespace, undefined, "a cluster-scoped subject has no namespace");
  });

  test("an object no policy matches has no result", () => {
    const service: KubeObject = { apiVersion: "v1", kind: "Service", metadata: { name: "s", namespace: "team-a" } };
    assert.deepEqual(auditObjects([service], env([noPublic()])), []);
  });

  test("an object without a kind or name is refused with every such object named", () => {
    assert.throws(
      () =>
        auditObjects(
          [
            { apiVersion: "v1", kind: "Service", metadata: {} },
            { apiVersion: "v1", metadata: { name: "x" } },
          ],
          env([]),
        ),
      (error: Error & { problems?: string[] }) => {
        assert.deepEqual(error.problems, [
          "object 1 (Service unnamed) has no metadata.name; an object stored in a cluster always has them",
          "object 2 (x) has no kind; an object stored in a cluster always has them",
        ]);
        return true;
      },
    );
  });
});

describe("auditObjects leaves out what the validate phase does not judge", () => {
  test("a module that only mutates has no result: nothing of it was checked", () => {
    const defaults = module("defaults-only", { mutations: [{ patchType: "JSONPatch", expression: "[]" }] });
    assert.deepEqual(
      auditObjects([PUBLIC], env([defaults, noPublic()])).map((r) => r.policy),
      ["no-public-lb"],
    );
  });
});

describe("auditObjects reports a policy that matched the kind but ran no check as skip, never pass", () => {
  // lb-set holds for every route with an lb; is-public only for alb-out, so it excludes INTERNAL.
  const conditions = (second: string) => [
    { name: "lb-set", expression: "has(object.spec.lb)" },
    { name: "is-public", expression: second },
  ];
  const guarded = (second: string, enforcement?: string) =>
    module("public-only", {
      ...(enforcement !== undefined ? { enforcement } : {}),
      matchConditions: conditions(second),
      validations: [{ expression: "object.spec.lb != 'alb-out'", message: "alb-out is public; use alb-in", fieldPath: "spec.lb" }],
    });
  const cases: Array<{ name: string; module: CompiledModule; object: KubeObject; outcome: AuditResult["outcome"]; messages: RegExp[] }> = [
    {
      name: "a false matchCondition skips the policy, naming the condition",
      module: guarded("object.spec.lb == 'alb-out'"),
      object: INTERNAL,
      outcome: "skip",
      messages: [/^excluded by matchCondition "is-public"$/],
    },
    {
      name: "a false matchCondition skips even a policy under Audit enforcement (there is nothing to record)",
      module: guarded("object.spec.lb == 'alb-out'", "Audit"),
      object: INTERNAL,
      outcome: "skip",
      messages: [/^excluded by matchCondition "is-public"$/],
    },
    {
      name: "when every matchCondition holds the validations run, and a violation fails",
      module: guarded("object.spec.lb == 'alb-out'"),
      object: PUBLIC,
      outcome: "fail",
      messages: [/^alb-out is public/],
    },
    {
      name: "when every matchCondition holds and nothing is found, it passes",
      module: guarded("true"),
      object: INTERNAL,
      outcome: "pass",
      messages: [],
    },
    {
      name: "a matchCondition that errs is not an exclusion: it is an error, failing closed",
      module: guarded("object.spec.missing.deeper == 1"),
      object: INTERNAL,
      outcome: "error",
      messages: [/could not be evaluated \(spec\.matchConditions\[1\] \("is-public"\)/],
    },
    {
      name: "a matchCondition that is not a bool is an error, not a skip",
      module: guarded("'yes'"),
      object: INTERNAL,
      outcome: "error",
      messages: [/spec\.matchConditions\[1\]: must produce a bool/],
    },
  ];
  for (const c of cases) {
    test(c.name, () => {
      const results = auditObjects([c.object], env([c.module]));
      assert.deepEqual(
        results.map((r) => [r.policy, r.outcome]),
        [["public-only", c.outcome]],
      );
      assert.equal(results[0]!.messages.length, c.messages.length, JSON.stringify(results[0]));
      for (const [i, m] of c.messages.entries()) assert.match(results[0]!.messages[i]!, m);
    });
  }

  test("a module whose match.operations leave out UPDATE has no result: an audit re-applies as UPDATE, so it does not match", () => {
    const createOnly = module("create-only", {
      match: [{ apiGroups: ["hostgate.dev"], kinds: ["DomainRoute"], operations: ["CREATE"] }],
      validations: [{ expression: "false", message: "always denies a create" }],
    });
    assert.deepEqual(
      auditObjects([PUBLIC], env([createOnly, noPublic()])).map((r) => r.policy),
      ["no-public-lb"],
    );
  });

  test("the library on examples/state keeps every finding it had; only passes whose matchConditions exclude the route become skips", async () => {
    const state = join(ROOT, "examples", "state");
    const loaded = await loadEnvironment({ config: join(ROOT, "examples", "platform-config.yaml"), policies: [join(ROOT, "policies", "library")], state });
    const objects = (await readManifests([state])).map((m) => m.object as KubeObject);
    const results = auditObjects(objects, loaded.verdict);
    const count = (outcome: string) => results.filter((r) => r.outcome === outcome).length;
    // Before skip existed: 60 results, 2 warn (certificate-coverage), 58 pass.
    assert.deepEqual(
      {
        results: results.length,
        fail: count("fail"),
        error: count("error"),
        audit: count("audit"),
        warn: count("warn"),
        passOrSkip: count("pass") + count("skip"),
      },
      { results: 60, fail: 0, error: 0, audit: 0, warn: 2, passOrSkip: 58 },
    );
    assert.deepEqual(
      results.filter((r) => r.outcome === "warn").map((r) => `${r.subject.namespace}/${r.subject.name} ${r.policy}`),
      ["platform/grafana certificate-coverage", "team-a/shop-admin certificate-coverage"],
    );
    // Every skip names a matchCondition its module declares.
    for (const r of results.filter((x) => x.outcome === "skip")) {
      const declared = loaded.verdict.policies.byName.get(r.policy)!.matchConditions.map((c) => `excluded by matchCondition "${c.name}"`);
      assert.ok(declared.includes(r.messages[0]!), `${r.subject.name} ${r.policy}: ${r.messages.join("|")}`);
    }
    // shop-web is protected with an appId, so appid-unique checks it; the other routes have none to compare.
    assert.deepEqual(
      results.filter((r) => r.policy === "appid-unique").map((r) => `${r.subject.name} ${r.outcome}`),
      ["website skip", "grafana skip", "shop-admin skip", "shop-web pass"],
    );
  });
});

describe("auditObjects sends each object as the requester that would re-apply it", () => {
  // A module that reports who asked, so each case reads the username off the result.
  const whoAsks = module("who-asks", {
    match: [{ apiGroups: ["hostgate.dev", "networking.istio.io"], kinds: ["DomainRoute", "VirtualService"], operations: ["UPDATE"] }],
    validations: [{ expression: "false", messageExpression: "request.userInfo.username" }],
  });
  const shop = route("team-a", "shop", { domain: "shop.example.com" });
  const reconcilers: KubeObject = {
    apiVersion: "networking.istio.io/v1",
    kind: "VirtualService",
    // The reconciler's one VirtualService for the route: at objectNameFor(domain), with the route's controller reference.
    metadata: {
      name: objectNameFor("shop.example.com"),
      namespace: "team-a",
      labels: { "app.kubernetes.io/managed-by": "hostgate", "hostgate.dev/route-uid": "uid-shop" },
      ownerReferences: [{ apiVersion: "hostgate.dev/v1alpha1", kind: "DomainRoute", name: "shop", uid: "uid-shop", controller: true }],
    },
    spec: { hosts: ["shop.example.com"], gateways: ["istio-system/shop"] },
  };
  const askers = (results: AuditResult[]) => Object.fromEntries(results.map((r) => [`${r.subject.kind}/${r.subject.name}`, r.messages[0]]));
  const VS = `VirtualService/${reconcilers.metadata?.name}`;
  const cases: Array<{ name: string; audit: () => AuditResult[]; expected: Record<string, string> }> = [
    {
      name: "an object its DomainRoute among the audited objects proves the reconciler wrote is sent as the reconciler; the route as the audit",
      audit: () => auditObjects([shop, reconcilers], env([whoAsks])),
      expected: { "DomainRoute/shop": AUDIT_USER, [VS]: RECONCILER_USERNAME },
    },
    {
      name: "audited alone, without its route, the same object is sent as the audit (nothing proves it)",
      audit: () => auditObjects([reconcilers], env([whoAsks])),
      expected: { [VS]: AUDIT_USER },
    },
    {
      name: "audited alone with a requester built from every object (as the impact warning audits one at a time), it is sent as the reconciler",
      audit: () => auditObjects([reconcilers], env([whoAsks]), auditRequester([shop, reconcilers], CONFIG)),
      expected: { [VS]: RECONCILER_USERNAME },
    },
  ];
  for (const c of cases) {
    test(c.name, () => assert.deepEqual(askers(c.audit()), c.expected));
  }

  test("the library's hostname-granted skips the reconciler's VirtualService under a grant for DomainRoutes only, and fails it otherwise", () => {
    const grant: KubeObject = {
      apiVersion: "hostgate.dev/v1alpha1",
      kind: "HostnameGrant",
      metadata: { name: "team-a" },
      spec: { namespaces: ["team-a"], hostnames: ["shop.example.com"], kinds: ["DomainRoute"] },
    };
    const library = loadPolicySet([join(ROOT, "policies", "library")]).subset(["hostname-granted"]);
    const judged = (objects: KubeObject[]) =>
      auditObjects(objects, { ...env([], [grant, ...objects]), policies: library })
        .filter((r) => r.subject.kind === "VirtualService")
        .map((r) => r.outcome);
    assert.deepEqual(judged([shop, reconcilers]), ["skip"]);
    assert.deepEqual(judged([reconcilers]), ["fail"]);
  });
});
