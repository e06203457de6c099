// `hostgate render`: every object the reconciler would apply for the
// DomainRoutes in PATH (plus those in a state directory), in apply order:
// the DomainClaims, each route's Istio objects, then the appId table's
// EnvoyFilter and its audit ConfigMap, and with the platform's observability
// settings each route's PrometheusRule and Probe and the gateway's Telemetry.
// The same renderers the reconciler runs produce them, and every Istio object
// is checked against Istio's published schemas before it is printed (the
// monitoring kinds against prometheus-operator's).
import { parseArgs } from "node:util";
import { stringify } from "yaml";
import { readManifests } from "../../core/objects/index.ts";
import type { Manifest } from "../../core/objects/index.ts";
import { loadPlatformConfig } from "../../core/config/index.ts";
import type { PlatformConfig } from "../../core/config/platform-config.ts";
import { DEFAULT_CONFIG } from "../../core/cli/paths.ts";
import { UsageError } from "../../core/errors.ts";
import type { CommandResult } from "../../core/errors.ts";
import type { Command } from "../../core/cli/main.ts";
import type { KubeObject } from "../../core/kube/object-key.ts";
import type { DomainClaim, DomainRoute, RegionPolicy } from "../../crds/types.ts";
import { withAppliedHash } from "../apply/plan-apply.ts";
import { renderRoute } from "../domainroute/render/render-route.ts";
import { isKnownProvider, unknownProviderProblem } from "../domainroute/known-provider.ts";
import { PRODUCED_KIND_ORDER } from "../domainroute/render/produced-resources.ts";
import { gatewayApiRefusal } from "../domainroute/render/gateway-api/data-plane-refusal.ts";
import { renderPoolGateways } from "../edge/gateways/render-pool-gateways.ts";
import { renderIdentityHeaderStrip } from "../domainroute/render/gateway-api/identity-header-strip.ts";
import { validateRendered } from "./validate-rendered.ts";
import { computeAppIdTable } from "../app-id-table/app-id-table.ts";
import { appIdTableNeeded } from "../app-id-table/app-id-table-needed.ts";
import { appIdTableObjectProblems, renderAppIdTableObjects } from "../app-id-table/app-id-table-objects.ts";
import { resolveClaims } from "./resolve-claims.ts";
import { edgeComments, renderEdge } from "./render-edge.ts";
import { hasPool, placeRoutes } from "./place-routes.ts";
import type { RenderedEdge, RenderInputs } from "./render-edge.ts";
import { regionPoliciesByNamespace } from "../dns/desired-records.ts";
import { compareStrings } from "../../core/compare-strings.ts";
import { observabilityObjects } from "../domainroute/observability-objects.ts";
import { renderGatewayTelemetry } from "../observability/render-gateway-telemetry.ts";

export const RENDER_USAGE = `Usage: hostgate render -f PATH [-f PATH ...] [options]

Prints every object the reconciler would apply for the DomainRoutes in PATH
(YAML or JSON files, multi-document, directories read recursively), plus
those in --state, in apply order: DomainClaims, each route's Istio objects
(ServiceEntry, DestinationRule, AuthorizationPolicy, Gateway,
VirtualService, and with dns.provider external-dns a DNSEndpoint), the
cert-manager Certificates (certificates.provider cert-manager), then the
appId table's EnvoyFilter and audit ConfigMap. With observability.alerting
each route's PrometheusRule (and for a VM backend with probes its Probe)
follows the route's objects, and with observability.accessLogging or
tracing the gateway's Istio Telemetry comes last (Istio data planes only). With dns.provider route53 or
certificates in ACM, the YAML ends with the Route53 records (each with its
TXT owner record) and ACM certificates hostgate would hold, as comments
(kubectl ignores them): offline, render cannot read what Route53 or ACM
already hold, so records are planned against empty zones.
On a platform that spans regions it shows what THIS cluster (the config's
cluster) publishes: run it with each region's config to compare them side
by side. RegionPolicies in PATH or --state decide their namespaces' mode (none:
the platform's dns.regionMode), and a gateway Service (a two-step
loadBalancers entry) in PATH or --state, with its status.loadBalancer.ingress,
shows the gateway record; without it a comment names the Service.
Other objects in PATH are ignored.

Options:
  -f, --filename PATH      DomainRoutes to render (repeatable; required)
      --state DIR          DomainRoutes and DomainClaims already in the cluster (optional)
      --config FILE        platform config (default: examples/platform-config.yaml)
  -n, --namespace NS       namespace for routes that name none (default: "default")
  -o, --output FORMAT      yaml (default: documents separated by ---), json (a v1 List),
                           or records (the Route53 records, gateway records, routes
                           published by another region, and certificates, as JSON)

Exit status: 0 rendered, 1 a route cannot be served as written (its
problems are printed to stderr; the rest is still rendered), 2 unusable input.`;

