// The audit judges what hostgate's reconciler wrote as the reconciler would
// re-apply it (policies/audit/audit-requester.ts): the objects here come from
// the reconciler's own renderers (renderAll, what `hostgate render` prints),
// for Managed routes on the Istio data plane and on the Gateway API
// (Envoy Gateway), under grants that say `kinds: [DomainRoute]`. Those
// objects are exempt from hostname-granted (skip, by its matchCondition
// not-written-by-the-reconciler), never a false fail. The renderers give
// the objects in a route's namespace the controller owner reference the
// reconciler writes (producedMetadata), and the tests check they carry it.
// Forged look-alikes that the audited objects do not prove (a team's second
// labelled VirtualService at another name, the right name without the
// route's controller reference) are still judged as hostgate-audit, and fail.
import assert from "node:assert/strict";
import { cpSync } from "node:fs";
import { join } from "node:path";
import { describe, test } from "node:test";
import { loadPlatformConfig } from "../core/config/index.ts";
import { loadEnvironment } from "../core/environment.ts";
import type { KubeObject } from "../core/kube/object-key.ts";
import { controlledByRoute } from "../core/kube/controlled-by-route.ts";
import { LABEL_MANAGED_BY, LABEL_ROUTE_UID } from "../core/kube/produced-labels.ts";
import { objectNameFor } from "../core/kube/produced-names.ts";
import { readManifests } from "../core/objects/index.ts";
import type { DomainClaim, DomainRoute } from "../crds/types.ts";
import { auditObjects } from "../policies/audit/audit-objects.ts";
import type { AuditResult } from "../policies/audit/audit-result.ts";
import { moduleImpactWarnings } from "../policies/audit/module-impact.ts";
import { renderAll } from "../reconciler/render-command/render-command.ts";
import { EXAMPLES, hostgate, LIBRARY, tempDir, writeYaml } from "./fixtures.ts";

const ISTIO_CONFIG = join(EXAMPLES, "platform-config.yaml");
const GATEWAY_API_CONFIG = join(EXAMPLES, "platform-config-gateway-api.yaml");
const POLICY = "hostname-granted";
const EXEMPT = `excluded by matchCondition "not-written-by-the-reconciler"`;

interface Scene {
  config: string;
  /** What the cluster holds besides the reconciler's objects: routes, claims, grants, teams' own objects. */
  state: KubeObject[];
  /** What the reconciler writes for `state` (renderAll). */
  rendered: KubeObject[];
}

const copy = <T>(value: T): T => structuredClone(value);
const isKind = (kind: string, group: string) => (o: KubeObject) => o.kind === kind && String(o.apiVersion).startsWith(`${group}/`);
const isVirtualService = isKind("VirtualService", "networking.istio.io");
const isIstioGateway = isKind("Gateway", "networking.istio.io");
const isHttpRoute = isKind("HTTPRoute", "gateway.networking.k8s.io");
const isPoolGateway = isKind("Gateway", "gateway.networking.k8s.io");
const inNamespace = (namespace: string) => (o: KubeObject) => o.metadata?.namespace === namespace;

function render(config: string, state: KubeObject[]): KubeObject[] {
  const routes = state.filter((o) => o.kind === "DomainRoute") as unknown as DomainRoute[];
  const claims = state.filter((o) => o.kind === "DomainClaim") as unknown as DomainClaim[];
  return renderAll(routes, claims, loadPlatformConfig(config)).objects;
}

/** examples/state (routes in team-a, marketing, platform; marketing's grant is kinds: [DomainRoute]) on Istio. */
async function istioScene(): Promise<Scene> {
  const state = (await readManifests([join(EXAMPLES, "state")])).map((m) => m.object as KubeObject);
  return { config: ISTIO_CONFIG, state, rendered: render(ISTIO_CONFIG, state) };
}

/**
 * examples/gateway-api on Envoy Gateway: checkout (Managed) and blog (External,
 * routed by team-a's own HTTPRoute), with uids as the API server gives them and
 * a grant to team-a for DomainRoutes only.
 */
