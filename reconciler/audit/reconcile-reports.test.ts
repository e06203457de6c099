import assert from "node:assert/strict";
import { beforeEach, describe, it } from "node:test";
import { Registry } from "prom-client";
import { KubeApiError } from "../../core/kube/api-error.ts";
import type { KubeObject } from "../../core/kube/object-key.ts";
import { FakeKubeApi } from "../../core/kube/testing/fake-kube-api.ts";
import { silentLogger } from "../../core/logger.ts";
import type { AuditResult } from "../../policies/audit/audit-result.ts";
import type { ObjectReader } from "../cluster/object-reader.ts";
import { FIELD_MANAGER } from "../resources.ts";
import { AuditViolations, registerAuditMetrics } from "./audit-metrics.ts";
import { AUDIT_REPORTS_KEY, ownReport, reconcileAuditReports } from "./reconcile-reports.ts";
import { AUDIT_REPORT_NAME, CLUSTER_REPORTS, OPENREPORTS_API_VERSION, REPORTS } from "./report-resources.ts";
import { aClaim, aResult, aRoute, aViolation, libraryResults } from "./testing/audit-results.ts";

const NOW = Date.UTC(2026, 11, 5, 6, 0, 0);
type Result = { policy: string; result: string; message?: string; timestamp: { seconds: number }; resources: { name: string }[] };
const resultsOf = (o: KubeObject | undefined) => (o as unknown as { results: Result[] } | undefined)?.results;

/** Another tool's report, made by its own field manager. */
function foreignReport(namespace: string, name: string, extra: Partial<KubeObject> = {}): KubeObject {
  return {
    apiVersion: OPENREPORTS_API_VERSION,
    kind: "Report",
    metadata: { name, namespace, labels: { "app.kubernetes.io/managed-by": "kyverno" } },
    source: "kyverno",
    results: [{ policy: "require-labels", result: "fail" }],
    ...extra,
  };
}

