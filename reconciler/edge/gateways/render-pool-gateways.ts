// The pooled Gateways (gateway.provider gateway-api), all at once and pure:
// one Gateway API Gateway per pool member that serves at least one route, in
// gateway.namespace, named after the member. reconcile-pool-gateways.ts keeps
// the cluster holding exactly these.
//
// A route has a listener on its member when it holds its claim, is not being
// deleted, is placed (placedMember: its status.edge, or a class of one
// member), and the data plane does not refuse it (gatewayApiRefusal, the
// predicate the route controller uses too: a protected route that cannot be
// protected is never served), nor does the route controller (its status:
// routeControllerRefusal), and a protected route's login is in place
// (`loginReady`: route-login-gate.ts). A listener admits the team's own
// HTTPRoutes, so it never exists without the login. The listener is the route's alone:
//   - named listenerNameFor(domain), the sectionName its HTTPRoute attaches to;
//   - hostname: the domain, so it serves that name only;
//   - allowedRoutes: HTTPRoutes from the route's namespace only (selected by
//     kubernetes.io/metadata.name, which the API server sets on every
//     namespace and no one can change), so no other team can attach a route
//     that would answer for the domain;
//   - TLS as listener-tls.ts decides;
//   - with the AWS Load Balancer Controller, only once its certificate is
//     issued (`mayList`: certificates/discovery-listener-gate.ts): the
//     controller fails the whole Gateway on a host without one.
// Listeners are sorted by name; every field the API server would default
// inside a listener is written out, so the copy read back equals the one
// rendered (lists compare whole: apply/plan-apply.ts contains).
//
// A Gateway that would be invalid (more listeners than the Gateway API's 64,
// two listeners with one name, hostname and port) is not rendered: its member
// is `held`, and the reconcile leaves the member's current Gateway as it is.
// Placement counts listeners against capacity.listeners, so this is a guard.
import { compareStrings } from "../../../core/compare-strings.ts";
import { MAX_GATEWAY_LISTENERS } from "../../../core/config/edge-pool.ts";
import type { LoadBalancerName, PlatformConfig } from "../../../core/config/platform-config.ts";
import type { KubeObject } from "../../../core/kube/object-key.ts";
import type { DomainClaim, DomainRoute } from "../../../crds/types.ts";
import { apexOf } from "../../../policies/engine/functions/hostname.ts";
import { sortKeysDeep } from "../../app-id-table/sort-keys.ts";
import { certificateName, wildcardFor } from "../../certificates/certificate-names.ts";
import { gatewayApiRefusal } from "../../domainroute/render/gateway-api/data-plane-refusal.ts";
import { GATEWAY_API_GROUP, HTTP_ROUTE_API_VERSION, KIND_GATEWAY, KIND_HTTP_ROUTE } from "../../domainroute/render/gateway-api/kinds.ts";
import { listenerNameFor } from "../../domainroute/render/gateway-api/names.ts";
import { LABEL_MANAGED_BY, MANAGED_BY_HOSTGATE } from "../../domainroute/render/metadata.ts";
import { gatewayClassNameFor } from "../../../core/config/gateway-class.ts";
import { placedMember } from "../placed-member.ts";
import type { ListenerTls } from "./listener-tls.ts";
import { listenerTls } from "./listener-tls.ts";
import { routeControllerRefusal } from "./route-login-gate.ts";

/** Gateways are v1 like HTTPRoutes (GATEWAYS in resources.ts). */
export const GATEWAY_API_VERSION = HTTP_ROUTE_API_VERSION;
/** On every pooled Gateway: the pool member it is (its name). */
export const LABEL_EDGE_MEMBER = "hostgate.dev/edge-member";
/** The label the API server puts on every namespace, with its name: what allowedRoutes selects a route's namespace by. */
export const NAMESPACE_NAME_LABEL = "kubernetes.io/metadata.name";

/** The config gives listeners no way to serve TLS (listener-tls.ts). */
export const REASON_LISTENER_UNSUPPORTED = "ListenerUnsupported";
/** The route's domain is under no configured apex, so it has no certificate Secret. */
export const REASON_NO_CERTIFICATE = "NoCertificate";
/** The listener waits for the route's certificate (mayList said no); the route's CertificateReady says why. */
export const REASON_WAITING_FOR_CERTIFICATE = "WaitingForCertificate";
/** A protected route's listener waits for its login (loginReady said no). */
export const REASON_WAITING_FOR_LOGIN = "WaitingForLogin";

