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
// field managers are gone (trimForAudit drops managedFields). So an object is
// judged as the reconciler only when it stands where the reconciler writes
// that kind for a route, in the form the reconciler's own ownership rule
// (reconciler/apply/ownership.ts: both labels, and in the route's namespace
// the controller owner reference naming the route) takes as the route's:
// - it carries app.kubernetes.io/managed-by: hostgate, and
// - a VirtualService or HTTPRoute (HTTPRoutes only with gateway.provider
//   gateway-api, as the policy's condition): its hostgate.dev/route-uid names
//   exactly one DomainRoute among the audited objects, not being deleted,
//   routed by hostgate (mode Managed: for an External route the team writes
//   its own VirtualService, which must stay judged as the team's), in the
//   object's own namespace; its metadata.name is objectNameFor(that route's
//   spec.domain), the one name the reconciler writes that kind at for the
//   route; a controller owner reference names the route's uid
//   (controlledByRoute, the check ownership.ts makes); and every hostname the
//   object claims (spec.hosts, spec.hostnames; at least one) is the route's
//   spec.domain;
// - an Istio Gateway: its route-uid names such a live DomainRoute (any mode:
//   External routes get the Gateway too), it is in config.gateway.namespace
//   at objectNameFor(that domain), and every server's hosts (at least one
//   server, one host each) are that domain in the one form the renderer
//   writes (a bare host, no `ns/` part);
// - a Gateway API Gateway (gateway.provider gateway-api only): it is in
//   config.gateway.namespace, named as a pool member (pool-gateway-names.ts),
//   and has at least one listener, each with a hostname that is the
//   spec.domain of a live DomainRoute among the audited objects.
//
// What passing proves. A name is unique per kind and namespace, so for each
// route at most one object of each kind passes, and it sits at the name the
// reconciler writes that route's object at; a team's own second object (any
// other name, routing anywhere) does not pass and is judged as the team's.
// In the route's namespace a team can create the object at that name itself
// (admission denies it where a grant says kinds: [DomainRoute], but the
// audit is for what predates a rule or slipped in). Such an object is not a
// second way to serve the name: with the labels and the controller reference
// the reconciler takes it as the route's own and reconciles it as one it
// wrote. Whenever a field it renders differs (spec.hosts, the gateways, the
// routes and their destinations) or its applied-hash annotation does not
// match, it applies its render there, forced, and that write also removes
// every spec field it does not render (reconciler/apply/apply-object.ts); a
// change at that name starts a reconcile of the route. So what passes
// converges to the reconciler's own object for an admitted DomainRoute, whose
// own result checks its spec.domain against the grants, and the hostnames
// judged here are already exactly that route's. In the gateway namespace
// teams cannot write at all.
// What passing does not prove: that the object holds nothing the reconciler
// did not write. A spec field it does not render, on an object whose rendered
// fields all match, starts no write and stays until the next one; the same is
// true of an edit to the reconciler's own object, and without managedFields
// the audit cannot tell who set it. Admission judges such an edit as whoever
// makes it. Anything short of the proof (no route, a route elsewhere or being
// deleted, another name, no controller reference or one naming another
// route, a second hostname, a Gateway outside the gateway namespace) is
// judged as AUDIT_USER, which no policy exempts: fail closed.
//
// Hostnames compare as DNS (and hostname-granted) compares them: lower-case,
// without a trailing dot. The pool's listeners carry the domain lower-cased.
// Names are computed from spec.domain exactly as written, as the renderers do.
import { isRecord } from "../../core/json.ts";
import { controlledByRoute } from "../../core/kube/controlled-by-route.ts";
import type { KubeObject } from "../../core/kube/object-key.ts";
import { LABEL_MANAGED_BY, LABEL_ROUTE_UID, MANAGED_BY_HOSTGATE } from "../../core/kube/produced-labels.ts";
import { objectNameFor } from "../../core/kube/produced-names.ts";
import { HOSTGATE_GROUP } from "../../core/state/kinds.ts";
import { MODE_MANAGED } from "../../crds/types.ts";
import { beingDeleted } from "../deletion-window.ts";
import { splitApiVersion } from "../engine/types.ts";
import { configField } from "./config-field.ts";
import { poolGatewayNames } from "./pool-gateway-names.ts";

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
  uid: string;
  namespace: string;
  /** spec.domain as DNS compares it. */
  domain: string;
  /** objectNameFor(spec.domain): the name of the route's VirtualService, Istio Gateway and HTTPRoute. */
  objectName: string;
  managed: boolean;
}

