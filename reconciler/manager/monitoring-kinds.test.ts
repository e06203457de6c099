// prometheus-operator's kinds are watched only once the cluster serves them:
// looked up, looked up again every recheckMs while missing, never watched
// before (no 404 loop), and picked up without a restart once installed.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { ManualClock } from "../../core/clock.ts";
import { KubeApiError } from "../../core/kube/api-error.ts";
import { FakeListWatchClient } from "../../core/kube/testing/fake-list-watch.ts";
import { ServedVersionsClient } from "../../core/kube/testing/served-versions.ts";
import type { ListWatchClient } from "../../core/kube/list-watch-client.ts";
import type { ResourceRef } from "../../core/kube/resource.ts";
import { resourceName } from "../../core/kube/resource.ts";
import { silentLogger } from "../../core/logger.ts";
import { RecordingLogger } from "../../core/testing/recording-logger.ts";
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

const notFound = () => new KubeApiError("404 NotFound: the server could not find the requested resource", 404, "NotFound");

/** `client` with CRDs that can be uninstalled: a list or watch of an uninstalled kind is 404, as the API server answers once its CRD is deleted. */
function uninstallable(client: ListWatchClient) {
  const gone = new Set<string>();
  let refused = 0;
  const listsLeft = new Map<string, number>();
  const wrapped: ListWatchClient = {
    describe: () => client.describe(),
    list: (resource, request) => {
      const name = resourceName(resource);
      const left = listsLeft.get(name);
      if (left !== undefined) left === 0 ? gone.add(name) : listsLeft.set(name, left - 1);
      if (!gone.has(name)) return client.list(resource, request);
      refused++;
      return Promise.reject(notFound());
    },
    watch: (resource, request, callbacks) => {
      if (!gone.has(resourceName(resource))) return client.watch(resource, request, callbacks);
      refused++;
      queueMicrotask(() => callbacks.onEnd(notFound()));
      return { abort: () => {} };
    },
  };
  return {
    client: wrapped,
    uninstall: (resource: ResourceRef) => gone.add(resourceName(resource)),
    reinstall: () => gone.clear(),
    /** Uninstalls `resource` once it has been listed `lists` times more. */
    uninstallAfter: (resource: ResourceRef, lists: number) => listsLeft.set(resourceName(resource), lists),
    /** Requests answered 404 because their kind was uninstalled. */
    refused: () => refused,
  };
}

/** Lets pending promise callbacks run. */
async function settle(): Promise<void> {
  for (let i = 0; i < 10; i++) await new Promise((resolve) => setImmediate(resolve));
}