interface RenderOptions {
  files: string[];
  state: string | undefined;
  config: string;
  namespace: string;
  output: "yaml" | "json" | "records";
}

/** The flags as given (their types inferred from the table); a UsageError when one is unknown or malformed. */
function readRenderFlags(args: readonly string[]) {
  try {
    return parseArgs({
      args: [...args],
      options: {
        filename: { type: "string", short: "f", multiple: true },
        state: { type: "string" },
        config: { type: "string" },
        namespace: { type: "string", short: "n" },
        output: { type: "string", short: "o" },
      },
      strict: true,
      allowPositionals: false,
    }).values;
  } catch (error) {
    throw new UsageError(`render: ${(error as Error).message}`, "Run `hostgate render --help` for usage.");
  }
}

function parseRenderArgs(args: readonly string[]): RenderOptions {
  const values = readRenderFlags(args);
  const problems: string[] = [];
  if (values.filename === undefined || values.filename.length === 0) problems.push("render: -f PATH is required (the DomainRoutes to render)");
  const output = values.output ?? "yaml";
  if (output !== "yaml" && output !== "json" && output !== "records")
    problems.push(`render: -o ${JSON.stringify(output)} is not a format; use yaml, json or records`);
  if (problems.length > 0) throw new UsageError(...problems);
  return {
    files: values.filename!,
    state: values.state,
    config: values.config ?? DEFAULT_CONFIG,
    namespace: values.namespace ?? "default",
    output: output as "yaml" | "json" | "records",
  };
}

export async function runRender(args: readonly string[]): Promise<CommandResult> {
  const options = parseRenderArgs(args);
  const config = loadPlatformConfig(options.config);
  const fileManifests = await readManifests(options.files);
  const fromFiles = routesIn(fileManifests, options.namespace);
  if (fromFiles.length === 0) throw new UsageError(`render: no DomainRoutes found in ${options.files.join(", ")}`);
  const stateManifests = options.state === undefined ? [] : await readManifests([options.state]);
  const stateRoutes = routesIn(stateManifests, "default").filter(
    (r) => !fromFiles.some((f) => f.metadata.namespace === r.metadata.namespace && f.metadata.name === r.metadata.name),
  );
  const stateClaims = stateManifests
    .map((m) => m.object)
    .filter((o) => o.kind === "DomainClaim" && o.apiVersion === "hostgate.dev/v1alpha1") as unknown as DomainClaim[];
  const inputs = clusterInputs([...fileManifests, ...stateManifests], options.namespace);
  const { objects, notes, edge } = renderAll([...fromFiles, ...stateRoutes], stateClaims, config, inputs);
  const output =
    options.output === "records"
      ? JSON.stringify(
          {
            records: edge.records,
            gateways: edge.gateways,
            elsewhere: edge.elsewhere,
            certificates: edge.certificates,
            ...(hasPool(config) ? { placements: edge.placements } : {}),
          },
          null,
          2,
        )
      : options.output === "json"
        ? JSON.stringify({ apiVersion: "v1", kind: "List", items: objects }, null, 2)
        : [objects.map((o) => stringify(o, { lineWidth: 0 })).join("---\n"), edgeComments(edge, config)].filter((part) => part !== "").join("\n");
  return { output, exitCode: notes.length > 0 ? 1 : 0, notes };
}

