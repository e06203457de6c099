// What the impact warning's cache of existing objects costs (issue 16), next
// to a baseline measured in the same run, same process:
//   - heap: N DomainRoutes as the API server stores them (kubectl's
//     managedFields and last-applied annotation, the reconciler's status),
//     held (a) by the admission cache, projected to the fields the index
//     reads (ClusterStateSource: the baseline), (b) whole minus managedFields
//     and last-applied by ExistingObjectsCache (what the webhook adds), and
//     (c) untouched, to show what trimming saves. Each is the real component,
//     listing a stand-in API server that parses every object from its own JSON
//     text (no structure shared between objects, as off the wire);
//   - time: the impact of a stricter PolicyModule over those N routes under
//     the full built-in library (moduleImpactWarnings, unbounded), against the
//     1.5 s budget the webhook gives it: how many objects fit.
// Prints figures only: nothing here is asserted (timings vary by machine).
//
//   npm run bench:impact [-- --routes 10000]
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { parseArgs } from "node:util";
import { BUILTIN_POLICIES, DEFAULT_CONFIG } from "../core/cli/paths.ts";
import { loadEnvironment } from "../core/environment.ts";
import { KubeApiError } from "../core/kube/api-error.ts";
import type { ListPage, ListRequest, ListWatchClient, WatchHandle } from "../core/kube/list-watch-client.ts";
import type { KubeObject } from "../core/kube/object-key.ts";
import type { ResourceRef } from "../core/kube/resource.ts";
import { ClusterStateSource } from "../core/state/sources/cluster-state-source.ts";
import { ExistingObjectsCache } from "../core/state/sources/existing-objects-cache.ts";
import { compileModule } from "../policies/engine/module-loader.ts";
import { DEFAULT_IMPACT_BUDGET_MS, moduleImpactWarnings } from "../policies/audit/module-impact.ts";
import { syntheticObjects } from "./synthetic-state.ts";

const { values } = parseArgs({ options: { routes: { type: "string", default: "10000" }, grants: { type: "string", default: "1000" } } });
const ROUTES = Number(values.routes);
const GRANTS = Number(values.grants);

setFlagsFromString("--expose-gc");
const gc = runInNewContext("gc") as () => void;
function heapAfterGc(): number {
  for (let i = 0; i < 3; i++) gc();
  return process.memoryUsage().heapUsed;
}

/** A DomainRoute as the API server returns it after `kubectl apply` and a reconcile: managedFields of both managers, last-applied, status. */
function asStored(object: Record<string, unknown>, index: number): Record<string, unknown> {
  const metadata = object.metadata as Record<string, unknown>;
  const time = "2026-01-01T00:00:00Z";
  return {
    ...object,
    metadata: {
      ...metadata,
      resourceVersion: String(1000 + index),
      generation: 1,
      creationTimestamp: time,
      finalizers: ["hostgate.dev/cleanup"],
      annotations: { "kubectl.kubernetes.io/last-applied-configuration": `${JSON.stringify(object)}\n` },
      managedFields: [
        {
          manager: "kubectl-client-side-apply",
          operation: "Update",
          apiVersion: object.apiVersion,
          time,
          fieldsType: "FieldsV1",
          fieldsV1: {
            "f:metadata": { "f:annotations": { ".": {}, "f:kubectl.kubernetes.io/last-applied-configuration": {} } },
            "f:spec": {
              ".": {},
              "f:domain": {},
              "f:lb": {},
              "f:routing": { ".": {}, "f:mode": {} },
              "f:backend": { ".": {}, "f:service": { ".": {}, "f:name": {}, "f:port": {} } },
              "f:protection": { ".": {}, "f:provider": {}, "f:appId": {} },
            },
          },
        },
        {
          manager: "hostgate-reconciler",
          operation: "Update",
          apiVersion: object.apiVersion,
          time,
          fieldsType: "FieldsV1",
          fieldsV1: { "f:metadata": { "f:finalizers": { ".": {}, 'v:"hostgate.dev/cleanup"': {} } } },
        },
        {
          manager: "hostgate-reconciler",
          operation: "Update",
          apiVersion: object.apiVersion,
          time,
          fieldsType: "FieldsV1",
          subresource: "status",
          fieldsV1: { "f:status": { ".": {}, "f:observedGeneration": {}, "f:conditions": {}, "f:edge": {} } },
        },
      ],
    },
    status: {
      observedGeneration: 1,
      conditions: [
        { type: "Ready", status: "True", reason: "Reconciled", message: "all parts are in place", lastTransitionTime: time, observedGeneration: 1 },
        { type: "DomainClaimed", status: "True", reason: "Claimed", message: "the domain is this route's", lastTransitionTime: time, observedGeneration: 1 },
      ],
      edge: { dataPlane: "istio", gateway: "istio-ingress/shared" },
    },
  };
}

const synthetic = syntheticObjects(ROUTES, GRANTS);
const routes = synthetic.filter((o) => o.kind === "DomainRoute").map(asStored);
const grants = synthetic.filter((o) => o.kind === "HostnameGrant");
/** Each object's JSON text: every list parses its own copy, as a client does off the wire. */
const texts: Record<string, string[]> = {
  domainroutes: routes.map((o) => JSON.stringify(o)),
  hostnamegrants: grants.map((o) => JSON.stringify(o)),
};

