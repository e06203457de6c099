// diffAudits: the audit results under two policy sets, compared per (object, policy).
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { ClusterStateIndex } from "../../core/state/index.ts";
import { compileModule, makePolicySet } from "../engine/module-loader.ts";
import type { VerdictEnvironment } from "../verdict.ts";
import { auditObjects } from "./audit-objects.ts";
import { diffAudits, subjectsOf } from "./audit-diff.ts";
import type { AuditOutcome, AuditResult } from "./audit-result.ts";

function result(name: string, policy: string, outcome: AuditOutcome, namespace = "team-a"): AuditResult {
  const messages = outcome === "pass" ? [] : [`${policy} ${outcome} on ${name}`];
  return { subject: { apiVersion: "hostgate.dev/v1alpha1", kind: "DomainRoute", namespace, name }, policy, outcome, messages, fields: [] };
}

type Lists = Record<"newlyDenied" | "newlyAllowed" | "newWarnings" | "removedWarnings", string[]>;
const none: Lists = { newlyDenied: [], newlyAllowed: [], newWarnings: [], removedWarnings: [] };

function summary(current: AuditResult[], proposed: AuditResult[]): Lists {
  const diff = diffAudits(current, proposed);
  const show = (list: typeof diff.newlyDenied) =>
    list.map((c) => `${c.subject.name} ${c.policy} ${c.before ?? "-"}→${c.after ?? "-"}: ${c.messages.join("|")}`);
  return {
    newlyDenied: show(diff.newlyDenied),
    newlyAllowed: show(diff.newlyAllowed),
    newWarnings: show(diff.newWarnings),
    removedWarnings: show(diff.removedWarnings),
  };
}

describe("diffAudits pairs results by object and policy", () => {
  const cases: Array<{ name: string; current: AuditResult[]; proposed: AuditResult[]; expected: Lists }> = [
    {
      name: "the same results change nothing",
      current: [result("a", "p", "fail"), result("a", "q", "warn")],
      proposed: [result("a", "p", "fail"), result("a", "q", "warn")],
      expected: none,
    },
    {
      name: "a pass that becomes a fail is newly denied, with the new message",
      current: [result("a", "p", "pass")],
      proposed: [result("a", "p", "fail")],
      expected: { ...none, newlyDenied: ["a p pass→fail: p fail on a"] },
    },
    {
      name: "a new policy that denies is newly denied",
      current: [],
      proposed: [result("a", "new", "fail")],
      expected: { ...none, newlyDenied: ["a new -→fail: new fail on a"] },
    },
    {
      name: "an error counts as a denial",
      current: [result("a", "p", "pass")],
      proposed: [result("a", "p", "error")],
      expected: { ...none, newlyDenied: ["a p pass→error: p error on a"] },
    },
    {
      name: "a fail that becomes an error is no change in what is denied",
      current: [result("a", "p", "fail")],
      proposed: [result("a", "p", "error")],
      expected: none,
    },
    {
      name: "a second policy denying an object already denied is still newly denied: one more thing to fix",
      current: [result("a", "p", "fail"), result("a", "q", "pass")],
      proposed: [result("a", "p", "fail"), result("a", "q", "fail")],
      expected: { ...none, newlyDenied: ["a q pass→fail: q fail on a"] },
    },
    {
      name: "a fail that becomes a warn is newly allowed and a new warning",
      current: [result("a", "p", "fail")],
      proposed: [result("a", "p", "warn")],
      expected: { ...none, newlyAllowed: ["a p fail→warn: p fail on a"], newWarnings: ["a p fail→warn: p warn on a"] },
    },
    {
      name: "a removed policy that denied is newly allowed, with the old message",
      current: [result("a", "gone", "fail")],
      proposed: [],
      expected: { ...none, newlyAllowed: ["a gone fail→-: gone fail on a"] },
    },
    {
      name: "a warn that becomes a pass is a removed warning",
      current: [result("a", "p", "warn")],
      proposed: [result("a", "p", "pass")],
      expected: { ...none, removedWarnings: ["a p warn→pass: p warn on a"] },
    },
    {
      name: "a skip (a matchCondition excluded the object) that becomes a fail is newly denied",
      current: [result("a", "p", "skip")],
      proposed: [result("a", "p", "fail")],
      expected: { ...none, newlyDenied: ["a p skip→fail: p fail on a"] },
    },
    {
      name: "a fail that becomes a skip is newly allowed, with the old message",
      current: [result("a", "p", "fail")],
      proposed: [result("a", "p", "skip")],
      expected: { ...none, newlyAllowed: ["a p fail→skip: p fail on a"] },
    },
    {
      name: "a skip that becomes a warn is a new warning",
      current: [result("a", "p", "skip")],
      proposed: [result("a", "p", "warn")],
      expected: { ...none, newWarnings: ["a p skip→warn: p warn on a"] },
    },
    {
      name: "a pass that becomes a skip, or a skip a pass, changes neither what is denied nor what warns",
      current: [result("a", "p", "pass"), result("b", "p", "skip")],
      proposed: [result("a", "p", "skip"), result("b", "p", "pass")],
      expected: none,
    },
    {
      name: "an audit finding appearing is neither a denial nor a warning",
      current: [result("a", "p", "pass")],
      proposed: [result("a", "p", "audit")],
      expected: none,
    },
  ];
  for (const c of cases) {
    test(c.name, () => {
      assert.deepEqual(summary(c.current, c.proposed), c.expected);
    });
  }

  test("changes are sorted like audit results, whichever side names them, and subjectsOf names each object once", () => {
    const diff = diffAudits([result("z", "p", "fail", "team-b")], [result("b", "q", "fail"), result("b", "p", "fail"), result("a", "p", "fail", "team-b")]);
    assert.deepEqual(
      diff.newlyDenied.map((c) => `${c.subject.namespace}/${c.subject.name} ${c.policy}`),
      ["team-a/b p", "team-a/b q", "team-b/a p"],
    );
    assert.deepEqual(
      diff.newlyAllowed.map((c) => `${c.subject.namespace}/${c.subject.name}`),
      ["team-b/z"],
    );
    assert.deepEqual(
      subjectsOf(diff.newlyDenied).map((s) => s.name),
      ["b", "a"],
    );
  });
});

