// Which Kubernetes API server to talk to, and as whom. The precedence is
// controller-runtime's (the Go operator framework), so hostgate behaves like
// every other controller:
//
//   1. --kubeconfig FILE            (must exist and be valid)
//   2. KUBECONFIG=FILE[:FILE...]    (kubectl's merge: the first file to set a value wins)
//   3. in-cluster                   (KUBERNETES_SERVICE_HOST/PORT and the service account token)
//   4. ~/.kube/config               (when it exists)
//   otherwise: no cluster configured, which callers turn into local mode.
//
// A configuration that is present but broken is an error, never "no
// cluster": quietly serving verdicts from example files because a
// kubeconfig had a typo would be worse than not starting.
import { dirname, isAbsolute, join, delimiter as pathDelimiter } from "node:path";
import { existsSync, readFileSync } from "node:fs";
import { homedir } from "node:os";
import { isIPv6 } from "node:net";
import { KubeConfig } from "@kubernetes/client-node";
import { LineCounter, parseDocument } from "yaml";
import { InputError } from "../errors.ts";
import { yamlErrorProblem } from "../../policies/engine/yaml-problems.ts";

export const SERVICE_ACCOUNT_DIR = "/var/run/secrets/kubernetes.io/serviceaccount";

/** A kubeconfig (or in-cluster setting) that exists but cannot be used. */
export class KubeconfigError extends InputError {
  constructor(problems: readonly string[]) {
    super(problems, "the cluster connection is not usable");
  }
}

export type ConnectionSource = "--kubeconfig" | "KUBECONFIG" | "in-cluster" | "~/.kube/config";

export interface ClusterConnection {
  configured: true;
  config: KubeConfig;
  source: ConnectionSource;
  /** API server URL. */
  server: string;
  context: string;
  /** The kubeconfig files read (none in-cluster). */
  files: readonly string[];
  /** One line for logs: `https://10.0.0.1:443 (in-cluster service account)`. */
  description: string;
}

export interface NoClusterConfigured {
  configured: false;
  /** Why, for the log line announcing local mode. */
  reason: string;
}

export interface ConnectionOptions {
  /** --kubeconfig. */
  kubeconfig?: string;
  /**
   * --context: this kubeconfig context instead of current-context (kubectl's
   * meaning). Only a kubeconfig has contexts: with none (in-cluster, or no
   * cluster at all) it is an error.
   */
  context?: string;
  env?: Readonly<Record<string, string | undefined>>;
  /** Where `~` is; default the HOME variable, else the OS's home directory. */
  homeDir?: string;
  serviceAccountDir?: string;
  readFile?: (path: string) => string;
  exists?: (path: string) => boolean;
}

/**
 * @throws KubeconfigError naming the file (or setting) and what is wrong
 *   with it, for any configuration that is present but unusable.
 */
