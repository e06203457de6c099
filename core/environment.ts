// Assembles what a verdict needs from files: the platform config, the policy
// set, the cluster state and the CRD catalog. `hostgate check` uses it as is;
// the webhook uses the same pieces but fills the state from a watch cache.
// Every loader's failure is collected, so one run reports all unusable input.
import { loadCrdCatalog } from "../crds/catalog.ts";
import type { CrdCatalog } from "../crds/catalog.ts";
import { loadPolicySet } from "../policies/engine/module-loader.ts";
import type { PolicySet } from "../policies/engine/module-loader.ts";
import type { VerdictEnvironment } from "../policies/verdict.ts";
import { ProblemCollector } from "./errors.ts";
import { configToCel, loadPlatformConfig } from "./config/index.ts";
import type { PlatformConfig } from "./config/index.ts";
import { ClusterStateIndex, loadClusterState } from "./state/index.ts";

export interface LoadedEnvironment {
  config: PlatformConfig;
  policies: PolicySet;
  state: ClusterStateIndex;
  crds: CrdCatalog;
  verdict: VerdictEnvironment;
}

export interface EnvironmentPaths {
  config: string;
  /** Module folders to load, or a set already compiled (the cluster's PolicyModules: --policies-from cluster). */
  policies: readonly string[] | PolicySet;
  /** The state folder, or the objects already read from a cluster (`--kubeconfig`). */
  state: string | readonly unknown[];
}

export async function loadEnvironment(paths: EnvironmentPaths): Promise<LoadedEnvironment> {
  const loaders = new ProblemCollector();
  const config = loaders.attempt(() => loadPlatformConfig(paths.config));
  const given = paths.policies;
  const policies = loaders.attempt(() => ("modules" in given ? given : loadPolicySet(given)));
  const crds = loaders.attempt(() => loadCrdCatalog());
  const state = await loaders.attemptAsync(async () =>
    typeof paths.state === "string" ? loadClusterState(paths.state) : ClusterStateIndex.fromObjects(paths.state),
  );
  const loaded = loaders.results({ config, policies, crds, state });
  return { ...loaded, verdict: verdictEnvironment(loaded.config, loaded.policies, loaded.state, loaded.crds) };
}

export function verdictEnvironment(config: PlatformConfig, policies: PolicySet, state: ClusterStateIndex, crds: CrdCatalog): VerdictEnvironment {
  return {
    policies,
    config: configToCel(config),
    cluster: state.celValue(),
    crdFor: (apiVersion, kind) => crds.lookup(apiVersion, kind),
  };
}