describe("diffAudits over audits of real policy sets", () => {
  test("a module whose matchCondition is dropped and now denies an object it used to exclude shows it as skip→fail, newly denied", () => {
    const spec = (matchConditions: unknown[]) => ({
      apiVersion: "hostgate.dev/v1alpha1",
      kind: "PolicyModule",
      metadata: { name: "no-public-lb" },
      spec: {
        description: "routes stay internal",
        match: [{ apiGroups: ["hostgate.dev"], kinds: ["DomainRoute"], operations: ["CREATE", "UPDATE"] }],
        matchConditions,
        validations: [{ expression: "object.spec.lb != 'alb-out'", message: "alb-out is public; use alb-in" }],
      },
    });
    const env = (matchConditions: unknown[]): VerdictEnvironment => {
      const compiled = compileModule(spec(matchConditions), "no-public-lb.yaml");
      if ("problems" in compiled) throw new Error(compiled.problems.join("\n"));
      return { policies: makePolicySet([compiled.module]), config: {}, cluster: ClusterStateIndex.fromObjects([]).celValue() };
    };
    const web = { apiVersion: "hostgate.dev/v1alpha1", kind: "DomainRoute", metadata: { name: "web", namespace: "team-a" }, spec: { lb: "alb-out" } };
    const current = auditObjects([web], env([{ name: "opted-in", expression: "has(object.metadata.labels)" }]));
    const proposed = auditObjects([web], env([]));
    assert.deepEqual(summary(current, proposed), { ...none, newlyDenied: ["web no-public-lb skip→fail: alb-out is public; use alb-in"] });
    assert.deepEqual(summary(proposed, current), { ...none, newlyAllowed: ["web no-public-lb fail→skip: alb-out is public; use alb-in"] });
  });
});
