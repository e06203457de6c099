// `hostgate check`: what would `kubectl apply` answer for these objects?
// Reads the objects, pairs each with its stored version for UPDATE, and asks
// the same `decide` the webhook uses, with every phase on (the offline check
// also stands in for the API server's CRD schema step).
import { parseArgs } from "node:util";
import { readManifests } from "../objects/index.ts";
import type { Manifest } from "../objects/index.ts";
import { loadEnvironment } from "../environment.ts";
import type { LoadedEnvironment } from "../environment.ts";
import { decide } from "../../policies/verdict.ts";
import type { Finding, Verdict } from "../../policies/verdict.ts";
import type { AdmissionInput, JsonPatchOperation, Operation } from "../../policies/engine/types.ts";
import { splitApiVersion } from "../../policies/engine/types.ts";
import { BUILTIN_POLICIES, DEFAULT_CONFIG, DEFAULT_STATE } from "./paths.ts";
import { UsageError } from "../errors.ts";
import { clusterSource, policiesInForce, readObjects, stateSourceProblems } from "./audit-input.ts";
import { policiesFromProblems } from "./cluster-policies.ts";
import { auditedObjectsOf } from "../state/audited-objects.ts";
import type { PoliciesFrom } from "./cluster-policies.ts";
import { readClusterObjects } from "./cluster-objects.ts";
import type { ClusterDeps } from "./cluster-objects.ts";
import type { CommandResult } from "../errors.ts";

export const CHECK_USAGE = `Usage: hostgate check -f PATH [-f PATH ...] [options]

Answers, for every object in PATH (YAML or JSON files, multi-document,
directories read recursively), what \`kubectl apply\` would get: mutation,
then the CRD schema checks, then the validation policies.

Options:
  -f, --filename PATH      objects to check (repeatable; required)
      --state DIR          cluster state to check against (default: examples/state)
      --kubeconfig FILE    check against this cluster's objects instead (listed once; exclusive with --state)
      --context NAME       the --kubeconfig context to use (default: its current-context)
      --config FILE        platform config (default: examples/platform-config.yaml)
      --policies DIR       policy modules (repeatable; default: the built-in library)
      --policies-from SRC  files (default: --policies) or cluster: the PolicyModules of the --kubeconfig cluster, as its webhook enforces them
      --operation OP       CREATE (default), UPDATE or DELETE
      --old FILE           the stored objects, for UPDATE (paired by kind, namespace, name)
  -n, --namespace NS       namespace for objects that name none (default: "default")
  -o, --output FORMAT      text (default) or json

Exit status: 0 all allowed, 1 any denied, 2 unusable input.`;

/** One `-o json` entry (the documented shape), plus what text output needs. */
interface CheckedObject extends CheckEntry {
  /** False when neither a policy nor a CRD schema applies: "allowed" then means "not our business". */
  covered: boolean;
}

export interface CheckEntry {
  apiVersion: string;
  kind: string;
  namespace?: string;
  name: string;
  source: string;
  allowed: boolean;
  denials: Array<{ policy: string; message: string; field?: string }>;
  warnings: Array<{ policy: string; message: string; field?: string }>;
  patch: JsonPatchOperation[];
}

interface CheckOptions {
  files: string[];
  state: string;
  kubeconfig: string | undefined;
  context: string | undefined;
  config: string;
  policies: string[];
  policiesFrom: PoliciesFrom;
  operation: Operation;
  old: string | undefined;
  namespace: string | undefined;
  output: "text" | "json";
}

export function parseCheckArgs(args: readonly string[]): CheckOptions {
  let values;
  try {
    ({ values } = parseArgs({
      args: [...args],
      allowPositionals: false,
      options: {
        filename: { type: "string", short: "f", multiple: true },
        state: { type: "string" },
        kubeconfig: { type: "string" },
        context: { type: "string" },
        "policies-from": { type: "string" },
        config: { type: "string" },
        policies: { type: "string", multiple: true },
        operation: { type: "string" },
        old: { type: "string" },
        namespace: { type: "string", short: "n" },
        output: { type: "string", short: "o" },
      },
    }));
  } catch (error) {
    throw new UsageError(`check: ${(error as Error).message}`, "Run `hostgate check --help` for usage.");
  }
  const problems = stateSourceProblems("check", values);
  problems.push(
    ...policiesFromProblems("check", { policiesFrom: values["policies-from"], kubeconfig: values.kubeconfig, replaced: values.policies }, "--policies"),
  );
  if (!values.filename || values.filename.length === 0) problems.push("check: no objects given; pass -f PATH (a file or a directory)");
  const operation = (values.operation ?? "CREATE").toUpperCase();
  if (!["CREATE", "UPDATE", "DELETE"].includes(operation)) problems.push(`check: --operation must be CREATE, UPDATE or DELETE (got "${values.operation}")`);
  if (operation === "UPDATE" && values.old === undefined) problems.push("check: --operation UPDATE needs --old FILE, the objects as stored in the cluster");
  if (operation !== "UPDATE" && values.old !== undefined) problems.push("check: --old only applies to --operation UPDATE");
  const output = values.output ?? "text";
  if (output !== "text" && output !== "json") problems.push(`check: -o must be text or json (got "${output}")`);
  if (problems.length > 0) throw new UsageError(...problems);
  return {
    files: values.filename!,
    state: values.state ?? DEFAULT_STATE,
    kubeconfig: values.kubeconfig,
    context: values.context,
    config: values.config ?? DEFAULT_CONFIG,
    policies: values.policies ?? [BUILTIN_POLICIES],
    policiesFrom: (values["policies-from"] ?? "files") as PoliciesFrom,
    operation: operation as Operation,
    old: values.old,
    namespace: values.namespace,
    output: output as "text" | "json",
  };
}

