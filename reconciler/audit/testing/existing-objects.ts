// For the background audit's tests: a hand-written ExistingObjectsHolder
// (core/state/existing-objects.ts) whose objects and per-kind states a test
// sets directly, and the objects of the intercepted kinds they hold.
import type { KubeObject } from "../../../core/kube/object-key.ts";
import { AUDITED_RESOURCES, auditedResourceRef } from "../../../core/state/audited-resources.ts";
import type { AuditedResource } from "../../../core/state/audited-resources.ts";
import type { ResourceRef } from "../../../core/kube/resource.ts";
import type { AuditedKindState, ExistingObjectsHolder, ExistingObjectsSnapshot } from "../../../core/state/existing-objects.ts";

/** The AUDITED_RESOURCES entry of `kind` in `group` (fails the test on a typo). */
export function audited(group: string, kind: string): AuditedResource {
  const found = AUDITED_RESOURCES.find((r) => r.group === group && r.kind === kind);
  if (found === undefined) throw new Error(`${kind}.${group} is not in AUDITED_RESOURCES`);
  return found;
}

export const HTTP_ROUTES = audited("gateway.networking.k8s.io", "HTTPRoute");
export const VIRTUAL_SERVICES = audited("networking.istio.io", "VirtualService");

/** The ref to write `audited` at its newest version (what a fake API server serves). */
export function newestRef(resource: AuditedResource): ResourceRef {
  return auditedResourceRef(resource, resource.versions[0]!);
}

/**
 * A holder whose objects and kind states the test sets; every kind starts
 * synced at its newest version, with no object. start() and stop() only say
 * they were called (the audit controller runs the holder for its term).
 */
export class FakeExistingObjects implements ExistingObjectsHolder {
  started = false;
  stopped = false;
  #objects: KubeObject[] = [];
  #states = new Map<AuditedResource, AuditedKindState>(AUDITED_RESOURCES.map((r) => [r, { kind: "synced", version: r.versions[0]! }]));
  #listeners = new Set<() => void>();
  /** snapshot() calls so far. */
  snapshots = 0;

  snapshot(): ExistingObjectsSnapshot {
    this.snapshots++;
    const synced = (o: KubeObject) => AUDITED_RESOURCES.some((r) => this.#states.get(r)!.kind === "synced" && ownKind(r, o));
    return {
      objects: this.#objects.filter(synced),
      kinds: AUDITED_RESOURCES.map((resource) => ({ resource, state: this.#states.get(resource)! })),
    };
  }

  onChange(listener: () => void): () => void {
    const own = () => listener();
    this.#listeners.add(own);
    return () => this.#listeners.delete(own);
  }

  start(): void {
    this.started = true;
  }

  stop(): void {
    this.stopped = true;
  }

  listeners(): number {
    return this.#listeners.size;
  }

  /** Holds exactly `objects` (those of a kind not synced are kept but not shown, as a holder keeps nothing of them). */
  set(...objects: KubeObject[]): void {
    this.#objects = objects;
    this.#changed();
  }

  state(resource: AuditedResource, state: AuditedKindState): void {
    this.#states.set(resource, state);
    this.#changed();
  }

  #changed(): void {
    for (const listener of [...this.#listeners]) listener();
  }
}

function ownKind(resource: AuditedResource, object: KubeObject): boolean {
  return object.kind === resource.kind && String(object.apiVersion).startsWith(`${resource.group}/`);
}

export function grant(name: string, namespaces: string[], hostnames: string[]): KubeObject {
  return { apiVersion: "hostgate.dev/v1alpha1", kind: "HostnameGrant", metadata: { name, uid: `uid-grant-${name}` }, spec: { namespaces, hostnames } };
}

export function httpRoute(namespace: string, name: string, hostnames: string[]): KubeObject {
  return {
    apiVersion: "gateway.networking.k8s.io/v1",
    kind: "HTTPRoute",
    metadata: { name, namespace, uid: `uid-httproute-${name}` },
    spec: { hostnames, parentRefs: [{ name: "shared", namespace: "gateways" }], rules: [{ backendRefs: [{ name, port: 8080 }] }] },
  };
}

/** A VirtualService bound to the shared ingress gateway (so hostname-granted judges it). */
export function virtualService(namespace: string, name: string, hosts: string[]): KubeObject {
  return {
    apiVersion: "networking.istio.io/v1",
    kind: "VirtualService",
    metadata: { name, namespace, uid: `uid-virtualservice-${name}` },
    spec: { hosts, gateways: ["istio-system/shared"], http: [{ route: [{ destination: { host: name } }] }] },
  };
}
