// `hostgate test`: the built-in suites pass, and every kind of wrong
// expectation in a suite fails its case with a specific explanation.
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { before, describe, test } from "node:test";
import { parseAllDocuments, stringify } from "yaml";
import { hostgate, LIBRARY, STACK_TRACE, tempDir, writeText } from "./fixtures.ts";
import type { CliResult } from "./fixtures.ts";

interface ReportedCase {
  passed: boolean;
  failures: string[];
}

/** Reads formatResults' text back: case name → ok/FAIL and its failure lines. */
function parseReport(stdout: string): Map<string, ReportedCase> {
  const cases = new Map<string, ReportedCase>();
  let current: ReportedCase | undefined;
  for (const line of stdout.split("\n")) {
    const head = /^ {2}(ok {2}|FAIL) (.+)$/.exec(line);
    if (head) {
      current = { passed: head[1] === "ok  ", failures: [] };
      assert.equal(cases.has(head[2]!), false, `case names are unique in this test: ${head[2]}`);
      cases.set(head[2]!, current);
    } else if (/^ {7}\S/.test(line) && current) {
      current.failures.push(line.trim());
    } else if (/^ {8}/.test(line) && current) {
      // continuation of a multi-line failure (patch differs)
      current.failures[current.failures.length - 1] += `\n${line.trim()}`;
    } else if (!/^\S/.test(line) && line !== "") {
      assert.fail(`unexpected report line: ${JSON.stringify(line)}`);
    }
  }
  return cases;
}

function lastLine(text: string): string {
  return text.trimEnd().split("\n").at(-1) ?? "";
}

/** A ConfigMap test object. */
function configMap(labels?: Record<string, string>, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "settings", namespace: "team-a", ...(labels ? { labels } : {}) }, ...extra };
}

function module(name: string, spec: Record<string, unknown>): Record<string, unknown> {
  return {
    apiVersion: "hostgate.dev/v1alpha1",
    kind: "PolicyModule",
    metadata: { name },
    spec: { description: `test module ${name}`, match: [{ apiGroups: [""], kinds: ["ConfigMap"], operations: ["CREATE", "UPDATE"] }], ...spec },
  };
}

function suite(name: string, policies: string[], cases: unknown[]): Record<string, unknown> {
  return { apiVersion: "hostgate.dev/v1alpha1", kind: "PolicyTest", metadata: { name }, spec: { policies, cases } };
}

const TEAM_LABEL = module("team-label", {
  validations: [
    {
      expression: "has(object.metadata.labels) && 'team' in object.metadata.labels",
      message: "metadata.labels.team is required; add the owning team",
      fieldPath: "metadata.labels",
    },
    { expression: "!has(object.data) || !('debug' in object.data)", message: "data.debug is discouraged in production", action: "Warn" },
  ],
  mutations: [
    {
      patchType: "JSONPatch",
      expression:
        "has(object.metadata.labels) && !('managed-by' in object.metadata.labels) ? [{'op': 'add', 'path': '/metadata/labels/managed-by', 'value': 'hostgate'}] : []",
    },
  ],
});

// Appends to a list on every pass: not idempotent.
const FINALIZER_STAMP = module("finalizer-stamp", {
  matchConditions: [{ name: "has-finalizers", expression: "has(object.metadata.finalizers)" }],
  mutations: [{ patchType: "JSONPatch", expression: "[{'op': 'add', 'path': '/metadata/finalizers/-', 'value': 'hostgate.dev/stamp'}]" }],
});

const STAMPED = { team: "a", "managed-by": "hostgate" };
const MANAGED_BY_PATCH = [{ op: "add", path: "/metadata/labels/managed-by", value: "hostgate" }];

