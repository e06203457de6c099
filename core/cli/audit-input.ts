// What `hostgate audit` and `hostgate diff` read: the existing objects and the
// environment they are judged in, built as `hostgate check` builds its own
// (core/environment.ts: config, policies, the cluster state index). The state
// folder is both the cluster the policies look up (indexes) and the objects
// judged. Every unusable input is reported at once, exit 2.
import { parseArgs } from "node:util";
import { loadEnvironment } from "../environment.ts";
import type { LoadedEnvironment } from "../environment.ts";
import { ProblemCollector, UsageError } from "../errors.ts";
import type { KubeObject } from "../kube/object-key.ts";
import { readManifests } from "../objects/index.ts";
import { verdictEnvironment } from "../environment.ts";
import type { VerdictEnvironment } from "../../policies/verdict.ts";
import { loadPolicySet } from "../../policies/engine/module-loader.ts";
import { DEFAULT_CONFIG, DEFAULT_STATE } from "./paths.ts";
import { readClusterObjects } from "./cluster-objects.ts";
import { auditedObjectsOf } from "../state/audited-objects.ts";
import type { ClusterDeps, ClusterSource } from "./cluster-objects.ts";
import { clusterClient } from "./cluster-objects.ts";
import { policiesFromProblems, readClusterPolicies } from "./cluster-policies.ts";
import type { PoliciesFrom } from "./cluster-policies.ts";
import type { PolicySet } from "../../policies/engine/module-loader.ts";

export type OutputFormat = "text" | "json";

/** The options `audit` and `diff` share; which of --policies and --current each requires or refuses is its own. */
export interface AuditOptions {
  state: string;
  /** --kubeconfig FILE: the objects are listed from that cluster instead of read from --state. */
  kubeconfig: string | undefined;
  /** --context NAME: that context of the --kubeconfig file instead of its current-context. */
  context: string | undefined;
  config: string;
  policies: string[] | undefined;
  current: string[] | undefined;
  /** --policies-from cluster: the set in force is the cluster's PolicyModules (needs --kubeconfig). */
  policiesFrom: PoliciesFrom;
  output: OutputFormat;
}

/**
 * Parses the shared options; the problems found (--state with --kubeconfig, a bad -o)
 * are returned for the command to add its own to and report at once.
 */
export function parseAuditOptions(command: "audit" | "diff", args: readonly string[]): { options: AuditOptions; problems: string[] } {
  let values;
  try {
    ({ values } = parseArgs({
      args: [...args],
      allowPositionals: false,
      options: {
        policies: { type: "string", multiple: true },
        current: { type: "string", multiple: true },
        state: { type: "string" },
        kubeconfig: { type: "string" },
        context: { type: "string" },
        "policies-from": { type: "string" },
        config: { type: "string" },
        output: { type: "string", short: "o" },
      },
    }));
  } catch (error) {
    throw new UsageError(`${command}: ${(error as Error).message}`, `Run \`hostgate ${command} --help\` for usage.`);
  }
  const problems = stateSourceProblems(command, values);
  // audit judges under --policies, diff under --current: the flag --policies-from cluster stands for.
  const replaced = command === "audit" ? ["--policies", values.policies] : ["--current", values.current];
  problems.push(
    ...policiesFromProblems(
      command,
      { policiesFrom: values["policies-from"], kubeconfig: values.kubeconfig, replaced: replaced[1] as string[] | undefined },
      replaced[0] as string,
    ),
  );
  const output = values.output ?? "text";
  if (output !== "text" && output !== "json") problems.push(`${command}: -o must be text or json (got "${output}")`);
  const options = {
    state: values.state ?? DEFAULT_STATE,
    kubeconfig: values.kubeconfig,
    context: values.context,
    config: values.config ?? DEFAULT_CONFIG,
    policies: values.policies,
    current: values.current,
    policiesFrom: (values["policies-from"] ?? "files") as PoliciesFrom,
  };
  return { options: { ...options, output: output as OutputFormat }, problems };
}

/**
 * The cluster's objects come from one place: a folder or a cluster, never both (which would win is a guess).
 * --context only chooses within --kubeconfig: without it the objects come from the state folder, which has no contexts.
 */
export function stateSourceProblems(
  command: string,
  given: { state?: string | undefined; kubeconfig?: string | undefined; context?: string | undefined },
): string[] {
  const problems: string[] = [];
  if (given.state !== undefined && given.kubeconfig !== undefined) {
    problems.push(
      `${command}: --state and --kubeconfig both name the cluster's objects; pass one (--state DIR for a folder, --kubeconfig FILE for a live cluster)`,
    );
  }
  if (given.context !== undefined && given.kubeconfig === undefined) {
    problems.push(`${command}: --context ${given.context} chooses a context of the --kubeconfig file, and none is given; pass --kubeconfig FILE too`);
  }
  return problems;
}

