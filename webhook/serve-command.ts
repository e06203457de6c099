// `hostgate serve`: loads the policies and platform config, picks the mode
// (cluster or local), starts the state source and the certificate source,
// runs the webhook until SIGTERM/SIGINT and stops it gracefully. The sources
// are made by injected factories, so tests run the real command with fakes.
import { resolve } from "node:path";
import type { Command } from "../core/cli/main.ts";
import type { CommandResult } from "../core/errors.ts";
import { isReportable, ProblemCollector, UsageError } from "../core/errors.ts";
import { configToCel, loadPlatformConfig } from "../core/config/index.ts";
import type { PlatformConfig } from "../core/config/index.ts";
import { BUILTIN_POLICIES, DEFAULT_CONFIG } from "../core/cli/paths.ts";
import type { Logger, LogLevel, ProcessLogger } from "../core/logger.ts";
import { processLogger } from "../core/logger.ts";
import { loadPolicySet } from "../policies/engine/module-loader.ts";
import type { PolicySet } from "../policies/engine/module-loader.ts";
import { registerCertificateMetrics } from "../certs/metrics.ts";
import type { CertificateMetricsSource } from "../certs/metrics.ts";
import { localBanner } from "./local-banner.ts";
import { realServeDependencies } from "./serve-dependencies.ts";
import { parseServeOptions, SERVE_USAGE } from "./serve-options.ts";
import type { ServeOptions } from "./serve-options.ts";
import { startWebhook } from "./webhook.ts";
import type { PolicyStateSource, RunningWebhook, ServingCertificate } from "./webhook.ts";

export interface StateSourceHandle extends PolicyStateSource {
  start(): Promise<void>;
  stop(): Promise<void> | void;
  /** For the banner and logs, e.g. "examples/state (3 grants, 4 routes), watched". */
  describe(): string;
}

export interface CertificateHandle extends ServingCertificate, Omit<CertificateMetricsSource, "current"> {
  current(): ReturnType<CertificateMetricsSource["current"]>;
  start(): Promise<void>;
  stop(): Promise<void> | void;
}

/** A cluster to talk to, as the Kubernetes plumbing found it. */
export interface ClusterTarget {
  /** Where the configuration came from, for logs ("in-cluster", "/home/me/.kube/config (context x)"). */
  description: string;
  /** Opaque to the webhook; the factories below know what it is. */
  config: unknown;
}

export interface ServeDependencies {
  /** undefined when no cluster is configured (local mode); throws a UsageError for a broken --kubeconfig. */
  findCluster(kubeconfig: string | undefined): Promise<ClusterTarget | undefined> | ClusterTarget | undefined;
  localState(dir: string, logger: Logger): StateSourceHandle;
  clusterState(cluster: ClusterTarget, logger: Logger): Promise<StateSourceHandle> | StateSourceHandle;
  localCertificate(dir: string, logger: Logger): CertificateHandle;
  clusterCertificate(cluster: ClusterTarget, names: { namespace: string; service: string }, logger: Logger): Promise<CertificateHandle> | CertificateHandle;
  fileCertificate(certFile: string, keyFile: string, logger: Logger): CertificateHandle;
  logger(level: LogLevel): ProcessLogger;
  /** Calls `stop` on SIGTERM/SIGINT; returns the function that removes the handlers. */
  onStopSignal(stop: (signal: string) => void): () => void;
  print(text: string): void;
}

/** Where `serve` looks for state in local mode when --state is not given. */
export const DEFAULT_LOCAL_STATE = "examples/state";

export function serveCommand(deps: () => ServeDependencies): Command {
  return { summary: "run the admission webhook (HTTPS AdmissionReview v1)", usage: SERVE_USAGE, run: (args) => runServe(args, deps()) };
}

