// What `hostgate serve` runs besides the webhook: a component that starts
// with the cluster, reports whether it is ready and what it measures, and
// stops on SIGTERM. The reconciler is one; bin/cli.ts hands its factory to
// the serve command, so the webhook's room never imports the reconciler's.
import type { Registry } from "prom-client";
import type { Logger } from "../logger.ts";
import type { PlatformConfig } from "../config/platform-config.ts";
import type { PolicySet } from "../../policies/engine/module-loader.ts";

export interface BackgroundComponent {
  /** undefined when ready, else why not (the /readyz check when it runs alone). */
  notReadyReason(): string | undefined;
  /** Adds its metrics to the registry behind /metrics. */
  registerMetrics(registry: Registry): void;
  /** Graceful: finishes or aborts the work in flight, gives up what it holds (a Lease). Safe to call twice. */
  stop(): Promise<void>;
  /**
   * Resolves with a message when the component refuses to go on after it
   * started (the reconciler's data-plane gate): serve stops everything and
   * exits non-zero with it. Never resolves otherwise.
   */
  refused?(): Promise<string>;
}

export interface ReconcilerSettings {
  config: PlatformConfig;
  /** Where the leader-election Lease lives. */
  leaseNamespace: string;
  leaseName: string;
  /** This replica's holder id in the Lease (the pod name). */
  holderId: string;
  /**
   * With `audit.reports`: the set the background audit judges by, the
   * webhook's (files: loaded; "cluster": the PolicyModules, watched).
   */
  policies?: PolicySet | "cluster";
}

/** Starts the reconciler against the cluster `connection` (core/kube ClusterConnection). Returns once started, not once synced. */
export type ReconcilerFactory = (connection: unknown, settings: ReconcilerSettings, logger: Logger) => Promise<BackgroundComponent>;
