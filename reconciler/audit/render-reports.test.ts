import assert from "node:assert/strict";
import { join } from "node:path";
import { describe, it } from "node:test";
import { loadCrdCatalog } from "../../crds/catalog.ts";
import type { KubeObject } from "../../core/kube/object-key.ts";
import { ClusterStateIndex } from "../../core/state/index.ts";
import type { AuditResult } from "../../policies/audit/audit-result.ts";
import { checkCustomResource } from "../../policies/schema/check.ts";
import { contains, withAppliedHash } from "../apply/plan-apply.ts";
import { auditObjects } from "../../policies/audit/audit-objects.ts";
import { compileModule, makePolicySet } from "../../policies/engine/module-loader.ts";
import { AuditViolations } from "./audit-metrics.ts";
import { OUTCOME_RESULT, renderReports } from "./render-reports.ts";
import { clipNote } from "./report-parts.ts";
import { OPENREPORTS_API_VERSION, REPORT_BYTE_BUDGET } from "./report-resources.ts";
import { aClaim, aResult, aRoute, aViolation, libraryResults } from "./testing/audit-results.ts";

const FIXTURES = join(import.meta.dirname, "..", "..", "test", "fixtures", "openreports");
const NOW = Date.UTC(2026, 11, 5, 6, 0, 0);
const LATER = NOW + 3_600_000;
/** The reports for `results`, given the reports published before (every namespace's, every part). */
const render = (results: readonly AuditResult[], published: readonly KubeObject[] = [], now = NOW, resultBytesPerReport?: number) =>
  renderReports(results, {
    now,
    previous: (ns) => published.filter((r) => r.metadata?.namespace === ns),
    ...(resultBytesPerReport === undefined ? {} : { resultBytesPerReport }),
  });

type Result = { policy: string; rule: string; result: string; message?: string; properties?: Record<string, string>; resources: { name: string }[] };
const resultsOf = (report: KubeObject | undefined) => (report as unknown as { results: (Result & { timestamp: { seconds: number } })[] }).results;
const find = (reports: KubeObject[], namespace?: string) => reports.find((r) => r.metadata?.namespace === namespace);

/** What the API server says to a create of `object` under the OpenReports CRDs: violations and pruned fields, as text, and the stored object. */
function admit(object: KubeObject): { problems: string[]; stored: unknown } {
  const entry = loadCrdCatalog(FIXTURES).lookup(OPENREPORTS_API_VERSION, object.kind!);
  assert.ok(entry, `the OpenReports CRD of ${object.kind} is missing from ${FIXTURES}`);
  const result = checkCustomResource(entry, object, { operation: "CREATE" });
  return { problems: [...result.violations.map((v) => v.message), ...result.prunedFields.map((f) => `pruned ${f}`)], stored: result.object };
}