/** Runs the check; returns the text to print and the exit code. */
export async function runCheck(args: readonly string[], deps: ClusterDeps = {}): Promise<CommandResult> {
  const options = parseCheckArgs(args);
  // --kubeconfig: the cluster's objects, listed once, stand where the state folder's would.
  const cluster = clusterSource(options);
  const listed = cluster === undefined ? undefined : await readClusterObjects("check", cluster, deps);
  const inForce = await policiesInForce("check", options, options.policies, deps);
  const environment = await loadEnvironment({ config: options.config, policies: inForce.policies, state: listed?.objects ?? options.state });
  const read = await readManifests(options.files);
  // hostgate's own files (its config, policy tests) are not
  // cluster objects; `check -f examples/` passes over them with a note.
  const manifests = read.filter((m) => !isHostgateFile(m.object));
  const notes = [
    ...(listed?.notes ?? []),
    ...inForce.notes,
    ...read.filter((m) => isHostgateFile(m.object)).map((m) => `skipped ${m.source}: a ${String(m.object.kind)} is a hostgate file, not a cluster object`),
  ];
  if (manifests.length === 0) throw new UsageError(`check: no Kubernetes objects found in ${options.files.join(", ")}`);
  const stored = options.old !== undefined ? await readManifests([options.old]) : [];

  // A PolicyModule is answered with its impact on the state's objects, as the
  // webhook answers it with its cache's (policies/audit/module-impact.ts).
  // Offline nobody is waiting on a timeout, so every object is checked.
  const modules = manifests.some((m) => m.object.apiVersion === "hostgate.dev/v1alpha1" && m.object.kind === "PolicyModule");
  const existing = !modules ? [] : auditedObjectsOf(listed?.objects ?? (await readObjects(options.state)));
  const judged = modules ? { ...environment, verdict: { ...environment.verdict, impact: { objects: () => existing, budgetMs: Infinity } } } : environment;
  const entries = manifests.map((manifest) => checkOne(manifest, stored, options, judged));
  const exitCode = entries.every((e) => e.allowed) ? 0 : 1;
  const json = entries.map(({ covered: _covered, ...entry }) => entry);
  return { output: options.output === "json" ? JSON.stringify(json, null, 2) : formatText(entries), exitCode, notes };
}

// A PolicyModule is both: a module file and a cluster object (hostgate.dev,
// cluster-scoped), which `check` judges as the webhook would: it must compile.
const HOSTGATE_FILE_KINDS = new Set(["PlatformConfig", "PolicyTest"]);

/** Cluster-scoped kinds of Kubernetes and of APIs next to hostgate ("group/Kind"); others are taken as namespaced. */
const CLUSTER_SCOPED_KINDS = new Set([
  "/Namespace",
  "/Node",
  "/PersistentVolume",
  "rbac.authorization.k8s.io/ClusterRole",
  "rbac.authorization.k8s.io/ClusterRoleBinding",
  "apiextensions.k8s.io/CustomResourceDefinition",
  "storage.k8s.io/StorageClass",
  "scheduling.k8s.io/PriorityClass",
  "admissionregistration.k8s.io/ValidatingWebhookConfiguration",
  "admissionregistration.k8s.io/MutatingWebhookConfiguration",
  "admissionregistration.k8s.io/ValidatingAdmissionPolicy",
  "admissionregistration.k8s.io/ValidatingAdmissionPolicyBinding",
  "networking.k8s.io/IngressClass",
  "gateway.networking.k8s.io/GatewayClass",
  "hostgate.dev/PolicyModule",
]);

function isHostgateFile(object: Record<string, unknown>): boolean {
  return object.apiVersion === "hostgate.dev/v1alpha1" && HOSTGATE_FILE_KINDS.has(String(object.kind));
}

