// Runs policy test suites: each case goes through the same `decide` the
// webhook and `hostgate check` use. A case passes only if every expectation
// holds, and a mutation that is not idempotent (a second pass over its own
// output patches again) fails the case even when the patch was expected.
//
// The runner does not know where config or cluster state come from: the
// caller injects how to build them (the CLI wires core/config and core/state).
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { isDeepStrictEqual } from "node:util";
import { Ajv } from "ajv";
import { LineCounter, parseAllDocuments } from "yaml";
import type { PolicySet } from "../engine/module-loader.ts";
import { displayPath, PolicyLoadError } from "../engine/module-loader.ts";
import { yamlErrorProblem } from "../engine/yaml-problems.ts";
import { InputError } from "../engine/input-error.ts";
import { splitApiVersion } from "../engine/types.ts";
import type { AdmissionInput, Operation } from "../engine/types.ts";
import { decide } from "../verdict.ts";
import type { Verdict } from "../verdict.ts";
import { POLICY_TEST_KIND, policyTestSchema } from "./suite-schema.ts";
import type { PolicyTestCase, PolicyTestSuite } from "./suite-schema.ts";

export interface SuiteEnvironment {
  policies: PolicySet;
  /** The config as a CEL value, after deep-merging overrides (suite's, then case's) into the base. */
  configFor(overrides: readonly Record<string, unknown>[]): unknown;
  /** The cluster state as a CEL value, indexed from these objects. */
  clusterFor(objects: readonly Record<string, unknown>[]): unknown;
}

export interface CaseResult {
  file: string;
  suite: string;
  name: string;
  passed: boolean;
  /** Why it failed, one line each. */
  failures: string[];
}

export class SuiteFileError extends InputError {
  constructor(problems: readonly string[]) {
    super(problems, "the policy test suites cannot be read");
  }
}

/** Suite files (`*.test.yaml` / `*.test.yml`) under the paths, in sorted order. */
export function findSuiteFiles(paths: readonly string[]): string[] {
  const files: string[] = [];
  const walk = (path: string, explicit: boolean): void => {
    const stat = statSync(path, { throwIfNoEntry: false });
    if (stat === undefined) throw new SuiteFileError([`${path}: no such file or directory (a dangling symlink counts as missing)`]);
    if (stat.isDirectory()) {
      for (const entry of readdirSync(path).sort()) {
        if (entry.startsWith(".") || entry === "node_modules") continue;
        walk(join(path, entry), false);
      }
    } else if (explicit || /\.test\.ya?ml$/.test(path)) {
      files.push(path);
    }
  };
  for (const path of paths) walk(path, true);
  return files;
}

let validateSuite: ReturnType<Ajv["compile"]> | undefined;

export function readSuites(files: readonly string[]): Array<{ file: string; suite: PolicyTestSuite }> {
  validateSuite ??= new Ajv({ allErrors: true, strict: false }).compile(policyTestSchema);
  const problems: string[] = [];
  const suites: Array<{ file: string; suite: PolicyTestSuite }> = [];
  for (const path of files) {
    const file = displayPath(path);
    let text: string;
    try {
      text = readFileSync(path, "utf8");
    } catch (error) {
      problems.push(`${file}: cannot be read: ${(error as Error).message}`);
      continue;
    }
    // `merge: true` lets fixtures extend a shared object with YAML merge keys (`<<: *route`).
    const lineCounter = new LineCounter();
    const docs = parseAllDocuments(text, { merge: true, lineCounter });
    for (const [index, doc] of (Array.isArray(docs) ? docs : [docs]).entries()) {
      if (doc.errors.length > 0) {
        for (const e of doc.errors) problems.push(yamlErrorProblem(file, lineCounter, e));
        continue;
      }
      let value: unknown;
      try {
        value = doc.toJS({ maxAliasCount: 1000 });
      } catch (error) {
        problems.push(`${file} (document ${index + 1}): cannot be read as YAML: ${(error as Error).message}`);
        continue;
      }
      if (value === null || value === undefined) continue;
      if ((value as { kind?: unknown }).kind !== POLICY_TEST_KIND) {
        problems.push(`${file} (document ${index + 1}): kind must be "${POLICY_TEST_KIND}"`);
        continue;
      }
      if (!validateSuite(value)) {
        for (const e of validateSuite.errors ?? [])
          problems.push(
            `${file} (document ${index + 1}): ${e.instancePath || "(top level)"}: ${e.message}${e.keyword === "additionalProperties" ? ` "${String(e.params.additionalProperty)}"` : ""}`,
          );
        continue;
      }
      suites.push({ file, suite: value as PolicyTestSuite });
    }
  }
  if (problems.length > 0) throw new SuiteFileError(problems);
  return suites;
}

