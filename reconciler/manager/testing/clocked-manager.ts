// The whole reconciler on a ManualClock, for tests of controllers that poll
// (certificates, DNS): short debounces, a silent logger, a fixed random, the
// fake AWS ports passed through; and waiting by moving the clock forward a
// second at a time between real turns of the event loop, so the controllers'
// polls cost no real time.
import assert from "node:assert/strict";
import type { ManualClock } from "../../../core/clock.ts";
import type { PlatformConfig } from "../../../core/config/platform-config.ts";
import type { KubeApi } from "../../../core/kube/object-api.ts";
import { silentLogger } from "../../../core/logger.ts";
import type { AwsPorts } from "../aws-ports.ts";
import { ReconcilerManager } from "../reconciler-manager.ts";

/** The reconciler (no leader election: it leads at once) on `api`, started, with `aws` exactly as given. */
export function startClockedManager(api: KubeApi, config: PlatformConfig, clock: ManualClock, aws: AwsPorts): ReconcilerManager {
  const manager = new ReconcilerManager({
    api,
    config,
    logger: silentLogger,
    clock,
    random: () => 0.5,
    appIdTableDebounceMs: 10,
    sweepDebounceMs: 10,
    edgeDebounceMs: 10,
    stopTimeoutMs: 1000,
    aws,
  });
  manager.start();
  return manager;
}

/** Waits until `check` holds, moving the manual clock a second at a time between real turns of the event loop. */
export async function until(what: string, clock: ManualClock, check: () => boolean, limitMs = 10 * 60_000): Promise<void> {
  for (let waited = 0; !check(); waited += 1000) {
    if (waited > limitMs) assert.fail(`${what}: not reached after ${limitMs / 1000} s of reconciler time`);
    await new Promise((resolve) => setTimeout(resolve, 2));
    clock.advance(1000);
  }
}
