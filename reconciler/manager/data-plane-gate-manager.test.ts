// The mode-switch gate through the whole reconciler on the in-memory API
// server: with a placed route served by another data plane than
// gateway.provider the reconciler writes nothing at all (no controller, no
// Lease), logs the refusal at error level and reports it (refused(), which
// `hostgate serve` turns into a non-zero exit, and its readiness); with the
// same data plane it starts as usual.
import { afterEach, describe, test } from "node:test";
import assert from "node:assert/strict";
import type { GatewayProvider, PlatformConfig } from "../../core/config/platform-config.ts";
import type { Logger } from "../../core/logger.ts";
import type { KubeApi } from "../../core/kube/object-api.ts";
import type { KubeObject } from "../../core/kube/object-key.ts";
import { FakeKubeApi } from "../../core/kube/testing/fake-kube-api.ts";
import { aConfig } from "../domainroute/render/testing/platform-config.ts";
import { GATEWAY_NAMESPACE, gatewayApiConfig } from "../edge/gateways/testing/gateway-api-config.ts";
import { DOMAIN_ROUTES, GATEWAYS } from "../resources.ts";
import { ReconcilerManager } from "./reconciler-manager.ts";
import type { LeaderElectionSettings } from "./reconciler-manager.ts";
import { eventually } from "./testing/eventually.ts";

const running: ReconcilerManager[] = [];

afterEach(async () => {
  await Promise.all(running.splice(0).map((m) => m.stop()));
});

const WRITES = new Set(["create", "apply", "update", "updateStatus", "delete"]);
const ELECTION: LeaderElectionSettings = {
  namespace: "hostgate-system",
  name: "hostgate-reconciler",
  holderId: "pod-1",
  leaseDurationMs: 1000,
  renewDeadlineMs: 600,
  retryPeriodMs: 50,
};

/** `api` noting each write (`verb resource`) the reconciler makes. */
function recording(api: FakeKubeApi, writes: string[]): KubeApi {
  return new Proxy(api, {
    get(target, property) {
      const value = Reflect.get(target, property, target) as unknown;
      if (typeof value !== "function") return value;
      if (!WRITES.has(String(property))) return value.bind(target);
      return (resource: { resource: string }, ...rest: unknown[]) => {
        writes.push(`${String(property)} ${resource.resource}`);
        return (value as (...args: unknown[]) => unknown).apply(target, [resource, ...rest]);
      };
    },
  });
}

/** A route on alb-out placed on public-1 and served by `dataPlane` (absent: placed before there was a choice, i.e. Istio). */
async function placedRoute(api: FakeKubeApi, dataPlane: GatewayProvider | undefined): Promise<void> {
  const created = await api.create(DOMAIN_ROUTES, {
    apiVersion: "hostgate.dev/v1alpha1",
    kind: "DomainRoute",
    metadata: { name: "shop", namespace: "team-a" },
    spec: { domain: "shop.example.com", lb: "alb-out", routing: { mode: "External" } },
  } as KubeObject);
  // status is a subresource: the API server drops it on create.
  const edge = { member: "public-1", ...(dataPlane === undefined ? {} : { dataPlane }) };
  await api.updateStatus(DOMAIN_ROUTES, { ...created, status: { edge } });
}

function errorsOf(errors: string[]): Logger {
  return { debug() {}, info() {}, warn() {}, error: (_fields, message) => void errors.push(message) };
}

function start(api: KubeApi, config: PlatformConfig, logger: Logger, election?: LeaderElectionSettings): ReconcilerManager {
  const options = { appIdTableDebounceMs: 10, sweepDebounceMs: 10, edgeDebounceMs: 10, stopTimeoutMs: 1000 };
  const manager = new ReconcilerManager({ api, config, logger, ...options, ...(election === undefined ? {} : { leaderElection: election }) });
  running.push(manager);
  manager.start();
  return manager;
}

describe("the reconciler refuses a data plane switch under served routes", () => {
  const refusals = [
    { name: "a route served by Istio with gateway.provider gateway-api", dataPlane: "istio", config: gatewayApiConfig() },
    {
      name: "a route placed before there was a choice (no dataPlane: Istio) with gateway.provider gateway-api",
      dataPlane: undefined,
      config: gatewayApiConfig(),
    },
    { name: "a route served by the Gateway API with gateway.provider istio", dataPlane: "gateway-api", config: aConfig() },
  ] as const;
  for (const c of refusals) {
    for (const election of [undefined, ELECTION]) {
      test(`${c.name}: nothing is written, no controller starts, the refusal is logged and reported (${election ? "with" : "without"} leader election)`, async () => {
        const api = new FakeKubeApi();
        await placedRoute(api, c.dataPlane);
        const writes: string[] = [];
        const errors: string[] = [];
        const manager = start(recording(api, writes), c.config, errorsOf(errors), election);
        const message = await Promise.race([
          manager.refused(),
          new Promise<never>((_resolve, reject) => setTimeout(() => reject(new Error("the reconciler did not refuse to start within 3 s")), 3000).unref()),
        ]);
        assert.match(message, /^gateway\.provider is .*1 DomainRoute is served by the .* data plane \(status\.edge\.dataPlane\): team-a\/shop\. /);
        assert.deepEqual(errors, [message]);
        assert.equal(manager.notReadyReason(), `reconciler refused to start: ${message}`);
        // Time for anything that would start to write (debounces are 10 ms, the Lease is tried every 50 ms).
        await new Promise((resolve) => setTimeout(resolve, 300));
        assert.deepEqual(writes, []);
        assert.equal(manager.isLeader(), false);
        assert.deepEqual(manager.stats(), {});
      });
    }
  }

  test("a route served by the configured data plane: the reconciler starts and serves it", async () => {
    const api = new FakeKubeApi();
    await placedRoute(api, "gateway-api");
    const errors: string[] = [];
    const manager = start(api, gatewayApiConfig(), errorsOf(errors), ELECTION);
    await eventually("it leads", () => manager.isLeader());
    await eventually("shop's Gateway is written", () => api.server.get(GATEWAYS, { namespace: GATEWAY_NAMESPACE, name: "public-1" }) !== undefined);
    assert.deepEqual(errors, []);
    const refused = await Promise.race([manager.refused(), new Promise((resolve) => setTimeout(() => resolve("not refused"), 50))]);
    assert.equal(refused, "not refused");
  });
});