export function runSuite(file: string, suite: PolicyTestSuite, env: SuiteEnvironment): CaseResult[] {
  let policies: PolicySet;
  try {
    policies = suite.spec.policies ? env.policies.subset(suite.spec.policies) : env.policies;
  } catch (error) {
    const message = error instanceof PolicyLoadError ? error.problems.join("; ") : String(error);
    return suite.spec.cases.map((c) => ({ file, suite: suite.metadata.name, name: c.name, passed: false, failures: [message] }));
  }
  return suite.spec.cases.map((testCase) => {
    let failures: string[];
    try {
      failures = runCase(testCase, suite, policies, env);
    } catch (error) {
      failures = [`could not run: ${error instanceof Error ? error.message : String(error)}`];
    }
    return { file, suite: suite.metadata.name, name: testCase.name, passed: failures.length === 0, failures };
  });
}

function runCase(testCase: PolicyTestCase, suite: PolicyTestSuite, policies: PolicySet, env: SuiteEnvironment): string[] {
  const operation: Operation = testCase.operation ?? "CREATE";
  if (operation === "UPDATE" && testCase.oldObject === undefined) return ["an UPDATE case needs oldObject (the stored object)"];
  const overrides = [suite.spec.config, testCase.config].filter((o): o is Record<string, unknown> => o !== undefined);
  const environment = {
    policies,
    config: env.configFor(overrides),
    cluster: env.clusterFor([...(suite.spec.state ?? []), ...(testCase.state ?? [])]),
  };
  const input = caseInput(testCase, operation);
  const verdict = decide(input, environment, { schema: false, mutate: true, validate: true });
  const failures = compare(testCase.expect, verdict);

  if (verdict.patch.length > 0) {
    const again = decide({ ...input, object: verdict.object }, environment, { schema: false, mutate: true, validate: false });
    if (again.patch.length > 0)
      failures.push(`mutations are not idempotent: a second pass over the mutated object patched again: ${JSON.stringify(again.patch)}`);
  }
  return failures;
}

/** The admission request a test case describes (DELETE sends the object as oldObject, as the API server does). */
export function caseInput(testCase: PolicyTestCase, operation: Operation = testCase.operation ?? "CREATE"): AdmissionInput {
  const object = testCase.object;
  const metadata = (object.metadata ?? {}) as { namespace?: string; name?: string };
  const [group, version] = splitApiVersion(String(object.apiVersion));
  const deleting = operation === "DELETE";
  return {
    operation,
    kind: { group, version, kind: String(object.kind) },
    namespace: testCase.namespace ?? metadata.namespace,
    name: metadata.name,
    object: deleting ? null : object,
    oldObject: deleting ? object : (testCase.oldObject ?? null),
    userInfo: testCase.user ?? { username: "hostgate-test" },
    dryRun: false,
  };
}

function compare(expect: PolicyTestCase["expect"], verdict: Verdict): string[] {
  const failures: string[] = [];
  const denials = verdict.denials.map((d) => `${d.policy}: ${d.message}`);
  const warnings = verdict.warnings.map((w) => `${w.policy}: ${w.message}`);
  if (verdict.allowed !== expect.allowed) {
    failures.push(expect.allowed ? `expected allowed, but it was denied: ${denials.join(" | ")}` : "expected a denial, but it was allowed");
  }
  for (const text of expect.messages ?? []) {
    if (!denials.some((d) => d.includes(text)))
      failures.push(`no denial message contains ${JSON.stringify(text)}; denials: ${denials.length > 0 ? denials.join(" | ") : "(none)"}`);
  }
  for (const policy of expect.policies ?? []) {
    if (!verdict.denials.some((d) => d.policy === policy))
      failures.push(`policy "${policy}" did not deny; denied by: ${[...new Set(verdict.denials.map((d) => d.policy))].join(", ") || "(none)"}`);
  }
  if (expect.warnings !== undefined) {
    if (expect.warnings.length === 0 && warnings.length > 0) failures.push(`expected no warnings, got: ${warnings.join(" | ")}`);
    for (const text of expect.warnings) {
      if (!warnings.some((w) => w.includes(text)))
        failures.push(`no warning contains ${JSON.stringify(text)}; warnings: ${warnings.length > 0 ? warnings.join(" | ") : "(none)"}`);
    }
  }
  if (expect.patch !== undefined && !isDeepStrictEqual(normalise(verdict.patch), normalise(expect.patch))) {
    failures.push(`patch differs:\n        expected ${JSON.stringify(expect.patch)}\n        got      ${JSON.stringify(verdict.patch)}`);
  }
  return failures;
}

/** Plain JSON copy, so key order and prototypes do not affect comparison. */
function normalise(value: unknown): unknown {
  return JSON.parse(JSON.stringify(value));
}

export function formatResults(results: readonly CaseResult[]): string {
  const lines: string[] = [];
  let currentFile = "";
  for (const r of results) {
    if (r.file !== currentFile) {
      currentFile = r.file;
      lines.push(`${r.file} (${r.suite})`);
    }
    lines.push(`  ${r.passed ? "ok  " : "FAIL"} ${r.name}`);
    for (const failure of r.failures) lines.push(`       ${failure}`);
  }
  const passed = results.filter((r) => r.passed).length;
  lines.push("", `${passed} passed, ${results.length - passed} failed`);
  return lines.join("\n");
}