/** Whether the route's listener (named `listener`) may be on `member`'s Gateway now; by default always. */
export type MayList = (route: DomainRoute, member: string, listener: string) => boolean;
/**
 * Whether the route's login is in place on `member`'s Gateway (always true for
 * an unprotected route). The controller asks its cache (loginInPlace); the
 * default, for `hostgate render`, which prints each route's login beside, is yes.
 */
export type LoginReady = (route: DomainRoute, member: string) => boolean;

/** A route placed on a member that gets no listener there, and why. */
export interface SkippedRoute {
  readonly routeRef: string;
  readonly member: string;
  /** A condition-style reason: the refusal's (gatewayApiRefusal), or one of the REASON_ constants here. */
  readonly reason: string;
  readonly message: string;
}

/** A member whose Gateway is not rendered because it would be invalid: its current one stays. */
export interface HeldMember {
  readonly member: string;
  readonly message: string;
}

export interface PoolGateways {
  /** One per member serving a route (held ones excepted), sorted by name. */
  readonly gateways: KubeObject[];
  /** Each member rendered or held -> the routes (`namespace/name`) with a listener on it, sorted. */
  readonly routesOn: ReadonlyMap<string, readonly string[]>;
  readonly held: readonly HeldMember[];
  /** Sorted by routeRef. */
  readonly skipped: readonly SkippedRoute[];
}

interface ListenerOf {
  routeRef: string;
  listener: Record<string, unknown>;
}

export function renderPoolGateways(
  routes: readonly DomainRoute[],
  claims: readonly DomainClaim[],
  config: PlatformConfig,
  mayList: MayList = () => true,
  loginReady: LoginReady = () => true,
): PoolGateways {
  const empty: PoolGateways = { gateways: [], routesOn: new Map(), held: [], skipped: [] };
  const gatewayApi = config.gateway.gatewayApi;
  if (config.gateway.provider !== "gateway-api" || gatewayApi === undefined) return empty;
  const tls = listenerTls(config);
  const claimOwner = new Map(claims.map((claim) => [claim.metadata.name ?? "", claim.spec.owner.uid]));
  const byMember = new Map<string, ListenerOf[]>();
  // Member names are unique across both classes (the config check), so a name has one class and so one GatewayClass.
  const classOfMember = new Map<string, LoadBalancerName>();
  const skipped: SkippedRoute[] = [];
  for (const route of routes) {
    const uid = route.metadata.uid;
    const domain = route.spec.domain.toLowerCase();
    if (route.metadata.deletionTimestamp !== undefined || uid === undefined || claimOwner.get(domain) !== uid) continue;
    const placed = placedMember(route, config);
    if (placed === undefined) continue;
    const member = placed.name;
    classOfMember.set(member, placed.lbClass);
    const routeRef = `${route.metadata.namespace}/${route.metadata.name}`;
    const skip = (reason: string, message: string) => skipped.push({ routeRef, member, reason, message });
    const refusal = gatewayApiRefusal(route, config);
    if (refusal !== undefined) {
      skip(refusal.reason, refusal.message);
      continue;
    }
    const refused = routeControllerRefusal(route);
    if (refused !== undefined) {
      skip(refused.reason, refused.message);
      continue;
    }
    if (!loginReady(route, member)) {
      skip(REASON_WAITING_FOR_LOGIN, `${domain} is protected and its listener waits until its login is in place on ${member}'s Gateway`);
      continue;
    }
    const listener = listenerFor(domain, route.metadata.namespace ?? "", tls, config);
    if (typeof listener === "string") {
      skip(tls.kind === "unsupported" ? REASON_LISTENER_UNSUPPORTED : REASON_NO_CERTIFICATE, listener);
      continue;
    }
    if (!mayList(route, member, String(listener.name))) {
      skip(REASON_WAITING_FOR_CERTIFICATE, `${domain}'s listener waits until its certificate is issued in ACM`);
      continue;
    }
    byMember.set(member, [...(byMember.get(member) ?? []), { routeRef, listener }]);
  }
  const gateways: KubeObject[] = [];
  const routesOn = new Map<string, string[]>();
  const held: HeldMember[] = [];
  for (const member of [...byMember.keys()].sort(compareStrings)) {
    const entries = byMember.get(member)!.sort((a, b) => compareStrings(String(a.listener.name), String(b.listener.name)));
    routesOn.set(member, entries.map((e) => e.routeRef).sort(compareStrings));
    const listeners = entries.map((e) => e.listener);
    const problem = invalidListeners(listeners);
    if (problem !== undefined) {
      held.push({ member, message: `the Gateway ${config.gateway.namespace}/${member} is not written: ${problem}` });
      continue;
    }
    gateways.push(
      sortKeysDeep({
        apiVersion: GATEWAY_API_VERSION,
        kind: KIND_GATEWAY,
        metadata: {
          name: member,
          namespace: config.gateway.namespace,
          labels: { [LABEL_EDGE_MEMBER]: member, [LABEL_MANAGED_BY]: MANAGED_BY_HOSTGATE },
        },
        spec: {
          gatewayClassName: gatewayClassNameFor(config, classOfMember.get(member)!),
          // With Istio's implementation the selector's labels go on the Gateway's pods: the identity EnvoyFilter and AuthorizationPolicies select them.
          ...(gatewayApi.implementation === "istio" && Object.keys(config.gateway.selector).length > 0
            ? { infrastructure: { labels: { ...config.gateway.selector } } }
            : {}),
          listeners,
        },
      }),
    );
  }
  skipped.sort((a, b) => compareStrings(a.routeRef, b.routeRef));
  return { gateways, routesOn, held, skipped };
}

