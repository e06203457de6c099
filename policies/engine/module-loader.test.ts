import assert from "node:assert/strict";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, test } from "node:test";
import { compileModuleText, displayPath, loadPolicySet, PolicyLoadError } from "./module-loader.ts";

function moduleYaml(name: string, body: string): string {
  return `apiVersion: hostgate.dev/v1alpha1
kind: PolicyModule
metadata:
  name: ${name}
spec:
  description: test
  match:
    - apiGroups: [hostgate.dev]
      kinds: [DomainRoute]
      operations: [CREATE]
${body}`;
}

function problemsOf(text: string): string[] {
  return compileModuleText(text, "mod.yaml").flatMap((r) => ("problems" in r ? r.problems : []));
}

describe("loading policy modules", () => {
  const cases: Array<{ name: string; text: string; problem: RegExp }> = [
    {
      name: "a compile error names the file, policy, field, column and expression",
      text: moduleYaml("p", "  validations:\n    - expression: object.spec.x == 'a' &&& true\n      message: m\n"),
      problem:
        /^mod\.yaml: policy "p": spec\.validations\[0\]\.expression \(line 1, column 22\): syntax error.*\n\s+expression: object\.spec\.x == 'a' &&& true/,
    },
    {
      name: "an unknown function in a messageExpression is caught at load",
      text: moduleYaml("p", "  validations:\n    - expression: 'true'\n      messageExpression: shout('x')\n"),
      problem: /spec\.validations\[0\]\.messageExpression .*unknown function 'shout'/,
    },
    {
      name: "a validation without any message is refused",
      text: moduleYaml("p", "  validations:\n    - expression: 'true'\n"),
      problem: /needs a message or a messageExpression/,
    },
    {
      name: "a variable reading a later variable is refused",
      text: moduleYaml(
        "p",
        "  variables:\n    - {name: a, expression: variables.b}\n    - {name: b, expression: '1'}\n  validations:\n    - {expression: 'variables.a == 1', message: m}\n",
      ),
      problem: /reads variables\.b, which is declared later/,
    },
    {
      name: "an undeclared variable is refused",
      text: moduleYaml("p", "  validations:\n    - {expression: 'variables.nope == 1', message: m}\n"),
      problem: /reads variables\.nope, which is not declared/,
    },
    {
      name: "match conditions may not read variables",
      text: moduleYaml(
        "p",
        "  matchConditions:\n    - {name: c, expression: 'variables.a'}\n  variables:\n    - {name: a, expression: 'true'}\n  validations:\n    - {expression: 'true', message: m}\n",
      ),
      problem: /undeclared reference to 'variables'/,
    },
    {
      name: "an unknown field is refused by name",
      text: moduleYaml("p", "  validation:\n    - {expression: 'true', message: m}\n"),
      problem: /spec: unknown field "validation"/,
    },
    {
      name: "an unknown action is refused with the allowed values",
      text: moduleYaml("p", "  action: Block\n  validations:\n    - {expression: 'true', message: m}\n"),
      problem: /spec\.action: must be one of "Deny", "Warn", "Audit"/,
    },
    {
      name: "an unknown enforcement is refused with the allowed values",
      text: moduleYaml("p", "  enforcement: Enforce\n  validations:\n    - {expression: 'true', message: m}\n"),
      problem: /spec\.enforcement: must be one of "Deny", "Warn", "Audit"/,
    },
    {
      name: "a match list longer than 64 is refused at load, as the PolicyModule CRD refuses it",
      text: moduleYaml("p", `  validations:\n    - {expression: 'true', message: m}\n`).replace(
        "kinds: [DomainRoute]",
        `kinds: [${Array.from({ length: 65 }, (_, i) => `K${i}`).join(", ")}]`,
      ),
      problem: /kinds: must NOT have more than 64 items/,
    },
    {
      name: "a module that does nothing is refused",
      text: moduleYaml("p", ""),
      problem: /declares neither validations nor mutations/,
    },
    {
      name: "a YAML syntax error gives the line",
      text: "apiVersion: [unclosed\n",
      problem: /^mod\.yaml:\d+:\d+: invalid YAML: .*; fix the syntax at that position$/,
    },
  ];
  for (const { name, text, problem } of cases) {
    test(name, () => {
      const problems = problemsOf(text);
      assert.ok(
        problems.some((p) => problem.test(p)),
        `no problem matched ${problem}; got:\n${problems.join("\n")}`,
      );
    });
  }

  test("a set with any broken module does not load at all, and lists every problem", () => {
    const dir = mkdtempSync(join(tmpdir(), "hostgate-policies-"));
    writeFileSync(join(dir, "good.yaml"), moduleYaml("good", "  validations:\n    - {expression: 'true', message: m}\n"));
    writeFileSync(join(dir, "bad-one.yaml"), moduleYaml("bad-one", "  validations:\n    - {expression: 'nope()', message: m}\n"));
    writeFileSync(join(dir, "bad-two.yaml"), moduleYaml("bad-two", "  validations:\n    - {expression: 'true &&', message: m}\n"));
    writeFileSync(join(dir, "good.test.yaml"), "this is a test suite and is not read as a module: [");
    assert.throws(
      () => loadPolicySet([dir]),
      (e: unknown) =>
        e instanceof PolicyLoadError &&
        e.problems.length === 2 &&
        e.problems.some((p) => p.includes("bad-one")) &&
        e.problems.some((p) => p.includes("bad-two")),
    );
  });

  test("two modules with one name are refused", () => {
    const dir = mkdtempSync(join(tmpdir(), "hostgate-policies-"));
    writeFileSync(join(dir, "a.yaml"), moduleYaml("same", "  validations:\n    - {expression: 'true', message: m}\n"));
    writeFileSync(join(dir, "b.yaml"), moduleYaml("same", "  validations:\n    - {expression: 'true', message: m}\n"));
    assert.throws(
      () => loadPolicySet([dir]),
      (e: unknown) => e instanceof PolicyLoadError && /already defined/.test(e.problems[0]!),
    );
  });

  test("a missing path is reported, not thrown as a stack trace", () => {
    assert.throws(
      () => loadPolicySet(["/nonexistent/policies"]),
      (e: unknown) => e instanceof PolicyLoadError && /no such file or directory/.test(e.problems[0]!),
    );
  });

  test("a valid set loads and can be narrowed to named modules", () => {
    const dir = mkdtempSync(join(tmpdir(), "hostgate-policies-"));
    writeFileSync(join(dir, "a.yaml"), moduleYaml("a", "  validations:\n    - {expression: 'true', message: m}\n"));
    writeFileSync(join(dir, "b.yaml"), moduleYaml("b", "  validations:\n    - {expression: 'true', message: m}\n"));
    const set = loadPolicySet([dir]);
    assert.deepEqual(
      set.modules.map((m) => m.name),
      ["a", "b"],
    );
    assert.deepEqual(
      set.subset(["b"]).modules.map((m) => m.name),
      ["b"],
    );
    assert.throws(() => set.subset(["c"]), /no policy named "c"/);
  });
});

describe("displaying paths", () => {
  test("a path under the working directory is shown relative to it, any other as given", () => {
    assert.equal(displayPath(join(process.cwd(), "policies", "library", "x.yaml")), join("policies", "library", "x.yaml"));
    assert.equal(displayPath("/elsewhere/x.yaml"), "/elsewhere/x.yaml");
  });

  test("a YAML alias bomb is a load problem naming the file, not a crash", () => {
    const bomb =
      'a: &a ["x","x","x","x","x","x","x","x","x"]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]\nc: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]\nd: [*c,*c,*c,*c,*c,*c,*c,*c,*c,*c,*c,*c,*c,*c,*c,*c,*c,*c,*c,*c]\n';
    assert.ok(
      problemsOf(bomb).some((p) => /^mod\.yaml: cannot be read as YAML/.test(p)),
      problemsOf(bomb).join("\n"),
    );
  });
});
