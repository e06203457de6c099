// decide(): the one verdict function. Phases in the API server's order, with
// the real built-in library, CRD catalog, example config and a small state.
import assert from "node:assert/strict";
import { join } from "node:path";
import { describe, test } from "node:test";
import { loadCrdCatalog } from "../crds/catalog.ts";
import { configToCel, loadPlatformConfig } from "../core/config/index.ts";
import { ClusterStateIndex } from "../core/state/index.ts";
import { compileModule, loadPolicySet, makePolicySet } from "../policies/engine/module-loader.ts";
import type { CompiledModule, PolicySet } from "../policies/engine/module-loader.ts";
import type { AdmissionInput } from "../policies/engine/types.ts";
import { ALL_PHASES, decide, SCHEMA_POLICY } from "../policies/verdict.ts";
import type { Phases, Verdict, VerdictEnvironment } from "../policies/verdict.ts";

const ROOT = join(import.meta.dirname, "..");
const LIBRARY = loadPolicySet([join(ROOT, "policies", "library")]);
const CRDS = loadCrdCatalog();
const CONFIG = configToCel(loadPlatformConfig(join(ROOT, "examples", "platform-config.yaml")));

const WEBHOOK_MUTATE: Phases = { schema: false, mutate: true, validate: false };
const SCHEMA_ONLY: Phases = { schema: true, mutate: false, validate: false };
const NO_MUTATION: Phases = { schema: true, mutate: false, validate: true };

// ---------------------------------------------------------------- builders

function domainRoute(spec: Record<string, unknown> = {}, name = "web", namespace = "team-a"): Record<string, unknown> {
  return {
    apiVersion: "hostgate.dev/v1alpha1",
    kind: "DomainRoute",
    metadata: { name, namespace },
    spec: { domain: `${name}.shop.example.com`, lb: "alb-in", backend: { service: { name, port: 8080 } }, ...spec },
  };
}

function hostnameGrant(name: string, namespaces: string[], hostnames: string[]): Record<string, unknown> {
  return { apiVersion: "hostgate.dev/v1alpha1", kind: "HostnameGrant", metadata: { name }, spec: { namespaces, hostnames } };
}

const STATE = [
  hostnameGrant("team-a-shop", ["team-a"], ["shop.example.com", "*.shop.example.com"]),
  {
    ...domainRoute({ domain: "shop.example.com", lb: "alb-out", protection: { provider: "sso", appId: "shop-web" } }, "shop-web"),
    metadata: { name: "shop-web", namespace: "team-a", uid: "uid-shop-web" },
  },
];
const CLUSTER = ClusterStateIndex.fromObjects(STATE).celValue();

function environment(policies: PolicySet = LIBRARY): VerdictEnvironment {
  return { policies, config: CONFIG, cluster: CLUSTER, crdFor: (apiVersion, kind) => CRDS.lookup(apiVersion, kind) };
}

function request(object: Record<string, unknown>, overrides: Partial<AdmissionInput> = {}): AdmissionInput {
  const apiVersion = String(object.apiVersion);
  const slash = apiVersion.indexOf("/");
  const metadata = object.metadata as { name?: string; namespace?: string };
  return {
    operation: "CREATE",
    kind: { group: slash === -1 ? "" : apiVersion.slice(0, slash), version: apiVersion.slice(slash + 1), kind: String(object.kind) },
    namespace: metadata.namespace,
    name: metadata.name,
    object,
    oldObject: null,
    userInfo: { username: "verdict-test" },
    ...overrides,
  };
}

function module(
  name: string,
  spec: Record<string, unknown>,
  match: Record<string, unknown> = { apiGroups: ["hostgate.dev"], kinds: ["DomainRoute"], operations: ["CREATE", "UPDATE"] },
): CompiledModule {
  const result = compileModule(
    { apiVersion: "hostgate.dev/v1alpha1", kind: "PolicyModule", metadata: { name }, spec: { description: `test module ${name}`, match: [match], ...spec } },
    `${name}.yaml`,
  );
  if ("problems" in result) throw new Error(result.problems.join("\n"));
  return result.module;
}

