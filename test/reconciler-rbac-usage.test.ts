// The reconciler's RBAC against what its code really does. The whole
// reconciler runs against the in-memory API server through a recorder that
// notes every request as RBAC would see it (verb, API group, resource,
// namespace, name), through scenarios that reach every path that talks to
// the API server. Then both directions are checked:
//   - every request is allowed by deploy/base/reconciler-rbac.yaml (else the
//     reconciler would get 403 on a real cluster);
//   - every permission granted was used (else it is more than least privilege).
import { after, describe, it } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parseAllDocuments } from "yaml";
import { silentLogger } from "../core/logger.ts";
import { loadPlatformConfig } from "../core/config/index.ts";
import { KubeApiError } from "../core/kube/api-error.ts";
import { FakeKubeApi } from "../core/kube/testing/fake-kube-api.ts";
import type { KubeApi } from "../core/kube/object-api.ts";
import type { KubeObject } from "../core/kube/object-key.ts";
import type { ResourceRef } from "../core/kube/resource.ts";
import type { DomainRoute } from "../crds/types.ts";
import { PRODUCED_RESOURCES } from "../reconciler/domainroute/render/produced-resources.ts";
import { APP_ID_TABLE_CONFIG_MAP_NAME, APP_ID_TABLE_ENVOY_FILTER_NAME } from "../reconciler/app-id-table/app-id-table-objects.ts";
import { ReconcilerManager } from "../reconciler/manager/reconciler-manager.ts";
import { CONFIG_MAPS, DOMAIN_ROUTES, ENVOY_FILTERS } from "../reconciler/resources.ts";
import { ROOT } from "./fixtures.ts";

const NAMESPACE = "hostgate-system";
const SERVICE_ACCOUNT = "hostgate-reconciler";
const config = loadPlatformConfig(join(ROOT, "deploy", "base", "platform-config.yaml"));
const gatewayNs = config.gateway.namespace;

interface Request {
  verb: string;
  group: string;
  resource: string;
  /** undefined: cluster-wide (a cluster-scoped object, or a list across namespaces). */
  namespace?: string;
  name?: string;
}

const show = (r: Request) =>
  `${r.verb} ${r.resource}${r.group === "" ? "" : `.${r.group}`}${r.namespace === undefined ? " (cluster-wide)" : ` in ${r.namespace}`}${r.name === undefined ? "" : ` named ${r.name}`}`;

/** The KubeApi port, with every call noted as the request RBAC authorizes. */
function recording(api: FakeKubeApi, requests: Request[]): KubeApi {
  const note = (verb: string, resource: ResourceRef, namespace: string | undefined, name?: string) =>
    requests.push({
      verb,
      group: resource.group,
      resource: resource.resource,
      ...(resource.namespaced && namespace !== undefined ? { namespace } : {}),
      ...(name === undefined ? {} : { name }),
    });
  const ns = (resource: ResourceRef, object: KubeObject) => (resource.namespaced ? object.metadata?.namespace : undefined);
  // The OwnerReferencesPermissionEnforcement admission plugin (OpenShift runs
  // it) authorizes an owner reference with blockOwnerDeletion as an update of
  // the owner's finalizers subresource. It checks only references an update
  // adds; noting every write that carries one is the stricter reading.
  const noteBlockingOwners = (object: KubeObject) => {
    for (const owner of (object.metadata?.ownerReferences ?? []) as { apiVersion: string; kind: string; name: string; blockOwnerDeletion?: boolean }[]) {
      if (owner.blockOwnerDeletion !== true) continue;
      assert.equal(
        `${owner.apiVersion}/${owner.kind}`,
        `${DOMAIN_ROUTES.group}/${DOMAIN_ROUTES.version}/DomainRoute`,
        "only DomainRoutes own what the reconciler writes",
      );
      note("update", { ...DOMAIN_ROUTES, resource: `${DOMAIN_ROUTES.resource}/finalizers` }, object.metadata?.namespace, owner.name);
    }
  };
  return {
    describe: () => api.describe(),
    list: (resource, request) => {
      note("list", resource, resource.namespace);
      return api.list(resource, request);
    },
    watch: (resource, request, callbacks) => {
      note("watch", resource, resource.namespace);
      return api.watch(resource, request, callbacks);
    },
    get: (resource, key) => {
      note("get", resource, key.namespace, key.name);
      return api.get(resource, key);
    },
    create: (resource, object, options) => {
      note("create", resource, ns(resource, object));
      noteBlockingOwners(object);
      return api.create(resource, object, options);
    },
    apply: (resource, object, options) => {
      note("patch", resource, ns(resource, object), object.metadata?.name);
      noteBlockingOwners(object);
      return api.apply(resource, object, options);
    },
    update: (resource, object, options) => {
      note("update", resource, ns(resource, object), object.metadata?.name);
      noteBlockingOwners(object);
      return api.update(resource, object, options);
    },
    updateStatus: (resource, object) => {
      note("update", { ...resource, resource: `${resource.resource}/status` }, ns(resource, object), object.metadata?.name);
      return api.updateStatus(resource, object);
    },
    delete: (resource, key, preconditions) => {
      note("delete", resource, key.namespace, key.name);
      return api.delete(resource, key, preconditions);
    },
  };
}