async function gatewayApiScene(): Promise<Scene> {
  const objects = (await readManifests([join(EXAMPLES, "gateway-api")])).map((m) => m.object as KubeObject);
  const state = objects.map((o) => (o.kind === "DomainRoute" ? { ...o, metadata: { ...o.metadata, uid: `uid-${o.metadata?.name}` } } : o));
  state.push({
    apiVersion: "hostgate.dev/v1alpha1",
    kind: "HostnameGrant",
    metadata: { name: "team-a-shop" },
    spec: { namespaces: ["team-a"], hostnames: ["*.shop.example.com"], kinds: ["DomainRoute"] },
  });
  return { config: GATEWAY_API_CONFIG, state, rendered: render(GATEWAY_API_CONFIG, state) };
}

async function audit(config: string, objects: readonly KubeObject[]): Promise<AuditResult[]> {
  const loaded = await loadEnvironment({ config, policies: [LIBRARY], state: [...objects] });
  return auditObjects(objects, loaded.verdict);
}

function resultOf(results: readonly AuditResult[], object: KubeObject): AuditResult {
  const found = results.find(
    (r) =>
      r.policy === POLICY && r.subject.kind === object.kind && r.subject.namespace === object.metadata?.namespace && r.subject.name === object.metadata?.name,
  );
  assert.ok(found, `${POLICY} judged ${object.kind} ${object.metadata?.namespace}/${object.metadata?.name}`);
  return found;
}

function only(objects: readonly KubeObject[], ...filters: Array<(o: KubeObject) => boolean>): KubeObject {
  const found = objects.filter((o) => filters.every((f) => f(o)));
  assert.equal(found.length, 1, "exactly one object matches");
  return found[0]!;
}

function forged(
  object: KubeObject,
  name: string,
  edit: (o: KubeObject & { metadata: Record<string, unknown>; spec: Record<string, unknown> }) => void,
): KubeObject {
  const result = copy(object) as KubeObject & { metadata: Record<string, unknown>; spec: Record<string, unknown> };
  result.metadata.name = name;
  edit(result);
  return result;
}

/** The state with marketing/website being deleted (its finalizer holds it). */
function websiteDeleting(state: readonly KubeObject[]): KubeObject[] {
  const deleting = { deletionTimestamp: "2030-01-01T00:00:00Z", finalizers: ["hostgate.dev/cleanup"] };
  return state.map((o) => (o.kind === "DomainRoute" && o.metadata?.name === "website" ? { ...o, metadata: { ...o.metadata, ...deleting } } : o));
}

const labelsOf = (o: { metadata: Record<string, unknown> }) => o.metadata.labels as Record<string, string>;