/** The library plus extra modules after it. */
function libraryWith(...extra: CompiledModule[]): PolicySet {
  return makePolicySet([...LIBRARY.modules, ...extra]);
}

const policiesOf = (findings: Verdict["denials"]) => [...new Set(findings.map((f) => f.policy))].sort();
const spec = (verdict: Verdict) => (verdict.object as { spec: Record<string, unknown> }).spec;

// ---------------------------------------------------------------- tests

describe("decide runs the phases in the API server's order", () => {
  test("an admitted route passes every phase with nothing to patch", () => {
    const verdict = decide(request(domainRoute({ routing: { mode: "Managed" } })), environment());
    assert.equal(verdict.allowed, true, JSON.stringify(verdict.denials));
    assert.deepEqual(verdict.denials, []);
    assert.deepEqual(verdict.patch, []);
  });

  describe("schema defaults are applied before the mutation policies", () => {
    test("the library does not patch spec.routing, which the CRD default already set", () => {
      const verdict = decide(request(domainRoute()), environment());
      assert.equal(verdict.allowed, true, JSON.stringify(verdict.denials));
      assert.deepEqual(verdict.patch, []);
      assert.deepEqual(spec(verdict).routing, { mode: "Managed" });
    });

    test("without the schema phase (a mutating webhook) the library adds spec.routing itself", () => {
      const verdict = decide(request(domainRoute()), environment(), WEBHOOK_MUTATE);
      assert.deepEqual(verdict.patch, [{ op: "add", path: "/spec/routing", value: { mode: "Managed" } }]);
    });

    const readsDefault = module("reads-default", {
      mutations: [{ patchType: "JSONPatch", expression: "[{'op': 'add', 'path': '/metadata/annotations', 'value': {'mode': object.spec.routing.mode}}]" }],
    });
    const cases: Array<{ name: string; phases: Phases; patch: unknown[]; denied: RegExp[] }> = [
      {
        name: "a mutation reading spec.routing.mode sees the CRD's default",
        phases: ALL_PHASES,
        patch: [{ op: "add", path: "/metadata/annotations", value: { mode: "Managed" } }],
        denied: [],
      },
      {
        name: "the same mutation without the schema phase finds no routing and fails closed",
        phases: { schema: false, mutate: true, validate: false },
        patch: [{ op: "add", path: "/spec/routing", value: { mode: "Managed" } }],
        denied: [/^policy could not be evaluated \(spec\.mutations\[0\]: .*\); the request is denied because policy errors fail closed$/],
      },
    ];
    for (const c of cases) {
      test(c.name, () => {
        const policies = makePolicySet([readsDefault, LIBRARY.byName.get("domainroute-defaults")!]);
        const verdict = decide(request(domainRoute()), environment(policies), c.phases);
        assert.deepEqual(verdict.patch, c.patch);
        assert.equal(verdict.denials.length, c.denied.length, JSON.stringify(verdict.denials));
        c.denied.forEach((message, i) => {
          assert.equal(verdict.denials[i]!.policy, "reads-default");
          assert.match(verdict.denials[i]!.message, message);
        });
      });
    }
  });

  describe("the mutation runs before the CRD schema checks", () => {
    const upper = domainRoute({ domain: "Web.Shop.Example.com." });

    test("a domain with upper-case letters and a trailing dot passes the CRD pattern because the mutation fixed it", () => {
      const verdict = decide(request(upper), environment());
      assert.equal(verdict.allowed, true, JSON.stringify(verdict.denials));
      assert.deepEqual(verdict.patch, [{ op: "replace", path: "/spec/domain", value: "web.shop.example.com" }]);
      assert.equal(spec(verdict).domain, "web.shop.example.com");
    });

    test("without the mutation the CRD pattern rejects that domain", () => {
      const verdict = decide(request(upper), environment(), SCHEMA_ONLY);
      assert.equal(verdict.allowed, false);
      assert.deepEqual(policiesOf(verdict.denials), [SCHEMA_POLICY]);
      assert.ok(
        verdict.denials.some(
          (d) => d.field === "spec.domain" && /^spec\.domain: Invalid value: "Web\.Shop\.Example\.com\.": spec\.domain in body should match '/.test(d.message),
        ),
        JSON.stringify(verdict.denials),
      );
    });
  });

  describe("validation policies see the defaulted and mutated object", () => {
    const sees = module("sees-final-object", {
      validations: [
        {
          expression: "object.spec.domain == object.spec.domain.lowerAscii() && !object.spec.domain.endsWith('.')",
          message: "saw the domain before the mutation",
        },
        { expression: "has(object.spec.routing) && object.spec.routing.mode == 'Managed'", message: "saw no defaulted routing" },
      ],
    });
    const cases: Array<{ name: string; phases: Phases; denials: string[] }> = [
      { name: "with every phase on, the validation sees the normalised domain and the default routing", phases: ALL_PHASES, denials: [] },
      {
        name: "with the mutation off, it sees the raw domain (and the schema rejects it)",
        phases: NO_MUTATION,
        denials: ["saw the domain before the mutation"],
      },
      {
        name: "with the schema phase off, it sees the mutation's routing instead of the default",
        phases: { schema: false, mutate: true, validate: true },
        denials: [],
      },
      {
        name: "with both off, it sees neither",
        phases: { schema: false, mutate: false, validate: true },
        denials: ["saw the domain before the mutation", "saw no defaulted routing"],
      },
    ];
    for (const c of cases) {
      test(c.name, () => {
        const verdict = decide(request(domainRoute({ domain: "Web.Shop.Example.com." })), environment(libraryWith(sees)), c.phases);
        assert.deepEqual(
          verdict.denials.filter((d) => d.policy === "sees-final-object").map((d) => d.message),
          c.denials,
        );
      });
    }

    test("domain-unique compares the normalised domain with the state", () => {
      const verdict = decide(request(domainRoute({ domain: "SHOP.example.com.", protection: { provider: "sso", appId: "other" } }, "copy")), environment());
      assert.equal(verdict.allowed, false);
      assert.deepEqual(policiesOf(verdict.denials), ["domain-unique"]);
      assert.match(verdict.denials[0]!.message, /shop\.example\.com is already routed by DomainRoute team-a\/shop-web/);
    });
  });

  describe("CRD schema findings are denials under the policy crd-schema", () => {
    test("a value outside the enum names its field", () => {
      const verdict = decide(request(domainRoute({ lb: "alb-x" })), environment());
      const schema = verdict.denials.filter((d) => d.policy === SCHEMA_POLICY);
      assert.ok(
        schema.some((d) => d.field === "spec.lb" && /Unsupported value: "alb-x"/.test(d.message)),
        JSON.stringify(schema),
      );
      assert.ok(
        verdict.denials.some((d) => d.policy === "lb-explicit"),
        "the library's policy is reported too: one never hides another",
      );
    });

    test("an unknown field is pruned from the object and denied as a strict decoding error", () => {
      const verdict = decide(request(domainRoute({ colour: "blue" })), environment());
      assert.equal(Object.hasOwn(spec(verdict), "colour"), false, "the unknown field is pruned");
      assert.deepEqual(
        verdict.denials.map((d) => [d.policy, d.field, d.reason]),
        [[SCHEMA_POLICY, "spec.colour", "BadRequest"]],
      );
      assert.match(verdict.denials[0]!.message, /^strict decoding error: unknown field "spec\.colour"/);
    });

    test("an UPDATE that changes the immutable domain is denied by the CRD's transition rule", () => {
      const old = domainRoute({}, "web");
      const verdict = decide(request(domainRoute({ domain: "other.shop.example.com" }), { operation: "UPDATE", oldObject: old }), environment());
      assert.ok(
        verdict.denials.some((d) => d.policy === SCHEMA_POLICY && /domain is immutable/.test(d.message)),
        JSON.stringify(verdict.denials),
      );
    });

    test("kinds without a CRD skip the schema phase", () => {
      const httpRoute = {
        apiVersion: "gateway.networking.k8s.io/v1",
        kind: "HTTPRoute",
        metadata: { name: "r", namespace: "team-a" },
        spec: { hostnames: ["shop.example.com"], colour: "blue" },
      };
      const verdict = decide(request(httpRoute), environment());
      assert.equal(verdict.allowed, true, JSON.stringify(verdict.denials));
    });
  });
});

