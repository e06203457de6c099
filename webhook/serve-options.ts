// `hostgate serve` flags, parsed and checked before anything starts, so a
// typo is one clear line and exit 2, not a half-started server.
import { randomUUID } from "node:crypto";
import { hostname } from "node:os";
import { parseArgs } from "node:util";
import { UsageError } from "../core/errors.ts";
import { dnsSubdomainProblems } from "../policies/schema/metadata.ts";
import { LOG_LEVELS } from "../core/logger.ts";
import type { LogLevel } from "../core/logger.ts";
import type { ListenAddress } from "./https-server.ts";
import { PORTAL_FLAGS, PORTAL_GROUPS_HEADER, PORTAL_MAX_HEADER_SIZE, PORTAL_USER_HEADER, parsePortalOptions } from "./serve-portal-options.ts";
import type { PortalOptions } from "./serve-portal-options.ts";

export const SERVE_USAGE = `Usage: hostgate serve [options]

Runs the admission webhook and, in cluster mode, the reconciler; with
--portal-listen, also the self-service page.

The webhook: POST /validate and POST /mutate take an admission.k8s.io/v1
AdmissionReview over HTTPS. The reconciler keeps each DomainRoute's Istio
objects, domain claim and the identity table equal to what it declares;
of several replicas, the holder of a coordination.k8s.io Lease reconciles
and the others stand by. /healthz, /readyz and /metrics are served over
plain HTTP on a separate port.

Modes:
  cluster  when a cluster is configured (--kubeconfig, in-cluster service
           account, KUBECONFIG or ~/.kube/config) and --state is not given:
           HostnameGrants and DomainRoutes are listed and watched; the
           serving certificate is self-managed in a Secret (or --tls-cert).
           A configured cluster that cannot be reached is never replaced by
           local state: the webhook stays unready and keeps retrying.
  local    with --state DIR, or when no cluster is configured: the state is
           read from YAML under DIR and reloaded when files change; a local
           CA and serving certificate are written to --tls-dir.

Options:
  --only COMPONENT           run only the webhook, only the reconciler or only
                             the self-service page (portal; needs
                             --portal-listen): deploy/ runs each as its own
                             Deployment; default: both in cluster mode, the
                             webhook in local mode, plus the page with
                             --portal-listen
  --listen HOST:PORT         HTTPS address (local default 127.0.0.1:8443,
                             cluster default 0.0.0.0:8443)
  --health-listen HOST:PORT  plain-HTTP probes and metrics (local default
                             127.0.0.1:8080, cluster default 0.0.0.0:8080;
                             port 8081 when --portal-listen takes 8080)
  --config FILE              platform config (default: examples/platform-config.yaml)
  --policies DIR             policy modules (repeatable; default: the built-in library)
  --policies-from SOURCE     where the policy set comes from: files (default:
                             --policies, else the built-in library, loaded at
                             start) or cluster (cluster mode: the cluster's
                             PolicyModule objects, watched; a change is in
                             force within about a second, no restart)
  --state DIR                local mode: cluster state from YAML under DIR
  --kubeconfig FILE          cluster mode with this kubeconfig
  --tls-cert FILE            serving certificate (PEM) instead of a self-managed
  --tls-key FILE             one; both or neither; reloaded when the files change
  --tls-dir DIR              local mode: where ca.crt, tls.crt and tls.key are
                             written (default .hostgate/tls)
  --namespace NS             cluster mode: hostgate's namespace, for the
                             webhook's Secret and the reconciler's Lease
                             (default: $POD_NAMESPACE, else hostgate-system)
  --service NAME             cluster mode: the webhook's Service name, for the
                             certificate's DNS names (default hostgate-webhook)
  --shutdown-delay DURATION  keep serving this long after SIGTERM while
                             readiness fails (cluster default 5s, local 0s)
  --shutdown-timeout DURATION
                             then wait at most this long for in-flight reviews
                             (default 20s)
  --body-limit BYTES         largest request body accepted (default 8388608;
                             larger bodies get 413)
  --impact-objects-max N     most existing objects the webhook keeps in
                             cluster mode (whole, minus managedFields) to warn
                             what a PolicyModule change would deny (default
                             50000, about 80 MB of DomainRoutes; above it, or
                             past 60% of the heap, the cache is dropped and
                             the warning says so). 0, in either mode: no
                             impact is computed, the warning says to run
                             hostgate diff. Never affects admission
  --lease-name NAME          reconciler: the leader-election Lease, in
                             --namespace (default hostgate-reconciler)
  --identity NAME            reconciler: this replica's name in the Lease
                             (default: $POD_NAME, else HOSTNAME_RANDOM)
  --log-level LEVEL          debug, info (default), warn, error or silent

The self-service page (off unless --portal-listen is given): people see and
edit the DomainRoutes of their namespaces in a browser. In cluster mode every
request runs as the person (Kubernetes impersonation: the cluster's RBAC
decides); in local mode the page checks routes against --state and writes
nothing. Who is asking comes from exactly one of:
  --portal-trusted-proxy CIDR  the login proxy's addresses (repeatable): its
                             user and group headers are believed only from a
                             TCP peer inside one of them
  --portal-proxy-client-ca FILE
                             instead: the login proxy proves itself with a
                             client certificate signed by this CA (needs
                             --portal-tls-cert/--portal-tls-key) ...
  --portal-proxy-name CN     ... whose CN is one of these (repeatable)
  --portal-as USER[:GROUP,GROUP]
                             local mode only: one fixed identity (the page
                             then answers only requests to localhost/127.x
                             unless --portal-origin is given)
The page's other options:
  --portal-listen HOST:PORT  the page's own address, e.g. 127.0.0.1:8080
  --portal-user-header NAME  the person's user name (default ${PORTAL_USER_HEADER})
  --portal-groups-header NAME
                             their groups, comma-separated and/or one per
                             line (default ${PORTAL_GROUPS_HEADER})
  --portal-tls-cert FILE     HTTPS for the page: certificate and key (PEM),
  --portal-tls-key FILE      both or neither; default plain HTTP
  --portal-origin URL        the page's origin as browsers see it, e.g.
                             https://routes.example.com (default: from Host)
  --portal-max-header-size BYTES
                             limit on a request's headers (default
                             ${PORTAL_MAX_HEADER_SIZE}); raise it for people in very many groups
  --portal-csrf-key-file FILE
                             the key (32 bytes or more) that signs the page's
                             CSRF tokens, the same file for every replica;
                             default a random key per process (then several
                             replicas need sticky sessions)

SIGTERM or SIGINT stops it gracefully. Exit status: 0 after a clean stop,
2 for unusable flags or input, 1 when it cannot start.`;

