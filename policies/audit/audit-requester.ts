// Who an audit says re-applies an existing object (request.userInfo.username).
// An audit answers "what would admission say if this object were applied
// again, unchanged", and the one who applies an object hostgate's reconciler
// wrote is the reconciler. hostname-granted exempts exactly that identity for
// the kinds the reconciler writes (its matchCondition
// not-written-by-the-reconciler), so judging those objects as anyone else
// reports every reconciler VirtualService, Istio Gateway, HTTPRoute and
// pooled Gateway as a false `fail`.
//
// Tenants are adversaries: they can put any label on their own objects, and
// field managers are both forgeable and gone (trimForAudit drops
// managedFields). So an object is judged as the reconciler only when the
// audited objects PROVE the reconciler would write it as it is, and the proof
// is built so that a forgery passing it gains nothing:
// - it carries app.kubernetes.io/managed-by: hostgate, and
// - a VirtualService or HTTPRoute (HTTPRoutes only with gateway.provider
//   gateway-api, as the policy's condition): its hostgate.dev/route-uid names
//   exactly one DomainRoute among the audited objects, not being deleted,
//   routed by hostgate (mode Managed: for an External route the team writes
//   its own VirtualService, which must stay judged as the team's), in the
//   object's own namespace, and every hostname the object claims (spec.hosts,
//   spec.hostnames; at least one) is that route's spec.domain;
// - an Istio Gateway: its route-uid names such a live DomainRoute (any mode:
//   External routes get the Gateway too), it is in config.gateway.namespace,
//   and every server's hosts (at least one server, one host each) are that
//   domain in the one form the renderer writes (a bare host, no `ns/` part);
// - a Gateway API Gateway (gateway.provider gateway-api only): it is in
//   config.gateway.namespace and has at least one listener, each with a
//   hostname that is the spec.domain of a live DomainRoute among the audited
//   objects.
// A forgery that passes claims only a domain an admitted DomainRoute already
// serves from that very namespace, or sits in the gateway namespace, where
// tenants cannot write. Judging it as the reconciler exempts nothing the
// DomainRoute's own audit does not judge: hostname-granted checks that
// route's spec.domain against its namespace's grants. Anything short of the
// proof (no route, a route elsewhere or being deleted, a second hostname, a
// Gateway outside the gateway namespace) is judged as AUDIT_USER, which no
// policy exempts: fail closed.
//
// Hostnames compare as DNS (and hostname-granted) compares them: lower-case,
// without a trailing dot. The pool's listeners carry the domain lower-cased.
import { isRecord } from "../../core/json.ts";
import type { KubeObject } from "../../core/kube/object-key.ts";
import { LABEL_MANAGED_BY, LABEL_ROUTE_UID, MANAGED_BY_HOSTGATE } from "../../core/kube/produced-labels.ts";
import { HOSTGATE_GROUP } from "../../core/state/kinds.ts";
import { MODE_MANAGED } from "../../crds/types.ts";
import { beingDeleted } from "../deletion-window.ts";
import { splitApiVersion } from "../engine/types.ts";

/** The user an audit's requests name when no proof says the reconciler wrote the object. */
export const AUDIT_USER = "hostgate-audit";

/**
 * The reconciler's username, exactly as hostname-granted exempts it: the
 * ServiceAccount hostgate-reconciler in hostgate-system (deploy/base).
 * audit-requester.test.ts holds the library and deploy/ to it.
 */
export const RECONCILER_USERNAME = "system:serviceaccount:hostgate-system:hostgate-reconciler";

/** The username an audit's UPDATE of `object` is sent as. */
export type AuditRequester = (object: KubeObject) => string;

const ISTIO_GROUP = "networking.istio.io";
const GATEWAY_API_GROUP = "gateway.networking.k8s.io";

interface Route {
  namespace: string;
  domain: string;
  managed: boolean;
}

interface GatewayConfig {
  namespace: string | undefined;
  gatewayApi: boolean;
}

/**
 * The requester of each object: RECONCILER_USERNAME when `objects` prove the
 * reconciler wrote it (see the file comment), AUDIT_USER otherwise.
 * @param objects every audited object: DomainRoutes are looked up among them by uid.
 * @param config the platform config as a CEL value (a Map) or plain object; read defensively.
 */
export function auditRequester(objects: readonly KubeObject[], config: unknown): AuditRequester {
  const routes = liveRoutesByUid(objects);
  const domains = new Set([...routes.values()].flatMap((route) => (route === undefined ? [] : [route.domain])));
  const gateway = gatewayConfigOf(config);
  return (object) => (reconcilerWrote(object, routes, domains, gateway) ? RECONCILER_USERNAME : AUDIT_USER);
}