describe("decide skips what the admission chain does not evaluate", () => {
  const denyAll = module(
    "deny-all",
    {
      validations: [{ expression: "false", message: "denied by deny-all" }],
      mutations: [{ patchType: "JSONPatch", expression: "[{'op': 'add', 'path': '/metadata/labels', 'value': {'touched': 'yes'}}]" }],
    },
    { apiGroups: ["*"], kinds: ["*"], operations: ["*"] },
  );
  const object = domainRoute({ lb: "alb-x" });
  const cases: Array<{ name: string; input: AdmissionInput; evaluated: boolean }> = [
    { name: "a plain CREATE is evaluated (the control case)", input: request(object), evaluated: true },
    {
      name: "a status subresource request is allowed without evaluation",
      input: request(object, { operation: "UPDATE", oldObject: object, subResource: "status" }),
      evaluated: false,
    },
    {
      name: "a scale subresource request is allowed without evaluation",
      input: request(object, { operation: "UPDATE", oldObject: object, subResource: "scale" }),
      evaluated: false,
    },
    { name: "CONNECT is allowed without evaluation", input: request(object, { operation: "CONNECT", object: null }), evaluated: false },
    (() => {
      const deleting = {
        ...object,
        metadata: { ...(object.metadata as object), deletionTimestamp: "2030-01-01T00:00:00Z", finalizers: ["hostgate.dev/cleanup"] },
      };
      const released = { ...deleting, metadata: { ...deleting.metadata, finalizers: [] } };
      return {
        name: "an UPDATE of an object being deleted (its finalizer removed) is allowed without evaluation, or it would stay Terminating",
        input: request(released, { operation: "UPDATE", oldObject: deleting }),
        evaluated: false,
      };
    })(),
    (() => {
      // Only the stored object's deletionTimestamp counts: a client cannot set it, but could write it into its request.
      const claimed = { ...object, metadata: { ...(object.metadata as object), deletionTimestamp: "2030-01-01T00:00:00Z" } };
      return {
        name: "an UPDATE whose new object merely claims a deletionTimestamp is still evaluated",
        input: request(claimed, { operation: "UPDATE", oldObject: object }),
        evaluated: true,
      };
    })(),
  ];
  for (const c of cases) {
    test(c.name, () => {
      const verdict = decide(c.input, environment(libraryWith(denyAll)));
      if (c.evaluated) {
        assert.equal(verdict.allowed, false);
        assert.ok(verdict.denials.some((d) => d.policy === "deny-all"));
        assert.deepEqual(verdict.patch.at(-1), { op: "add", path: "/metadata/labels", value: { touched: "yes" } });
        return;
      }
      assert.deepEqual(verdict, {
        allowed: true,
        denials: [],
        warnings: [],
        audits: [],
        patch: [],
        object: c.input.object,
        applied: { policies: [], schema: false },
      });
    });
  }
});