/** Each case: its suite entry, and the one failure line it must report (undefined: it passes). */
const CASES: Array<{ name: string; suite: "team-label" | "finalizer-stamp" | "missing-policy"; body: Record<string, unknown>; failure?: RegExp }> = [
  {
    name: "a labelled ConfigMap is allowed and stamped",
    suite: "team-label",
    body: { object: configMap({ team: "a" }), expect: { allowed: true, warnings: [], patch: MANAGED_BY_PATCH } },
  },
  {
    name: "wrong: expects a denial for an allowed object",
    suite: "team-label",
    body: { object: configMap(STAMPED), expect: { allowed: false } },
    failure: /^expected a denial, but it was allowed$/,
  },
  {
    name: "wrong: expects allowed for a denied object",
    suite: "team-label",
    body: { object: configMap(), expect: { allowed: true } },
    failure: /^expected allowed, but it was denied: team-label: metadata\.labels\.team is required; add the owning team$/,
  },
  {
    name: "wrong: expects a message that no denial contains",
    suite: "team-label",
    body: { object: configMap(), expect: { allowed: false, messages: ["label app is required"] } },
    failure: /^no denial message contains "label app is required"; denials: team-label: metadata\.labels\.team is required/,
  },
  {
    name: "wrong: expects a policy among the deniers that did not deny",
    suite: "team-label",
    body: { object: configMap(), expect: { allowed: false, policies: ["some-other-policy"] } },
    failure: /^policy "some-other-policy" did not deny; denied by: team-label$/,
  },
  {
    name: "wrong: expects a warning that does not occur",
    suite: "team-label",
    body: { object: configMap(STAMPED), expect: { allowed: true, warnings: ["data.debug is discouraged"] } },
    failure: /^no warning contains "data\.debug is discouraged"; warnings: \(none\)$/,
  },
  {
    name: "wrong: expects no warnings while one occurs",
    suite: "team-label",
    body: { object: configMap(STAMPED, { data: { debug: "true" } }), expect: { allowed: true, warnings: [] } },
    failure: /^expected no warnings, got: team-label: data\.debug is discouraged in production$/,
  },
  {
    name: "wrong: expects no patch while the mutation patches",
    suite: "team-label",
    body: { object: configMap({ team: "a" }), expect: { allowed: true, patch: [] } },
    failure: /^patch differs:\nexpected \[\]\ngot {6}\[\{"op":"add","path":"\/metadata\/labels\/managed-by","value":"hostgate"\}\]$/,
  },
  {
    name: "wrong: an UPDATE case without oldObject",
    suite: "team-label",
    body: { operation: "UPDATE", object: configMap(STAMPED), expect: { allowed: true } },
    failure: /^an UPDATE case needs oldObject \(the stored object\)$/,
  },
  {
    name: "wrong: a mutation that appends on every pass",
    suite: "finalizer-stamp",
    body: {
      object: configMap(undefined, { metadata: { name: "settings", namespace: "team-a", finalizers: ["keep"] } }),
      expect: { allowed: true, patch: [{ op: "add", path: "/metadata/finalizers/-", value: "hostgate.dev/stamp" }] },
    },
    failure:
      /^mutations are not idempotent: a second pass over the mutated object patched again: \[\{"op":"add","path":"\/metadata\/finalizers\/-","value":"hostgate\.dev\/stamp"\}\]$/,
  },
  {
    name: "wrong: a suite naming a policy that is not loaded",
    suite: "missing-policy",
    body: { object: configMap(STAMPED), expect: { allowed: true } },
    failure: /^no policy named "no-such-policy" is loaded \(loaded: finalizer-stamp, team-label\)$/,
  },
];

describe("hostgate test on the built-in library", () => {
  let result: CliResult;
  before(async () => {
    result = await hostgate("test");
  });

  test("every built-in case passes and the run exits 0", () => {
    assert.equal(
      result.exitCode,
      0,
      result.stdout
        .split("\n")
        .filter((l) => /FAIL|^ {7}/.test(l))
        .join("\n"),
    );
    assert.doesNotMatch(result.stdout, /^ {2}FAIL /m);
  });

  test("a suite file named directly runs its cases against the built-in library", async () => {
    // TEST_USAGE: "Runs the policy test suites (*.test.yaml) under each PATH";
    // findSuiteFiles keeps a file that is named explicitly.
    const file = join(LIBRARY, "lb-explicit.test.yaml");
    const direct = await hostgate("test", file);
    assert.equal(direct.exitCode, 0, direct.stderr);
    const cases = (parseAllDocuments(readFileSync(file, "utf8"))[0]!.toJS() as { spec: { cases: unknown[] } }).spec.cases.length;
    assert.equal(lastLine(direct.stdout), `${cases} passed, 0 failed`);
  });

  test("it ends with the line 'N passed, 0 failed', N being every case of every library suite", () => {
    let cases = 0;
    for (const file of readdirSync(LIBRARY).filter((f) => f.endsWith(".test.yaml"))) {
      for (const doc of parseAllDocuments(readFileSync(join(LIBRARY, file), "utf8"))) {
        cases += ((doc.toJS({ maxAliasCount: 1000 }) as { spec: { cases: unknown[] } }).spec.cases ?? []).length;
      }
    }
    assert.ok(cases > 0);
    assert.equal(lastLine(result.stdout), `${cases} passed, 0 failed`);
  });
});

