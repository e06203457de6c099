// Which state source a server runs on:
//
//   --state DIR given          → local mode on DIR, whatever cluster is configured
//   a cluster is configured    → cluster mode (list+watch), even while it is unreachable
//   no cluster configured      → local mode on the default directory
//   a broken cluster setting   → KubeconfigError: fix it, or pass --state DIR
//
// Cluster mode never degrades to local files: a webhook that cannot reach
// its API server stays unready rather than judging requests against example
// data.
import type { Clock } from "../../clock.ts";
import type { ClusterConnection, ConnectionOptions, NoClusterConfigured } from "../../kube/cluster-connection.ts";
import { resolveClusterConnection } from "../../kube/cluster-connection.ts";
import { ClientNodeListWatch } from "../../kube/client-node-list-watch.ts";
import type { ListWatchClient } from "../../kube/list-watch-client.ts";
import type { Logger } from "../../logger.ts";
import { silentLogger } from "../../logger.ts";
import { ClusterStateSource } from "./cluster-state-source.ts";
import { FileStateSource } from "./file-state-source.ts";
import type { StateSource } from "./state-source.ts";

export interface StateSourceChoice {
  /** --state DIR: local mode, even when a cluster is configured. */
  stateDirectory?: string;
  /** --kubeconfig FILE. */
  kubeconfig?: string;
  /** Local mode's directory when no cluster is configured and no --state was given. */
  defaultStateDirectory: string;
  env?: Readonly<Record<string, string | undefined>>;
  logger?: Logger;
  clock?: Clock;
  /** Finds the cluster connection; default resolveClusterConnection (tests replace it). */
  connect?: (options: ConnectionOptions) => ClusterConnection | NoClusterConfigured;
  /** Builds the API client for a connection; default the client-node adapter. */
  clientFor?: (connection: ClusterConnection) => ListWatchClient;
}

export interface SelectedStateSource {
  source: StateSource;
  mode: "cluster" | "local";
  /** Why this mode, for the start-up log line. */
  reason: string;
}

/** @throws KubeconfigError when a cluster configuration is present but unusable */
export function selectStateSource(choice: StateSourceChoice): SelectedStateSource {
  const logger = choice.logger ?? silentLogger;
  const clock = choice.clock === undefined ? {} : { clock: choice.clock };
  if (choice.stateDirectory !== undefined) {
    return {
      mode: "local",
      reason: `--state ${choice.stateDirectory} was given`,
      source: new FileStateSource({ directory: choice.stateDirectory, logger, ...clock }),
    };
  }
  const connect = choice.connect ?? resolveClusterConnection;
  const connection = connect({
    ...(choice.kubeconfig === undefined ? {} : { kubeconfig: choice.kubeconfig }),
    ...(choice.env === undefined ? {} : { env: choice.env }),
  });
  if (!connection.configured) {
    return {
      mode: "local",
      reason: `${connection.reason}; reading ${choice.defaultStateDirectory} instead`,
      source: new FileStateSource({ directory: choice.defaultStateDirectory, logger, ...clock }),
    };
  }
  const client = (choice.clientFor ?? ((c: ClusterConnection) => new ClientNodeListWatch(c.config)))(connection);
  return {
    mode: "cluster",
    reason: `cluster configured by ${connection.source}: ${connection.description}`,
    source: new ClusterStateSource({ client, description: connection.description, logger, ...clock }),
  };
}