interface GatewayConfig {
  namespace: string | undefined;
  gatewayApi: boolean;
  /** Whether a pooled Gateway may have this name. */
  poolGatewayNamed: (name: string) => boolean;
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
  const name = typeof metadata.name === "string" ? metadata.name : undefined;
  const spec = isRecord(object.spec) ? object.spec : {};
  const [group] = splitApiVersion(String(object.apiVersion ?? ""));
  const uid = labels[LABEL_ROUTE_UID];
  const route = typeof uid === "string" ? routes.get(uid) : undefined;
  const only = (hosts: unknown, domain: string) =>
    Array.isArray(hosts) && hosts.length > 0 && hosts.every((h) => typeof h === "string" && dnsName(h) === domain);
  // The route's own object in its namespace: the one name, and the controller reference the reconciler sets there.
  const routesOwn = (owner: Route | undefined): owner is Route =>
    owner?.managed === true && namespace === owner.namespace && name === owner.objectName && controlledByRoute(object, owner.uid);

  if (group === ISTIO_GROUP && object.kind === "VirtualService") {
    return routesOwn(route) && only(spec.hosts, route.domain);
  }
  if (group === ISTIO_GROUP && object.kind === "Gateway") {
    const servers = spec.servers;
    return (
      route !== undefined &&
      gateway.namespace !== undefined &&
      namespace === gateway.namespace &&
      name === route.objectName &&
      Array.isArray(servers) &&
      servers.length > 0 &&
      servers.every((s) => isRecord(s) && only(s.hosts, route.domain) && (s.hosts as string[]).every((h) => !h.includes("/")))
    );
  }
  if (group === GATEWAY_API_GROUP && object.kind === "HTTPRoute") {
    return gateway.gatewayApi && routesOwn(route) && only(spec.hostnames, route.domain);
  }
  if (group === GATEWAY_API_GROUP && object.kind === "Gateway") {
    const listeners = spec.listeners;
    return (
      gateway.gatewayApi &&
      gateway.namespace !== undefined &&
      namespace === gateway.namespace &&
      name !== undefined &&
      gateway.poolGatewayNamed(name) &&
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
      ? {
          uid,
          namespace: metadata.namespace as string,
          domain: dnsName(spec.domain as string),
          // As the renderers name it: from spec.domain exactly as written.
          objectName: objectNameFor(spec.domain as string),
          managed: (routing.mode ?? MODE_MANAGED) === MODE_MANAGED,
        }
      : undefined;
    routes.set(uid, routes.has(uid) ? undefined : route);
  }
  return routes;
}

/** gateway.namespace, whether gateway.provider is gateway-api, and the pool's names, from a CEL config (Maps) or a plain object; absent when malformed. */
function gatewayConfigOf(config: unknown): GatewayConfig {
  const gateway = configField(config, "gateway");
  const namespace = configField(gateway, "namespace");
  return {
    namespace: typeof namespace === "string" && namespace !== "" ? namespace : undefined,
    gatewayApi: configField(gateway, "provider") === "gateway-api",
    poolGatewayNamed: poolGatewayNames(config),
  };
}

/** As DNS compares names: lower-case, without a trailing dot. */
function dnsName(name: string): string {
  const lower = name.toLowerCase();
  return lower.endsWith(".") ? lower.slice(0, -1) : lower;
}
