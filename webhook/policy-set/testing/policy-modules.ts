// PolicyModule objects for tests of the live set, as the API server would
// hold them (its metadata included), and a harness: the fake API server, a
// manual clock and the watch feeding a LivePolicySet.
import { ManualClock } from "../../../core/clock.ts";
import type { KubeObject } from "../../../core/kube/object-key.ts";
import { FakeListWatchClient } from "../../../core/kube/testing/fake-list-watch.ts";
import { RecordingLogger } from "../../../core/testing/recording-logger.ts";
import { clusterPolicyModules, POLICY_MODULES } from "../cluster-policy-modules.ts";
import type { ClusterPolicyModules } from "../cluster-policy-modules.ts";

/** A module that denies DomainRoutes whose name starts with `prefix`, saying `message`. */
export function denyNamePrefix(name: string, prefix: string, message: string): KubeObject {
  return {
    apiVersion: "hostgate.dev/v1alpha1",
    kind: "PolicyModule",
    metadata: {
      name,
      uid: `uid-${name}`,
      creationTimestamp: "2030-01-01T00:00:00Z",
      annotations: { "kubectl.kubernetes.io/last-applied-configuration": "{}" },
      managedFields: [{ manager: "kubectl" }],
    },
    spec: {
      description: `DomainRoute names must not start with ${prefix}`,
      match: [{ apiGroups: ["hostgate.dev"], kinds: ["DomainRoute"], operations: ["CREATE", "UPDATE"] }],
      validations: [{ expression: `!object.metadata.name.startsWith("${prefix}")`, message }],
    },
  };
}

/** `module` with its first validation's expression replaced (e.g. by one that no longer compiles). */
export function withExpression(module: KubeObject, expression: string): KubeObject {
  const copy = structuredClone(module) as KubeObject & { spec: { validations: { expression: string }[] } };
  copy.spec.validations[0]!.expression = expression;
  return copy;
}

export const DEBOUNCE_MS = 500;

export interface LiveHarness {
  server: FakeListWatchClient;
  clock: ManualClock;
  logger: RecordingLogger;
  live: ClusterPolicyModules;
  put(module: KubeObject): void;
  remove(name: string): void;
  /** Lets the fake server's answers and the reflector's handlers run. */
  settle(): Promise<void>;
}

export function liveHarness(seed: readonly KubeObject[] = []): LiveHarness {
  const server = new FakeListWatchClient();
  for (const module of seed) server.put(POLICY_MODULES, module);
  const clock = new ManualClock();
  const logger = new RecordingLogger();
  const live = clusterPolicyModules({ client: server, clock, logger, random: () => 0.5, debounceMs: DEBOUNCE_MS });
  return {
    server,
    clock,
    logger,
    live,
    put: (module) => void server.put(POLICY_MODULES, module),
    remove: (name) => server.delete(POLICY_MODULES, { name }),
    async settle() {
      for (let i = 0; i < 5; i++) await new Promise((resolve) => setImmediate(resolve));
    },
  };
}