export function resolveClusterConnection(options: ConnectionOptions = {}): ClusterConnection | NoClusterConfigured {
  const env = options.env ?? process.env;
  const io = { readFile: options.readFile ?? ((p: string) => readFileSync(p, "utf8")), exists: options.exists ?? existsSync };
  const context = options.context;
  if (context === "") throw new KubeconfigError(["--context is empty; pass the name of a context in the kubeconfig (kubectl config get-contexts)"]);

  if (options.kubeconfig !== undefined) {
    if (options.kubeconfig === "") throw new KubeconfigError(["--kubeconfig is empty; pass the path of a kubeconfig file"]);
    if (!io.exists(options.kubeconfig))
      throw new KubeconfigError([`--kubeconfig ${options.kubeconfig}: no such file; check the path (relative paths start at ${process.cwd()})`]);
    return fromFiles([options.kubeconfig], "--kubeconfig", io, context);
  }

  const listed = (env.KUBECONFIG ?? "").split(pathDelimiter).filter((f) => f !== "");
  if (listed.length > 0) {
    // kubectl skips missing files in KUBECONFIG; all of them missing is a mistake worth stopping for.
    const present = listed.filter((f) => io.exists(f));
    if (present.length === 0)
      throw new KubeconfigError([`KUBECONFIG names ${listed.join(", ")}, and none of them exists; fix KUBECONFIG, or unset it to use the next source`]);
    return fromFiles(present, "KUBECONFIG", io, context);
  }

  const host = env.KUBERNETES_SERVICE_HOST ?? "";
  const port = env.KUBERNETES_SERVICE_PORT ?? "";
  if (host !== "" && port !== "") {
    if (context !== undefined)
      throw new KubeconfigError([
        `--context ${context}: the in-cluster service account has no contexts to choose from; pass --kubeconfig FILE (or set KUBECONFIG) together with --context`,
      ]);
    return inCluster(host, port, options.serviceAccountDir ?? SERVICE_ACCOUNT_DIR, io);
  }

  const home = options.homeDir ?? env.HOME ?? homedir();
  const defaultFile = join(home, ".kube", "config");
  if (io.exists(defaultFile)) return fromFiles([defaultFile], "~/.kube/config", io, context);

  // A context asked for where there is no kubeconfig is a mistake, not local mode.
  if (context !== undefined)
    throw new KubeconfigError([
      `--context ${context}: no kubeconfig to take it from (no --kubeconfig, KUBECONFIG is unset and ${defaultFile} does not exist); pass --kubeconfig FILE`,
    ]);

  return {
    configured: false,
    reason: `no cluster configured: no --kubeconfig, KUBECONFIG is unset, not in a pod (KUBERNETES_SERVICE_HOST is unset) and ${defaultFile} does not exist`,
  };
}

interface Io {
  readFile(path: string): string;
  exists(path: string): boolean;
}

function inCluster(host: string, port: string, dir: string, io: Io): ClusterConnection {
  const token = join(dir, "token");
  const ca = join(dir, "ca.crt");
  const missing = [token, ca].filter((f) => !io.exists(f));
  if (missing.length > 0) {
    throw new KubeconfigError([
      `running in a pod (KUBERNETES_SERVICE_HOST=${host}) but ${missing.join(" and ")} ${missing.length === 1 ? "is" : "are"} missing; mount the service account token (automountServiceAccountToken: true), or pass --kubeconfig or --state DIR`,
    ]);
  }
  const server = `https://${isIPv6(host) ? `[${host}]` : host}:${port}`;
  const config = new KubeConfig();
  config.loadFromOptions({
    clusters: [{ name: "in-cluster", server, caFile: ca, skipTLSVerify: false }],
    // client-node's tokenFile provider re-reads the token every minute: projected tokens rotate.
    users: [{ name: "service-account", authProvider: { name: "tokenFile", config: { tokenFile: token } } }],
    contexts: [{ name: "in-cluster", cluster: "in-cluster", user: "service-account" }],
    currentContext: "in-cluster",
  });
  return { configured: true, config, source: "in-cluster", server, context: "in-cluster", files: [], description: `${server} (in-cluster service account)` };
}

