// The gateway Telemetry controller's one reconcile (one queue key for the
// cluster, leader only): keeps the Istio Telemetry that turns on access
// logging and tracing at the ingress gateway (renderGatewayTelemetry) as
// the platform config asks. Gather (is telemetry.istio.io served, and the
// object at its name read live), plan (plan-gateway-telemetry.ts, pure),
// execute (created, else server-side applied over hostgate's own copy with
// uid and resourceVersion preconditions; deleted with them when the config
// no longer asks for it: apply/owned-objects.ts, as the pooled Gateways).
//
// No informer watches Telemetries: on a cluster whose Istio is absent or too
// old the CRD is not served, and a watch on it would never sync (the
// reconciler's caches gate every controller on syncing) or would loop on
// 404. Instead each pass asks once whether the kind is served (a list of one
// item, core/kube/served-version.ts) and reads the one object by name; while
// the config asks for a Telemetry the pass runs again every POLL_MS, so a
// hand edit or deletion is reverted within a minute at the cost of one read.
// A kind not served, a foreign object at the name, or a data plane that is
// not Istio's is logged once (again only when the situation changes) and
// shown by the metric hostgate_gateway_telemetry_not_applied{reason}, never
// thrown: nothing a retry could fix. API failures are thrown (retried with backoff).
import { observableDataPlane } from "./data-plane.ts";
import type { PlatformConfig } from "../../core/config/platform-config.ts";
import type { ObjectApi } from "../../core/kube/object-api.ts";
import type { KubeObject } from "../../core/kube/object-key.ts";
import type { Logger } from "../../core/logger.ts";
import { deleteOwnedObjects, writeOwnedObjects } from "../apply/owned-objects.ts";
import { withAppliedHash } from "../apply/plan-apply.ts";
import { GATEWAY_TELEMETRY_NAME, gatewayTelemetryAsked, TELEMETRIES, TELEMETRY_GROUP } from "./gateway-telemetry-resource.ts";
import { ownGatewayTelemetry, planGatewayTelemetry } from "./plan-gateway-telemetry.ts";

/** The single queue key. */
export const GATEWAY_TELEMETRY_KEY = "gateway-telemetry";
/** While the config asks for the Telemetry: how soon a pass looks again (drift reverted within this). */
export const GATEWAY_TELEMETRY_POLL_MS = 60_000;
/** While the config asks for it and the kind is not served: how soon a pass asks again (an Istio upgrade serves it). */
export const GATEWAY_TELEMETRY_UNSERVED_POLL_MS = 10 * 60_000;

export interface GatewayTelemetryDeps {
  /** Reads (get by name) and writes. */
  api: ObjectApi;
  /** The first served version of telemetry.istio.io Telemetry (TELEMETRY_VERSIONS), undefined when none is (404). @throws on other failures */
  servedVersion: () => Promise<string | undefined>;
  /** renderGatewayTelemetry (reconciler/observability/): the Telemetry the config asks for, or undefined. */
  render: (config: PlatformConfig) => KubeObject | undefined;
  config: PlatformConfig;
  logger: Logger;
  /** Kept across passes of a term: what was last reported, so each situation is logged once. */
  state: GatewayTelemetryState;
}

export class GatewayTelemetryState {
  /** The last pass's outcome (metrics: hostgate_gateway_telemetry_not_applied). */
  situation: GatewayTelemetrySituation | undefined;
  /** The situation last logged (foreign object, kind not served) or reached: a warning is repeated only after another situation. */
  lastReport: string | undefined;
  /** The settings were said not applied on this data plane: a config is fixed for the process, so once is enough. */
  toldNotApplicable = false;
}

export type GatewayTelemetrySituation = "unchanged" | "written" | "deleted" | "foreign" | "notServed" | "notApplicable" | "off";

export interface GatewayTelemetryOutcome {
  situation: GatewayTelemetrySituation;
  requeueAfterMs?: number;
}

/** The situations in which the config's access logging and tracing are not in force at the gateway (a metric each). */
export const NOT_APPLIED_SITUATIONS = ["foreign", "notApplicable", "notServed"] as const satisfies readonly GatewayTelemetrySituation[];

export async function reconcileGatewayTelemetry(deps: GatewayTelemetryDeps): Promise<GatewayTelemetryOutcome> {
  const outcome = await pass(deps);
  deps.state.situation = outcome.situation;
  return outcome;
}

