// What to do with the gateway's Telemetry, given the object at its name (read
// live: its managedFields are whole) and what the config renders: pure, so
// an unchanged world plans nothing and a second pass over what the first
// wrote writes nothing.
//
// Whose the object at the name is follows apply/ownership.ts: labels alone
// prove nothing (anyone who may edit an object may add them), so hostgate
// applies over it only when its field manager wrote it, and deletes it only
// when it also still carries hostgate's managed-by label, as the pooled
// Gateways (edge/gateways/member-object-ownership.ts). The gateway namespace
// is written only by the platform and hostgate, but a Telemetry someone made
// there at this name is still theirs: it is left exactly as it is.
import type { KubeObject } from "../../core/kube/object-key.ts";
import type { PlatformConfig } from "../../core/config/platform-config.ts";
import { writtenByReconciler } from "../apply/ownership.ts";
import { contains } from "../apply/plan-apply.ts";
import { LABEL_MANAGED_BY, LABEL_ROUTE_UID, MANAGED_BY_HOSTGATE } from "../domainroute/render/metadata.ts";
import { FIELD_MANAGER } from "../resources.ts";
import { GATEWAY_TELEMETRY_NAME } from "./gateway-telemetry-resource.ts";

export type GatewayTelemetryPlan =
  | { readonly action: "none" }
  /** Create `object` (nothing at the name) or apply it over `current` (hostgate's). */
  | { readonly action: "write"; readonly object: KubeObject; readonly current?: KubeObject }
  /** `object` is hostgate's and the config no longer asks for it. */
  | { readonly action: "delete"; readonly object: KubeObject }
  /** Someone else's object holds the name: left as it is, `why` says what to do. */
  | { readonly action: "leave"; readonly object: KubeObject; readonly why: string };

/**
 * @param current the Telemetry at gateway.namespace/hostgate-gateway, or undefined
 * @param desired the rendered Telemetry (apply/plan-apply.ts withAppliedHash applied), or undefined when the config asks for none
 */
export function planGatewayTelemetry(
  current: KubeObject | undefined,
  desired: KubeObject | undefined,
  config: Pick<PlatformConfig, "gateway">,
): GatewayTelemetryPlan {
  if (desired === undefined) {
    return current !== undefined && gatewayTelemetryMadeHere(current, config) ? { action: "delete", object: current } : { action: "none" };
  }
  if (current === undefined) return { action: "write", object: desired };
  if (!ownGatewayTelemetry(current)) return { action: "leave", object: current, why: notOwned(current) };
  // Containment: fields others added (labels, annotations) are theirs; any field hostgate sets that differs is drift.
  return contains(current, desired) ? { action: "none" } : { action: "write", object: desired, current };
}

/** May be applied over: hostgate's field manager wrote it and it is no route's (its labels may have been removed by hand: the write restores them). */
export function ownGatewayTelemetry(object: KubeObject): boolean {
  const labels = (object.metadata?.labels ?? {}) as Record<string, string>;
  return writtenByReconciler(object) && labels[LABEL_ROUTE_UID] === undefined;
}

/** May be deleted: at the gateway Telemetry's name in the gateway namespace, hostgate's label and field manager, no route's. */
export function gatewayTelemetryMadeHere(object: KubeObject, config: Pick<PlatformConfig, "gateway">): boolean {
  const labels = (object.metadata?.labels ?? {}) as Record<string, string>;
  return (
    labels[LABEL_MANAGED_BY] === MANAGED_BY_HOSTGATE &&
    object.metadata?.namespace === config.gateway.namespace &&
    object.metadata?.name === GATEWAY_TELEMETRY_NAME &&
    ownGatewayTelemetry(object)
  );
}

function notOwned(object: KubeObject): string {
  const where = `Telemetry ${object.metadata?.namespace}/${object.metadata?.name}`;
  return (
    `${where} exists and hostgate did not write it (its metadata.managedFields name no write by ${FIELD_MANAGER}), so it is left as it is and ` +
    `the gateway's access logging and tracing from the platform config are not applied; delete it (or rename it) so hostgate can write its own`
  );
}