interface Grant {
  verb: string;
  group: string;
  resource: string;
  namespace?: string;
  name?: string;
}

/** Every (verb, group, resource, namespace, name) the ServiceAccount's roles grant, one entry each. */
function grants(): Grant[] {
  const objects = parseAllDocuments(readFileSync(join(ROOT, "deploy", "base", "reconciler-rbac.yaml"), "utf8")).map((d) => d.toJS()) as KubeObject[];
  const bound = objects.filter(
    (o) =>
      (o.kind === "RoleBinding" || o.kind === "ClusterRoleBinding") &&
      (o.subjects as { name: string; namespace: string }[]).some((s) => s.name === SERVICE_ACCOUNT && s.namespace === NAMESPACE),
  );
  const result: Grant[] = [];
  for (const binding of bound) {
    const ref = binding.roleRef as { kind: string; name: string };
    const role = objects.find(
      (o) => o.kind === ref.kind && o.metadata?.name === ref.name && (o.kind === "ClusterRole" || o.metadata?.namespace === binding.metadata?.namespace),
    );
    assert.ok(role, `${binding.kind} ${binding.metadata?.name} names a role that is not in reconciler-rbac.yaml`);
    const namespace = binding.kind === "RoleBinding" ? binding.metadata!.namespace : undefined;
    for (const rule of role.rules as { apiGroups: string[]; resources: string[]; verbs: string[]; resourceNames?: string[] }[])
      for (const group of rule.apiGroups)
        for (const resource of rule.resources)
          for (const verb of rule.verbs)
            for (const name of rule.resourceNames ?? [undefined])
              result.push({ verb, group, resource, ...(namespace ? { namespace } : {}), ...(name ? { name } : {}) });
  }
  return result;
}

const allows = (grant: Grant, request: Request) =>
  grant.verb === request.verb &&
  grant.group === request.group &&
  grant.resource === request.resource &&
  // A RoleBinding grants in its namespace only; a ClusterRoleBinding everywhere, cluster-wide lists included.
  (grant.namespace === undefined || grant.namespace === request.namespace) &&
  (grant.name === undefined || grant.name === request.name);

function route(name: string, domain: string, backend: object = { service: { name: "web", port: 8080 } }): KubeObject {
  return {
    apiVersion: "hostgate.dev/v1alpha1",
    kind: "DomainRoute",
    metadata: { name, namespace: "team-a" },
    spec: { domain, lb: "alb-in", routing: { mode: "Managed" }, backend, protection: { provider: "sso", appId: name } },
  };
}

