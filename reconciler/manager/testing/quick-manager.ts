// A ReconcilerManager for whole-reconciler tests: short debounces so a test
// sees each controller's pass at once, a silent logger, and a list of the
// started managers for the test's afterEach to stop.
import type { PlatformConfig } from "../../../core/config/platform-config.ts";
import type { KubeApi } from "../../../core/kube/object-api.ts";
import { silentLogger } from "../../../core/logger.ts";
import { ReconcilerManager } from "../reconciler-manager.ts";
import type { ReconcilerManagerOptions } from "../reconciler-manager.ts";

/** `extra`: further options (a clock, the background audit, …) over the quick defaults. */
export function startQuickManager(
  api: KubeApi,
  config: PlatformConfig,
  running: ReconcilerManager[],
  extra: Partial<ReconcilerManagerOptions> = {},
): ReconcilerManager {
  const manager = new ReconcilerManager({
    api,
    config,
    logger: silentLogger,
    appIdTableDebounceMs: 10,
    sweepDebounceMs: 10,
    edgeDebounceMs: 10,
    stopTimeoutMs: 1000,
    ...extra,
  });
  running.push(manager);
  manager.start();
  return manager;
}
