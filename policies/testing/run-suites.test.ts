// Unit tests of the policy test runner with an injected SuiteEnvironment: a
// tiny policy set compiled in memory, config and cluster as plain Maps.
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, test } from "node:test";
import { stringify } from "yaml";
import { compileModule, displayPath, makePolicySet } from "../engine/module-loader.ts";
import type { CompiledModule, PolicySet } from "../engine/module-loader.ts";
import { findSuiteFiles, formatResults, readSuites, runSuite, SuiteFileError } from "./run-suites.ts";
import type { CaseResult, SuiteEnvironment } from "./run-suites.ts";
import type { PolicyTestCase, PolicyTestSuite } from "./suite-schema.ts";

// ---------------------------------------------------------------- builders

function compiled(name: string, spec: Record<string, unknown>, operations: string[] = ["CREATE", "UPDATE"]): CompiledModule {
  const result = compileModule(
    {
      apiVersion: "hostgate.dev/v1alpha1",
      kind: "PolicyModule",
      metadata: { name },
      spec: { description: `test module ${name}`, match: [{ apiGroups: [""], kinds: ["ConfigMap"], operations }], ...spec },
    },
    `${name}.yaml`,
  );
  if ("problems" in result) throw new Error(result.problems.join("\n"));
  return result.module;
}

/** At most config.maxKeys entries in data. */
const LIMIT = compiled("limit", {
  validations: [
    {
      expression: "!has(object.data) || size(object.data) <= config.maxKeys",
      messageExpression: "'data holds at most ' + string(config.maxKeys) + ' keys'",
      message: "too many keys",
    },
  ],
});

/** Names listed in cluster.reservedNames are taken. */
const RESERVED = compiled("reserved", {
  validations: [
    { expression: "!(object.metadata.name in cluster.reservedNames)", messageExpression: "object.metadata.name + ' is reserved'", message: "reserved" },
  ],
});

/** Always warns, describing the request it saw. */
const ECHO = compiled(
  "echo",
  {
    action: "Warn",
    validations: [
      {
        expression: "false",
        messageExpression:
          "request.operation + ' in ' + request.namespace + ' by ' + request.userInfo.username + ': object ' + (object == null ? 'null' : object.metadata.name) + ', oldObject ' + (oldObject == null ? 'null' : oldObject.metadata.name)",
        message: "echo",
      },
    ],
  },
  ["CREATE", "UPDATE", "DELETE"],
);

/** Adds label managed-by: hostgate when missing (idempotent). */
const LABEL = compiled("label", {
  matchConditions: [{ name: "labelled", expression: "has(object.metadata.labels)" }],
  mutations: [
    {
      patchType: "JSONPatch",
      expression: "'managed-by' in object.metadata.labels ? [] : [{'op': 'add', 'path': '/metadata/labels/managed-by', 'value': 'hostgate'}]",
    },
  ],
});

/** Appends to metadata.finalizers on every pass (not idempotent). */
const APPEND = compiled("append", {
  matchConditions: [{ name: "has-finalizers", expression: "has(object.metadata.finalizers)" }],
  mutations: [{ patchType: "JSONPatch", expression: "[{'op': 'add', 'path': '/metadata/finalizers/-', 'value': 'again'}]" }],
});

const ALL = makePolicySet([LIMIT, RESERVED, ECHO, LABEL, APPEND]);

interface RecordingEnvironment extends SuiteEnvironment {
  configCalls: Array<readonly Record<string, unknown>[]>;
  clusterCalls: Array<readonly Record<string, unknown>[]>;
}

/**
 * config: {maxKeys} (default 2) with each override's keys assigned in
 * order; an override {explode: true} makes configFor throw. cluster:
 * {reservedNames: the objects' names}.
 */
function environment(policies: PolicySet = ALL): RecordingEnvironment {
  const configCalls: Array<readonly Record<string, unknown>[]> = [];
  const clusterCalls: Array<readonly Record<string, unknown>[]> = [];
  return {
    policies,
    configCalls,
    clusterCalls,
    configFor(overrides) {
      configCalls.push(overrides);
      const merged: Record<string, unknown> = Object.assign({ maxKeys: 2 }, ...overrides);
      if (merged.explode === true) throw new Error("the config could not be built");
      return new Map([["maxKeys", BigInt(merged.maxKeys as number)]]);
    },
    clusterFor(objects) {
      clusterCalls.push(objects);
      return new Map([["reservedNames", objects.map((o) => (o.metadata as { name: string }).name)]]);
    },
  };
}