/** The route's listener, or why it has none (a message). */
function listenerFor(domain: string, namespace: string, tls: ListenerTls, config: PlatformConfig): Record<string, unknown> | string {
  if (tls.kind === "unsupported") return tls.message;
  const common = {
    name: listenerNameFor(domain),
    hostname: domain,
    allowedRoutes: {
      kinds: [{ group: GATEWAY_API_GROUP, kind: KIND_HTTP_ROUTE }],
      namespaces: { from: "Selector", selector: { matchLabels: { [NAMESPACE_NAME_LABEL]: namespace } } },
    },
  };
  if (tls.kind === "plain") return { ...common, port: 80, protocol: "HTTP" };
  if (tls.kind === "acm") return { ...common, port: 443, protocol: "HTTPS" };
  const secret = certificateSecretFor(domain, config);
  if (secret === undefined) {
    return `${domain} is under none of the platform's domains (domains[].apex), so it has no certificate for its HTTPS listener; fix the route's domain`;
  }
  return { ...common, port: 443, protocol: "HTTPS", tls: { mode: "Terminate", certificateRefs: [{ group: "", kind: "Secret", name: secret }] } };
}

/**
 * The Secret holding the certificate that serves `domain`: cert-manager
 * issues each wildcard's Certificate into a Secret of the Certificate's name
 * (cert-manager/render-certificate.ts), certificateName(wildcard).
 */
export function certificateSecretFor(domain: string, config: Pick<PlatformConfig, "domains">): string | undefined {
  const apex = apexOf(
    domain,
    config.domains.map((d) => d.apex),
  );
  const wildcard = apex === "" ? undefined : wildcardFor(domain.toLowerCase(), apex);
  return wildcard === undefined ? undefined : certificateName(wildcard.wildcard);
}

/** What would make the API server refuse these listeners (the Gateway CRD's own rules), or undefined. */
export function invalidListeners(listeners: readonly Record<string, unknown>[]): string | undefined {
  if (listeners.length > MAX_GATEWAY_LISTENERS) {
    return `it would have ${listeners.length} listeners and the Gateway API allows ${MAX_GATEWAY_LISTENERS}; move routes to another member (annotation hostgate.dev/edge-member) or lower capacity.listeners`;
  }
  const names = new Set<string>();
  const endpoints = new Set<string>();
  for (const listener of listeners) {
    const name = String(listener.name);
    const endpoint = `${listener.port}/${listener.protocol}/${listener.hostname}`;
    if (names.has(name)) return `two listeners would be named ${name}`;
    if (endpoints.has(endpoint)) return `two listeners would serve ${listener.hostname} on ${listener.protocol} port ${listener.port}`;
    names.add(name);
    endpoints.add(endpoint);
  }
  return undefined;
}