describe("hostgate test on a suite whose expectations are wrong", () => {
  const dir = tempDir("test-wrong");
  writeText(dir, "team-label.yaml", stringify(TEAM_LABEL));
  writeText(dir, "finalizer-stamp.yaml", stringify(FINALIZER_STAMP));
  const policiesOf = { "team-label": ["team-label"], "finalizer-stamp": ["finalizer-stamp"], "missing-policy": ["no-such-policy"] };
  for (const [name, policies] of Object.entries(policiesOf)) {
    const cases = CASES.filter((c) => c.suite === name).map((c) => ({ name: c.name, ...c.body }));
    writeText(dir, `${name}.test.yaml`, stringify(suite(name, policies, cases)));
  }

  let result: CliResult;
  let report: Map<string, ReportedCase>;
  before(async () => {
    result = await hostgate("test", dir);
    report = parseReport(result.stdout);
  });

  test("the run exits 1 without a stack trace", () => {
    assert.equal(result.exitCode, 1, result.stderr);
    assert.doesNotMatch(result.stdout + result.stderr, STACK_TRACE);
  });

  test("the summary counts the passing case and every failing one", () => {
    const failing = CASES.filter((c) => c.failure !== undefined).length;
    assert.equal(lastLine(result.stdout), `${CASES.length - failing} passed, ${failing} failed`);
  });

  test("every case is reported exactly once", () => {
    assert.deepEqual([...report.keys()].sort(), CASES.map((c) => c.name).sort());
  });

  for (const c of CASES) {
    test(c.failure ? `the case "${c.name}" fails with that one explanation` : `the case "${c.name}" passes`, () => {
      const reported = report.get(c.name);
      assert.ok(reported, `case ${c.name} reported`);
      if (c.failure === undefined) {
        assert.deepEqual(reported, { passed: true, failures: [] });
        return;
      }
      assert.equal(reported.passed, false);
      assert.equal(reported.failures.length, 1, `failures: ${JSON.stringify(reported.failures)}`);
      assert.match(reported.failures[0]!, c.failure);
    });
  }
});

describe("hostgate test on unusable suites exits 2 naming the file", () => {
  const cases: Array<{ name: string; file: string; text: string; messages: RegExp[] }> = [
    {
      name: "a suite with schema errors lists each with its location",
      file: "broken.test.yaml",
      text: stringify(suite("broken", ["team-label"], [{ name: "no expect", object: configMap(), expected: { allowed: true } }])),
      messages: [
        /broken\.test\.yaml \(document 1\): \/spec\/cases\/0: must have required property 'expect'/,
        /broken\.test\.yaml \(document 1\): \/spec\/cases\/0: must NOT have additional properties "expected"/,
      ],
    },
    {
      name: "a document of another kind is refused",
      file: "other.test.yaml",
      text: stringify({ apiVersion: "hostgate.dev/v1alpha1", kind: "PolicyTests", metadata: { name: "x" }, spec: { cases: [] } }),
      messages: [/other\.test\.yaml \(document 1\): kind must be "PolicyTest"/],
    },
    {
      name: "a suite that is not valid YAML names the line",
      file: "syntax.test.yaml",
      text: "apiVersion: hostgate.dev/v1alpha1\nkind: PolicyTest\nmetadata:\n  name: x\n   spec: {}\n",
      messages: [/syntax\.test\.yaml:4:9: invalid YAML: /],
    },
  ];
  for (const c of cases) {
    test(c.name, async () => {
      const dir = tempDir("test-unusable");
      writeText(dir, "team-label.yaml", stringify(TEAM_LABEL));
      writeText(dir, c.file, c.text);
      const result = await hostgate("test", dir);
      assert.equal(result.exitCode, 2, result.stdout + result.stderr);
      assert.equal(result.stdout, "");
      assert.match(result.stderr, /^hostgate test: unusable input:\n/);
      for (const message of c.messages) assert.match(result.stderr, message);
      assert.doesNotMatch(result.stderr, STACK_TRACE);
    });
  }

  test("a folder without suites says none were found", async () => {
    const dir = tempDir("test-empty");
    writeText(dir, "team-label.yaml", stringify(TEAM_LABEL));
    const result = await hostgate("test", dir);
    assert.equal(result.exitCode, 2);
    assert.match(result.stderr, /no test suites \(\*\.test\.yaml\) found under .*hostgate-test-empty-/);
    assert.doesNotMatch(result.stderr, STACK_TRACE);
  });

  test("a --config that does not exist is named", async () => {
    const result = await hostgate("test", "--config", "/nonexistent/platform.yaml");
    assert.equal(result.exitCode, 2);
    assert.match(result.stderr, /\/nonexistent\/platform\.yaml/);
    assert.doesNotMatch(result.stderr, STACK_TRACE);
  });
});
