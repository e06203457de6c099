// One leadership term's controllers: DomainRoutes (one key per route), the
// appId table (one key for all), the orphan sweep (one key), and, when the
// platform config asks for them, DNS (one key: Route53 batches span routes),
// the gateway records as DNSEndpoints (one key; dns.provider external-dns),
// certificates (one key: wildcards are shared) and the pooled Gateways (one
// key; gateway.provider gateway-api), fed by the shared
// informers' events. Built when the replica starts leading and thrown
// away when it stops (controllers and queues are not restartable), so a
// second term starts from a fresh queue that the informers' replay fills
// with every key: nothing depends on events seen in an earlier term.
import { observableDataPlane } from "../observability/data-plane.ts";
import type { Clock } from "../../core/clock.ts";
import type { Logger } from "../../core/logger.ts";
import type { ObjectApi } from "../../core/kube/object-api.ts";
import type { KubeObject } from "../../core/kube/object-key.ts";
import { parseKey } from "../../core/kube/object-key.ts";
import { certificatesInAcm, certificatesOnListeners } from "../../core/config/acm-settings.ts";
import { allPoolMembers, memberNamed } from "../../core/config/edge-pool.ts";
import type { PlatformConfig } from "../../core/config/platform-config.ts";
import type { DomainClaim, DomainRoute } from "../../crds/types.ts";
import { apiEventRecorder } from "../cluster/event-recorder.ts";
import type { EventRecorder } from "../cluster/event-recorder.ts";
import type { ObjectReader } from "../cluster/object-reader.ts";
import { reconcileRoute } from "../domainroute/reconcile-route.ts";
import { producedResources } from "../domainroute/render/produced-resources.ts";
import { DOMAIN_ROUTES } from "../resources.ts";
import type { MonitoringKinds } from "./monitoring-kinds.ts";
import { AppIdOutcomes } from "../app-id-table/app-id-outcomes.ts";
import { APP_ID_TABLE_KEY, reconcileAppIdTable } from "../app-id-table/reconcile-app-id-table.ts";
import { appIdOutcomesNeeded, appIdTableNeeded } from "../app-id-table/app-id-table-needed.ts";
import { publishAppIdOutcomes } from "../app-id-table/publish-app-id-outcomes.ts";
import { SWEEP_KEY, sweepOrphans } from "../orphans/sweep-orphans.ts";
import { Controller } from "../runtime/controller.ts";
import type { Reconcile } from "../runtime/controller.ts";
import { CertificateOutcomes } from "../certificates/certificate-outcomes.ts";
import { CERTIFICATES_KEY, newCertificateReconcilerState, reconcileCertificates } from "../certificates/reconcile-certificates.ts";
import { DnsOutcomes } from "../dns/dns-outcomes.ts";
import { EdgeOutcomes } from "../edge/edge-outcomes.ts";
import { EDGE_KEY, reconcilePlacement } from "../edge/reconcile-placement.ts";
import { isLoginObject } from "../domainroute/render/gateway-api/route-login.ts";
import { POOL_GATEWAYS_KEY, poolGatewaysNeeded, reconcilePoolGateways } from "../edge/gateways/reconcile-pool-gateways.ts";
import { LABEL_EDGE_MEMBER } from "../edge/gateways/render-pool-gateways.ts";
import { DnsState } from "../dns/dns-state.ts";
import { DNS_KEY, reconcileDns } from "../dns/reconcile-dns.ts";
import { RecordRequests } from "../dns/record-requests.ts";
import { GATEWAY_ENDPOINTS_KEY, gatewayEndpointsNeeded, reconcileGatewayEndpoints } from "../dns/external-dns/gateway-endpoints.ts";
import { LABEL_GATEWAY_RECORD, twoStepLoadBalancers } from "../dns/external-dns/render-gateway-endpoints.ts";
import type { AwsPorts } from "./aws-ports.ts";
import type { ControllerStats } from "../runtime/controller.ts";
import type { InformerHandler } from "../runtime/informer-handler.ts";
import type { ReconcilerCaches } from "./caches.ts";
import { RouteIndex, routeObjectNames } from "./event-routing.ts";
import { controllerReader } from "./caches.ts";
import { termApi } from "./term-api.ts";
import { AuditController } from "../audit/audit-controller.ts";
import type { TermObjects } from "../audit/audit-controller.ts";
import type { AuditViolations } from "../audit/audit-metrics.ts";
import type { BackgroundAuditSettings } from "../audit/background-audit.ts";
import { DEFAULT_AUDIT_DEBOUNCE_MS } from "../audit/background-audit.ts";
import type { ListWatchClient } from "../../core/kube/list-watch-client.ts";
import { firstServedVersion } from "../../core/kube/served-version.ts";
import { gatewayTelemetryAsked, TELEMETRIES, TELEMETRY_VERSIONS } from "../observability/gateway-telemetry-resource.ts";
import { renderGatewayTelemetry } from "../observability/render-gateway-telemetry.ts";
import { GATEWAY_TELEMETRY_KEY, GatewayTelemetryState, reconcileGatewayTelemetry } from "../observability/reconcile-gateway-telemetry.ts";

