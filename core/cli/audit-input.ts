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

export type OutputFormat = "text" | "json";

/** The options `audit` and `diff` share; which of --policies and --current each requires or refuses is its own. */
export interface AuditOptions {
  state: string;
  config: string;
  policies: string[] | undefined;
  current: string[] | undefined;
  output: OutputFormat;
}

/**
 * Parses the shared options; the problems found (a --kubeconfig, a bad -o)
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
        config: { type: "string" },
        output: { type: "string", short: "o" },
      },
    }));
  } catch (error) {
    throw new UsageError(`${command}: ${(error as Error).message}`, `Run \`hostgate ${command} --help\` for usage.`);
  }
  const problems = refuseKubeconfig(command, values.kubeconfig);
  const output = values.output ?? "text";
  if (output !== "text" && output !== "json") problems.push(`${command}: -o must be text or json (got "${output}")`);
  const options = { state: values.state ?? DEFAULT_STATE, config: values.config ?? DEFAULT_CONFIG, policies: values.policies, current: values.current };
  return { options: { ...options, output: output as OutputFormat }, problems };
}

/**
 * hostgate reads no cluster yet (`check` has no --kubeconfig either): the
 * objects are exported to a folder first. Said plainly rather than as an
 * unknown option.
 */
function refuseKubeconfig(command: string, kubeconfig: string | undefined): string[] {
  if (kubeconfig === undefined) return [];
  return [
    `${command}: --kubeconfig is not supported yet; export the objects and pass the folder instead, e.g. ` +
      "`kubectl get domainroutes,hostnamegrants,domainclaims -A -o yaml > state/objects.yaml` then `--state state`",
  ];
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
}

/** The objects and the environment under `policies`, every loader's problem collected. */
export async function loadAuditInput(paths: { config: string; policies: readonly string[]; state: string }): Promise<AuditInput> {
  const loaders = new ProblemCollector();
  const environment = await loaders.attemptAsync(() => loadEnvironment(paths));
  const objects = await loaders.attemptAsync(() => readObjects(paths.state));
  return loadedOnce(loaders, { environment, objects });
}

/** The collector's results, a problem found by two loaders (the state folder is read twice) said once. */
function loadedOnce<T extends Record<string, unknown>>(loaders: ProblemCollector, values: T): { [K in keyof T]: NonNullable<T[K]> } {
  if (loaders.problems.length > 0) throw new UsageError(...new Set(loaders.problems));
  return loaders.results(values);
}

/** Both environments of a diff: the same objects, config and state, under the current and the proposed policies. */
export async function loadDiffInput(paths: {
  config: string;
  current: readonly string[];
  proposed: readonly string[];
  state: string;
}): Promise<AuditInput & { proposed: VerdictEnvironment }> {
  const loaders = new ProblemCollector();
  const environment = await loaders.attemptAsync(() => loadEnvironment({ config: paths.config, policies: paths.current, state: paths.state }));
  const proposedPolicies = loaders.attempt(() => loadPolicySet(paths.proposed));
  const objects = await loaders.attemptAsync(() => readObjects(paths.state));
  const loaded = loadedOnce(loaders, { environment, proposedPolicies, objects });
  const { config, state, crds } = loaded.environment;
  return { environment: loaded.environment, objects: loaded.objects, proposed: verdictEnvironment(config, loaded.proposedPolicies, state, crds) };
}