function reconcilerWrote(object: KubeObject, routes: ReadonlyMap<string, Route | undefined>, domains: ReadonlySet<string>, gateway: GatewayConfig): boolean {
  const metadata = isRecord(object.metadata) ? object.metadata : {};
  const labels = isRecord(metadata.labels) ? metadata.labels : {};
  if (labels[LABEL_MANAGED_BY] !== MANAGED_BY_HOSTGATE) return false;
  const namespace = typeof metadata.namespace === "string" ? metadata.namespace : undefined;
  const spec = isRecord(object.spec) ? object.spec : {};
  const [group] = splitApiVersion(String(object.apiVersion ?? ""));
  const uid = labels[LABEL_ROUTE_UID];
  const route = typeof uid === "string" ? routes.get(uid) : undefined;
  const only = (hosts: unknown, domain: string) =>
    Array.isArray(hosts) && hosts.length > 0 && hosts.every((h) => typeof h === "string" && dnsName(h) === domain);

  if (group === ISTIO_GROUP && object.kind === "VirtualService") {
    return route?.managed === true && namespace === route.namespace && only(spec.hosts, route.domain);
  }
  if (group === ISTIO_GROUP && object.kind === "Gateway") {
    const servers = spec.servers;
    return (
      route !== undefined &&
      gateway.namespace !== undefined &&
      namespace === gateway.namespace &&
      Array.isArray(servers) &&
      servers.length > 0 &&
      servers.every((s) => isRecord(s) && only(s.hosts, route.domain) && (s.hosts as string[]).every((h) => !h.includes("/")))
    );
  }
  if (group === GATEWAY_API_GROUP && object.kind === "HTTPRoute") {
    return gateway.gatewayApi && route?.managed === true && namespace === route.namespace && only(spec.hostnames, route.domain);
  }
  if (group === GATEWAY_API_GROUP && object.kind === "Gateway") {
    const listeners = spec.listeners;
    return (
      gateway.gatewayApi &&
      gateway.namespace !== undefined &&
      namespace === gateway.namespace &&
      Array.isArray(listeners) &&
      listeners.length > 0 &&
      listeners.every((l) => isRecord(l) && typeof l.hostname === "string" && domains.has(dnsName(l.hostname)))
    );
  }
  return false;
}

/**
 * The DomainRoutes not being deleted, by uid. A uid held by two objects (no
 * cluster has that; a state folder might) proves nothing: it maps to undefined.
 */
function liveRoutesByUid(objects: readonly KubeObject[]): Map<string, Route | undefined> {
  const routes = new Map<string, Route | undefined>();
  for (const object of objects) {
    const [group] = splitApiVersion(String(object.apiVersion ?? ""));
    if (object.kind !== "DomainRoute" || group !== HOSTGATE_GROUP) continue;
    const metadata = isRecord(object.metadata) ? object.metadata : {};
    const uid = metadata.uid;
    if (typeof uid !== "string" || uid === "") continue;
    const spec = isRecord(object.spec) ? object.spec : {};
    const routing = isRecord(spec.routing) ? spec.routing : {};
    const live =
      !beingDeleted(object) && typeof metadata.namespace === "string" && metadata.namespace !== "" && typeof spec.domain === "string" && spec.domain !== "";
    const route: Route | undefined = live
      ? { namespace: metadata.namespace as string, domain: dnsName(spec.domain as string), managed: (routing.mode ?? MODE_MANAGED) === MODE_MANAGED }
      : undefined;
    routes.set(uid, routes.has(uid) ? undefined : route);
  }
  return routes;
}

/** gateway.namespace and whether gateway.provider is gateway-api, from a CEL config (Maps) or a plain object; absent when malformed. */
function gatewayConfigOf(config: unknown): GatewayConfig {
  const gateway = field(config, "gateway");
  const namespace = field(gateway, "namespace");
  return { namespace: typeof namespace === "string" && namespace !== "" ? namespace : undefined, gatewayApi: field(gateway, "provider") === "gateway-api" };
}

function field(value: unknown, key: string): unknown {
  if (value instanceof Map) return value.get(key);
  return isRecord(value) ? value[key] : undefined;
}

/** As DNS compares names: lower-case, without a trailing dot. */
function dnsName(name: string): string {
  const lower = name.toLowerCase();
  return lower.endsWith(".") ? lower.slice(0, -1) : lower;
}