export interface ControllerSetOptions {
  api: ObjectApi;
  reader: ObjectReader;
  caches: ReconcilerCaches;
  config: PlatformConfig;
  /** Default: Kubernetes Events written through this term's API (so they stop with it). */
  events?: EventRecorder;
  clock: Clock;
  logger: Logger;
  routeWorkers: number;
  /**
   * Changes within this long of the first one become one identity-table
   * write (every EnvoyFilter change re-pushes gateway listeners): at most one
   * write per window, however steady the churn.
   */
  appIdTableDebounceMs: number;
  sweepDebounceMs: number;
  /**
   * Route and claim changes within this long of the first one become one DNS
   * pass and one certificate pass: Route53 takes up to 1,000 records a
   * request, so a burst of new routes should travel together. Default 1 s.
   */
  edgeDebounceMs?: number;
  /** The AWS ports the DNS and certificate controllers need (aws-ports.ts); required when the config asks for them. */
  aws?: AwsPorts;
  /**
   * The background audit (audit/audit-controller.ts), when it is on, where its violation counts go, and the holder of the
   * existing objects it judges (made for this term, started and stopped with it).
   */
  audit?: { settings: BackgroundAuditSettings; violations: AuditViolations; objects: () => TermObjects };
  /** Lists one item to learn whether an optional kind is served (the gateway Telemetry); absent: taken as served. */
  client?: ListWatchClient;
  /** What the gateway Telemetry controller last found, kept across terms (metrics); absent: this term's own. */
  gatewayTelemetryState?: GatewayTelemetryState;
  /** prometheus-operator's kinds, watched while the cluster serves them, with alerting or not (monitoring-kinds.ts). */
  monitoring?: MonitoringKinds;
}

export const DEFAULT_EDGE_DEBOUNCE_MS = 1000;