describe("renderReports", () => {
  const mixed = [
    aViolation(aRoute("team-b", "shop")),
    aResult(aRoute("team-a", "web")),
    aViolation(aRoute("team-a", "api"), { outcome: "audit", policy: "no-wildcards", messages: ["no wildcard domains", "ask the platform team"] }),
    aViolation(aRoute("team-a", "api"), { outcome: "warn", policy: "ttl", fields: ["spec.dns.ttl", "spec.dns.ttl"], messages: ["ttl under 60"] }),
    aResult(aRoute("team-a", "api"), { outcome: "error", policy: "broken", messages: ["policy broken failed to evaluate: no such field"] }),
    aResult(aRoute("team-a", "web"), { outcome: "skip", policy: "dns-zone", messages: ['excluded by matchCondition "has-zone"'] }),
    aViolation(aClaim("shop.example.com"), { policy: "claims" }),
  ];

  it("renders one Report per namespace with results and one ClusterReport, the ClusterReport first, then by namespace", () => {
    const reports = render(mixed);
    assert.deepEqual(
      reports.map((r) => `${r.kind} ${r.metadata?.namespace ?? "-"}/${r.metadata?.name}`),
      ["ClusterReport -/hostgate-audit", "Report team-a/hostgate-audit", "Report team-b/hostgate-audit"],
    );
  });

  it("marks every report as hostgate's: source hostgate and the managed-by label", () => {
    for (const report of render(mixed)) {
      assert.equal((report as { source?: unknown }).source, "hostgate");
      assert.deepEqual(report.metadata?.labels, { "app.kubernetes.io/managed-by": "hostgate" });
    }
  });

  it("maps each outcome to the closest OpenReports result, audit as fail and skip as skip, with the enforcement a violation was found under", () => {
    const teamA = resultsOf(find(render(mixed), "team-a"));
    assert.deepEqual(
      teamA.map((r) => [r.resources[0]!.name, r.policy, r.result, r.properties?.enforcement ?? "-"]),
      [
        ["api", "broken", "error", "-"],
        ["api", "no-wildcards", "fail", "Audit"],
        ["api", "ttl", "warn", "Warn"],
        ["web", "dns-zone", "skip", "-"],
        ["web", "domain-suffix", "pass", "-"],
      ],
    );
    assert.equal(resultsOf(find(render(mixed), "team-b"))[0]!.properties?.enforcement, "Deny");
  });

  it("names the rule by the fields the findings name (each once), else by the policy, and joins the messages", () => {
    const teamA = resultsOf(find(render(mixed), "team-a"));
    const byPolicy = new Map(teamA.map((r) => [r.policy, r]));
    assert.equal(byPolicy.get("ttl")!.rule, "spec.dns.ttl");
    assert.equal(byPolicy.get("broken")!.rule, "broken");
    assert.equal(byPolicy.get("no-wildcards")!.message, "no wildcard domains; ask the platform team");
    assert.equal("message" in byPolicy.get("domain-suffix")!, false, "a pass has no message");
  });

  it("names each result's object in resources[0], namespace and uid included for a namespaced one", () => {
    const [cluster, , teamB] = render(mixed);
    assert.deepEqual(resultsOf(teamB)[0]!.resources, [
      { apiVersion: "hostgate.dev/v1alpha1", kind: "DomainRoute", namespace: "team-b", name: "shop", uid: "uid-team-b-shop" },
    ]);
    assert.deepEqual(resultsOf(cluster)[0]!.resources, [
      { apiVersion: "hostgate.dev/v1alpha1", kind: "DomainClaim", name: "shop.example.com", uid: "uid-claim-shop.example.com" },
    ]);
  });

  it("counts every result value in the summary, zeros included", () => {
    assert.deepEqual((find(render(mixed), "team-a") as { summary?: unknown }).summary, { pass: 1, fail: 1, warn: 1, error: 1, skip: 1 });
  });

  it("renders the same reports whatever order the results come in", () => {
    assert.deepEqual(render([...mixed].reverse()), render(mixed));
  });

  it("renders nothing when there are no results", () => {
    assert.deepEqual(render([]), []);
  });

  describe("timestamps", () => {
    const seconds = (reports: KubeObject[], ns: string) => resultsOf(find(reports, ns)).map((r) => [r.resources[0]!.name, r.policy, r.timestamp.seconds]);

    it("stamps a new result with the clock", () => {
      assert.deepEqual(seconds(render(mixed), "team-b"), [["shop", "domain-suffix", NOW / 1000]]);
    });

    it("keeps the previous timestamp of an unchanged result, so an unchanged cluster renders an unchanged report", () => {
      const first = render(mixed);
      const second = render(mixed, first, LATER);
      assert.deepEqual(second, first);
    });

    it("restamps a result whose message changed, and only that one", () => {
      const first = render(mixed);
      const changed = mixed.map((r) => (r.policy === "ttl" ? { ...r, messages: ["ttl under 30"] } : r));
      const second = render(changed, first, LATER);
      assert.deepEqual(seconds(second, "team-a"), [
        ["api", "broken", NOW / 1000],
        ["api", "no-wildcards", NOW / 1000],
        ["api", "ttl", LATER / 1000],
        ["web", "dns-zone", NOW / 1000],
        ["web", "domain-suffix", NOW / 1000],
      ]);
    });

    it("restamps a result whose outcome changed (a pass that now fails)", () => {
      const first = render([aResult(aRoute("team-a", "web"))]);
      const second = render([aViolation(aRoute("team-a", "web"))], first, LATER);
      assert.equal(resultsOf(second[0])[0]!.timestamp.seconds, LATER / 1000);
    });

    it("restamps a result about a re-created object (same name, another uid)", () => {
      const first = render([aResult(aRoute("team-a", "web", "uid-1"))]);
      const second = render([aResult(aRoute("team-a", "web", "uid-2"))], first, LATER);
      assert.equal(resultsOf(second[0])[0]!.timestamp.seconds, LATER / 1000);
    });
  });

  describe("a policy whose matchConditions exclude an object, from the audit to the report", () => {
    const guarded = compileModule(
      {
        apiVersion: "hostgate.dev/v1alpha1",
        kind: "PolicyModule",
        metadata: { name: "public-only" },
        spec: {
          description: "public routes name a protection",
          match: [{ apiGroups: ["hostgate.dev"], kinds: ["DomainRoute"], operations: ["CREATE", "UPDATE"] }],
          matchConditions: [{ name: "is-public", expression: "object.spec.lb == 'alb-out'" }],
          validations: [{ expression: "has(object.spec.protection)", message: "a public route needs spec.protection" }],
        },
      },
      "public-only.yaml",
    );
    if ("problems" in guarded) throw new Error(guarded.problems.join("\n"));
    const internal: KubeObject = {
      apiVersion: "hostgate.dev/v1alpha1",
      kind: "DomainRoute",
      metadata: { name: "web", namespace: "team-a" },
      spec: { lb: "alb-in" },
    };
    const audited = () =>
      auditObjects([internal], { policies: makePolicySet([guarded.module]), config: {}, cluster: ClusterStateIndex.fromObjects([]).celValue() });

    it("is reported skip, not pass, with the condition as its message, and counted as skip in the summary", () => {
      const [report] = render(audited());
      assert.deepEqual(
        resultsOf(report).map((r) => [r.policy, r.result, r.message ?? "-", r.properties?.enforcement ?? "-"]),
        [["public-only", "skip", 'excluded by matchCondition "is-public"', "-"]],
      );
      assert.deepEqual((report as { summary?: unknown }).summary, { pass: 0, fail: 0, warn: 0, error: 0, skip: 1 });
      assert.deepEqual(admit(withAppliedHash(report!)).problems, []);
    });

    it("is not a violation: it carries no enforcement, so the violations metric does not count it", () => {
      assert.equal(OUTCOME_RESULT.skip.enforcement, undefined);
      const violations = new AuditViolations();
      violations.record(audited());
      assert.deepEqual(violations.counts(), []);
    });
  });

  describe("a namespace whose results do not fit one report", () => {
    const routes = (count: number, namespace = "team-a") =>
      Array.from({ length: count }, (_, i) => libraryResults(aRoute(namespace, `r${String(i).padStart(4, "0")}`))).flat();
    const names = (reports: KubeObject[]) => reports.map((r) => `${r.kind} ${r.metadata?.namespace ?? "-"}/${r.metadata?.name}`);
    const bytes = (report: KubeObject) => Buffer.byteLength(JSON.stringify(withAppliedHash(report)));

    it("5,000 routes in one namespace (75,000 results): several parts, each under the budget as written, in order, all accepted by the CRD", (t) => {
      const results = routes(5000);
      const reports = render(results);
      assert.ok(reports.length >= 2, `${reports.length} report(s)`);
      assert.deepEqual(
        names(reports),
        reports.map((_, i) => `Report team-a/hostgate-audit${i === 0 ? "" : `-${i + 1}`}`),
      );
      for (const report of reports) {
        assert.ok(bytes(report) <= REPORT_BYTE_BUDGET, `${report.metadata?.name} is ${bytes(report)} bytes`);
        const desired = withAppliedHash(report);
        const { problems, stored } = admit(desired);
        assert.deepEqual(problems, [], report.metadata?.name);
        assert.ok(contains(stored, desired), `${report.metadata?.name} is stored with defaults that differ from the render`);
      }
      const all = reports.flatMap((r) => resultsOf(r));
      assert.equal(all.length, results.length, "every result is published once");
      assert.deepEqual(
        all.map((r) => `${r.resources[0]!.name} ${r.policy}`),
        all.map((r) => `${r.resources[0]!.name} ${r.policy}`).sort(),
        "the parts hold the results in their sorted order",
      );
      const perPart = Math.round(all.length / reports.length);
      t.diagnostic(
        `5,000 routes: ${reports.length} parts, about ${perPart} results (${Math.round(perPart / 15)} routes) each, ${reports.map(bytes).join(", ")} bytes`,
      );
    });

    it("gives each part the summary of its own results", () => {
      const reports = render(routes(3), [], NOW, 2_000);
      assert.ok(reports.length >= 3, `${reports.length} report(s)`);
      for (const report of reports) {
        const counts = { pass: 0, fail: 0, warn: 0, error: 0, skip: 0 } as Record<string, number>;
        for (const r of resultsOf(report)) counts[r.result]! += 1;
        assert.deepEqual((report as { summary?: unknown }).summary, counts, report.metadata?.name);
      }
    });

    it("splits each namespace and the cluster's results on their own, the ClusterReport parts first, then each namespace's in order", () => {
      const claims = Array.from({ length: 12 }, (_, i) => aViolation(aClaim(`c${i}.example.com`), { policy: "claims" }));
      const reports = render([...routes(1, "team-b"), ...claims, ...routes(1, "team-a")], [], NOW, 1_500);
      const expected = (kind: string, ns: string, n: number) =>
        Array.from({ length: n }, (_, i) => `${kind} ${ns}/hostgate-audit${i === 0 ? "" : `-${i + 1}`}`);
      const count = (ns: string | undefined) => reports.filter((r) => r.metadata?.namespace === ns).length;
      assert.deepEqual(names(reports), [
        ...expected("ClusterReport", "-", count(undefined)),
        ...expected("Report", "team-a", count("team-a")),
        ...expected("Report", "team-b", count("team-b")),
      ]);
      assert.ok(count(undefined) > 1 && count("team-a") > 1, names(reports).join(", "));
    });

    it("renders unchanged parts when nothing changed, and a result added at the end changes only the last part", () => {
      const first = render(routes(4), [], NOW, 2_000);
      assert.deepEqual(render(routes(4), first, LATER, 2_000), first);
      const added = render([...routes(4), aViolation(aRoute("team-a", "zz-last"))], first, LATER, 2_000);
      const changed = added.filter((report) => JSON.stringify(report) !== JSON.stringify(first.find((r) => r.metadata?.name === report.metadata?.name)));
      assert.deepEqual(names(changed), [names(added).at(-1)]);
    });

    it("keeps the timestamp of a result that moved to another part", () => {
      const first = render(routes(4), [], NOW, 2_000);
      const moved = render(routes(4).slice(1), first, LATER, 2_000);
      const stamps = new Set(moved.flatMap((r) => resultsOf(r).map((x) => x.timestamp.seconds)));
      assert.deepEqual([...stamps], [NOW / 1000]);
    });

    const clipped = [
      { name: "a message of 3 MB", result: aViolation(aRoute("team-a", "web"), { messages: ["x".repeat(3_000_000)] }), field: "message" },
      {
        name: "a message of 1 MB of multi-byte characters",
        result: aViolation(aRoute("team-a", "web"), { messages: ["é😀".repeat(200_000)] }),
        field: "message",
      },
      {
        name: "a message of 1 MB of quotes (two bytes each in JSON)",
        result: aViolation(aRoute("team-a", "web"), { messages: ['"'.repeat(1_000_000)] }),
        field: "message",
      },
      {
        name: "100,000 fields named, no message",
        result: aViolation(aRoute("team-a", "web"), { messages: [], fields: Array.from({ length: 100_000 }, (_, i) => `spec.f${i}`) }),
        field: "rule",
      },
    ];
    for (const c of clipped) {
      it(`clips a single result larger than a report (${c.name}) with a note, instead of failing the write`, () => {
        const reports = render([c.result, aResult(aRoute("team-a", "web"), { policy: "other" })]);
        for (const report of reports) {
          assert.ok(bytes(report) <= REPORT_BYTE_BUDGET, `${report.metadata?.name} is ${bytes(report)} bytes`);
          assert.deepEqual(admit(withAppliedHash(report)).problems, []);
        }
        const text = (resultsOf(reports[0]).find((r) => r.policy === "domain-suffix") as Record<string, unknown>)[c.field] as string;
        assert.match(text, /… \[clipped by hostgate: \d+ more characters would not fit in one report; `hostgate audit` prints it whole\]$/);
        assert.ok(!text.includes("\uFFFD"), "no character is cut in half");
        assert.deepEqual(render([c.result]), render([c.result]), "clipped the same way every time");
      });
    }

    it("leaves a result that fits as it is (clipNote appears nowhere)", () => {
      assert.ok(!JSON.stringify(render(mixed)).includes(clipNote(1).slice(0, 20)));
    });
  });

  describe("against the OpenReports CRDs (test/fixtures/openreports)", () => {
    const cases = [
      { name: "every outcome in namespaces and at cluster scope", results: mixed },
      { name: "a result about an object without a uid", results: [aResult({ apiVersion: "v1", kind: "Service", namespace: "team-a", name: "web" })] },
      { name: "a long message", results: [aViolation(aRoute("team-a", "web"), { messages: ["x".repeat(4000)] })] },
    ];
    for (const c of cases) {
      it(`${c.name}: each report is accepted whole, and stored as rendered (so the next pass sees no change)`, () => {
        for (const report of render(c.results)) {
          const desired = withAppliedHash(report);
          const { problems, stored } = admit(desired);
          assert.deepEqual(problems, [], `${report.kind} ${report.metadata?.namespace ?? ""}`);
          assert.ok(contains(stored, desired), `${report.kind} ${report.metadata?.namespace ?? ""} is stored with defaults that differ from the render`);
        }
      });
    }

    it("is checked by a comparison that notices a result value the CRD does not know", () => {
      const report = structuredClone(render(mixed)[1]!) as KubeObject & { results: { result: string }[] };
      report.results[0]!.result = "audit";
      assert.match(admit(report).problems.join("\n"), /results\[0\]\.result: .*"audit"/);
    });

    it("is checked by a comparison that notices a field the CRD would prune", () => {
      const report = structuredClone(render(mixed)[1]!) as KubeObject & { results: Record<string, unknown>[] };
      report.results[0]!.enforcement = "Deny";
      assert.deepEqual(admit(report).problems, ["pruned results[0].enforcement"]);
    });
  });
});