describe("reconcileAuditReports", () => {
  let api: FakeKubeApi;
  let reader: ObjectReader;
  let results: AuditResult[];
  let now: number;
  const pass = (violations?: AuditViolations, resultBytesPerReport?: number) =>
    reconcileAuditReports({
      api,
      reader,
      audit: () => results,
      now: () => now,
      logger: silentLogger,
      ...(violations ? { violations } : {}),
      ...(resultBytesPerReport === undefined ? {} : { resultBytesPerReport }),
    });
  const report = (namespace: string, name = AUDIT_REPORT_NAME) => api.server.get(REPORTS, { namespace, name });
  const clusterReport = () => api.server.get(CLUSTER_REPORTS, { name: AUDIT_REPORT_NAME });
  /** A pass an hour later over the same results writes nothing: no write reaches the API server. */
  const assertQuietAnHourLater = async (run: () => Promise<unknown>) => {
    api.takeWrites();
    now = NOW + 3_600_000;
    assert.deepEqual(await run(), { written: [], deleted: [] });
    assert.deepEqual(api.takeWrites(), []);
  };

  beforeEach(() => {
    api = new FakeKubeApi();
    reader = { get: (r, k) => api.server.get(r, k), list: (r) => api.server.objects(r) };
    now = NOW;
    results = [
      aViolation(aRoute("team-a", "shop")),
      aResult(aRoute("team-a", "web")),
      aResult(aRoute("team-b", "api")),
      aViolation(aClaim("shop.example.com")),
    ];
  });

  it("has one queue key", () => {
    assert.equal(AUDIT_REPORTS_KEY, "audit-reports");
  });

  it("creates one Report per namespace and the ClusterReport, under hostgate's field manager", async () => {
    const outcome = await pass();
    assert.deepEqual(outcome, {
      written: ["ClusterReport hostgate-audit", "Report team-a/hostgate-audit", "Report team-b/hostgate-audit"],
      deleted: [],
    });
    assert.deepEqual(
      resultsOf(report("team-a"))!.map((r) => [r.resources[0]!.name, r.result]),
      [
        ["shop", "fail"],
        ["web", "pass"],
      ],
    );
    assert.equal(resultsOf(clusterReport())![0]!.resources[0]!.name, "shop.example.com");
    const managers = (report("team-b")!.metadata!.managedFields as { manager: string }[]).map((e) => e.manager);
    assert.deepEqual(managers, [FIELD_MANAGER]);
  });

  it("writes nothing on a second pass over the same results, an hour later", async () => {
    await pass();
    await assertQuietAnHourLater(pass);
  });

  it("rewrites only the report whose results changed, keeping the timestamps of the unchanged results", async () => {
    await pass();
    api.takeWrites();
    now = NOW + 60_000;
    results = results.map((r) => (r.subject.name === "web" ? aViolation(r.subject) : r));
    assert.deepEqual(await pass(), { written: ["Report team-a/hostgate-audit"], deleted: [] });
    // The first apply over a created report first takes over the create's managedFields (apply/managed-fields-upgrade.ts): an update.
    assert.deepEqual([...new Set(api.takeWrites().map((w) => w.key))], ["team-a/hostgate-audit"]);
    assert.deepEqual(
      resultsOf(report("team-a"))!.map((r) => [r.resources[0]!.name, r.result, r.timestamp.seconds]),
      [
        ["shop", "fail", NOW / 1000],
        ["web", "fail", NOW / 1000 + 60],
      ],
    );
  });

  it("deletes hostgate's report of a namespace with no results any more, and the ClusterReport when no cluster-scoped object has any", async () => {
    await pass();
    results = results.filter((r) => r.subject.namespace === "team-a");
    assert.deepEqual(await pass(), { written: [], deleted: ["ClusterReport hostgate-audit", "Report team-b/hostgate-audit"] });
    assert.equal(report("team-b"), undefined);
    assert.equal(clusterReport(), undefined);
    assert.notEqual(report("team-a"), undefined);
  });

  it("fails a pass whose delete failed, naming the ClusterReport by its name alone, and deletes it on the retry", async () => {
    await pass();
    results = results.filter((r) => r.subject.namespace !== undefined);
    api.failNext("delete", new KubeApiError("500 InternalError: etcd timeout", 500, "InternalError"));
    await assert.rejects(pass(), /: deleting ClusterReport hostgate-audit: 500 InternalError: etcd timeout$/);
    assert.deepEqual((await pass()).deleted, ["ClusterReport hostgate-audit"]);
  });

  it("reverts a hand edit of its report on the next pass", async () => {
    await pass();
    const edited = structuredClone(report("team-a")!) as KubeObject & { results: Result[] };
    edited.results[0]!.result = "pass";
    await api.update(REPORTS, edited, { fieldManager: "kubectl-edit" });
    assert.deepEqual((await pass()).written, ["Report team-a/hostgate-audit"]);
    assert.equal(resultsOf(report("team-a"))![0]!.result, "fail");
  });

  it("takes back its report after its label was removed by hand (hostgate's field manager wrote it)", async () => {
    await pass();
    const edited = structuredClone(report("team-a")!);
    edited.metadata!.labels = {};
    await api.update(REPORTS, edited, { fieldManager: "kubectl-edit" });
    assert.deepEqual((await pass()).written, ["Report team-a/hostgate-audit"]);
    assert.equal((report("team-a")!.metadata!.labels as Record<string, string>)["app.kubernetes.io/managed-by"], "hostgate");
  });

  it("re-creates a report someone deleted", async () => {
    await pass();
    await api.delete(REPORTS, { namespace: "team-b", name: AUDIT_REPORT_NAME });
    assert.deepEqual((await pass()).written, ["Report team-b/hostgate-audit"]);
  });

  describe("other sources' reports", () => {
    it("are never touched, in a namespace where hostgate publishes or stops publishing", async () => {
      await api.create(REPORTS, foreignReport("team-a", "kyverno-shop"), { fieldManager: "kyverno" });
      await api.create(REPORTS, foreignReport("team-c", "kyverno-db"), { fieldManager: "kyverno" });
      await pass();
      results = [];
      await pass();
      assert.deepEqual(
        api.objects(REPORTS).map((r) => `${r.metadata?.namespace}/${r.metadata?.name}`),
        ["team-a/kyverno-shop", "team-c/kyverno-db"],
      );
      assert.deepEqual(resultsOf(report("team-a", "kyverno-shop")), [{ policy: "require-labels", result: "fail" }]);
    });

    it("are never deleted, even labelled managed-by=hostgate at hostgate's name with source hostgate, when hostgate's field manager did not write them", async () => {
      const lookalike = foreignReport("team-c", AUDIT_REPORT_NAME, { source: "hostgate" });
      lookalike.metadata!.labels = { "app.kubernetes.io/managed-by": "hostgate" };
      await api.create(REPORTS, lookalike, { fieldManager: "someone" });
      api.takeWrites();
      await pass();
      assert.notEqual(report("team-c"), undefined);
      assert.deepEqual(
        api.takeWrites().filter((w) => w.key.startsWith("team-c/")),
        [],
      );
    });

    it("at hostgate's name in a namespace hostgate publishes to: left as it is, and the pass fails naming it", async () => {
      await api.create(REPORTS, foreignReport("team-a", AUDIT_REPORT_NAME), { fieldManager: "kyverno" });
      await assert.rejects(pass(), /Report team-a\/hostgate-audit exists and is not hostgate's .*delete or rename it/);
      assert.equal((report("team-a") as { source?: string }).source, "kyverno");
      assert.notEqual(report("team-b"), undefined, "the other namespaces are still published");
    });
  });

  describe("a namespace whose results take several reports (parts)", () => {
    // 2,000 bytes of results per report: a route's 15 library results take three.
    const BUDGET = 2_000;
    const routes = (names: string[]) => names.flatMap((name) => libraryResults(aRoute("team-a", name)));
    const parts = () =>
      api
        .objects(REPORTS)
        .map((r) => r.metadata!.name!)
        .sort();
    const partPass = () => pass(undefined, BUDGET);
    const writtenKeys = () => [...new Set(api.takeWrites().map((w) => w.key))].sort();

    beforeEach(() => {
      results = routes(["a", "b", "c"]);
    });

    it("writes hostgate-audit, hostgate-audit-2, … and nothing on a second pass an hour later", async () => {
      const first = await partPass();
      assert.ok(first.written.length >= 4, first.written.join(", "));
      assert.deepEqual(first.written, first.written.map((_, i) => `Report team-a/hostgate-audit${i === 0 ? "" : `-${i + 1}`}`).sort());
      assert.equal(api.objects(REPORTS).flatMap((r) => resultsOf(r)!).length, 45, "every result published once");
      await assertQuietAnHourLater(partPass);
    });

    it("rewrites only the parts whose results changed when a result is added near the end", async () => {
      await partPass();
      const before = new Map(api.objects(REPORTS).map((r) => [r.metadata!.name!, JSON.stringify(resultsOf(r))]));
      api.takeWrites();
      results = [...results, aViolation(aRoute("team-a", "d"))];
      const outcome = await partPass();
      const changed = api
        .objects(REPORTS)
        .filter((r) => before.get(r.metadata!.name!) !== JSON.stringify(resultsOf(r)))
        .map((r) => `team-a/${r.metadata!.name}`)
        .sort();
      assert.deepEqual(writtenKeys(), changed);
      assert.ok(changed.length >= 1 && changed.length < before.size, `${changed.join(", ")} of ${before.size} parts`);
      assert.deepEqual(outcome.deleted, []);
    });

    it("deletes the parts no longer needed when the namespace's results shrink, keeping the first", async () => {
      await partPass();
      assert.ok(parts().length >= 4, parts().join(", "));
      const surplus = parts().filter((name) => name !== AUDIT_REPORT_NAME);
      results = routes(["a"]).slice(0, 2);
      assert.deepEqual(await partPass(), { written: ["Report team-a/hostgate-audit"], deleted: surplus.map((n) => `Report team-a/${n}`).sort() });
      assert.deepEqual(parts(), [AUDIT_REPORT_NAME]);
    });

    it("gives each stored part the summary of its own results", async () => {
      await partPass();
      for (const stored of api.objects(REPORTS)) {
        const counts: Record<string, number> = { pass: 0, fail: 0, warn: 0, error: 0, skip: 0 };
        for (const r of resultsOf(stored)!) counts[r.result]! += 1;
        assert.deepEqual((stored as { summary?: unknown }).summary, counts, stored.metadata?.name);
      }
    });

    describe("a report at a part's name that is not hostgate's", () => {
      const forged = () => {
        const lookalike = foreignReport("team-a", "hostgate-audit-2", { source: "hostgate" });
        lookalike.metadata!.labels = { "app.kubernetes.io/managed-by": "hostgate" };
        return lookalike;
      };

      it("is never deleted when hostgate needs fewer parts (labels and source forged, another field manager)", async () => {
        results = routes(["a"]).slice(0, 2);
        await api.create(REPORTS, forged(), { fieldManager: "someone" });
        api.takeWrites();
        assert.deepEqual(await partPass(), { written: ["Report team-a/hostgate-audit"], deleted: [] });
        assert.deepEqual(writtenKeys(), ["team-a/hostgate-audit"]);
        assert.deepEqual(resultsOf(report("team-a", "hostgate-audit-2")), [{ policy: "require-labels", result: "fail" }]);
      });

      it("is left as it is when hostgate needs that part: the pass fails naming it, the other parts are written", async () => {
        await api.create(REPORTS, forged(), { fieldManager: "someone" });
        await assert.rejects(partPass(), /Report team-a\/hostgate-audit-2 exists and is not hostgate's .*delete or rename it/);
        assert.deepEqual(resultsOf(report("team-a", "hostgate-audit-2")), [{ policy: "require-labels", result: "fail" }]);
        assert.notEqual(report("team-a", "hostgate-audit-3"), undefined, "the parts after it are still published");
      });

      it("lends none of its timestamps to hostgate's results, though it holds the same result", async () => {
        const [own] = routes(["a"]);
        const lookalike = forged() as KubeObject & { results: unknown[] };
        const resources = [{ apiVersion: own!.subject.apiVersion, kind: own!.subject.kind, namespace: "team-a", name: "a", uid: own!.subject.uid }];
        lookalike.results = [
          {
            source: "hostgate",
            policy: own!.policy,
            rule: own!.policy,
            result: "skip",
            message: own!.messages[0],
            resources,
            timestamp: { seconds: 1, nanos: 0 },
          },
        ];
        results = [own!];
        await api.create(REPORTS, lookalike, { fieldManager: "someone" });
        await partPass();
        assert.deepEqual(
          resultsOf(report("team-a"))!.map((r) => r.timestamp.seconds),
          [NOW / 1000],
        );
      });
    });
  });

  describe("ownReport", () => {
    const own = (name: string, changes: { source?: string; labels?: Record<string, string>; manager?: string } = {}): KubeObject => ({
      apiVersion: OPENREPORTS_API_VERSION,
      kind: "Report",
      metadata: {
        name,
        namespace: "team-a",
        labels: changes.labels ?? { "app.kubernetes.io/managed-by": "hostgate" },
        managedFields: [{ manager: changes.manager ?? FIELD_MANAGER, operation: "Apply" }],
      },
      source: changes.source ?? "hostgate",
    });
    const cases = [
      { name: "hostgate's first report", report: own("hostgate-audit"), owned: true },
      { name: "hostgate's third part", report: own("hostgate-audit-3"), owned: true },
      { name: "a name hostgate never gives (hostgate-audit-1)", report: own("hostgate-audit-1"), owned: false },
      { name: "a part written by another field manager", report: own("hostgate-audit-2", { manager: "someone" }), owned: false },
      { name: "a part of another source", report: own("hostgate-audit-2", { source: "kyverno" }), owned: false },
      { name: "a part without the managed-by label", report: own("hostgate-audit-2", { labels: {} }), owned: false },
    ];
    for (const c of cases) {
      it(`${c.owned ? "owns" : "does not own"} ${c.name}`, () => {
        assert.equal(ownReport(c.report), c.owned);
      });
    }
  });

  describe("the violations metric", () => {
    it("counts the last pass's violations by policy and enforcement, and drops a policy whose violations are gone", async () => {
      const violations = new AuditViolations();
      const registry = new Registry();
      registerAuditMetrics(registry, violations);
      results = [
        aViolation(aRoute("team-a", "shop")),
        aViolation(aRoute("team-b", "shop")),
        aViolation(aRoute("team-a", "web"), { outcome: "audit", policy: "no-wildcards" }),
        aViolation(aRoute("team-a", "api"), { outcome: "warn", policy: "ttl" }),
        aResult(aRoute("team-a", "db")),
        aResult(aRoute("team-a", "db"), { outcome: "error", policy: "broken" }),
      ];
      await pass(violations);
      const series = async () => (await registry.metrics()).split("\n").filter((l) => l.startsWith("hostgate_policy_violations{"));
      assert.deepEqual(await series(), [
        'hostgate_policy_violations{policy="domain-suffix",enforcement="Deny"} 2',
        'hostgate_policy_violations{policy="no-wildcards",enforcement="Audit"} 1',
        'hostgate_policy_violations{policy="ttl",enforcement="Warn"} 1',
      ]);
      results = results.filter((r) => r.policy !== "ttl");
      await pass(violations);
      assert.deepEqual(await series(), [
        'hostgate_policy_violations{policy="domain-suffix",enforcement="Deny"} 2',
        'hostgate_policy_violations{policy="no-wildcards",enforcement="Audit"} 1',
      ]);
    });
  });
});
