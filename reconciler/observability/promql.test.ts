import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { durationProblem, percentageProblem, percentageRatio, promqlString, selector, templateLiteral } from "./promql.ts";
import { promqlStructureProblems } from "./testing/promql-structure.ts";

describe("promqlString", () => {
  const cases: [string, string, string][] = [
    ["leaves a domain as it is", "shop.example.com", '"shop.example.com"'],
    ["escapes a double quote, which would end the string", 'a"b', '"a\\"b"'],
    ["escapes a backslash, which would start an escape", "a\\b", '"a\\\\b"'],
    ["escapes a newline and other control characters", "a\nb\u0001", '"a\\u000ab\\u0001"'],
    ["keeps non-ASCII text", "bücher", '"bücher"'],
  ];
  for (const [name, value, expected] of cases) {
    it(name, () => {
      assert.equal(promqlString(value), expected);
      assert.deepEqual(promqlStructureProblems(`m{l=${promqlString(value)}}`), []);
    });
  }
});

describe("selector", () => {
  it("quotes every matcher value and keeps the matchers in order", () => {
    assert.equal(
      selector("istio_requests_total", [
        { label: "reporter", op: "=", value: "source" },
        { label: "response_code", op: "=~", value: "5.." },
      ]),
      'istio_requests_total{reporter="source",response_code=~"5.."}',
    );
  });

  it("refuses a label name Prometheus would not accept", () => {
    assert.throws(() => selector("m", [{ label: "a-b", op: "=", value: "x" }]), /"a-b" is not a Prometheus label name/);
  });
});

describe("templateLiteral", () => {
  const cases: [string, string, string][] = [
    ["leaves text without actions as it is", "team-a", "team-a"],
    ["turns {{ into an action printing it", "a{{b}}", 'a{{ "{{" }}b}}'],
    ["handles every {{", "{{{{", '{{ "{{" }}{{ "{{" }}'],
  ];
  for (const [name, value, expected] of cases) it(name, () => assert.equal(templateLiteral(value), expected));
});

describe("durationProblem", () => {
  for (const ok of ["5m", "90s", "1h30m", "1d", "500ms", "2w"]) it(`accepts ${ok}`, () => assert.equal(durationProblem(ok, "f"), undefined));
  for (const bad of ["", "0", "0m", "5", "5m]) or vector(1", "m5", "1m1h", " 5m"]) {
    it(`refuses ${JSON.stringify(bad)}, naming the field`, () =>
      assert.match(durationProblem(bad, "spec.x.window") ?? "", /^spec\.x\.window is .*: set a Prometheus duration/));
  }
  it("refuses a value that is not a string", () => assert.match(durationProblem(5, "f") ?? "", /^f is 5:/));
});

describe("percentages", () => {
  const ratios: [string, string][] = [
    ["5%", "0.05"],
    ["0.1%", "0.001"],
    ["0.5%", "0.005"],
    ["10%", "0.1"],
    ["12.5%", "0.125"],
    ["100%", "1"],
    ["7.25%", "0.0725"],
    ["99.99%", "0.9999"],
  ];
  for (const [text, ratio] of ratios) it(`reads ${text} as the ratio ${ratio}, exactly`, () => assert.equal(percentageRatio(text), ratio));

  for (const ok of ["0.1%", "5%", "100%"]) it(`accepts ${ok}`, () => assert.equal(percentageProblem(ok, "f"), undefined));
  for (const bad of ["0%", "0.0%", "0.05%", "101%", "5", "5 %", "-1%", ".5%", "5%%", "1e1%", "5.125%"]) {
    it(`refuses ${JSON.stringify(bad)}, naming the field`, () =>
      assert.match(percentageProblem(bad, "t") ?? "", /^t is .*: set a percentage from 0\.1% to 100%/));
  }
});

describe("promqlStructureProblems (the test's own check)", () => {
  it("finds an unquoted matcher, an unclosed string and unbalanced brackets", () => {
    assert.notDeepEqual(promqlStructureProblems("m{a=b}"), []);
    assert.notDeepEqual(promqlStructureProblems('m{a="b}'), []);
    assert.notDeepEqual(promqlStructureProblems('sum(rate(m{a="b"}[5m])'), []);
    assert.deepEqual(promqlStructureProblems('sum(rate(m{a="b",c=~"5.."}[5m])) > 0'), []);
  });
});