/** The cluster named by --kubeconfig (and --context), or undefined to read the state folder. */
export function clusterSource(given: { kubeconfig?: string | undefined; context?: string | undefined }): ClusterSource | undefined {
  return given.kubeconfig === undefined ? undefined : { kubeconfig: given.kubeconfig, context: given.context };
}

/** The objects in the state folder, each with a kind, an apiVersion and a name, else every one lacking them is named. */
export async function readObjects(state: string): Promise<KubeObject[]> {
  const manifests = await readManifests([state]);
  const problems: string[] = [];
  for (const { object, source } of manifests) {
    const metadata = (typeof object.metadata === "object" && object.metadata !== null ? object.metadata : {}) as { name?: unknown };
    const missing = [
      typeof object.apiVersion === "string" && object.apiVersion !== "" ? undefined : "apiVersion",
      typeof object.kind === "string" && object.kind !== "" ? undefined : "kind",
      typeof metadata.name === "string" && metadata.name !== "" ? undefined : "metadata.name",
    ].filter((field) => field !== undefined);
    if (missing.length > 0) problems.push(`${source}: the object has no ${missing.join(", ")}; objects read from a cluster always have them`);
  }
  if (problems.length > 0) throw new UsageError(...problems);
  return manifests.map((m) => m.object as KubeObject);
}

export interface AuditInput {
  objects: KubeObject[];
  environment: LoadedEnvironment;
  /** Kinds the cluster does not serve, for stderr. */
  notes: string[];
}

type StatePaths = { state: string; kubeconfig?: string | undefined; context?: string | undefined; policiesFrom?: PoliciesFrom };

/** The objects and the environment under `policies`, every loader's problem collected. */
export async function loadAuditInput(paths: { config: string; policies: readonly string[] } & StatePaths, deps: ClusterDeps = {}): Promise<AuditInput> {
  // The cluster is listed first: a cluster that cannot be listed fails alone, nothing else can be judged without it.
  const cluster = clusterSource(paths);
  const listed = cluster === undefined ? undefined : await readClusterObjects("audit", cluster, deps);
  const inForce = await policiesInForce("audit", paths, paths.policies, deps);
  const loaders = new ProblemCollector();
  const environment = await loaders.attemptAsync(() =>
    loadEnvironment({ config: paths.config, policies: inForce.policies, state: listed?.objects ?? paths.state }),
  );
  const objects = auditedObjectsOf(listed?.objects ?? (await loaders.attemptAsync(() => readObjects(paths.state))) ?? []);
  return { ...loadedOnce(loaders, { environment, objects }), notes: [...(listed?.notes ?? []), ...inForce.notes] };
}

/**
 * The set in force: the module folders given, or with --policies-from cluster
 * the cluster's PolicyModules compiled as its webhook compiles them.
 */
export async function policiesInForce(
  command: string,
  paths: StatePaths,
  folders: readonly string[],
  deps: ClusterDeps,
): Promise<{ policies: readonly string[] | PolicySet; notes: string[] }> {
  const cluster = clusterSource(paths);
  if (paths.policiesFrom !== "cluster" || cluster === undefined) return { policies: folders, notes: [] };
  return readClusterPolicies(command, clusterClient(command, cluster, deps));
}

/** The collector's results, a problem found by two loaders (the state folder is read twice) said once. */
function loadedOnce<T extends Record<string, unknown>>(loaders: ProblemCollector, values: T): { [K in keyof T]: NonNullable<T[K]> } {
  if (loaders.problems.length > 0) throw new UsageError(...new Set(loaders.problems));
  return loaders.results(values);
}

/** Both environments of a diff: the same objects, config and state, under the current and the proposed policies. */
export async function loadDiffInput(
  paths: { config: string; current: readonly string[]; proposed: readonly string[] } & StatePaths,
  deps: ClusterDeps = {},
): Promise<AuditInput & { proposed: VerdictEnvironment }> {
  const cluster = clusterSource(paths);
  const listed = cluster === undefined ? undefined : await readClusterObjects("diff", cluster, deps);
  const inForce = await policiesInForce("diff", paths, paths.current, deps);
  const loaders = new ProblemCollector();
  const environment = await loaders.attemptAsync(() =>
    loadEnvironment({ config: paths.config, policies: inForce.policies, state: listed?.objects ?? paths.state }),
  );
  const proposedPolicies = loaders.attempt(() => loadPolicySet(paths.proposed));
  const objects = auditedObjectsOf(listed?.objects ?? (await loaders.attemptAsync(() => readObjects(paths.state))) ?? []);
  const loaded = loadedOnce(loaders, { environment, proposedPolicies, objects });
  const { config, state, crds } = loaded.environment;
  const proposed = verdictEnvironment(config, loaded.proposedPolicies, state, crds);
  return { environment: loaded.environment, objects: loaded.objects, notes: [...(listed?.notes ?? []), ...inForce.notes], proposed };
}