export class ControllerSet {
  readonly routes: Controller;
  /**
   * Present when Istio runs the gateways (app-id-table-needed.ts): the appId table's EnvoyFilter and ConfigMap; on Envoy
   * Gateway its decisions only (each route's effective appId); absent with the AWS Load Balancer Controller.
   */
  readonly appIdTable: Controller | undefined;
  readonly sweep: Controller;
  /** Present when dns.provider is route53. */
  readonly dns: Controller | undefined;
  /** Present when dns.provider is external-dns: the two-step load balancers' gateway DNSEndpoints. */
  readonly gatewayEndpoints: Controller | undefined;
  /** Present when certificates.provider is not none. */
  readonly certificates: Controller | undefined;
  /** The load balancer pool: which member each route is placed on (edge/reconcile-placement.ts). */
  readonly placement: Controller;
  /** Present when gateway.provider is gateway-api: one Gateway per pool member serving routes (edge/gateways/). */
  readonly poolGateways: Controller | undefined;
  /**
   * The gateway's Istio Telemetry (access logging, tracing; observability/reconcile-gateway-telemetry.ts): present on
   * Istio's data planes (to delete one an earlier config asked for) and wherever the config asks for it (to say it is not applied).
   */
  readonly gatewayTelemetry: Controller | undefined;
  /** Present when the background audit is on: the OpenReports of every audited object (one key). */
  readonly audit: AuditController | undefined;
  readonly appIds = new AppIdOutcomes();
  readonly dnsOutcomes = new DnsOutcomes();
  readonly certificateOutcomes = new CertificateOutcomes();
  readonly edgeOutcomes = new EdgeOutcomes();
  /** ACM validation records the certificate controller asks the DNS controller to hold. */
  readonly recordRequests = new RecordRequests();
  readonly #options: ControllerSetOptions;
  /** Which routes an event concerns, fed by the route informer from start(). */
  readonly #index: RouteIndex;
  /** Pool member name -> the class (spec.lb) it serves: gateway records and their outcomes name members. */
  readonly #memberClasses: ReadonlyMap<string, string>;
  /** Aborted when the term ends: every write after that is refused (term-api.ts). */
  readonly #ended = new AbortController();
  #unsubscribe: (() => void)[] = [];

