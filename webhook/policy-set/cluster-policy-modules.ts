// `--policies-from cluster`: list and watch the cluster's PolicyModule
// objects (cluster-scoped, hostgate.dev/v1alpha1) and keep a LivePolicySet
// equal to them. The reflector keeps only keys and versions; the set keeps
// the objects it compiles.
import type { BackoffOptions } from "../../core/backoff.ts";
import type { Clock } from "../../core/clock.ts";
import type { ListWatchClient } from "../../core/kube/list-watch-client.ts";
import type { KubeObject } from "../../core/kube/object-key.ts";
import { Reflector } from "../../core/kube/reflector.ts";
import { POLICY_MODULES } from "../../core/state/policy-modules-resource.ts";
import type { Logger } from "../../core/logger.ts";
import { silentLogger } from "../../core/logger.ts";
import { LivePolicySet } from "./live-policy-set.ts";

export { POLICY_MODULES };

export interface ClusterPolicyModulesOptions {
  client: ListWatchClient;
  logger?: Logger;
  clock?: Clock;
  random?: () => number;
  debounceMs?: number;
  backoff?: BackoffOptions;
}

/** The live set and the watch that feeds it; start() begins listing, stop() ends the watch and any pending swap. */
export interface ClusterPolicyModules {
  policies: LivePolicySet;
  start(): void;
  stop(): Promise<void>;
  describe(): string;
}

/**
 * What the set compiles and compares, nothing more: managedFields and the
 * last-applied annotation would double what each module holds in memory.
 */
export function moduleDocument(object: KubeObject): KubeObject {
  const { name, resourceVersion, labels } = object.metadata ?? {};
  return {
    apiVersion: object.apiVersion,
    kind: object.kind,
    metadata: { name, resourceVersion, ...(labels === undefined ? {} : { labels }) },
    spec: object.spec,
  } as KubeObject;
}

export function clusterPolicyModules(options: ClusterPolicyModulesOptions): ClusterPolicyModules {
  const logger = options.logger ?? silentLogger;
  const reflector = new Reflector<KubeObject>({
    resource: POLICY_MODULES,
    client: options.client,
    transform: moduleDocument,
    logger,
    ...(options.clock === undefined ? {} : { clock: options.clock }),
    ...(options.random === undefined ? {} : { random: options.random }),
    ...(options.backoff === undefined ? {} : { backoff: options.backoff }),
  });
  const policies = new LivePolicySet({
    logger,
    ...(options.clock === undefined ? {} : { clock: options.clock }),
    ...(options.debounceMs === undefined ? {} : { debounceMs: options.debounceMs }),
    waitingReason: () => {
      const error = reflector.status().lastError;
      // A 404 on the list: the CRD is not installed.
      if (error?.status === 404) return "policymodules.hostgate.dev is not served: install the PolicyModule CRD (deploy/) or run with --policies-from files";
      return error === undefined ? undefined : `last error: ${error.message}`;
    },
  });
  reflector.addHandler((batch) => policies.apply(batch));
  return {
    policies,
    start: () => reflector.start(),
    async stop() {
      policies.stop();
      await reflector.stop();
    },
    describe: () => "PolicyModules in the cluster, watched",
  };
}
