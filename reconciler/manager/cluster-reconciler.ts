// The reconciler on a real cluster, as `hostgate serve` starts it: client-node's
// object API and list/watch over the kubeconfig's credentials, and leader
// election among the replicas. Imported on first use (the Kubernetes client
// is heavy), like the webhook's cluster sources. The AWS clients DNS and
// certificates need come from the SDK's default chain (sdk-aws-ports.ts).
import type { BackgroundComponent, ReconcilerSettings } from "../../core/cli/serve-component.ts";
import type { ClusterConnection } from "../../core/kube/cluster-connection.ts";
import type { Logger } from "../../core/logger.ts";
import { registerReconcilerMetrics } from "./metrics.ts";
import { ReconcilerManager } from "./reconciler-manager.ts";
import { sdkAwsPorts } from "./sdk-aws-ports.ts";

export async function startClusterReconciler(connection: unknown, settings: ReconcilerSettings, logger: Logger): Promise<BackgroundComponent> {
  const { clusterApi } = await import("../../core/kube/client-node-object-api.ts");
  const manager = new ReconcilerManager({
    api: clusterApi((connection as ClusterConnection).config),
    config: settings.config,
    logger,
    aws: await sdkAwsPorts(settings.config, logger),
    leaderElection: { namespace: settings.leaseNamespace, name: settings.leaseName, holderId: settings.holderId },
  });
  return componentOf(manager);
}

/** The manager as `hostgate serve` sees it; started here. */
export function componentOf(manager: ReconcilerManager): BackgroundComponent {
  manager.start();
  return {
    notReadyReason: () => manager.notReadyReason(),
    registerMetrics: (registry) => registerReconcilerMetrics(registry, manager),
    stop: () => manager.stop(),
    refused: () => manager.refused(),
  };
}