function checkOne(manifest: Manifest, stored: readonly Manifest[], options: CheckOptions, environment: LoadedEnvironment): CheckedObject {
  const object = manifest.object;
  const apiVersion = String(object.apiVersion);
  const kind = String(object.kind);
  const metadata = (typeof object.metadata === "object" && object.metadata !== null ? object.metadata : {}) as { name?: unknown; namespace?: unknown };
  const name = typeof metadata.name === "string" ? metadata.name : "";
  const clusterScoped = environment.crds.lookup(apiVersion, kind)?.scope === "Cluster" || CLUSTER_SCOPED_KINDS.has(`${splitApiVersion(apiVersion)[0]}/${kind}`);
  const namespace = clusterScoped ? undefined : namespaceFor(metadata.namespace, options.namespace, manifest.source);
  if (name === "") throw new UsageError(`${manifest.source}: ${kind} has no metadata.name; kubectl apply needs one`);

  // The API server stamps the request namespace onto a namespaced object that names none.
  const incoming = withNamespace(object, namespace);
  const [group, version] = splitApiVersion(apiVersion);
  let oldObject: unknown = null;
  if (options.operation === "UPDATE") {
    const found = findStored(stored, apiVersion, kind, namespace, name);
    if (found === undefined) throw new UsageError(`${manifest.source}: --old holds no ${kind} ${namespace ? `${namespace}/` : ""}${name} to update`);
    // A stored object always has its namespace: without it, a finalizer
    // release would differ from the stored object in metadata.namespace alone.
    oldObject = withNamespace(found, namespace);
  }
  const deleting = options.operation === "DELETE";
  const input: AdmissionInput = {
    operation: options.operation,
    kind: { group, version, kind },
    namespace,
    name,
    object: deleting ? null : incoming,
    oldObject: deleting ? incoming : oldObject,
    userInfo: { username: "hostgate-check" },
    dryRun: true,
  };
  const verdict: Verdict = decide(input, environment.verdict);
  const strip = (f: Finding) => ({ policy: f.policy, message: f.message, ...(f.field !== undefined ? { field: f.field } : {}) });
  return {
    apiVersion,
    kind,
    ...(namespace !== undefined ? { namespace } : {}),
    name,
    source: manifest.source,
    allowed: verdict.allowed,
    denials: verdict.denials.map(strip),
    warnings: verdict.warnings.map(strip),
    patch: verdict.patch,
    covered: verdict.applied.policies.length > 0 || verdict.applied.schema,
  };
}

/** The object with metadata.namespace set to `namespace` when it names none (namespaced kinds only). */
function withNamespace(object: Record<string, unknown>, namespace: string | undefined): Record<string, unknown> {
  const metadata = (typeof object.metadata === "object" && object.metadata !== null ? object.metadata : {}) as Record<string, unknown>;
  return namespace !== undefined && metadata.namespace === undefined ? { ...object, metadata: { ...metadata, namespace } } : object;
}

function namespaceFor(own: unknown, flag: string | undefined, source: string): string {
  if (typeof own === "string" && own !== "") {
    if (flag !== undefined && flag !== own) {
      throw new UsageError(`${source}: the object's namespace "${own}" does not match --namespace "${flag}" (kubectl refuses this too)`);
    }
    return own;
  }
  return flag ?? "default";
}

function findStored(
  stored: readonly Manifest[],
  apiVersion: string,
  kind: string,
  namespace: string | undefined,
  name: string,
): Record<string, unknown> | undefined {
  const group = splitApiVersion(apiVersion)[0];
  return stored.find((m) => {
    const meta = (m.object.metadata ?? {}) as { name?: unknown; namespace?: unknown };
    const storedNamespace = typeof meta.namespace === "string" && meta.namespace !== "" ? meta.namespace : namespace === undefined ? undefined : "default";
    return splitApiVersion(String(m.object.apiVersion))[0] === group && m.object.kind === kind && meta.name === name && storedNamespace === namespace;
  })?.object;
}

export function formatText(entries: readonly CheckedObject[]): string {
  const lines: string[] = [];
  for (const e of entries) {
    const id = `${e.kind} ${e.namespace ? `${e.namespace}/` : ""}${e.name}`;
    lines.push(`${e.allowed ? "ALLOWED" : "DENIED "} ${id}  (${e.source})`);
    if (!e.covered) lines.push(`  (no hostgate policy or CRD schema applies to ${e.apiVersion} ${e.kind})`);
    // Messages name their field themselves; `-o json` carries it separately.
    for (const d of e.denials) lines.push(`  ✗ ${d.policy}: ${d.message}`);
    for (const w of e.warnings) lines.push(`  ! warning ${w.policy}: ${w.message}`);
    if (e.patch.length > 0)
      lines.push(`  ~ mutated: ${e.patch.map((p) => `${p.op} ${p.path}${p.value !== undefined ? ` = ${JSON.stringify(p.value)}` : ""}`).join("; ")}`);
  }
  const denied = entries.filter((e) => !e.allowed).length;
  lines.push("", `${entries.length} object${entries.length === 1 ? "" : "s"}: ${entries.length - denied} allowed, ${denied} denied`);
  return lines.join("\n");
}