export const POLICY_SOURCES = ["files", "cluster"] as const;
export type PoliciesFrom = (typeof POLICY_SOURCES)[number];

export const COMPONENTS = ["webhook", "reconciler", "portal"] as const;
export type Component = (typeof COMPONENTS)[number];

export interface ServeOptions {
  /** Run only this component; undefined: both where they can run. */
  only?: Component;
  leaseName: string;
  /** This replica's holder id in the leader-election Lease (--identity, else POD_NAME). */
  holderId: string;
  listen?: ListenAddress;
  healthListen?: ListenAddress;
  config?: string;
  policies: string[];
  /** files: --policies or the built-in library, loaded once; cluster: the cluster's PolicyModules, watched. */
  policiesFrom: PoliciesFrom;
  state?: string;
  kubeconfig?: string;
  tlsCert?: string;
  tlsKey?: string;
  tlsDir: string;
  namespace: string;
  service: string;
  shutdownDelayMs?: number;
  shutdownTimeoutMs: number;
  bodyLimitBytes: number;
  /** --impact-objects-max: objects the existing-objects cache may hold (0: no cache, no impact computed). */
  impactObjectsMax: number;
  logLevel: LogLevel;
  /** The self-service page (--portal-listen and the other --portal-* flags); undefined: off. */
  portal?: PortalOptions;
}

/** Default --impact-objects-max: the cache's default bound (core/state/sources/existing-objects-cache.ts). */
export const DEFAULT_IMPACT_OBJECTS_MAX = 50_000;

/** The impact warning with --impact-objects-max 0 (at most 105 characters: see policies/audit/module-impact.ts). */
export const IMPACT_DISABLED = "impact on existing objects not computed (--impact-objects-max 0); run hostgate diff";
/** The impact warning when the cache of existing objects could not be built (the log says why). */
export const IMPACT_CACHE_FAILED = "impact on existing objects not computed: its cache did not start (see the log); run hostgate diff";