/** The whole render, pure: objects in apply order, and what keeps any route from being served. */
export function renderAll(
  routes: readonly DomainRoute[],
  existingClaims: readonly DomainClaim[],
  config: PlatformConfig,
  inputs: RenderInputs = { regionPolicies: [], services: [] },
): { objects: KubeObject[]; notes: string[]; edge: RenderedEdge } {
  const policies = regionPoliciesByNamespace(inputs.regionPolicies);
  const notes: string[] = [];
  const claimed = resolveClaims(routes, existingClaims);
  // With a pool, each route's member as the pool controller would place it (status.edge): what DNS and certificates read.
  const pool = hasPool(config) ? placeRoutes(claimed.routes, claimed.claims, config) : { routes: claimed.routes, placements: [] };
  const resolution = { ...claimed, routes: pool.routes };
  for (const p of pool.placements)
    if (p.full !== undefined)
      notes.push(
        `DomainRoute ${p.route}: no member of load balancer pool ${p.loadBalancer} has room (${p.full}); it gets no DNS record and no listener certificate (EdgePlaced=False, EdgePoolFull)`,
      );
  for (const t of resolution.taken)
    notes.push(`DomainRoute ${t.route}: ${t.domain} is claimed by DomainRoute ${t.owner}; nothing would be created for it (Claimed=False, DomainTaken)`);
  const holders = new Set(resolution.claims.map((c) => c.spec.owner.uid));
  // The identity table first: on Envoy Gateway a route's login carries the appId the table gives it (none when contested).
  const table = computeAppIdTable({ routes: resolution.routes, claims: resolution.claims, knownProvider: (provider) => isKnownProvider(config, provider) });
  const routeObjects: KubeObject[] = [];
  // prometheus-operator's objects, per route in route order: after every route's Istio objects (they refer to none).
  const monitoring: { key: string; objects: KubeObject[] }[] = [];
  for (const route of resolution.routes) {
    if (!holders.has(route.metadata.uid!)) continue;
    // As the reconciler does: nothing at all for a provider the platform does not list (it cannot check Services offline).
    const unknownProvider = unknownProviderProblem(route, config);
    if (unknownProvider !== undefined) {
      notes.push(`DomainRoute ${route.metadata.namespace}/${route.metadata.name}: ${unknownProvider} (Ready=False, UnknownProvider)`);
      continue;
    }
    // As the reconciler does: nothing that serves a route the Gateway API implementation cannot serve as declared.
    const refusal = gatewayApiRefusal(route, config);
    if (refusal !== undefined) {
      notes.push(`DomainRoute ${route.metadata.namespace}/${route.metadata.name}: ${refusal.message} (Ready=False, ${refusal.reason})`);
      continue;
    }
    const state = table.routeStates.get(`${route.metadata.namespace}/${route.metadata.name}`);
    const appId = state?.kind === "published" ? state.appId : undefined;
    const rendered = renderRoute(route, config, policies.get(route.metadata.namespace ?? ""), appId);
    for (const problem of rendered.problems) notes.push(`DomainRoute ${route.metadata.namespace}/${route.metadata.name}: ${problem}`);
    routeObjects.push(...rendered.objects.map(withAppliedHash));
    // The route controller's own list (PrometheusRule, then a VM backend's Probe).
    monitoring.push({
      key: `${route.metadata.namespace ?? ""}/${route.metadata.name ?? ""}`,
      objects: observabilityObjects(route, config).map(withAppliedHash),
    });
  }
  const monitoringObjects = monitoring.sort((a, b) => compareStrings(a.key, b.key)).flatMap((m) => m.objects);
  const rank = (o: KubeObject) => (PRODUCED_KIND_ORDER as readonly string[]).indexOf(String(o.kind));
  routeObjects.sort((a, b) => rank(a) - rank(b) || compareStrings(keyText(a), keyText(b)));
  // Gateway API data plane: the pooled Gateways, one per member serving a route, as the pool Gateways controller keeps them.
  const pooled = renderPoolGateways(resolution.routes, resolution.claims, config);
  for (const held of pooled.held) notes.push(`pooled Gateway ${held.member}: ${held.message}`);
  for (const skipped of pooled.skipped)
    if (!notes.some((note) => note.startsWith(`DomainRoute ${skipped.routeRef}:`)))
      notes.push(`DomainRoute ${skipped.routeRef}: no listener on pooled Gateway ${skipped.member}: ${skipped.message} (${skipped.reason})`);
  for (const conflict of table.conflicts)
    notes.push(`appId ${conflict.appId} is claimed by ${conflict.routes.join(", ")}; it is given to none of them (ProtectionReady=False, AppIDConflict)`);
  // The identity table is an Istio EnvoyFilter: only where Istio runs the gateways.
  const tableObjects = appIdTableNeeded(config)
    ? renderAppIdTableObjects(table, {
        namespace: config.gateway.namespace,
        selector: config.gateway.selector,
        identityHeader: config.protection.identityHeader,
      })
    : undefined;
  if (tableObjects !== undefined) notes.push(...appIdTableObjectProblems(tableObjects));
  // DNS records and certificates, as their controllers would want them (render-edge.ts); cert-manager Certificates are objects.
  const edge = renderEdge(
    resolution.routes.filter((r) => holders.has(r.metadata.uid!)),
    resolution.claims,
    config,
    inputs,
  );
  edge.placements = pool.placements;
  notes.push(...edge.notes);
  const tableList = tableObjects === undefined ? [] : [tableObjects.envoyFilter, tableObjects.configMap];
  // On Envoy Gateway each pooled Gateway comes with the ClientTrafficPolicy that strips the identity header (written before it).
  const strips =
    config.gateway.gatewayApi?.implementation === "envoy-gateway"
      ? pooled.gateways.map((g) => renderIdentityHeaderStrip(String(g.metadata?.name), config))
      : [];
  const gateways = [...strips, ...pooled.gateways].map(withAppliedHash);
  // The gateway's access logging and tracing, one Telemetry (observability/reconcile-gateway-telemetry.ts keeps it).
  const telemetry = renderGatewayTelemetry(config);
  const telemetryList = telemetry === undefined ? [] : [withAppliedHash(telemetry)];
  const objects = [
    ...(resolution.claims as unknown as KubeObject[]),
    ...gateways,
    ...routeObjects,
    ...monitoringObjects,
    ...edge.objects,
    ...tableList,
    ...telemetryList,
  ];
  // Istio's, the Gateway API's, prometheus-operator's and Kubernetes' own kinds against their published schemas (validate-rendered.ts).
  for (const object of [...gateways, ...routeObjects, ...monitoringObjects, ...tableList, ...telemetryList]) validateRendered(object);
  return { objects, notes, edge };
}

