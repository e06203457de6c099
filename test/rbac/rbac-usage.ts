// Records the reconciler's requests as RBAC sees them, and reads what a set of
// RBAC manifests grants a ServiceAccount, so a test can check both ways that
// the two agree (test/reconciler-rbac-usage.test.ts and the optional
// components' tests).
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { parseAllDocuments } from "yaml";
import type { FakeKubeApi } from "../../core/kube/testing/fake-kube-api.ts";
import type { KubeApi } from "../../core/kube/object-api.ts";
import type { KubeObject } from "../../core/kube/object-key.ts";
import type { ResourceRef } from "../../core/kube/resource.ts";
import type { PlatformConfig } from "../../core/config/platform-config.ts";
import { silentLogger } from "../../core/logger.ts";
import { ReconcilerManager } from "../../reconciler/manager/reconciler-manager.ts";
import { DOMAIN_ROUTES } from "../../reconciler/resources.ts";

export interface Request {
  verb: string;
  group: string;
  resource: string;
  /** undefined: cluster-wide (a cluster-scoped object, or a list across namespaces). */
  namespace?: string;
  name?: string;
}

export const show = (r: Request) =>
  `${r.verb} ${r.resource}${r.group === "" ? "" : `.${r.group}`}${r.namespace === undefined ? " (cluster-wide)" : ` in ${r.namespace}`}${r.name === undefined ? "" : ` named ${r.name}`}`;

/** The KubeApi port, with every call noted as the request RBAC authorizes. */
export function recording(api: FakeKubeApi, requests: Request[]): KubeApi {
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

export interface Grant {
  verb: string;
  group: string;
  resource: string;
  namespace?: string;
  name?: string;
}

/** Every (verb, group, resource, namespace, name) the roles in `files` grant the ServiceAccount, through the bindings in `files`, one entry each. */
export function grants(files: readonly string[], serviceAccount: { namespace: string; name: string }): Grant[] {
  const objects = files.flatMap((file) => parseAllDocuments(readFileSync(file, "utf8")).map((d) => d.toJS())) as KubeObject[];
  const bound = objects.filter(
    (o) =>
      (o.kind === "RoleBinding" || o.kind === "ClusterRoleBinding") &&
      (o.subjects as { name: string; namespace: string }[]).some((s) => s.name === serviceAccount.name && s.namespace === serviceAccount.namespace),
  );
  const result: Grant[] = [];
  for (const binding of bound) {
    const ref = binding.roleRef as { kind: string; name: string };
    const role = objects.find(
      (o) => o.kind === ref.kind && o.metadata?.name === ref.name && (o.kind === "ClusterRole" || o.metadata?.namespace === binding.metadata?.namespace),
    );
    assert.ok(role, `${binding.kind} ${binding.metadata?.name} names a role that is not in ${files.join(", ")}`);
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

export const allows = (grant: Grant, request: Request) =>
  grant.verb === request.verb &&
  grant.group === request.group &&
  grant.resource === request.resource &&
  // A RoleBinding grants in its namespace only; a ClusterRoleBinding everywhere, cluster-wide lists included.
  (grant.namespace === undefined || grant.namespace === request.namespace) &&
  (grant.name === undefined || grant.name === request.name);

/** Resolves once `check` holds; fails the test after 10 s (the scenarios wait on the reconciler's own pace). */
/** The requests no grant allows, as `show` prints them, each once: what the API server would refuse with 403. */
export function deniedRequests(requests: readonly Request[], granted: readonly Grant[]): string[] {
  return [...new Set(requests.filter((r) => !granted.some((g) => allows(g, r))).map(show))];
}

/** The grants no request needed. */
export function unusedGrants(granted: readonly Grant[], requests: readonly Request[]): string[] {
  return granted.filter((g) => !requests.some((r) => allows(g, r))).map((g) => show(g as Request));
}

export async function eventually(what: string, check: () => boolean): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!check()) {
    if (Date.now() > deadline) assert.fail(`timed out waiting until ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

/** The whole reconciler (as a leader, quick debounces) against `api`, every request noted in `requests`. */
export function recordedManager(api: FakeKubeApi, requests: Request[], config: PlatformConfig): ReconcilerManager {
  return new ReconcilerManager({
    api: recording(api, requests),
    config,
    logger: silentLogger,
    appIdTableDebounceMs: 5,
    sweepDebounceMs: 5,
    leaderElection: {
      namespace: "hostgate-system",
      name: "hostgate-reconciler",
      holderId: "pod-a",
      leaseDurationMs: 1000,
      renewDeadlineMs: 600,
      retryPeriodMs: 50,
    },
  });
}