describe("decide on DELETE", () => {
  const onDelete = module(
    "on-delete",
    {
      validations: [
        { expression: "object == null", message: "object was not null on DELETE" },
        { expression: "false", messageExpression: "'deleting ' + oldObject.metadata.name + ' in ' + request.namespace", message: "fallback", action: "Warn" },
      ],
    },
    { apiGroups: ["hostgate.dev"], kinds: ["DomainRoute"], operations: ["DELETE"] },
  );

  test("policies get object null and the stored object as oldObject", () => {
    const stored = domainRoute();
    const verdict = decide(request(stored, { operation: "DELETE", object: null, oldObject: stored }), environment(libraryWith(onDelete)));
    assert.deepEqual(verdict.denials, []);
    assert.deepEqual(
      verdict.warnings.map((w) => [w.policy, w.message]),
      [["on-delete", "deleting web in team-a"]],
    );
    assert.equal(verdict.object, null);
    assert.deepEqual(verdict.patch, []);
  });

  test("deleting a route the library and the schema would refuse to create is allowed", () => {
    const stored = domainRoute({ lb: "alb-x", colour: "blue", domain: "NOT VALID" });
    const verdict = decide(request(stored, { operation: "DELETE", object: null, oldObject: stored }), environment());
    // No library policy matches DELETE, and the schema applies to writes only.
    assert.deepEqual(verdict, { allowed: true, denials: [], warnings: [], audits: [], patch: [], object: null, applied: { policies: [], schema: false } });
  });
});