function routesIn(manifests: readonly Manifest[], namespace: string): DomainRoute[] {
  return manifests
    .map((m) => m.object)
    .filter((o) => o.kind === "DomainRoute" && o.apiVersion === "hostgate.dev/v1alpha1")
    .map((o) => {
      const route = o as unknown as DomainRoute;
      return { ...route, metadata: { ...route.metadata, namespace: route.metadata?.namespace ?? namespace } };
    });
}

/**
 * The RegionPolicies and Services among the input objects (the first of each
 * name wins, as -f comes before --state): what the cluster would have, for
 * placement and gateway addresses.
 */
function clusterInputs(manifests: readonly Manifest[], namespace: string): RenderInputs {
  const seen = new Set<string>();
  const first = (o: KubeObject) => {
    const key = `${o.kind}/${o.metadata?.namespace ?? namespace}/${o.metadata?.name ?? ""}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  };
  const inNamespace = (o: KubeObject): KubeObject => ({ ...o, metadata: { ...o.metadata, namespace: o.metadata?.namespace ?? namespace } });
  const objects = manifests.map((m) => inNamespace(m.object));
  return {
    regionPolicies: objects.filter((o) => o.kind === "RegionPolicy" && o.apiVersion === "hostgate.dev/v1alpha1" && first(o)) as unknown as RegionPolicy[],
    services: objects.filter((o) => o.kind === "Service" && o.apiVersion === "v1" && first(o)),
    gateways: objects.filter((o) => o.kind === "Gateway" && o.apiVersion === "gateway.networking.k8s.io/v1" && first(o)),
  };
}

function keyText(object: KubeObject): string {
  return `${object.metadata?.namespace ?? ""}/${object.metadata?.name ?? ""}`;
}

export const RENDER_COMMAND: Command = { summary: "print what the reconciler would apply for DomainRoutes, offline", usage: RENDER_USAGE, run: runRender };
