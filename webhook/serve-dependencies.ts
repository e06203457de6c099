// The real parts `hostgate serve` runs on: the Kubernetes connection and
// cache from core/, the certificates from certs/, pino on stdout and the
// process's signals. Tests pass their own ServeDependencies instead.
//
// Everything that talks to a cluster is imported on first use: the
// Kubernetes client library costs ~80 MB of resident memory and ~0.4 s to
// load, which local mode (`npm start`, --state) never needs.
import { fileCertificates, localCertificates } from "../certs/factories.ts";
import type { ClusterConnection } from "../core/kube/index.ts";
import { processLogger } from "../core/logger.ts";
import { FileStateSource } from "../core/state/sources/file-state-source.ts";
import type { ServeDependencies } from "./serve-command.ts";

export function realServeDependencies(): ServeDependencies {
  return {
    async findCluster(kubeconfig) {
      const { resolveClusterConnection } = await import("../core/kube/cluster-connection.ts");
      const connection = resolveClusterConnection(kubeconfig === undefined ? {} : { kubeconfig });
      return connection.configured ? { description: `${connection.description} (${connection.source})`, config: connection } : undefined;
    },
    localState: (directory, logger) => new FileStateSource({ directory, logger }),
    async clusterState(cluster, logger, heapGuard) {
      const connection = cluster.config as ClusterConnection;
      const [{ ClientNodeListWatch }, { ClusterStateSource }] = await Promise.all([
        import("../core/kube/client-node-list-watch.ts"),
        import("../core/state/sources/cluster-state-source.ts"),
      ]);
      return new ClusterStateSource({ client: new ClientNodeListWatch(connection.config), description: connection.description, logger, heapGuard });
    },
    async existingObjects(cluster, logger, { maxObjects, heapGuard }) {
      const connection = cluster.config as ClusterConnection;
      const [{ ClientNodeListWatch }, { ExistingObjectsCache }] = await Promise.all([
        import("../core/kube/client-node-list-watch.ts"),
        import("../core/state/sources/existing-objects-cache.ts"),
      ]);
      return new ExistingObjectsCache({ client: new ClientNodeListWatch(connection.config), logger, maxObjects, heapGuard });
    },
    async clusterPolicies(cluster, logger) {
      const connection = cluster.config as ClusterConnection;
      const [{ ClientNodeListWatch }, { clusterPolicyModules }] = await Promise.all([
        import("../core/kube/client-node-list-watch.ts"),
        import("./policy-set/cluster-policy-modules.ts"),
      ]);
      return clusterPolicyModules({ client: new ClientNodeListWatch(connection.config), logger });
    },
    localCertificate: (dir, logger) => localCertificates({ dir, logger }),
    async clusterCertificate(cluster, names, logger) {
      const connection = cluster.config as ClusterConnection;
      const { clusterCertificates } = await import("../certs/cluster-certificates.ts");
      return clusterCertificates({ kubeConfig: connection.config, namespace: names.namespace, serviceName: names.service, logger });
    },
    fileCertificate: (certFile, keyFile, logger) => fileCertificates({ certFile, keyFile, logger }),
    logger: (level, name) => processLogger(level, name),
    onStopSignal(stop) {
      let received = 0;
      const handlers = (["SIGTERM", "SIGINT"] as const).map((signal) => {
        const handler = () => {
          // A second signal means "now": the operator gave up on the graceful stop.
          if (++received > 1) {
            process.stderr.write(`hostgate serve: ${signal} again; exiting without waiting for in-flight reviews\n`);
            process.exit(1);
          }
          stop(signal);
        };
        process.on(signal, handler);
        return [signal, handler] as const;
      });
      return () => {
        for (const [signal, handler] of handlers) process.off(signal, handler);
      };
    },
    print: (text) => void process.stdout.write(text),
  };
}