function setUp(options: { alerting?: boolean; logger?: RecordingLogger } = {}) {
  const inner = new FakeListWatchClient();
  const client = new ServedVersionsClient(inner);
  const crds = uninstallable(client);
  const reader = new InformerReader();
  const clock = new ManualClock();
  const logger = options.logger ?? silentLogger;
  const kinds = new MonitoringKinds({ client: crds.client, reader, logger, clock, resyncMs: 0, recheckMs: RECHECK_MS, ...options });
  const monitoringWatches = () => inner.watchCalls.filter((c) => c.resource.includes("monitoring.coreos.com"));
  return { inner, client, reader, clock, kinds, monitoringWatches, crds };
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

  it("once served, a 404 of their watch (the CRDs uninstalled) stops both informers, says missing and looks again only every recheckMs, and takes them up again once reinstalled", async () => {
    const { inner, client, reader, clock, kinds, crds } = setUp();
    const states: string[] = [];
    kinds.onChange(() => states.push(kinds.state().kind));
    client.install(PROMETHEUS_RULE_RESOURCE, "v1").install(PROBE_RESOURCE, "v1");
    kinds.start();
    await until("served", () => kinds.state().kind === "served");
    crds.uninstall(PROMETHEUS_RULE_RESOURCE);
    crds.uninstall(PROBE_RESOURCE);
    // The API server ends the open watches when a CRD is deleted; the informers' next watch or list is 404.
    inner.endWatches(PROMETHEUS_RULE_RESOURCE);
    await until("the watch ended", () => inner.openWatches(PROMETHEUS_RULE_RESOURCE) === 0);
    await settle();
    clock.advance(2_000); // past the reflector's pause before it watches again
    await until("missing again", () => kinds.state().kind === "missing");
    assert.deepEqual(kinds.state(), { kind: "missing", missing: BOTH, recheckMs: RECHECK_MS });
    const refused = crds.refused();
    clock.advance(RECHECK_MS - 1);
    await settle();
    assert.equal(crds.refused(), refused, "no informer retries the 404 meanwhile");
    clock.advance(1);
    await until("looked up again", () => crds.refused() === refused + 2);
    await settle(); // the lookup's answer schedules the next
    crds.reinstall();
    const labels = { [LABEL_MANAGED_BY]: MANAGED_BY_HOSTGATE, [LABEL_ROUTE_UID]: "uid-shop" };
    inner.put(PROBE_RESOURCE, { apiVersion: "monitoring.coreos.com/v1", kind: "Probe", metadata: { name: "shop", namespace: "team-a", labels } });
    clock.advance(RECHECK_MS);
    await until("served again", () => kinds.state().kind === "served");
    assert.deepEqual(states, ["served", "unknown", "missing", "served"]);
    assert.deepEqual(
      reader.list({ ...PROBE_RESOURCE, namespace: "team-a", labelSelector: `${LABEL_ROUTE_UID}=uid-shop` }).map((o) => o.metadata?.name),
      ["shop"],
      "the new informer serves the reader",
    );
    await kinds.stop();
  });

  it("with alerting off, a lookup refused (403: the component need not be installed then) logs only at debug, keeps the state, and looks again every recheckMs", async () => {
    const logger = new RecordingLogger();
    const { inner, client, clock, kinds } = setUp({ alerting: false, logger });
    let changes = 0;
    kinds.onChange(() => changes++);
    client.install(PROMETHEUS_RULE_RESOURCE, "v1").install(PROBE_RESOURCE, "v1");
    const forbidden = new KubeApiError("403 Forbidden: prometheusrules.monitoring.coreos.com is forbidden", 403, "Forbidden");
    inner.failLists(PROMETHEUS_RULE_RESOURCE, forbidden, forbidden);
    kinds.start();
    await until("refused, logged at debug", () => logger.at("debug").length === 1);
    assert.deepEqual(kinds.state(), { kind: "unknown" });
    assert.equal(changes, 0, "the routes are not told of anything");
    assert.deepEqual(logger.messages(), [], "nothing above debug");
    const lists = client.lists.length;
    clock.advance(RECHECK_MS - 1);
    await settle();
    assert.equal(client.lists.length, lists, "no retry with backoff");
    clock.advance(1);
    await until("refused again", () => logger.at("debug").length === 2);
    clock.advance(RECHECK_MS);
    await until("served once the lookup is allowed", () => kinds.state().kind === "served");
    await kinds.stop();
  });

  it("with alerting off, kinds not served are only logged at debug", async () => {
    const logger = new RecordingLogger();
    const { kinds } = setUp({ alerting: false, logger });
    kinds.start();
    await until("missing", () => kinds.state().kind === "missing");
    assert.deepEqual(logger.messages(), []);
    await kinds.stop();
  });

  it("a kind uninstalled between the lookup and its informer's first list is dropped from the reader, so readiness does not wait for it", async () => {
    const { client, reader, kinds, crds } = setUp();
    client.install(PROMETHEUS_RULE_RESOURCE, "v1").install(PROBE_RESOURCE, "v1");
    crds.uninstallAfter(PROMETHEUS_RULE_RESOURCE, 1);
    kinds.start();
    await until("missing", () => kinds.state().kind === "missing");
    assert.deepEqual(kinds.state(), { kind: "missing", missing: [BOTH[0]], recheckMs: RECHECK_MS });
    assert.deepEqual(reader.unsynced(), []);
    await kinds.stop();
  });
});
