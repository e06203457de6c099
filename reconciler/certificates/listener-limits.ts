// How many certificates each listener may hold: its pool member's
// capacity.certificates (core/config/edge-pool.ts). A class of one entry
// has certificates.listenerCertificateLimit there, so a config without pools
// keeps its limit. Two members naming one listener (the config's checks
// refuse it) would get the smaller of their limits: never more than either allows.
import { allPoolMembers } from "../../core/config/edge-pool.ts";
import type { PlatformConfig } from "../../core/config/platform-config.ts";

/** listenerArn → the certificates it may hold besides its default. */
export function listenerLimits(config: PlatformConfig): Map<string, number> {
  const limits = new Map<string, number>();
  for (const { entry, capacity } of allPoolMembers(config)) {
    if (entry.listenerArn === undefined) continue;
    limits.set(entry.listenerArn, Math.min(capacity.certificates, limits.get(entry.listenerArn) ?? Number.POSITIVE_INFINITY));
  }
  return limits;
}
