// prometheus-operator's kinds are watched only once the cluster serves them:
// looked up, looked up again every recheckMs while missing, never watched
// before (no 404 loop), and picked up without a restart once installed.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { ManualClock } from "../../core/clock.ts";
import { KubeApiError } from "../../core/kube/api-error.ts";
import { FakeListWatchClient } from "../../core/kube/testing/fake-list-watch.ts";
import { ServedVersionsClient } from "../../core/kube/testing/served-versions.ts";
import { silentLogger } from "../../core/logger.ts";
import { InformerReader } from "../cluster/informer-reader.ts";
import { LABEL_MANAGED_BY, LABEL_ROUTE_UID, MANAGED_BY_HOSTGATE } from "../domainroute/render/metadata.ts";
import { PROBE_RESOURCE, PROMETHEUS_RULE_RESOURCE } from "../domainroute/render/produced-resources.ts";
import { MANAGED_SELECTOR } from "../resources.ts";
import { MonitoringKinds } from "./monitoring-kinds.ts";

const RECHECK_MS = 60_000;
const BOTH = ["prometheusrules.monitoring.coreos.com", "probes.monitoring.coreos.com"];

async function until(what: string, check: () => boolean): Promise<void> {
  for (let i = 0; i < 200 && !check(); i++) await new Promise((resolve) => setImmediate(resolve));
  assert.ok(check(), `never became true: ${what}`);
}

function setUp() {
  const inner = new FakeListWatchClient();
  const client = new ServedVersionsClient(inner);
  const reader = new InformerReader();
  const clock = new ManualClock();
  const kinds = new MonitoringKinds({ client, reader, logger: silentLogger, clock, resyncMs: 0, recheckMs: RECHECK_MS });
  const monitoringWatches = () => inner.watchCalls.filter((c) => c.resource.includes("monitoring.coreos.com"));
  return { inner, client, reader, clock, kinds, monitoringWatches };
}

describe("MonitoringKinds", () => {
  it("without the CRDs is missing (naming both), watches neither, and looks again only every recheckMs", async () => {
    const { client, clock, kinds, monitoringWatches } = setUp();
    kinds.start();
    await until("missing", () => kinds.state().kind === "missing");
    assert.deepEqual(kinds.state(), { kind: "missing", missing: BOTH, recheckMs: RECHECK_MS });
    assert.equal(client.lists.length, 2, "one probe per kind");
    clock.advance(RECHECK_MS - 1);
    await until("a moment passes", () => true);
    assert.equal(client.lists.length, 2, "no lookup before recheckMs");
    clock.advance(1);
    await until("looked up again", () => client.lists.length === 4);
    assert.deepEqual(monitoringWatches(), [], "never a watch on a kind that is not served");
    await kinds.stop();
  });

  it("picks the CRDs up on the next lookup once installed: watches them, serves the route's objects from the shared reader, and tells its listeners", async () => {
    const { inner, client, reader, clock, kinds, monitoringWatches } = setUp();
    let changes = 0;
    kinds.onChange(() => changes++);
    const events: string[] = [];
    kinds.addEventHandler({ onAdd: (object) => events.push(`add ${object.kind} ${object.metadata?.name}`) });
    kinds.start();
    await until("missing", () => kinds.state().kind === "missing");
    const labels = { [LABEL_MANAGED_BY]: MANAGED_BY_HOSTGATE, [LABEL_ROUTE_UID]: "uid-shop" };
    inner.put(PROMETHEUS_RULE_RESOURCE, {
      apiVersion: "monitoring.coreos.com/v1",
      kind: "PrometheusRule",
      metadata: { name: "shop", namespace: "team-a", labels },
    });
    client.install(PROMETHEUS_RULE_RESOURCE, "v1").install(PROBE_RESOURCE, "v1");
    clock.advance(RECHECK_MS);
    await until("served", () => kinds.state().kind === "served");
    assert.equal(changes, 2, "missing, then served");
    assert.deepEqual(
      reader.list({ ...PROMETHEUS_RULE_RESOURCE, namespace: "team-a", labelSelector: `${LABEL_ROUTE_UID}=uid-shop` }).map((o) => o.metadata?.name),
      ["shop"],
    );
    assert.deepEqual(events, ["add PrometheusRule shop"], "a handler given before the kinds were served hears of their objects");
    assert.deepEqual(
      monitoringWatches()
        .map((c) => c.resource)
        .sort(),
      BOTH.map((kind) => `${kind} labelled ${MANAGED_SELECTOR}`).sort(),
      "hostgate's own objects only",
    );
    await kinds.stop();
  });

  it("a lookup that fails (403) is unknown with the reason and retried with backoff, not every recheckMs", async () => {
    const { inner, client, clock, kinds } = setUp();
    client.install(PROMETHEUS_RULE_RESOURCE, "v1").install(PROBE_RESOURCE, "v1");
    const forbidden = new KubeApiError('403 Forbidden: prometheusrules.monitoring.coreos.com is forbidden: User "hostgate-reconciler"', 403, "Forbidden");
    inner.failLists(PROMETHEUS_RULE_RESOURCE, forbidden);
    kinds.start();
    await until("unknown", () => kinds.state().kind === "unknown" && kinds.state() !== undefined && "reason" in kinds.state());
    assert.match((kinds.state() as { reason: string }).reason, /403 Forbidden/);
    clock.advance(30_000);
    await until("served after the retry", () => kinds.state().kind === "served");
    await kinds.stop();
  });
});