export async function runServe(args: readonly string[], deps: ServeDependencies): Promise<CommandResult> {
  const options = parseServeOptions(args);
  const cluster = options.state === undefined ? await deps.findCluster(options.kubeconfig) : undefined;
  const local = cluster === undefined;
  // The bundled example config names example.com zones: fine on a laptop,
  // wrong on a real cluster, where it would judge against made-up zones.
  if (!local && options.config === undefined) throw new UsageError(`cluster mode (${cluster.description}) needs --config FILE, the platform config (deploy/ mounts it from a ConfigMap); the bundled example config is only used locally`);
  const { policies, config } = loadInputs(options);
  const logger = deps.logger(options.logLevel);
  const stateDir = options.state ?? DEFAULT_LOCAL_STATE;
  const state = local ? deps.localState(stateDir, logger) : await deps.clusterState(cluster, logger);
  const certificate =
    options.tlsCert !== undefined && options.tlsKey !== undefined
      ? deps.fileCertificate(options.tlsCert, options.tlsKey, logger)
      : local
        ? deps.localCertificate(options.tlsDir, logger)
        : await deps.clusterCertificate(cluster, { namespace: options.namespace, service: options.service }, logger);

  let webhook: RunningWebhook | undefined;
  let stopRequested: ((signal: string) => void) | undefined;
  const stopped = new Promise<string>((resolve) => (stopRequested = resolve));
  const removeSignals = deps.onStopSignal((signal) => stopRequested?.(signal));
  const stopSources = async () => {
    await Promise.allSettled([Promise.resolve(state.stop()), Promise.resolve(certificate.stop())]);
  };

  try {
    // Local state must load before serving (a bad directory is exit 2);
    // the cluster cache syncs in the background while /readyz says so.
    await state.start();
    const certificateReady = certificate.start();
    // Awaited by startWebhook after the health port is up; if that fails
    // first, this rejection must not surface later as an unhandled one.
    certificateReady.catch(() => {});
    const started = startWebhook({
      policies,
      config: configToCel(config),
      state,
      certificate,
      certificateReady,
      listen: options.listen ?? { host: local ? "127.0.0.1" : "0.0.0.0", port: 8443 },
      healthListen: options.healthListen ?? { host: local ? "127.0.0.1" : "0.0.0.0", port: 8080 },
      logger,
      shutdownDelayMs: options.shutdownDelayMs ?? (local ? 0 : 5000),
      shutdownTimeoutMs: options.shutdownTimeoutMs,
      bodyLimitBytes: options.bodyLimitBytes,
    });
    const first = await Promise.race([started.then((w) => ({ w })), stopped.then((signal) => ({ signal }))]);
    if ("signal" in first) {
      logger.info({ signal: first.signal }, "stop requested before the webhook was serving");
      void started.then((w) => w.stop(), () => undefined);
      return { output: "", exitCode: 0 };
    }
    webhook = first.w;
    registerCertificateMetrics(webhook.metrics.registry, certificate);
    logger.info({ mode: local ? "local" : "cluster", url: webhook.url, health: webhook.healthUrl, state: state.describe(), policies: policies.modules.length, ...(cluster ? { cluster: cluster.description } : {}) }, "webhook serving");
    if (local) deps.print(localBanner({ url: webhook.url, healthUrl: webhook.healthUrl, caFile: options.tlsCert === undefined ? resolve(options.tlsDir, "ca.crt") : undefined, state: state.describe(), policies: policies.modules.length }));

    const signal = await stopped;
    logger.info({ signal }, "stop requested");
    await webhook.stop();
    return { output: "", exitCode: 0 };
  } catch (error) {
    if (isReportable(error)) throw error;
    const message = error instanceof Error ? error.message : String(error);
    const code = (error as { code?: unknown }).code;
    const hint = code === "EADDRINUSE" ? "; another process listens there: stop it or pass --listen / --health-listen" : code === "EACCES" ? "; ports below 1024 need privileges: use a port above 1024" : "";
    return { output: "", exitCode: 1, notes: [`hostgate serve: cannot start: ${message}${hint}`] };
  } finally {
    removeSignals();
    await stopSources();
    logger.flush();
  }
}

function loadInputs(options: ServeOptions): { policies: PolicySet; config: PlatformConfig } {
  const loaders = new ProblemCollector();
  const config = loaders.attempt(() => loadPlatformConfig(options.config ?? DEFAULT_CONFIG));
  const policies = loaders.attempt(() => loadPolicySet(options.policies.length > 0 ? options.policies : [BUILTIN_POLICIES]));
  return loaders.results({ policies, config });
}

/** `hostgate serve`, on the real cluster, certificates and process. */
export const SERVE_COMMAND: Command = serveCommand(() => realServeDependencies());