export function parseServeOptions(args: readonly string[], env: NodeJS.ProcessEnv = process.env): ServeOptions {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...args],
      strict: true,
      allowPositionals: false,
      options: {
        listen: { type: "string" },
        "health-listen": { type: "string" },
        config: { type: "string" },
        policies: { type: "string", multiple: true },
        "policies-from": { type: "string" },
        state: { type: "string" },
        kubeconfig: { type: "string" },
        "tls-cert": { type: "string" },
        "tls-key": { type: "string" },
        "tls-dir": { type: "string" },
        namespace: { type: "string" },
        service: { type: "string" },
        "shutdown-delay": { type: "string" },
        "shutdown-timeout": { type: "string" },
        "body-limit": { type: "string" },
        "impact-objects-max": { type: "string" },
        "log-level": { type: "string" },
        only: { type: "string" },
        "lease-name": { type: "string" },
        identity: { type: "string" },
        ...PORTAL_FLAGS,
      },
    });
  } catch (error) {
    throw new UsageError(`${(error as Error).message}; see \`hostgate serve --help\``);
  }
  const v = parsed.values;
  const problems: string[] = [];
  const attempt = <T>(read: () => T): T | undefined => {
    try {
      return read();
    } catch (error) {
      problems.push((error as Error).message);
      return undefined;
    }
  };
  if ((v["tls-cert"] === undefined) !== (v["tls-key"] === undefined))
    problems.push("--tls-cert and --tls-key go together: give both files (certificate and its private key) or neither");
  if (v.state !== undefined && v.kubeconfig !== undefined) problems.push("--state (local mode) and --kubeconfig (cluster mode) exclude each other; give one");
  const logLevel = v["log-level"] ?? "info";
  if (!(LOG_LEVELS as readonly string[]).includes(logLevel)) problems.push(`--log-level ${JSON.stringify(logLevel)} is not one of ${LOG_LEVELS.join(", ")}`);
  if (v.only !== undefined && !(COMPONENTS as readonly string[]).includes(v.only))
    problems.push(`--only ${JSON.stringify(v.only)} is not one of ${COMPONENTS.join(", ")}`);
  if (v.only === "reconciler" && v.state !== undefined)
    problems.push("--only reconciler and --state exclude each other: the reconciler needs a cluster, and --state is local mode (no cluster)");
  const portal = parsePortalOptions(v, problems, parseListen);
  if (v.only === "portal" && v["portal-listen"] === undefined)
    problems.push("--only portal runs the self-service page alone, which needs --portal-listen HOST:PORT");
  if ((v.only === "webhook" || v.only === "reconciler") && v["portal-listen"] !== undefined)
    problems.push(
      `--only ${v.only} and --portal-listen exclude each other: --only runs one component; drop --only to run the page with it, or use --only portal`,
    );
  const policiesFrom = v["policies-from"] ?? "files";
  if (!(POLICY_SOURCES as readonly string[]).includes(policiesFrom))
    problems.push(`--policies-from ${JSON.stringify(policiesFrom)} is not one of ${POLICY_SOURCES.join(", ")}`);
  if (policiesFrom === "cluster" && v.policies !== undefined)
    problems.push("--policies DIR and --policies-from cluster exclude each other: the set is either files or the cluster's PolicyModules");
  if (policiesFrom === "cluster" && v.state !== undefined)
    problems.push("--policies-from cluster and --state exclude each other: PolicyModules are read from a cluster, and --state is local mode (no cluster)");
  const leaseNameProblems = v["lease-name"] === undefined ? [] : dnsSubdomainProblems(v["lease-name"]);
  if (leaseNameProblems.length > 0)
    problems.push(`--lease-name ${JSON.stringify(v["lease-name"])} is not a valid object name: ${leaseNameProblems.join("; ")}`);
  const holderId = v.identity ?? (env.POD_NAME || `${hostname()}_${randomUUID()}`);
  if (holderId === "" || holderId.length > 253) problems.push("--identity must be 1 to 253 characters: it is written into the Lease's holderIdentity");
  const options: ServeOptions = {
    ...(v.only !== undefined ? { only: v.only as Component } : {}),
    leaseName: v["lease-name"] ?? "hostgate-reconciler",
    holderId,
    ...(v.listen !== undefined ? { listen: attempt(() => parseListen("--listen", v.listen!)) } : {}),
    ...(v["health-listen"] !== undefined ? { healthListen: attempt(() => parseListen("--health-listen", v["health-listen"]!)) } : {}),
    ...(v.config !== undefined ? { config: v.config } : {}),
    policies: v.policies ?? [],
    policiesFrom: policiesFrom as PoliciesFrom,
    ...(v.state !== undefined ? { state: v.state } : {}),
    ...(v.kubeconfig !== undefined ? { kubeconfig: v.kubeconfig } : {}),
    ...(v["tls-cert"] !== undefined ? { tlsCert: v["tls-cert"] } : {}),
    ...(v["tls-key"] !== undefined ? { tlsKey: v["tls-key"] } : {}),
    tlsDir: v["tls-dir"] ?? ".hostgate/tls",
    namespace: v.namespace ?? (env.POD_NAMESPACE || "hostgate-system"),
    service: v.service ?? "hostgate-webhook",
    ...(v["shutdown-delay"] !== undefined ? { shutdownDelayMs: attempt(() => parseDuration("--shutdown-delay", v["shutdown-delay"]!)) } : {}),
    shutdownTimeoutMs: v["shutdown-timeout"] !== undefined ? (attempt(() => parseDuration("--shutdown-timeout", v["shutdown-timeout"]!)) ?? 0) : 20_000,
    bodyLimitBytes: v["body-limit"] !== undefined ? (attempt(() => parseBytes("--body-limit", v["body-limit"]!)) ?? 0) : 8 * 1024 * 1024,
    impactObjectsMax:
      v["impact-objects-max"] !== undefined
        ? (attempt(() => parseObjectCount("--impact-objects-max", v["impact-objects-max"]!)) ?? 0)
        : DEFAULT_IMPACT_OBJECTS_MAX,
    logLevel: logLevel as LogLevel,
    ...(portal === undefined ? {} : { portal }),
  };
  if (problems.length > 0) throw new UsageError(...problems);
  return options;
}