/** A stand-in API server: lists DomainRoutes and HostnameGrants in pages of fresh objects; anything else is not served; watches stay quiet. */
const server: ListWatchClient = {
  describe: () => "bench API server",
  async list(resource: ResourceRef, request: ListRequest): Promise<ListPage> {
    const all = resource.group === "hostgate.dev" ? texts[resource.resource] : undefined;
    if (all === undefined) throw new KubeApiError("404 NotFound", 404, "NotFound");
    const from = request.continue === undefined ? 0 : Number(request.continue);
    const items = all.slice(from, from + request.limit).map((t) => JSON.parse(t) as KubeObject);
    const next = from + items.length;
    return { items, resourceVersion: "424242", ...(next < all.length ? { continue: String(next) } : {}) };
  },
  watch: (): WatchHandle => ({ abort: () => {} }),
};

async function until(check: () => boolean): Promise<void> {
  while (!check()) await new Promise((resolve) => setTimeout(resolve, 5));
}

/** Heap held by what `start` builds, measured after forced collections, and the thing itself (kept alive until measured). */
async function heldBy<T>(start: () => Promise<T>): Promise<{ bytes: number; held: T }> {
  const before = heapAfterGc();
  const held = await start();
  const bytes = heapAfterGc() - before;
  return { bytes, held };
}

const mb = (bytes: number) => `${(bytes / 1e6).toFixed(1)} MB`;
// Per route: the grants (small, in both caches) are counted in with the routes.
const perObject = (bytes: number) => `${Math.round(bytes / ROUTES).toLocaleString("en-US")} B/route`;

console.log(`impact cache: ${ROUTES.toLocaleString("en-US")} DomainRoutes as stored (managedFields, last-applied, status), ${GRANTS} HostnameGrants`);
console.log(`  one route as stored: ${texts.domainroutes![0]!.length.toLocaleString("en-US")} bytes of JSON`);

const index = await heldBy(async () => {
  const source = new ClusterStateSource({ client: server });
  await source.start();
  await until(() => source.synced());
  await source.stop();
  return source;
});
const cache = await heldBy(async () => {
  const c = new ExistingObjectsCache({ client: server, maxObjects: ROUTES * 2 });
  c.start();
  await until(() => c.size() === ROUTES + GRANTS && c.snapshot().kinds.every((k) => k.state.kind !== "pending"));
  await c.stop();
  return c;
});
const untrimmed = await heldBy(async () => texts.domainroutes!.map((t) => JSON.parse(t) as KubeObject));

console.log("\nheap held (after forced collections)");
console.log(`  (a) admission index, projected (baseline):    ${mb(index.bytes).padStart(9)}  ${perObject(index.bytes)}`);
console.log(
  `  (b) existing-objects cache, trimmed whole:    ${mb(cache.bytes).padStart(9)}  ${perObject(cache.bytes)}  ${(cache.bytes / index.bytes).toFixed(1)}× the baseline`,
);
console.log(
  `  (c) the same routes untrimmed, for reference: ${mb(untrimmed.bytes).padStart(9)}  ${perObject(untrimmed.bytes)}  trimming keeps ${Math.round((cache.bytes / untrimmed.bytes) * 100)}% of it`,
);
const perRoute = cache.bytes / ROUTES;
console.log(`  at the default --impact-objects-max 50,000 such routes: ${mb(perRoute * 50_000)}`);

// Time: a stricter module over the cached routes, under the built-in library, without a budget.
const loaded = await loadEnvironment({ config: DEFAULT_CONFIG, policies: [BUILTIN_POLICIES], state: [] });
// The cluster the policies look up is the admission index built above: every route and grant.
const env = { ...loaded, verdict: { ...loaded.verdict, cluster: index.held.current() } };
const compiled = compileModule(
  {
    apiVersion: "hostgate.dev/v1alpha1",
    kind: "PolicyModule",
    metadata: { name: "bench-no-public-lb" },
    spec: {
      description: "no public load balancer",
      match: [{ apiGroups: ["hostgate.dev"], kinds: ["DomainRoute"], operations: ["CREATE", "UPDATE"] }],
      validations: [{ expression: "object.spec.lb != 'alb-out'", message: "alb-out is public; use alb-in" }],
    },
  },
  "bench",
);
if ("problems" in compiled) throw new Error(compiled.problems.join("\n"));
const objects = cache.held.snapshot().objects.filter((o) => o.kind === "DomainRoute");
const warm = objects.slice(0, 500);
moduleImpactWarnings(compiled.module, env.verdict, { objects: () => warm, budgetMs: Infinity });
const started = performance.now();
const warnings = moduleImpactWarnings(compiled.module, env.verdict, { objects: () => objects, budgetMs: Infinity });
const elapsed = performance.now() - started;
const fit = Math.floor((objects.length * DEFAULT_IMPACT_BUDGET_MS) / elapsed);
console.log(`\nimpact of a stricter PolicyModule over ${objects.length.toLocaleString("en-US")} routes, under ${env.policies.modules.length} built-in modules`);
console.log(
  `  ${Math.round(elapsed).toLocaleString("en-US")} ms in all, ${((elapsed / objects.length) * 1000).toFixed(0)} µs per route (each judged twice: current and proposed set)`,
);
console.log(
  `  within the ${DEFAULT_IMPACT_BUDGET_MS / 1000} s budget: about ${fit.toLocaleString("en-US")} routes (${Math.round((fit / objects.length) * 100)}% of these); beyond that the warning says it is partial`,
);
console.log(`  warning: ${warnings[0]?.message}`);