function configMap(
  name = "settings",
  extra: { labels?: Record<string, string>; data?: Record<string, string>; finalizers?: string[]; namespace?: string } = {},
): Record<string, unknown> {
  const { labels, data, finalizers, namespace = "team-a" } = extra;
  return {
    apiVersion: "v1",
    kind: "ConfigMap",
    metadata: { name, namespace, ...(labels ? { labels } : {}), ...(finalizers ? { finalizers } : {}) },
    ...(data ? { data } : {}),
  };
}

function testCase(name: string, fields: Partial<PolicyTestCase> = {}): PolicyTestCase {
  return { name, object: configMap(), expect: { allowed: true }, ...fields };
}

function suiteOf(cases: PolicyTestCase[], spec: Partial<PolicyTestSuite["spec"]> = {}, name = "unit"): PolicyTestSuite {
  return { apiVersion: "hostgate.dev/v1alpha1", kind: "PolicyTest", metadata: { name }, spec: { ...spec, cases } };
}

function runOne(c: PolicyTestCase, spec: Partial<PolicyTestSuite["spec"]> = {}, env: SuiteEnvironment = environment()): CaseResult {
  const [result, ...rest] = runSuite("unit.test.yaml", suiteOf([c], spec), env);
  assert.equal(rest.length, 0);
  return result!;
}

function tempDir(): string {
  return mkdtempSync(join(tmpdir(), "hostgate-suites-"));
}

// ---------------------------------------------------------------- runSuite

