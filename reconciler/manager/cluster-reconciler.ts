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
import { durationMs } from "../../core/config/duration.ts";
import type { BackgroundAuditSettings } from "../audit/background-audit.ts";

export async function startClusterReconciler(connection: unknown, settings: ReconcilerSettings, logger: Logger): Promise<BackgroundComponent> {
  const { clusterApi } = await import("../../core/kube/client-node-object-api.ts");
  const manager = new ReconcilerManager({
    api: clusterApi((connection as ClusterConnection).config),
    config: settings.config,
    logger,
    aws: await sdkAwsPorts(settings.config, logger),
    leaderElection: { namespace: settings.leaseNamespace, name: settings.leaseName, holderId: settings.holderId },
    ...auditOf(settings),
  });
  return componentOf(manager);
}

/** The background audit when the platform config turns it on (audit.reports), judging by the webhook's policy set. */
export function auditOf(settings: ReconcilerSettings): { audit?: BackgroundAuditSettings } {
  const audit = settings.config.audit;
  if (audit?.reports !== true) return {};
  if (settings.policies === undefined) throw new Error("audit.reports is on, but the reconciler was started without the policy set to audit by");
  return {
    audit: { policies: settings.policies, intervalMs: durationMs(audit.interval), ...(audit.maxObjects === undefined ? {} : { maxObjects: audit.maxObjects }) },
  };
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