async function eventually(what: string, check: () => boolean): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!check()) {
    if (Date.now() > deadline) assert.fail(`timed out waiting until ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

describe("the reconciler's RBAC (deploy/base/reconciler-rbac.yaml)", () => {
  const requests: Request[] = [];
  const granted = grants();
  let scenarios: Promise<void> | undefined;

  /** Every path that talks to the API server, once. */
  const runScenarios = async () => {
    const api = new FakeKubeApi();
    const manager = new ReconcilerManager({
      api: recording(api, requests),
      config,
      logger: silentLogger,
      appIdTableDebounceMs: 5,
      sweepDebounceMs: 5,
      leaderElection: { namespace: NAMESPACE, name: "hostgate-reconciler", holderId: "pod-a", leaseDurationMs: 1000, renewDeadlineMs: 600, retryPeriodMs: 50 },
    });
    const get = (name: string) => api.server.get(DOMAIN_ROUTES, { namespace: "team-a", name }) as unknown as DomainRoute | undefined;
    const ready = (name: string) => get(name)?.status?.conditions?.some((c) => c.type === "Ready" && c.status === "True") ?? false;
    try {
      // A claim race: the first create of a claim finds it already exists, and the claim is read by name.
      api.failNext("create", new KubeApiError('409 AlreadyExists: domainclaims "vm.example.com" already exists', 409, "AlreadyExists"), "DomainClaim");
      // An external HTTPS backend produces a ServiceEntry and a DestinationRule too.
      await api.create(DOMAIN_ROUTES, route("vm", "vm.example.com", { external: { ip: "203.0.113.10", port: 443, protocol: "HTTPS" } }));
      await api.create(DOMAIN_ROUTES, route("shop", "shop.example.com"));
      manager.start();
      await eventually("both routes are Ready", () => ready("vm") && ready("shop"));
      // The identity objects lose their label: out of the cache, so read by name and replaced.
      for (const [resource, name] of [
        [ENVOY_FILTERS, APP_ID_TABLE_ENVOY_FILTER_NAME],
        [CONFIG_MAPS, APP_ID_TABLE_CONFIG_MAP_NAME],
      ] as const) {
        const object = api.server.get(resource, { namespace: gatewayNs, name })!;
        await api.update(resource, { ...object, metadata: { ...object.metadata, labels: {} } });
        await eventually(
          `${name} is labelled again`,
          () =>
            (api.server.get(resource, { namespace: gatewayNs, name })!.metadata!.labels as Record<string, string> | undefined)?.[
              "app.kubernetes.io/managed-by"
            ] === "hostgate",
        );
      }
      // Every produced object edited by hand: each is replaced (update) with what the route renders.
      for (const resource of PRODUCED_RESOURCES) {
        for (const object of api.objects(resource)) {
          const annotations = { ...(object.metadata!.annotations as object), "hostgate.dev/applied-hash": "edited" };
          await api.update(resource, { ...object, metadata: { ...object.metadata, annotations } }, { fieldManager: "kubectl-edit" });
        }
      }
      const edited = (o: KubeObject) => (o.metadata!.annotations as Record<string, string>)["hostgate.dev/applied-hash"] === "edited";
      await eventually("every hand edit is reverted", () => PRODUCED_RESOURCES.every((r) => !api.objects(r).some(edited)));
      // A route deleted the normal way: pruned, claim released, finalizer dropped.
      await api.delete(DOMAIN_ROUTES, { namespace: "team-a", name: "vm" });
      await eventually("vm is gone", () => get("vm") === undefined);
      // A route gone without its finalizer: the sweep confirms by name, then deletes.
      const shopUid = get("shop")!.metadata.uid!;
      api.server.delete(DOMAIN_ROUTES, { namespace: "team-a", name: "shop" });
      await eventually("shop's objects are swept", () =>
        PRODUCED_RESOURCES.every((r) => api.objects(r).every((o) => (o.metadata!.labels as Record<string, string>)["hostgate.dev/route-uid"] !== shopUid)),
      );
    } finally {
      await manager.stop();
    }
  };
  const recorded = () => (scenarios ??= runScenarios());
  after(() => recorded());

  it("allows every request the reconciler makes", async () => {
    await recorded();
    assert.ok(requests.length > 20, "the scenarios made requests");
    if (process.env.SHOW_RBAC_REQUESTS) console.log([...new Set(requests.map(show))].sort().join("\n"));
    const denied = [...new Set(requests.filter((r) => !granted.some((g) => allows(g, r))).map(show))];
    assert.deepEqual(denied, [], "requests the RBAC would refuse with 403");
  });

  it("grants nothing the reconciler does not use", async () => {
    await recorded();
    const unused = granted.filter((g) => !requests.some((r) => allows(g, r))).map((g) => show(g as Request));
    assert.deepEqual(unused, [], "permissions no request needed");
  });

  it("is checked by a comparison that notices a missing verb", async () => {
    await recorded();
    const narrowed = granted.filter((g) => !(g.resource === "gateways" && g.verb === "get"));
    assert.ok(
      requests.some((r) => !narrowed.some((g) => allows(g, r))),
      "without get on gateways, the read of a name before the route's first write there is refused",
    );
  });
});