async function pass(deps: GatewayTelemetryDeps): Promise<GatewayTelemetryOutcome> {
  const { config } = deps;
  const asked = gatewayTelemetryAsked(config);
  const applies = observableDataPlane(config);
  const wanted = asked && applies;
  if (asked && !applies && !deps.state.toldNotApplicable) {
    deps.state.toldNotApplicable = true;
    deps.logger.warn({ situation: "notApplicable" }, gatewayMessage(config));
  }
  // Asked even when nothing is wanted: a Telemetry hostgate wrote under an earlier config is deleted.
  const version = await deps.servedVersion();
  if (version === undefined) {
    if (!wanted) return finish(deps, asked ? "notApplicable" : "off");
    report(
      deps,
      "notServed",
      `the platform config asks for access logging or tracing at the gateway, but the cluster serves no ${TELEMETRY_GROUP} Telemetry ` +
        `(Istio absent, or older than 1.12): nothing is written; install or upgrade Istio (or remove observability.accessLogging and ` +
        `observability.tracing); hostgate asks again every ${GATEWAY_TELEMETRY_UNSERVED_POLL_MS / 60_000} minutes`,
    );
    return { situation: "notServed", requeueAfterMs: GATEWAY_TELEMETRY_UNSERVED_POLL_MS };
  }
  const resource = { ...TELEMETRIES, version };
  const rendered = wanted ? deps.render(config) : undefined;
  const desired = rendered === undefined ? undefined : withAppliedHash({ ...rendered, apiVersion: `${TELEMETRY_GROUP}/${version}` });
  const key = { namespace: config.gateway.namespace, name: GATEWAY_TELEMETRY_NAME };
  const current = await deps.api.get(resource, key);
  const plan = planGatewayTelemetry(current, desired, config);
  const requeue = wanted ? { requeueAfterMs: GATEWAY_TELEMETRY_POLL_MS } : {};
  switch (plan.action) {
    case "none":
      return { ...finish(deps, wanted ? "unchanged" : asked ? "notApplicable" : "off"), ...requeue };
    case "leave":
      report(deps, "foreign", plan.why);
      return { situation: "foreign", ...requeue };
    case "write": {
      const writes = await writeOwnedObjects(deps.api, resource, [plan.object], {
        current: () => plan.current,
        owns: ownGatewayTelemetry,
        notOwned: () => `Telemetry ${key.namespace}/${key.name} appeared meanwhile and hostgate did not write it; it is left as it is`,
      });
      if (writes.failures.length > 0) throw new Error(`gateway Telemetry: ${writes.failures.join("; ")}`);
      deps.logger.info({ telemetry: `${key.namespace}/${key.name}`, apiVersion: resource.version }, "gateway Telemetry written (access logging, tracing)");
      deps.state.lastReport = "written";
      return { situation: "written", ...requeue };
    }
    case "delete": {
      const deletes = await deleteOwnedObjects(deps.api, resource, [plan.object]);
      if (deletes.failures.length > 0) throw new Error(`gateway Telemetry: ${deletes.failures.join("; ")}`);
      deps.logger.info(
        { telemetry: `${key.namespace}/${key.name}` },
        "gateway Telemetry deleted: the platform config no longer asks for access logging or tracing",
      );
      deps.state.lastReport = "deleted";
      return { situation: "deleted" };
    }
  }
}

/** What the log says when the config asks for gateway telemetry on a data plane that is not Istio's. */
function gatewayMessage(config: PlatformConfig): string {
  const plane =
    config.gateway.provider === "gateway-api" ? `gateway-api with implementation ${config.gateway.gatewayApi?.implementation}` : config.gateway.provider;
  return (
    `observability.accessLogging and observability.tracing are not applied: they are an Istio Telemetry for the gateway, and this platform's ` +
    `gateway is ${plane} (only gateway.provider istio, or gateway-api with implementation istio, reads it); configure that data plane's access logs and tracing directly`
  );
}

function finish(deps: GatewayTelemetryDeps, situation: GatewayTelemetrySituation): GatewayTelemetryOutcome {
  deps.state.lastReport = situation;
  return { situation };
}

/** Logs `message` unless the last report was the same situation: each is told once, not every pass. */
function report(deps: GatewayTelemetryDeps, situation: GatewayTelemetrySituation, message: string): void {
  if (deps.state.lastReport === situation) return;
  deps.state.lastReport = situation;
  deps.logger.warn({ situation }, message);
}