describe("the audit judges what hostgate's reconciler wrote as the reconciler would re-apply it", () => {
  const exempted: Array<{ name: string; scene: () => Promise<Scene>; pick: (rendered: KubeObject[]) => KubeObject[]; count: number }> = [
    {
      name: "every Istio Gateway and VirtualService the reconciler renders for examples/state is skipped by hostname-granted, not failed",
      scene: istioScene,
      pick: (rendered) => rendered.filter((o) => isVirtualService(o) || isIstioGateway(o)),
      count: 8,
    },
    {
      name: "the reconciler's VirtualService in marketing, whose grant is kinds: [DomainRoute], is skipped",
      scene: istioScene,
      pick: (rendered) => rendered.filter((o) => isVirtualService(o) && inNamespace("marketing")(o)),
      count: 1,
    },
    {
      name: "the reconciler's HTTPRoute and pooled Gateway on Envoy Gateway are skipped under a grant for DomainRoutes only",
      scene: gatewayApiScene,
      pick: (rendered) => rendered.filter((o) => isHttpRoute(o) || isPoolGateway(o)),
      count: 2,
    },
  ];
  for (const c of exempted) {
    test(c.name, async () => {
      const scene = await c.scene();
      const results = await audit(scene.config, [...scene.state, ...scene.rendered]);
      const picked = c.pick(scene.rendered);
      assert.equal(picked.length, c.count, "the renderers produced the objects this case is about");
      const routes = scene.state.filter((o) => o.kind === "DomainRoute");
      for (const object of picked) {
        assert.ok(LABEL_MANAGED_BY in labelsOf(object as never), "the renderer labels its objects");
        if (isVirtualService(object) || isHttpRoute(object)) {
          // As stored: the audit requires the one name and the controller reference the reconciler writes in the route's namespace.
          const uid = labelsOf(object as never)[LABEL_ROUTE_UID]!;
          const route = routes.find((r) => r.metadata?.uid === uid);
          assert.ok(route !== undefined && controlledByRoute(object, uid), `${object.kind} ${object.metadata?.name} is controlled by its route`);
          assert.equal(object.metadata?.name, objectNameFor((route.spec as { domain: string }).domain));
        }
        const result = resultOf(results, object);
        assert.deepEqual(
          { outcome: result.outcome, messages: result.messages },
          { outcome: "skip", messages: [EXEMPT] },
          `${object.kind} ${object.metadata?.name}`,
        );
      }
    });
  }

  test("team-a's own HTTPRoute for its External route is still judged as the team's and fails a grant for DomainRoutes only", async () => {
    const scene = await gatewayApiScene();
    const results = await audit(scene.config, [...scene.state, ...scene.rendered]);
    const own = only(scene.state, isHttpRoute);
    assert.equal(resultOf(results, own).outcome, "fail");
  });

  const forgeries: Array<{ name: string; scene: () => Promise<Scene>; forge: (scene: Scene) => { objects: KubeObject[]; subject: KubeObject } }> = [
    {
      name: "a VirtualService labelled managed-by hostgate whose route-uid names no route fails",
      scene: istioScene,
      forge: ({ state, rendered }) => {
        const vs = forged(only(rendered, isVirtualService, inNamespace("marketing")), "forged", (o) => (labelsOf(o)[LABEL_ROUTE_UID] = "no-such-route"));
        return { objects: [...state, ...rendered, vs], subject: vs };
      },
    },
    {
      name: "a VirtualService in marketing naming team-a's route by uid, for that route's domain, fails",
      scene: istioScene,
      forge: ({ state, rendered }) => {
        const shop = only(rendered, isVirtualService, inNamespace("team-a"), (o) => (o.spec as { hosts: string[] }).hosts[0] === "shop.example.com");
        const vs = forged(shop, "forged", (o) => (o.metadata.namespace = "marketing"));
        return { objects: [...state, ...rendered, vs], subject: vs };
      },
    },
    {
      name: "a VirtualService whose hosts add a second domain to its route's fails",
      scene: istioScene,
      forge: ({ state, rendered }) => {
        const vs = forged(only(rendered, isVirtualService, inNamespace("marketing")), "forged", (o) => {
          o.spec.hosts = ["www.example.com", "promo.campaigns.example.com"];
        });
        return { objects: [...state, ...rendered, vs], subject: vs };
      },
    },
    {
      name: "the reconciler's VirtualService without the managed-by label fails",
      scene: istioScene,
      forge: ({ state, rendered }) => {
        const vs = forged(only(rendered, isVirtualService, inNamespace("marketing")), "forged", (o) => delete labelsOf(o)[LABEL_MANAGED_BY]);
        return { objects: [...state, ...rendered, vs], subject: vs };
      },
    },
    {
      name: "an Istio Gateway outside the gateway namespace fails",
      scene: istioScene,
      forge: ({ state, rendered }) => {
        const www = only(rendered, isIstioGateway, (o) => String(o.metadata?.name).startsWith("www-"));
        const gateway = forged(www, "forged", (o) => (o.metadata.namespace = "marketing"));
        return { objects: [...state, ...rendered, gateway], subject: gateway };
      },
    },
    {
      name: "the VirtualService of a route being deleted fails",
      scene: istioScene,
      forge: ({ state, rendered }) => {
        return { objects: [...websiteDeleting(state), ...rendered], subject: only(rendered, isVirtualService, inNamespace("marketing")) };
      },
    },
    {
      name: "the Istio Gateway of a route being deleted fails",
      scene: istioScene,
      forge: ({ state, rendered }) => {
        return {
          objects: [...websiteDeleting(state), ...rendered],
          subject: only(rendered, isIstioGateway, (o) => String(o.metadata?.name).startsWith("www-")),
        };
      },
    },
    {
      name: "a pooled-looking Gateway in the gateway namespace with a listener for a domain no route has fails",
      scene: gatewayApiScene,
      forge: ({ state, rendered }) => {
        const gateway = forged(only(rendered, isPoolGateway), "forged", (o) => {
          const listeners = o.spec.listeners as Array<Record<string, unknown>>;
          listeners.push({ ...copy(listeners[0]!), name: "other", hostname: "other.shop.example.com" });
        });
        return { objects: [...state, ...rendered, gateway], subject: gateway };
      },
    },
    {
      name: "team-a's own HTTPRoute for its External route, labelled as the reconciler's with that route's uid, fails",
      scene: gatewayApiScene,
      forge: ({ state, rendered }) => {
        const route = forged(only(state, isHttpRoute), "forged", (o) => {
          o.metadata.labels = { [LABEL_MANAGED_BY]: "hostgate", [LABEL_ROUTE_UID]: "uid-blog" };
        });
        return { objects: [...state, ...rendered, route], subject: route };
      },
    },
    {
      name: "an HTTPRoute naming the Managed route by uid, in another namespace, fails",
      scene: gatewayApiScene,
      forge: ({ state, rendered }) => {
        const route = forged(only(rendered, isHttpRoute), "forged", (o) => (o.metadata.namespace = "team-b"));
        return { objects: [...state, ...rendered, route], subject: route };
      },
    },
    // Review R16: the labels, the route's uid, its hosts and namespace are what a team can copy onto its own objects.
    {
      name: "a second labelled VirtualService in marketing (granted for DomainRoutes only) at another name, routing elsewhere, fails",
      scene: istioScene,
      forge: ({ state, rendered }) => {
        const vs = forged(only(rendered, isVirtualService, inNamespace("marketing")), "tenant-wrote-this", (o) => {
          o.spec.http = [{ route: [{ destination: { host: "evil.marketing.svc.cluster.local" } }] }];
        });
        return { objects: [...state, ...rendered, vs], subject: vs };
      },
    },
    {
      name: "the reconciler's VirtualService at its name without the controller owner reference fails",
      scene: istioScene,
      forge: ({ state, rendered }) => {
        const original = only(rendered, isVirtualService, inNamespace("marketing"));
        const vs = forged(original, String(original.metadata?.name), (o) => delete o.metadata.ownerReferences);
        return { objects: [...state, ...rendered.filter((o) => o !== original), vs], subject: vs };
      },
    },
    {
      name: "the reconciler's VirtualService at its name with a controller owner reference to another route's uid fails",
      scene: istioScene,
      forge: ({ state, rendered }) => {
        const original = only(rendered, isVirtualService, inNamespace("marketing"));
        const other = only(
          state,
          (o) => o.kind === "DomainRoute",
          inNamespace("team-a"),
          (o) => o.metadata?.name === "shop-web",
        );
        const vs = forged(original, String(original.metadata?.name), (o) => {
          (o.metadata.ownerReferences as Array<Record<string, unknown>>)[0]!.uid = other.metadata?.uid;
        });
        return { objects: [...state, ...rendered.filter((o) => o !== original), vs], subject: vs };
      },
    },
    {
      name: "an Istio Gateway with the route's labels in the gateway namespace at another name fails",
      scene: istioScene,
      forge: ({ state, rendered }) => {
        const gateway = forged(
          only(rendered, isIstioGateway, (o) => String(o.metadata?.name).startsWith("www-")),
          "tenant-wrote-this",
          () => {},
        );
        return { objects: [...state, ...rendered, gateway], subject: gateway };
      },
    },
    {
      name: "a second labelled HTTPRoute in team-a at another name, with the Managed route's uid and controller reference, fails",
      scene: gatewayApiScene,
      forge: ({ state, rendered }) => {
        const route = forged(only(rendered, isHttpRoute), "tenant-wrote-this", () => {});
        return { objects: [...state, ...rendered, route], subject: route };
      },
    },
    {
      name: "the reconciler's HTTPRoute at its name without the controller owner reference fails",
      scene: gatewayApiScene,
      forge: ({ state, rendered }) => {
        const original = only(rendered, isHttpRoute);
        const route = forged(original, String(original.metadata?.name), (o) => delete o.metadata.ownerReferences);
        return { objects: [...state, ...rendered.filter((o) => o !== original), route], subject: route };
      },
    },
    {
      name: "a pooled-looking Gateway in the gateway namespace named as no pool member fails",
      scene: gatewayApiScene,
      forge: ({ state, rendered }) => {
        const gateway = forged(only(rendered, isPoolGateway), "tenant-wrote-this", () => {});
        return { objects: [...state, ...rendered, gateway], subject: gateway };
      },
    },
  ];
  for (const c of forgeries) {
    test(c.name, async () => {
      const scene = await c.scene();
      const { objects, subject } = c.forge(scene);
      const result = resultOf(await audit(scene.config, objects), subject);
      assert.equal(result.outcome, "fail", result.messages.join("\n"));
    });
  }

  test("review R16's state: a team's labelled VirtualService routing a DomainRoute-only name elsewhere fails hostgate audit, as its unlabelled twin does", async () => {
    const evil = {
      hosts: ["shop.example.com"],
      gateways: ["istio-system/hostgate"],
      http: [{ route: [{ destination: { host: "evil.team-a.svc.cluster.local" } }] }],
    };
    const labels = { [LABEL_MANAGED_BY]: "hostgate", [LABEL_ROUTE_UID]: "uid-shop" };
    // The same with the controller reference a team can write in its own namespace: still not the route's one object.
    const owned = [{ apiVersion: "hostgate.dev/v1alpha1", kind: "DomainRoute", name: "shop", uid: "uid-shop", controller: true }];
    const dir = tempDir("audit-r16");
    writeYaml(
      dir,
      "all.yaml",
      {
        apiVersion: "hostgate.dev/v1alpha1",
        kind: "HostnameGrant",
        metadata: { name: "team-a-shop" },
        spec: { namespaces: ["team-a"], hostnames: ["shop.example.com"], kinds: ["DomainRoute"] },
      },
      {
        apiVersion: "hostgate.dev/v1alpha1",
        kind: "DomainRoute",
        metadata: { name: "shop", namespace: "team-a", uid: "uid-shop" },
        spec: { domain: "shop.example.com", service: { name: "shop", port: 80 } },
      },
      { apiVersion: "networking.istio.io/v1", kind: "VirtualService", metadata: { name: "tenant-wrote-this", namespace: "team-a", labels }, spec: evil },
      {
        apiVersion: "networking.istio.io/v1",
        kind: "VirtualService",
        metadata: { name: "tenant-wrote-this-too", namespace: "team-a", labels, ownerReferences: owned },
        spec: evil,
      },
      { apiVersion: "networking.istio.io/v1", kind: "VirtualService", metadata: { name: "tenant-unlabelled", namespace: "team-a" }, spec: evil },
    );
    const result = await hostgate("audit", "--config", ISTIO_CONFIG, "--state", dir, "-o", "json");
    const { results } = JSON.parse(result.stdout) as { results: AuditResult[] };
    assert.deepEqual(
      results.filter((r) => r.policy === POLICY && r.subject.kind === "VirtualService").map((r) => `${r.subject.name} ${r.outcome}`),
      ["tenant-unlabelled fail", "tenant-wrote-this fail", "tenant-wrote-this-too fail"],
      result.stderr,
    );
    assert.equal(result.exitCode, 1);
  });

  // The impact warning audits one object at a time (within its time budget):
  // the DomainRoutes that prove a reconciler object must still be found.
  test("adding hostname-granted would deny none of the reconciler's objects, as the PolicyModule impact warning tells it", async () => {
    const scene = await istioScene();
    const loaded = await loadEnvironment({ config: scene.config, policies: [LIBRARY], state: [...scene.state, ...scene.rendered] });
    const library = loaded.verdict.policies;
    const others = library.subset(library.modules.map((m) => m.name).filter((name) => name !== POLICY));
    const warnings = moduleImpactWarnings(
      library.byName.get(POLICY)!,
      { ...loaded.verdict, policies: others },
      { objects: () => [...scene.state, ...scene.rendered] },
    );
    assert.deepEqual(
      warnings.map((w) => w.message),
      [`this change would deny no existing object (${scene.state.length + scene.rendered.length} objects checked)`],
    );
  });

  test("hostgate audit over examples/state plus what the reconciler writes for it reports no fail", async () => {
    const scene = await istioScene();
    const dir = tempDir("audit-reconciler");
    cpSync(join(EXAMPLES, "state"), dir, { recursive: true });
    writeYaml(dir, "rendered.yaml", ...scene.rendered);
    const result = await hostgate("audit", "--config", ISTIO_CONFIG, "--state", dir, "-o", "json");
    const { results, summary } = JSON.parse(result.stdout) as { results: AuditResult[]; summary: { fail: number; error: number } };
    assert.deepEqual({ exitCode: result.exitCode, fail: summary.fail, error: summary.error }, { exitCode: 0, fail: 0, error: 0 }, result.stderr);
    const exempt = results.filter((r) => r.policy === POLICY && r.outcome === "skip" && (r.subject.kind === "VirtualService" || r.subject.kind === "Gateway"));
    assert.equal(exempt.length, 8, "every VirtualService and Istio Gateway the reconciler wrote is exempt");
  });
});