/** `HOST:PORT`, `[IPv6]:PORT` or `:PORT` (all interfaces). */
export function parseListen(flag: string, text: string): ListenAddress {
  const match = /^(?:\[([0-9a-fA-F:.]+)\]|([^:[\]]*)):(\d{1,5})$/.exec(text);
  const port = match ? Number(match[3]) : NaN;
  if (!match || port > 65535) throw new Error(`${flag} ${JSON.stringify(text)} is not HOST:PORT (e.g. 127.0.0.1:8443, [::1]:8443 or :8443; port 0-65535)`);
  const host = match[1] ?? (match[2] === "" ? "0.0.0.0" : match[2]!);
  return { host, port };
}

/** `500ms`, `5s`, `1m` or a bare number of seconds. */
export function parseDuration(flag: string, text: string): number {
  const match = /^(\d+(?:\.\d+)?)(ms|s|m)?$/.exec(text.trim());
  if (!match) throw new Error(`${flag} ${JSON.stringify(text)} is not a duration (e.g. 500ms, 5s, 1m)`);
  const value = Number(match[1]);
  const ms = match[2] === "ms" ? value : match[2] === "m" ? value * 60_000 : value * 1000;
  if (ms > 10 * 60_000) throw new Error(`${flag} ${text} is longer than 10m; a shutdown that long outlives any pod's termination grace period`);
  return ms;
}

/** A whole number of objects, 0 to 10,000,000 (far beyond what any webhook's memory holds whole). */
function parseObjectCount(flag: string, text: string): number {
  if (!/^\d+$/.test(text) || Number(text) > 10_000_000)
    throw new Error(`${flag} ${JSON.stringify(text)} must be a whole number of objects from 0 (keep none) to 10000000 (default ${DEFAULT_IMPACT_OBJECTS_MAX})`);
  return Number(text);
}

function parseBytes(flag: string, text: string): number {
  if (!/^\d+$/.test(text) || Number(text) < 1024 || Number(text) > 64 * 1024 * 1024)
    throw new Error(`${flag} ${JSON.stringify(text)} must be a number of bytes between 1024 and 67108864`);
  return Number(text);
}
