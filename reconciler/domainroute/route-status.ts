// The plan's status section: the DomainRoute status that follows from what
// the planner found, or none when it equals what the route has (so an
// unchanged situation writes nothing), and the Events of its condition
// transitions. Pure. lastTransitionTime moves only when a condition's status
// does (status/conditions.ts); observedGeneration names the spec described.
import { jsonEqual } from "../../core/json.ts";
import type { CertificateStatus, Condition, DnsRecordStatus, DomainRouteStatus, EdgeStatus } from "../../crds/types.ts";
import { sameConditions, setConditions } from "../status/conditions.ts";
import type { RouteInput } from "./gather-route.ts";
import { protectionStatus } from "./protection-condition.ts";
import type { RouteFindings } from "./route-conditions.ts";
import { routeConditions } from "./route-conditions.ts";
import { observabilityLinks } from "./observability-objects.ts";

export interface RouteEvent {
  type: "Normal" | "Warning";
  reason: string;
  message: string;
}

/** @param edge status.edge, status.dns and status.certificate as edge-status.ts found them (undefined leaves them out) */
export function routeStatus(
  input: RouteInput,
  findings: RouteFindings,
  edge: { placement?: EdgeStatus; records?: DnsRecordStatus[]; served?: CertificateStatus },
): { status?: DomainRouteStatus; events: RouteEvent[] } {
  const { route } = input;
  const previous = route.status ?? {};
  const conditions = setConditions(previous.conditions, routeConditions(findings), route.metadata.generation, new Date(input.nowMs));
  const status: DomainRouteStatus = {
    ...previous,
    observedGeneration: route.metadata.generation,
    conditions,
    ...(findings.claim === "ours" ? { claimedDomain: findings.domain } : {}),
  };
  // A refused route is served by no gateway; on the Gateway API an unplaced one has none yet.
  const serving = findings.claim === "ours" && findings.refusal === undefined ? findings : undefined;
  if (serving?.gateway === undefined) delete status.gateway;
  else status.gateway = serving.gateway;
  if (serving?.gatewayListener === undefined) delete status.gatewayListener;
  else status.gatewayListener = serving.gatewayListener;
  if (findings.claim === "taken") delete status.claimedDomain;
  const effectiveAppId = protectionStatus(route, input.appId, input.config).effectiveAppId;
  if (effectiveAppId === undefined) delete status.effectiveAppId;
  else status.effectiveAppId = effectiveAppId;
  if (edge.placement === undefined) delete status.edge;
  else status.edge = edge.placement;
  if (edge.records === undefined) delete status.dns;
  else status.dns = edge.records;
  if (edge.served === undefined) delete status.certificate;
  else status.certificate = edge.served;
  // The dashboard and log links (observability.links templates) of a route whose domain is its own.
  const links = findings.claim === "ours" ? observabilityLinks(route, input.config) : {};
  if (links.dashboard === undefined && links.logs === undefined) delete status.observability;
  else status.observability = links;
  if (status.observedGeneration === undefined) delete status.observedGeneration;
  if (sameStatus(previous, status)) return { events: [] };
  return { status, events: transitions(previous.conditions, conditions) };
}

function sameStatus(a: DomainRouteStatus, b: DomainRouteStatus): boolean {
  const sameFields =
    a.observedGeneration === b.observedGeneration &&
    a.claimedDomain === b.claimedDomain &&
    a.gateway === b.gateway &&
    a.gatewayListener === b.gatewayListener &&
    a.effectiveAppId === b.effectiveAppId;
  return (
    sameFields &&
    jsonEqual(a.edge, b.edge) &&
    jsonEqual(a.dns, b.dns) &&
    jsonEqual(a.certificate, b.certificate) &&
    jsonEqual(a.observability, b.observability) &&
    sameConditions(a.conditions, b.conditions)
  );
}

/** An Event per condition whose status or reason changed; a condition appearing as True is news only for Ready. */
function transitions(before: readonly Condition[] | undefined, after: readonly Condition[]): RouteEvent[] {
  const events: RouteEvent[] = [];
  for (const condition of after) {
    const old = before?.find((c) => c.type === condition.type);
    if (old !== undefined && old.status === condition.status && old.reason === condition.reason) continue;
    if (condition.type === "Ready" || old !== undefined || condition.status !== "True") {
      events.push({ type: condition.status === "False" ? "Warning" : "Normal", reason: condition.reason, message: `${condition.type}: ${condition.message}` });
    }
  }
  return events;
}
