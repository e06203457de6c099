import assert from "node:assert/strict";
import { beforeEach, describe, it } from "node:test";
import type { PlatformConfig } from "../../core/config/platform-config.ts";
import type { Logger } from "../../core/logger.ts";
import type { KubeObject } from "../../core/kube/object-key.ts";
import { FakeKubeApi } from "../../core/kube/testing/fake-kube-api.ts";
import { GATEWAY_TELEMETRY_NAME, TELEMETRIES } from "./gateway-telemetry-resource.ts";
import type { GatewayTelemetryDeps } from "./reconcile-gateway-telemetry.ts";
import { GATEWAY_TELEMETRY_POLL_MS, GatewayTelemetryState, reconcileGatewayTelemetry } from "./reconcile-gateway-telemetry.ts";
import { baseConfig, contractTelemetry, telemetryConfig } from "./testing/telemetry-fixtures.ts";

const key = { namespace: baseConfig.gateway.namespace, name: GATEWAY_TELEMETRY_NAME };
const envoyGatewayConfig = (config: PlatformConfig): PlatformConfig =>
  ({ ...config, gateway: { ...config.gateway, provider: "gateway-api", gatewayApi: { implementation: "envoy-gateway" } } }) as unknown as PlatformConfig;

describe("reconciling the gateway Telemetry", () => {
  let api: FakeKubeApi;
  let logs: string[];
  let served: string | undefined;
  let state: GatewayTelemetryState;
  const logger: Logger = {
    debug() {},
    info() {},
    warn: (_fields, message) => void logs.push(message),
    error: (_fields, message) => void logs.push(message),
  };
  const deps = (config: PlatformConfig): GatewayTelemetryDeps => ({
    api,
    servedVersion: async () => served,
    render: contractTelemetry,
    config,
    logger,
    state,
  });
  const pass = (config: PlatformConfig = telemetryConfig()) => reconcileGatewayTelemetry(deps(config));
  const stored = () => api.server.get({ ...TELEMETRIES, version: served ?? "v1" }, key);
  const spec = () => stored()?.spec as { accessLogging: { filter?: { expression: string } }[]; tracing: { randomSamplingPercentage: number }[] };
  const foreign = async () => {
    const object = { ...contractTelemetry(telemetryConfig())!, spec: { accessLogging: [{ providers: [{ name: "mine" }] }] } };
    await api.create(TELEMETRIES, object, { fieldManager: "kubectl" });
    api.takeWrites();
  };

  beforeEach(() => {
    api = new FakeKubeApi();
    logs = [];
    served = "v1";
    state = new GatewayTelemetryState();
  });

  it("is written once when the config asks for access logging and tracing, and looked at again within a minute", async () => {
    assert.deepEqual(await pass(), { situation: "written", requeueAfterMs: GATEWAY_TELEMETRY_POLL_MS });
    assert.equal(api.takeWrites().length, 1);
    assert.equal(spec().accessLogging[0]!.filter!.expression, "response.code >= 400");
    assert.deepEqual(logs, []);
  });

  it("an unchanged second pass writes nothing", async () => {
    await pass();
    api.takeWrites();
    assert.equal((await pass()).situation, "unchanged");
    assert.deepEqual(api.takeWrites(), []);
  });

  it("a config change updates it in place", async () => {
    await pass();
    const uid = stored()!.metadata!.uid;
    assert.equal((await pass(telemetryConfig("response.code >= 500", "25%"))).situation, "written");
    assert.equal(spec().accessLogging[0]!.filter!.expression, "response.code >= 500");
    assert.equal(spec().tracing[0]!.randomSamplingPercentage, 25);
    assert.equal(stored()!.metadata!.uid, uid, "the same object, applied over");
  });

  it("a hand edit and a deletion are both reverted", async () => {
    await pass();
    const edited = stored()!;
    await api.update(TELEMETRIES, { ...edited, spec: { accessLogging: [{ disabled: true }] } }, { fieldManager: "kubectl" });
    assert.equal((await pass()).situation, "written");
    assert.equal(spec().accessLogging[0]!.filter!.expression, "response.code >= 400");
    await api.delete(TELEMETRIES, key);
    assert.equal((await pass()).situation, "written");
    assert.ok(stored() !== undefined);
  });

  it("the config no longer asking for it deletes hostgate's Telemetry, and only once", async () => {
    await pass();
    assert.deepEqual(await pass(baseConfig), { situation: "deleted" });
    assert.equal(stored(), undefined);
    api.takeWrites();
    assert.deepEqual(await pass(baseConfig), { situation: "off" });
    assert.deepEqual(api.takeWrites(), []);
  });

  it("a foreign Telemetry at the name is left untouched, said once, whether the config asks for one or not", async () => {
    await foreign();
    const before = structuredClone(stored());
    assert.equal((await pass()).situation, "foreign");
    assert.equal((await pass()).situation, "foreign");
    assert.equal(logs.length, 1, "said once, not every pass");
    assert.match(logs[0]!, /hostgate did not write it .* delete it \(or rename it\)/);
    assert.equal((await pass(baseConfig)).situation, "off", "not deleted when nothing is asked");
    assert.deepEqual(api.takeWrites(), []);
    assert.deepEqual(stored(), before);
  });

  it("a foreign Telemetry carrying hostgate's labels is still foreign (labels can be forged)", async () => {
    await foreign();
    assert.equal((stored()!.metadata!.labels as Record<string, string>)["app.kubernetes.io/managed-by"], "hostgate");
    assert.equal((await pass(baseConfig)).situation, "off");
    assert.equal((await pass()).situation, "foreign");
    assert.deepEqual(api.takeWrites(), []);
  });

  it("with the Telemetry kind not served nothing is read or written, it is said once, and asked again in ten minutes (no throw, no watch)", async () => {
    served = undefined;
    assert.deepEqual(await pass(), { situation: "notServed", requeueAfterMs: 600_000 });
    assert.deepEqual(await pass(), { situation: "notServed", requeueAfterMs: 600_000 });
    assert.equal(logs.length, 1);
    assert.match(logs[0]!, /serves no telemetry\.istio\.io Telemetry \(Istio absent, or older than 1\.12\)/);
    assert.deepEqual(api.takeWrites(), []);
  });

  it("with the kind not served and nothing asked it is quiet", async () => {
    served = undefined;
    assert.deepEqual(await pass(baseConfig), { situation: "off" });
    assert.deepEqual(logs, []);
  });

  it("an Istio serving only v1alpha1 gets the Telemetry at v1alpha1", async () => {
    served = "v1alpha1";
    assert.equal((await pass()).situation, "written");
    assert.equal(stored()!.apiVersion, "telemetry.istio.io/v1alpha1");
    api.takeWrites();
    assert.equal((await pass()).situation, "unchanged");
    assert.deepEqual(api.takeWrites(), []);
  });

  it("on a data plane that is not Istio's nothing is written, the settings are said not applied once, and an earlier Telemetry of hostgate's is deleted", async () => {
    await pass();
    const config = envoyGatewayConfig(telemetryConfig());
    assert.deepEqual(await pass(config), { situation: "deleted" });
    assert.equal(stored(), undefined);
    assert.equal((await pass(config)).situation, "notApplicable");
    assert.equal(logs.length, 1);
    assert.match(logs[0]!, /are not applied: .* this platform's gateway is gateway-api with implementation envoy-gateway/);
  });
});

// Keeps the helper typed for the cases above.
export type { KubeObject };
