// Kubernetes Events about a DomainRoute (what `kubectl describe` shows), on
// condition transitions only, so a steady state adds nothing. Recording is
// best effort: an event that cannot be written is logged, never a failed
// reconcile.
import { createHash } from "node:crypto";
import type { Clock } from "../../core/clock.ts";
import { formatTime } from "../../core/clock.ts";
import type { Logger } from "../../core/logger.ts";
import type { ObjectApi } from "../../core/kube/object-api.ts";
import type { KubeObject } from "../../core/kube/object-key.ts";
import { EVENTS } from "../resources.ts";

export const EVENT_SOURCE = "hostgate-reconciler";

export interface EventRecorder {
  record(regarding: KubeObject, type: "Normal" | "Warning", reason: string, message: string): Promise<void>;
}

export function apiEventRecorder(api: ObjectApi, clock: Clock, logger: Logger): EventRecorder {
  let sequence = 0;
  return {
    async record(regarding, type, reason, message) {
      const metadata = regarding.metadata ?? {};
      const time = formatTime(clock.now());
      const suffix = createHash("sha256").update(`${metadata.uid}|${reason}|${time}|${++sequence}`).digest("hex").slice(0, 16);
      const event: KubeObject = {
        apiVersion: "v1",
        kind: "Event",
        metadata: { name: `${metadata.name}.${suffix}`, namespace: metadata.namespace ?? "default" },
        involvedObject: {
          apiVersion: regarding.apiVersion,
          kind: regarding.kind,
          name: metadata.name,
          namespace: metadata.namespace,
          uid: metadata.uid,
          resourceVersion: metadata.resourceVersion,
        },
        type,
        reason,
        message: message.length > 1024 ? `${message.slice(0, 1021)}...` : message,
        source: { component: EVENT_SOURCE },
        reportingComponent: EVENT_SOURCE,
        firstTimestamp: time,
        lastTimestamp: time,
        count: 1,
      };
      try {
        await api.create(EVENTS, event);
      } catch (error) {
        logger.warn(
          { object: `${metadata.namespace}/${metadata.name}`, reason, error: error instanceof Error ? error.message : String(error) },
          "could not record an event",
        );
      }
    },
  };
}
