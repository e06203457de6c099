// Assembles what a verdict needs from files: the platform config, the policy
// set, the cluster state and the CRD catalog. `hostgate check` uses it as is;
// the webhook uses the same pieces but fills the state from a watch cache.
// Every loader's failure is collected, so one run reports all unusable input.
import { loadCrdCatalog } from "../crds/catalog.ts";
import type { CrdCatalog } from "../crds/catalog.ts";
import { loadPolicySet } from "../policies/engine/module-loader.ts";
import type { PolicySet } from "../policies/engine/module-loader.ts";
import type { VerdictEnvironment } from "../policies/verdict.ts";
import { isReportable, problemsOf, UsageError } from "./errors.ts";
import { configToCel, loadPlatformConfig } from "./config/index.ts";
import type { PlatformConfig } from "./config/index.ts";
import { loadClusterState } from "./state/index.ts";
import type { ClusterStateIndex } from "./state/index.ts";

export interface LoadedEnvironment {
  config: PlatformConfig;
  policies: PolicySet;
  state: ClusterStateIndex;
  crds: CrdCatalog;
  verdict: VerdictEnvironment;
}

export interface EnvironmentPaths {
  config: string;
  policies: readonly string[];
  state: string;
}

export async function loadEnvironment(paths: EnvironmentPaths): Promise<LoadedEnvironment> {
  const problems: string[] = [];
  // Collect every loader's problems so one run reports all unusable input;
  // anything that is not a reported problem is a bug and propagates as one.
  const attempt = <T>(load: () => T): T | undefined => {
    try {
      return load();
    } catch (error) {
      if (!isReportable(error)) throw error;
      problems.push(...problemsOf(error));
      return undefined;
    }
  };
  const config = attempt(() => loadPlatformConfig(paths.config));
  const policies = attempt(() => loadPolicySet(paths.policies));
  const crds = attempt(() => loadCrdCatalog());
  let state: ClusterStateIndex | undefined;
  try {
    state = await loadClusterState(paths.state);
  } catch (error) {
    if (!isReportable(error)) throw error;
    problems.push(...problemsOf(error));
  }
  if (problems.length > 0 || !config || !policies || !crds || !state) throw new UsageError(...problems);
  return { config, policies, state, crds, verdict: verdictEnvironment(config, policies, state, crds) };
}

export function verdictEnvironment(config: PlatformConfig, policies: PolicySet, state: ClusterStateIndex, crds: CrdCatalog): VerdictEnvironment {
  return {
    policies,
    config: configToCel(config),
    cluster: state.celValue(),
    crdFor: (apiVersion, kind) => crds.lookup(apiVersion, kind),
  };
}