describe("decide sorts findings by action", () => {
  const mixed = module("mixed", {
    action: "Audit",
    validations: [
      { expression: "false", message: "an audit finding", fieldPath: "spec.a" },
      { expression: "false", message: "a warning", action: "Warn", reason: "Forbidden" },
      { expression: "object.spec.lb != 'alb-out'", message: "a denial", action: "Deny", fieldPath: "spec.lb", reason: "Conflict" },
    ],
  });
  const cases: Array<{ name: string; lb: string; allowed: boolean; denials: unknown[] }> = [
    { name: "Warn goes to warnings and Audit to audits; neither denies", lb: "alb-in", allowed: true, denials: [] },
    {
      name: "a Deny among them denies, with its field and reason",
      lb: "alb-out",
      allowed: false,
      denials: [{ policy: "mixed", message: "a denial", field: "spec.lb", reason: "Conflict" }],
    },
  ];
  for (const c of cases) {
    test(c.name, () => {
      const verdict = decide(request(domainRoute({ lb: c.lb })), environment(makePolicySet([mixed])));
      assert.equal(verdict.allowed, c.allowed);
      assert.deepEqual(verdict.denials, c.denials);
      assert.deepEqual(verdict.warnings, [{ policy: "mixed", message: "a warning", reason: "Forbidden" }]);
      assert.deepEqual(verdict.audits, [{ policy: "mixed", message: "an audit finding", field: "spec.a", reason: "Invalid" }]);
    });
  }

  test("the library's certificate-coverage warning does not deny", () => {
    const verdict = decide(request(domainRoute({}, "deep", "team-a")), environment());
    assert.equal(verdict.allowed, true);
    assert.deepEqual(
      verdict.warnings.map((w) => w.policy),
      ["certificate-coverage"],
    );
  });
});

describe("decide with the mutating webhook's phases", () => {
  test("returns the patch only: no schema or validation findings for an object every check would deny", () => {
    // Public without protection, lb outside the enum, an unknown field, not granted (team-b).
    const object = domainRoute({ domain: "Web.Shop.Example.com.", lb: "alb-x", colour: "blue" }, "web", "team-b");
    const full = decide(request(object), environment());
    assert.equal(full.allowed, false, "the control: with every phase on it is denied");

    const verdict = decide(request(object), environment(), WEBHOOK_MUTATE);
    assert.equal(verdict.allowed, true);
    assert.deepEqual(verdict.denials, []);
    assert.deepEqual(verdict.warnings, []);
    assert.deepEqual(verdict.audits, []);
    assert.deepEqual(verdict.patch, [
      { op: "add", path: "/spec/routing", value: { mode: "Managed" } },
      { op: "replace", path: "/spec/domain", value: "web.shop.example.com" },
    ]);
    assert.equal(spec(verdict).colour, "blue", "without the schema phase nothing is pruned");
  });

  test("the validating webhook's phases return findings and no patch", () => {
    const verdict = decide(request(domainRoute({ domain: "Web.Shop.Example.com." }, "web", "team-b")), environment(), {
      schema: false,
      mutate: false,
      validate: true,
    });
    assert.deepEqual(verdict.patch, []);
    assert.ok(
      verdict.denials.some((d) => d.policy === "hostname-granted"),
      JSON.stringify(verdict.denials),
    );
  });
});