/** `chosen` (--context) replaces current-context, as kubectl's --context does; the files are not changed. */
function fromFiles(files: readonly string[], source: ConnectionSource, io: Io, chosen?: string): ClusterConnection {
  const problems: string[] = [];
  const merged = new KubeConfig();
  merged.loadFromOptions({ clusters: [], users: [], contexts: [], currentContext: "" });
  for (const file of files) {
    const config = readKubeconfig(file, io, problems);
    if (config !== undefined) mergeFirstWins(merged, config);
  }
  if (problems.length > 0) throw new KubeconfigError(problems);
  const where = files.join(", ");
  if (chosen !== undefined) {
    if (merged.getContextObject(chosen) === null)
      throw new KubeconfigError([`${where}: --context ${JSON.stringify(chosen)} names no context; contexts are: ${names(merged.getContexts())}`]);
    // client-node reads the cluster and user of the current context: make the chosen one current, in memory only.
    merged.setCurrentContext(chosen);
  }
  const context = merged.getContextObject(merged.getCurrentContext());
  if (merged.getCurrentContext() === "" || merged.getCurrentContext() === undefined) {
    throw new KubeconfigError([`${where}: no current-context is set; run kubectl config use-context NAME (contexts: ${names(merged.getContexts())})`]);
  }
  if (context === null) {
    throw new KubeconfigError([
      `${where}: current-context ${JSON.stringify(merged.getCurrentContext())} names no context; contexts are: ${names(merged.getContexts())}`,
    ]);
  }
  const cluster = merged.getCluster(context.cluster);
  if (cluster === null)
    problems.push(
      `${where}: context ${JSON.stringify(context.name)} names cluster ${JSON.stringify(context.cluster)}, which is not defined; clusters are: ${names(merged.getClusters())}`,
    );
  if (context.user !== undefined && context.user !== "" && merged.getUser(context.user) === null) {
    problems.push(
      `${where}: context ${JSON.stringify(context.name)} names user ${JSON.stringify(context.user)}, which is not defined; users are: ${names(merged.getUsers())}`,
    );
  }
  if (cluster !== null) {
    if (!/^https?:\/\/[^/]/.test(cluster.server))
      problems.push(
        `${where}: cluster ${JSON.stringify(cluster.name)} has server ${JSON.stringify(cluster.server)}, which is not an http(s) URL; use e.g. https://10.0.0.1:6443`,
      );
    if (cluster.caFile !== undefined && !io.exists(cluster.caFile))
      problems.push(`${where}: cluster ${JSON.stringify(cluster.name)}: certificate-authority ${cluster.caFile} does not exist`);
  }
  const user = context.user === undefined ? null : merged.getUser(context.user);
  for (const [field, file] of [
    ["client-certificate", user?.certFile],
    ["client-key", user?.keyFile],
  ] as const) {
    if (file !== undefined && !io.exists(file)) problems.push(`${where}: user ${JSON.stringify(user?.name)}: ${field} ${file} does not exist`);
  }
  if (problems.length > 0) throw new KubeconfigError(problems);
  const server = cluster!.server;
  return {
    configured: true,
    config: merged,
    source,
    server,
    context: context.name,
    files,
    description: `${server} (context ${context.name} from ${source === "KUBECONFIG" ? `KUBECONFIG ${where}` : where})`,
  };
}

function names(list: readonly { name: string }[]): string {
  return list.length === 0 ? "none" : list.map((x) => x.name).join(", ");
}

/** One kubeconfig file, with relative file references resolved against its folder; undefined (and problems) when unusable. */
function readKubeconfig(file: string, io: Io, problems: string[]): KubeConfig | undefined {
  let text: string;
  try {
    text = io.readFile(file);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    problems.push(`${file}: cannot read the kubeconfig (${code ?? String(error)}); check the path and its permissions`);
    return undefined;
  }
  const lineCounter = new LineCounter();
  const document = parseDocument(text, { lineCounter, prettyErrors: false });
  if (document.errors.length > 0) {
    problems.push(...document.errors.map((e) => yamlErrorProblem(file, lineCounter, e)));
    return undefined;
  }
  const value: unknown = document.toJS();
  if (value === null || typeof value !== "object" || Array.isArray(value)) {
    problems.push(`${file}: not a kubeconfig: expected a mapping with clusters, contexts, users and current-context`);
    return undefined;
  }
  const config = new KubeConfig();
  try {
    config.loadFromString(text);
  } catch (error) {
    // client-node names the entry, e.g. "clusters[0].cluster.server is missing".
    problems.push(`${file}: ${error instanceof Error ? error.message : String(error)}; fix that entry`);
    return undefined;
  }
  config.makePathsAbsolute(dirname(isAbsolute(file) ? file : join(process.cwd(), file)));
  return config;
}

/** kubectl's merge of KUBECONFIG files: the first file to define a name (or current-context) wins. */
function mergeFirstWins(into: KubeConfig, from: KubeConfig): void {
  if (!into.currentContext && from.currentContext) into.currentContext = from.currentContext;
  for (const cluster of from.clusters) if (into.getCluster(cluster.name) === null) into.addCluster(cluster);
  for (const user of from.users) if (into.getUser(user.name) === null) into.addUser(user);
  for (const context of from.contexts) if (into.getContextObject(context.name) === null) into.addContext(context);
}