  constructor(options: ControllerSetOptions) {
    this.#options = options;
    const { config, clock, logger } = options;
    const reader = controllerReader(options.reader, config);
    // Which routes an event concerns, by every name their objects can have on this config.
    this.#index = new RouteIndex(routeObjectNames(config));
    this.#memberClasses = new Map(allPoolMembers(config).map((m) => [m.name, m.lbClass]));
    const api = termApi(options.api, this.#ended.signal);
    const events = options.events ?? apiEventRecorder(api, clock, logger);
    // The appId table's outcomes, published by its controller and read by the route controller (the one writer of route status).
    const appIds = this.appIds;
    const { dnsOutcomes, certificateOutcomes, edgeOutcomes, recordRequests: records } = this;
    this.routes = new Controller({
      name: "domainroute",
      workers: options.routeWorkers,
      clock,
      logger,
      reconcile: (key) =>
        reconcileRoute(
          {
            api,
            reader,
            config,
            clock,
            logger,
            events,
            appIds,
            dnsOutcomes,
            certificateOutcomes,
            edgeOutcomes,
            ...(options.monitoring === undefined ? {} : { monitoring: options.monitoring }),
          },
          parseKey(key),
        ),
    });
    /** A controller of one key for the whole cluster: one worker, asking to run again when its pass says (a poll, the next resync). */
    const wholesale = (name: string, reconcile: Reconcile) => new Controller({ name, workers: 1, clock, logger, reconcile });
    const aws = options.aws ?? {};
    this.placement = wholesale("edge-placement", async () => void reconcilePlacement({ reader, config, outcomes: edgeOutcomes, logger }));
    if (poolGatewaysNeeded(config)) {
      // Routes on a member whose Gateway was written or deleted look again (their listener came or went).
      this.poolGateways = wholesale("pool-gateways", async () => {
        const outcome = await reconcilePoolGateways({ api, reader, config, logger, clock, certificates: certificateOutcomes });
        for (const member of outcome.changedMembers) for (const routeRef of this.#routesOnMember(member)) this.routes.enqueue(routeRef);
        return outcome.requeueAfterMs === undefined ? undefined : { requeueAfterMs: outcome.requeueAfterMs };
      });
    }
    if (config.dns.provider === "route53") {
      const route53 = requiredPort(aws.route53, "dns.provider route53", "a Route53 client");
      const state = new DnsState();
      this.dns = wholesale("dns", () => reconcileDns({ reader, config, route53, records, outcomes: dnsOutcomes, clock, logger }, state));
    }
    if (gatewayEndpointsNeeded(config)) {
      // Routes on a load balancer whose gateway record changed report DNSReady from it: they look again.
      this.gatewayEndpoints = wholesale("gateway-endpoints", async () => {
        const outcome = await reconcileGatewayEndpoints({ api, reader, config, logger });
        for (const member of outcome.changedLoadBalancers) for (const routeRef of this.#routesOnMember(member)) this.routes.enqueue(routeRef);
      });
    }
    if (config.certificates.provider !== "none") {
      const state = newCertificateReconcilerState();
      // With the AWS Load Balancer Controller the certificates are found by hostname (certificatesByDiscovery): no listener is touched.
      const acmPorts = certificatesInAcm(config)
        ? {
            acm: requiredPort(aws.acm, "certificates in ACM", "an ACM client"),
            ...(certificatesOnListeners(config) ? { listeners: requiredPort(aws.listeners, "certificates on listeners", "an ELBv2 client") } : {}),
          }
        : {};
      this.certificates = wholesale("certificates", () =>
        reconcileCertificates({ reader, api, config, ...acmPorts, records, outcomes: certificateOutcomes, clock, logger }, state),
      );
    }
    if (appIdTableNeeded(config)) {
      this.appIdTable = wholesale("identity-table", async () => void (await reconcileAppIdTable({ api, reader, config, logger, outcomes: appIds })));
    } else if (appIdOutcomesNeeded(config)) {
      // Envoy Gateway: the table's decisions only (each route's effective appId), no EnvoyFilter or ConfigMap.
      this.appIdTable = wholesale("identity-table", async () => void publishAppIdOutcomes({ reader, config, outcomes: appIds }));
    }
    if (gatewayTelemetryAsked(config) || observableDataPlane(config)) {
      const state = options.gatewayTelemetryState ?? new GatewayTelemetryState();
      const client = options.client;
      const resource = { ...TELEMETRIES, namespace: config.gateway.namespace };
      this.gatewayTelemetry = wholesale("gateway-telemetry", async (_key, signal) => {
        const servedVersion = async () => (client === undefined ? TELEMETRY_VERSIONS[0] : firstServedVersion(client, resource, TELEMETRY_VERSIONS, signal));
        const outcome = await reconcileGatewayTelemetry({ api, servedVersion, render: renderGatewayTelemetry, config, logger, state });
        return outcome.requeueAfterMs === undefined ? undefined : { requeueAfterMs: outcome.requeueAfterMs };
      });
    }
    if (options.audit !== undefined) {
      const { settings, violations, objects } = options.audit;
      this.audit = new AuditController({ api, reader, objects: objects(), config, settings, violations, clock, logger });
    }
    const produced = producedResources(config);
    // With the cluster's name, objects labelled for another cluster (regional DNSEndpoints met in one API) are never swept.
    const cluster = config.cluster === undefined ? {} : { cluster: config.cluster.name };
    this.sweep = wholesale("orphan-sweep", async () => void (await sweepOrphans({ api, reader, logger, produced, ...cluster })));
  }

  /** Subscribes to the informers (which replay every cached object) and starts the workers. */
  start(): void {
    const index = this.#index;
    const { config } = this.#options;
    const route = (key: string) => this.routes.enqueue(key);
    const appIdTable = () => this.appIdTable?.queue.addAfter(APP_ID_TABLE_KEY, this.#options.appIdTableDebounceMs);
    const sweep = () => this.sweep.queue.addAfter(SWEEP_KEY, this.#options.sweepDebounceMs);
    const edgeDebounceMs = this.#options.edgeDebounceMs ?? DEFAULT_EDGE_DEBOUNCE_MS;
    const dns = () => this.dns?.queue.addAfter(DNS_KEY, edgeDebounceMs);
    const certificates = () => this.certificates?.queue.addAfter(CERTIFICATES_KEY, edgeDebounceMs);
    const gatewayEndpoints = () => this.gatewayEndpoints?.queue.addAfter(GATEWAY_ENDPOINTS_KEY, edgeDebounceMs);
    // Debounced like DNS: a burst of new routes on a member becomes one write of its Gateway (each re-programs its listeners).
    const poolGateways = () => this.poolGateways?.queue.addAfter(POOL_GATEWAYS_KEY, edgeDebounceMs);
    // Not debounced: a pass only reads the cache, and a new route waits for it before it is Ready.
    const placement = () => this.placement.enqueue(EDGE_KEY);
    // The Services two-step pool members publish: their address is a gateway record.
    // `namespace/name` of each gateway Service -> the members publishing it.
    const gatewayServices = new Map<string, string[]>();
    for (const lb of twoStepLoadBalancers(config)) {
      const key = `${lb.service.namespace}/${lb.service.name}`;
      gatewayServices.set(key, [...(gatewayServices.get(key) ?? []), lb.name]);
    }
    const gatewayMembersOf = (object: KubeObject) => gatewayServices.get(`${object.metadata?.namespace}/${object.metadata?.name}`);
    // What the pool, its Gateways, DNS and certificates decide depends on every route and claim; on the Gateway API data
    // plane the gateway records (external-dns) too: a pooled Gateway's is published while a route is placed on its member
    // (status.edge), which only a route event tells.
    const gatewayApi = config.gateway.provider === "gateway-api";
    const edge = () => {
      placement();
      poolGateways();
      dns();
      certificates();
      if (gatewayApi) gatewayEndpoints();
    };
    const handlers: Record<string, InformerHandler<KubeObject>> = {
      routes: {
        onAdd: (object, key) => {
          index.set(key, object as unknown as DomainRoute);
          route(key);
          appIdTable();
          edge();
        },
        onUpdate: (old, object, key) => {
          index.set(key, object as unknown as DomainRoute, old as unknown as DomainRoute);
          route(key);
          appIdTable();
          edge();
        },
        // A route gone without its finalizer leaves objects behind.
        onDelete: (object, key) => {
          index.delete(key, object as unknown as DomainRoute);
          route(key);
          appIdTable();
          sweep();
          edge();
        },
        onResync: (_object, key) => {
          route(key);
          appIdTable();
          edge();
        },
      },
      // A claim's change concerns every route declaring its domain: the next in line takes a released one.
      // ...and the appId table, which publishes only claimed domains.
      claims: eachEvent((object) => {
        for (const routeRef of index.claimRouteRefs(object as unknown as DomainClaim)) route(routeRef);
        appIdTable();
        edge();
      }, sweep),
      // A produced object edited or deleted: every route claiming its name looks again (its writer re-applies
      // it; a route refused the name because another route held it takes it once it is gone).
      // A gateway record (external-dns) edited or deleted is its controller's to restore, and the routes on its load
      // balancer read DNSReady from it: they look again when the cache holds the change, which may be after the
      // controller's write returned and its own re-queue of them ran.
      produced: eachEvent((object) => {
        index.producedRouteRefs(object).forEach(route);
        // A route's login (SecurityPolicy, AuthorizationPolicy) came or went: its listener waits for it (route-login-gate.ts).
        if (gatewayApi && isLoginObject(object)) poolGateways();
        const gatewayRecord = (object.metadata?.labels as Record<string, string> | undefined)?.[LABEL_GATEWAY_RECORD];
        if (gatewayRecord === undefined) return;
        this.#routesOnMember(gatewayRecord).forEach(route);
        gatewayEndpoints();
      }, sweep),
      appIdTable: eachEvent(appIdTable),
      // A backend Service that becomes (or stops being) an ExternalName; a gateway Service whose address changed.
      // With external-dns the routes on its load balancers read the gateway's state (why it has no record yet) from the
      // Service itself, so they look again too; with Route53 they read the DNS pass's outcome, which dns() brings.
      services: eachEvent((object) => {
        index.serviceRouteRefs(object).forEach(route);
        // Gateway API data plane: an external backend's Service hostgate wrote, edited or deleted: its route re-applies it.
        index.producedRouteRefs(object).forEach(route);
        const members = gatewayMembersOf(object);
        if (members === undefined) return;
        dns();
        gatewayEndpoints();
        if (this.gatewayEndpoints !== undefined) for (const member of members) this.#routesOnMember(member).forEach(route);
      }),
      // A namespace's RegionPolicy decides where its routes' names are published: DNS plans again and its routes render again.
      regionPolicies: eachEvent((object) => {
        index.namespaceRouteRefs(object.metadata?.namespace).forEach(route);
        dns();
      }),
      // cert-manager's Certificates (their Ready) and, with importToAcm, their Secrets (renewals).
      certificates: eachEvent(certificates),
      // A pooled Gateway edited or deleted is its controller's to restore; one whose status.addresses changed is a
      // member's new gateway address, which DNS publishes (and, with external-dns, its routes read their DNSReady from).
      gateways: eachEvent((object) => {
        poolGateways();
        dns();
        gatewayEndpoints();
        const member = (object.metadata?.labels as Record<string, string> | undefined)?.[LABEL_EDGE_MEMBER];
        if (member !== undefined && this.gatewayEndpoints !== undefined) this.#routesOnMember(member).forEach(route);
      }),
      // A pooled Gateway's identity-header ClientTrafficPolicy (Envoy Gateway) edited or deleted: its controller restores it.
      gatewayPolicies: eachEvent(poolGateways),
      // Read by the audit only (below).
      auditReports: {},
      policyModules: this.audit?.policyModulesHandler() ?? {},
    };
    for (const { cached, informer } of this.#options.caches.informers) this.#unsubscribe.push(informer.addEventHandler(handlers[cached.role]!));
    this.#subscribeAudit();
    this.#subscribeMonitoring(route);
    // A route whose appId outcome changed has a new ProtectionReady to write.
    this.#unsubscribe.push(this.appIds.onChange((routeRefs) => routeRefs.forEach(route)));
    // A route whose DNS or certificate outcome changed has a new DNSReady or CertificateReady to write.
    this.#unsubscribe.push(this.dnsOutcomes.onChange((routeRefs) => routeRefs.forEach(route)));
    this.#unsubscribe.push(this.certificateOutcomes.onChange((routeRefs) => routeRefs.forEach(route)));
    // With the AWS Load Balancer Controller a route's listener waits for its certificate (discovery-listener-gate.ts).
    this.#unsubscribe.push(this.certificateOutcomes.onChange(() => poolGateways()));
    // A route whose placement changed has a new status.edge and EdgePlaced to write.
    this.#unsubscribe.push(this.edgeOutcomes.onChange((routeRefs) => routeRefs.forEach(route)));
    // New or retired ACM validation records are DNS's to write or delete.
    this.#unsubscribe.push(this.recordRequests.onChange(dns));
    for (const controller of this.#controllers()) controller.start();
    // Once per term even with no route at all: a stale table, an orphan, a record or a certificate from before is still fixed.
    this.gatewayTelemetry?.enqueue(GATEWAY_TELEMETRY_KEY);
    appIdTable();
    sweep();
    edge();
    gatewayEndpoints();
  }

  /**
   * The audit runs on start, after any change its holder of the existing
   * objects reports (an audited object changed, a kind listed or dropped), of
   * a PolicyModule or of one of hostgate's reports (a hand edit is put back),
   * debounced (DEFAULT_AUDIT_DEBOUNCE_MS), and every interval (its pass asks
   * for that). Not on the caches' resync: the interval is the audit's. Not on
   * the reconciler's own caches of the audited kinds: a pass reads the holder,
   * whose own change follows.
   */
  #subscribeAudit(): void {
    const audit = this.audit;
    if (audit === undefined) return;
    const debounceMs = this.#options.audit?.settings.debounceMs ?? DEFAULT_AUDIT_DEBOUNCE_MS;
    const roles = new Set(["auditReports", "policyModules"]);
    const kick = () => audit.enqueue(debounceMs);
    audit.start(kick);
    // onResync given, doing nothing: without it the informer's resync calls onUpdate for every object.
    const handler: InformerHandler<KubeObject> = { onAdd: kick, onUpdate: kick, onDelete: kick, onResync: () => {} };
    for (const { cached, informer } of this.#options.caches.informers) {
      if (roles.has(cached.role)) this.#unsubscribe.push(informer.addEventHandler(handler));
    }
    kick();
  }

  /**
   * A route's PrometheusRule or Probe edited or deleted: the route puts it
   * back. The CRDs served (or gone) since: every route looks again, to write
   * its objects or say why it has none.
   */
  #subscribeMonitoring(route: (key: string) => void): void {
    const monitoring = this.#options.monitoring;
    if (monitoring === undefined) return;
    const index = this.#index;
    this.#unsubscribe.push(monitoring.addEventHandler(eachEvent((object) => index.producedRouteRefs(object).forEach(route))));
    this.#unsubscribe.push(
      monitoring.onChange(() => {
        for (const object of this.#options.reader.list(DOMAIN_ROUTES)) route(`${object.metadata?.namespace}/${object.metadata?.name}`);
      }),
    );
  }

  /**
   * The routes on a pool member, for an event of its gateway (its Service, its
   * gateway record, whose label and outcome name the MEMBER): every route of
   * the member's class, since routes are indexed by spec.lb. A superset of the
   * routes placed on it, which also covers a route whose placement on it is
   * decided but not yet in its status.edge. A name that is no member of this
   * config (a record left from an earlier one) stands for itself, as a class
   * of one entry's member is named after its class.
   */
  #routesOnMember(member: string): string[] {
    return this.#index.loadBalancerRouteRefs(this.#memberClasses.get(member) ?? this.#autoscaledClass(member) ?? member);
  }

  /** The class an autoscaled member (`<prefix>-NN`) belongs to: autoscaled members are not in the config's list of members. */
  #autoscaledClass(member: string): string | undefined {
    const { config } = this.#options;
    return (["alb-out", "alb-in"] as const).find((lbClass) => memberNamed(config, lbClass, member) !== undefined);
  }

  #controllers(): Controller[] {
    return [
      this.routes,
      ...(this.appIdTable === undefined ? [] : [this.appIdTable]),
      this.sweep,
      this.placement,
      ...(this.poolGateways === undefined ? [] : [this.poolGateways]),
      ...(this.dns === undefined ? [] : [this.dns]),
      ...(this.gatewayEndpoints === undefined ? [] : [this.gatewayEndpoints]),
      ...(this.certificates === undefined ? [] : [this.certificates]),
      ...(this.gatewayTelemetry === undefined ? [] : [this.gatewayTelemetry]),
      ...(this.audit === undefined ? [] : [this.audit.controller]),
    ];
  }

  /**
   * Ends the term at once: no write leaves after this call (a reconcile in
   * flight fails at its next one), no event is routed here any more. Then
   * waits for the reconciles to return, aborting their signal after `timeoutMs`.
   */
  async stop(timeoutMs: number): Promise<void> {
    this.#ended.abort();
    const audit = this.audit?.stop();
    for (const unsubscribe of this.#unsubscribe.splice(0)) unsubscribe();
    await Promise.all([...this.#controllers().map((c) => c.stop(timeoutMs)), audit]);
  }

  stats(): Record<string, ControllerStats> {
    return Object.fromEntries(this.#controllers().map((c) => [c.name, c.stats()]));
  }
}

function requiredPort<T>(port: T | undefined, what: string, client: string): T {
  if (port === undefined) throw new Error(`the platform config asks for ${what}, but the reconciler was started without ${client}`);
  return port;
}

/** The same reaction to every event; `onAddOrResync` too when an object appears or is replayed. */
function eachEvent(react: (object: KubeObject) => void, onAddOrResync?: () => void): InformerHandler<KubeObject> {
  return {
    onAdd: (object) => {
      react(object);
      onAddOrResync?.();
    },
    onUpdate: (_old, object) => react(object),
    onDelete: (object) => react(object),
    onResync: (object) => {
      react(object);
      onAddOrResync?.();
    },
  };
}