describe("runSuite", () => {
  test("a case whose every expectation holds passes with no failures", () => {
    const result = runOne(
      testCase("labelled and small", {
        object: configMap("settings", { labels: { team: "a" }, data: { a: "1" } }),
        expect: {
          allowed: true,
          warnings: ["CREATE in team-a by hostgate-test: object settings, oldObject null"],
          patch: [{ op: "add", path: "/metadata/labels/managed-by", value: "hostgate" }],
        },
      }),
    );
    assert.deepEqual(result, { file: "unit.test.yaml", suite: "unit", name: "labelled and small", passed: true, failures: [] });
  });

  const tooBig = configMap("settings", { data: { a: "1", b: "2", c: "3" } });
  const wrong: Array<{ name: string; c: PolicyTestCase; failures: string[] }> = [
    {
      name: "an object expected allowed but denied fails, quoting the denials",
      c: testCase("x", { object: tooBig }),
      failures: ["expected allowed, but it was denied: limit: data holds at most 2 keys"],
    },
    {
      name: "an object expected denied but allowed fails",
      c: testCase("x", { expect: { allowed: false } }),
      failures: ["expected a denial, but it was allowed"],
    },
    {
      name: "a message no denial contains fails, listing the denials",
      c: testCase("x", { object: tooBig, expect: { allowed: false, messages: ["at most 3 keys"] } }),
      failures: ['no denial message contains "at most 3 keys"; denials: limit: data holds at most 2 keys'],
    },
    {
      name: "a message expected while nothing denies fails with (none)",
      c: testCase("x", { expect: { allowed: true, messages: ["anything"] } }),
      failures: ['no denial message contains "anything"; denials: (none)'],
    },
    {
      name: "a policy expected among the deniers that did not deny fails, naming who did",
      c: testCase("x", { object: tooBig, expect: { allowed: false, policies: ["reserved"] } }),
      failures: ['policy "reserved" did not deny; denied by: limit'],
    },
    {
      name: "an expected warning that does not occur fails, listing the warnings",
      c: testCase("x", { expect: { allowed: true, warnings: ["UPDATE in"] } }),
      failures: ['no warning contains "UPDATE in"; warnings: echo: CREATE in team-a by hostgate-test: object settings, oldObject null'],
    },
    {
      name: "warnings: [] fails when a warning occurs",
      c: testCase("x", { expect: { allowed: true, warnings: [] } }),
      failures: ["expected no warnings, got: echo: CREATE in team-a by hostgate-test: object settings, oldObject null"],
    },
    {
      name: "a patch that differs fails, showing both",
      c: testCase("x", { object: configMap("settings", { labels: {} }), expect: { allowed: true, patch: [] } }),
      failures: ['patch differs:\n        expected []\n        got      [{"op":"add","path":"/metadata/labels/managed-by","value":"hostgate"}]'],
    },
    {
      name: "every unmet expectation of one case is reported, not only the first",
      c: testCase("x", { object: tooBig, expect: { allowed: true, messages: ["nope"], patch: [{ op: "add", path: "/x", value: 1 }] } }),
      failures: [
        "expected allowed, but it was denied: limit: data holds at most 2 keys",
        'no denial message contains "nope"; denials: limit: data holds at most 2 keys',
        'patch differs:\n        expected [{"op":"add","path":"/x","value":1}]\n        got      []',
      ],
    },
    {
      name: "a mutation that patches again on its own output fails even when its patch was expected",
      c: testCase("x", {
        object: configMap("settings", { finalizers: ["keep"] }),
        expect: { allowed: true, patch: [{ op: "add", path: "/metadata/finalizers/-", value: "again" }] },
      }),
      failures: [
        'mutations are not idempotent: a second pass over the mutated object patched again: [{"op":"add","path":"/metadata/finalizers/-","value":"again"}]',
      ],
    },
    {
      name: "an UPDATE case without oldObject fails without being evaluated",
      c: testCase("x", { operation: "UPDATE", object: tooBig, expect: { allowed: false } }),
      failures: ["an UPDATE case needs oldObject (the stored object)"],
    },
  ];
  for (const w of wrong) {
    test(w.name, () => {
      const result = runOne(w.c);
      assert.equal(result.passed, false);
      assert.deepEqual(result.failures, w.failures);
    });
  }

  test("a patch expectation matches regardless of key order", () => {
    const result = runOne(
      testCase("x", {
        object: configMap("settings", { labels: {} }),
        expect: { allowed: true, patch: [{ value: "hostgate", path: "/metadata/labels/managed-by", op: "add" }] },
      }),
    );
    assert.deepEqual(result.failures, []);
  });

  test("config overrides are passed to configFor as the suite's then the case's", () => {
    const env = environment();
    const results = runSuite(
      "unit.test.yaml",
      suiteOf(
        [
          testCase("suite override only: 3 keys fit", { object: configMap("s", { data: { a: "1", b: "2", c: "3" } }) }),
          testCase("the case's override wins: 3 keys do not fit in 1", {
            object: configMap("s", { data: { a: "1", b: "2", c: "3" } }),
            config: { maxKeys: 1 },
            expect: { allowed: false, messages: ["at most 1 keys"] },
          }),
        ],
        { config: { maxKeys: 3 } },
      ),
      env,
    );
    assert.deepEqual(
      results.map((r) => r.failures),
      [[], []],
    );
    assert.deepEqual(env.configCalls, [[{ maxKeys: 3 }], [{ maxKeys: 3 }, { maxKeys: 1 }]]);
  });

  test("a case without any config override asks configFor for the base config (no overrides)", () => {
    const env = environment();
    runOne(testCase("x"), {}, env);
    assert.deepEqual(env.configCalls, [[]]);
  });

  test("the cluster is built from the suite's state followed by the case's state", () => {
    const env = environment();
    const result = runOne(
      testCase("taken by the case's state", {
        object: configMap("mine"),
        state: [configMap("mine")],
        expect: { allowed: false, messages: ["mine is reserved"], policies: ["reserved"] },
      }),
      { state: [configMap("theirs")] },
      env,
    );
    assert.deepEqual(result.failures, []);
    assert.deepEqual(
      env.clusterCalls.map((objects) => objects.map((o) => (o.metadata as { name: string }).name)),
      [["theirs", "mine"]],
    );
  });

  test("spec.policies restricts the run to the named modules", () => {
    const c = testCase("reserved name, but only limit runs", {
      object: configMap("mine"),
      state: [configMap("mine")],
      expect: { allowed: true, warnings: [] },
    });
    assert.deepEqual(runOne(c, { policies: ["limit"] }).failures, []);
    assert.equal(runOne(c).passed, false, "with every module loaded, the reserved name and the echo warning fail the case");
  });

  test("a suite naming a policy that is not loaded fails every case, listing what is loaded", () => {
    const results = runSuite("unit.test.yaml", suiteOf([testCase("a"), testCase("b")], { policies: ["limit", "missing"] }), environment());
    assert.deepEqual(
      results.map((r) => [r.name, r.passed, r.failures]),
      [
        ["a", false, ['no policy named "missing" is loaded (loaded: append, echo, label, limit, reserved)']],
        ["b", false, ['no policy named "missing" is loaded (loaded: append, echo, label, limit, reserved)']],
      ],
    );
  });

  test("a case whose environment throws fails as 'could not run' and the other cases still run", () => {
    const results = runSuite(
      "unit.test.yaml",
      suiteOf([testCase("broken", { config: { explode: true } }), testCase("fine", { expect: { allowed: true } })], { policies: ["limit"] }),
      environment(),
    );
    assert.deepEqual(
      results.map((r) => [r.name, r.failures]),
      [
        ["broken", ["could not run: the config could not be built"]],
        ["fine", []],
      ],
    );
  });

  const requests: Array<{ name: string; c: PolicyTestCase; warning: string }> = [
    {
      name: "CREATE sends the object and no oldObject, in the object's namespace",
      c: testCase("x"),
      warning: "CREATE in team-a by hostgate-test: object settings, oldObject null",
    },
    {
      name: "UPDATE sends both objects",
      c: testCase("x", { operation: "UPDATE", object: configMap("new"), oldObject: configMap("old") }),
      warning: "UPDATE in team-a by hostgate-test: object new, oldObject old",
    },
    {
      name: "DELETE sends no object and the case's object as oldObject",
      c: testCase("x", { operation: "DELETE" }),
      warning: "DELETE in team-a by hostgate-test: object null, oldObject settings",
    },
    {
      // An object naming another namespace than its request is denied (policies/request-namespace.ts), as the API server refuses it.
      name: "a case's namespace is the request's for an object that names none",
      c: testCase("x", { namespace: "team-b", object: { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "settings" } } }),
      warning: "CREATE in team-b by hostgate-test: object settings, oldObject null",
    },
    {
      name: "a case's user is the request's user",
      c: testCase("x", { user: { username: "alice" } }),
      warning: "CREATE in team-a by alice: object settings, oldObject null",
    },
  ];
  for (const r of requests) {
    test(`the request a case builds: ${r.name}`, () => {
      const result = runOne({ ...r.c, expect: { allowed: true, warnings: [r.warning] } }, { policies: ["echo"] });
      assert.deepEqual(result.failures, []);
    });
  }

  test("results carry the file, the suite's name and each case's name, in case order", () => {
    const results = runSuite("dir/s.test.yaml", suiteOf([testCase("first"), testCase("second")], { policies: ["limit"] }, "my-suite"), environment());
    assert.deepEqual(
      results.map((r) => [r.file, r.suite, r.name, r.passed]),
      [
        ["dir/s.test.yaml", "my-suite", "first", true],
        ["dir/s.test.yaml", "my-suite", "second", true],
      ],
    );
  });
});

