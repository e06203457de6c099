// The world the browser tests drive: the in-memory API server with RBAC,
// hostgate's admission chain and a status driver (portal/testing/
// memory-cluster.ts), the cluster backend over it exactly as over a real
// cluster, the portal's server, and Chromium.
import type { KubeObject } from "../../core/kube/object-key.ts";
import { DOMAIN_ROUTES } from "../../core/state/sources/indexed-resources.ts";
import { ClusterBackend } from "../backends/cluster-backend.ts";
import { memoryCluster } from "../testing/memory-cluster.ts";
import type { MemoryCluster } from "../testing/memory-cluster.ts";
import { PageHarness } from "./page-harness.ts";

export interface MemoryPortal {
  cluster: MemoryCluster;
  harness: PageHarness;
  stop(): Promise<void>;
}

export async function startMemoryPortal(): Promise<MemoryPortal> {
  const cluster = await memoryCluster();
  // Upstream watches that last the whole test: the page's live view is what is tested, not reconnects.
  const backend = new ClusterBackend({ client: cluster.api, own: cluster.api, config: cluster.config, watchTimeoutSeconds: () => 3600 });
  // The preview as serve gives it the platform config (its certificate line); the reconciler's planner is bin/cli.ts's to inject.
  const harness = await PageHarness.start(backend, undefined, { config: cluster.config });
  return { cluster, harness, stop: () => harness.stop() };
}

/** A DomainRoute in `namespace` on `domain`, internal, to the Service `service:port`. */
export function internalRoute(namespace: string, name: string, domain: string, service: string, port: number): KubeObject {
  return {
    apiVersion: "hostgate.dev/v1alpha1",
    kind: "DomainRoute",
    metadata: { name, namespace },
    spec: { domain, lb: "alb-in", backend: { service: { name: service, port } } },
  };
}

/** Stores a route as the test's setup (not through the page), then marks it live. */
export async function seedLiveRoute(cluster: MemoryCluster, route: KubeObject): Promise<KubeObject> {
  const stored = await cluster.api.create(DOMAIN_ROUTES, route);
  return cluster.status.live(stored.metadata!.namespace!, stored.metadata!.name!);
}