// ---------------------------------------------------------------- readSuites

function suiteDocument(name: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    apiVersion: "hostgate.dev/v1alpha1",
    kind: "PolicyTest",
    metadata: { name },
    spec: { cases: [{ name: "c", object: configMap(), expect: { allowed: true } }] },
    ...extra,
  };
}

describe("readSuites", () => {
  test("reads every suite document of a file, skips empty documents and names the file as displayPath shows it", () => {
    const dir = tempDir();
    const file = join(dir, "two.test.yaml");
    writeFileSync(file, `${stringify(suiteDocument("one"))}---\n# only a comment\n---\n${stringify(suiteDocument("two"))}`);
    const suites = readSuites([file]);
    assert.deepEqual(
      suites.map((s) => [s.file, s.suite.metadata.name]),
      [
        [displayPath(file), "one"],
        [displayPath(file), "two"],
      ],
    );
    assert.deepEqual(suites[0]!.suite.spec.cases[0]!.object, configMap());
  });

  test("YAML merge keys let cases extend a shared object", () => {
    const dir = tempDir();
    const file = join(dir, "merge.test.yaml");
    writeFileSync(
      file,
      [
        "apiVersion: hostgate.dev/v1alpha1",
        "kind: PolicyTest",
        "metadata: {name: merge}",
        "spec:",
        "  cases:",
        "    - name: base",
        "      object: &cm {apiVersion: v1, kind: ConfigMap, metadata: {name: base, namespace: team-a}}",
        "      expect: {allowed: true}",
        "    - name: extended",
        "      object: {<<: *cm, data: {a: '1'}}",
        "      expect: {allowed: true}",
        "",
      ].join("\n"),
    );
    const suites = readSuites([file]);
    assert.equal(suites.length, 1);
    assert.deepEqual(suites[0]!.suite.spec.cases[1]!.object, {
      apiVersion: "v1",
      kind: "ConfigMap",
      metadata: { name: "base", namespace: "team-a" },
      data: { a: "1" },
    });
  });

  test("every problem of every file is collected into one SuiteFileError with exit code 2", () => {
    const dir = tempDir();
    const wrongKind = join(dir, "kind.test.yaml");
    writeFileSync(wrongKind, stringify({ ...suiteDocument("k"), kind: "PolicyModule" }));
    const badShape = join(dir, "shape.test.yaml");
    writeFileSync(badShape, stringify(suiteDocument("s", { spec: { cases: [{ name: "c", object: configMap(), expect: { allowed: "yes" }, extra: 1 }] } })));
    const badYaml = join(dir, "yaml.test.yaml");
    writeFileSync(badYaml, "apiVersion: hostgate.dev/v1alpha1\nkind: PolicyTest\nmetadata:\n  name: x\n   spec: {}\n");
    const good = join(dir, "good.test.yaml");
    writeFileSync(good, stringify(suiteDocument("good")));

    const error = (() => {
      try {
        readSuites([wrongKind, badShape, good, badYaml]);
      } catch (e) {
        return e;
      }
      return undefined;
    })();
    assert.ok(error instanceof SuiteFileError, `expected a SuiteFileError, got ${String(error)}`);
    assert.equal(error.exitCode, 2);
    const at = (file: string) => displayPath(file);
    assert.deepEqual(
      error.problems.filter((p) => !p.includes("invalid YAML")),
      [
        `${at(wrongKind)} (document 1): kind must be "PolicyTest"`,
        `${at(badShape)} (document 1): /spec/cases/0: must NOT have additional properties "extra"`,
        `${at(badShape)} (document 1): /spec/cases/0/expect/allowed: must be boolean`,
      ],
    );
    assert.ok(
      error.problems.some((p) => p.startsWith(`${at(badYaml)}:4:9: invalid YAML: `)),
      error.problems.join("\n"),
    );
  });
});

// ---------------------------------------------------------------- findSuiteFiles

describe("findSuiteFiles", () => {
  test("finds *.test.yaml and *.test.yml under folders in sorted order, and keeps files named explicitly", () => {
    const dir = tempDir();
    mkdirSync(join(dir, "b"));
    mkdirSync(join(dir, ".hidden"));
    for (const f of ["b/z.test.yml", "a.test.yaml", "module.yaml", ".hidden/h.test.yaml", "notes.txt"]) writeFileSync(join(dir, f), "");
    const explicit = join(dir, "notes.txt");
    assert.deepEqual(findSuiteFiles([dir, explicit]), [join(dir, "a.test.yaml"), join(dir, "b", "z.test.yml"), explicit]);
  });

  test("a path that does not exist is a SuiteFileError naming it", () => {
    const missing = join(tempDir(), "nope");
    assert.throws(
      () => findSuiteFiles([missing]),
      (e: unknown) => e instanceof SuiteFileError && e.problems[0] === `${missing}: no such file or directory (a dangling symlink counts as missing)`,
    );
  });
});

// ---------------------------------------------------------------- formatResults

describe("formatResults", () => {
  const result = (file: string, name: string, failures: string[] = [], suite = "s"): CaseResult => ({
    file,
    suite,
    name,
    passed: failures.length === 0,
    failures,
  });

  test("groups cases under their file and suite, marks each ok or FAIL with its failures indented, and ends with the counts", () => {
    const text = formatResults([
      result("a.test.yaml", "one", [], "alpha"),
      result("a.test.yaml", "two", ["first reason", "second reason"], "alpha"),
      result("b.test.yaml", "three", [], "beta"),
    ]);
    assert.equal(
      text,
      [
        "a.test.yaml (alpha)",
        "  ok   one",
        "  FAIL two",
        "       first reason",
        "       second reason",
        "b.test.yaml (beta)",
        "  ok   three",
        "",
        "2 passed, 1 failed",
      ].join("\n"),
    );
  });

  test("no results still ends with the summary line", () => {
    assert.equal(formatResults([]), "\n0 passed, 0 failed");
  });
});
