// The platform config a team would write for the AWS set up in
// platform-setup.ts: examples/platform-config-aws.yaml with the real zone ids,
// load balancers and listeners filled in, a short resync so drift is
// restored within the run, written to a file and read back through the
// project's own loader (so the run also proves the config validates).
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { parseDocument } from "yaml";
import { EXAMPLES } from "../core/cli/paths.ts";
import { loadPlatformConfig } from "../core/config/index.ts";
import type { PlatformConfig } from "../core/config/index.ts";
import type { Platform } from "./platform-setup.ts";
import { RUN_ID } from "./run-id.ts";

/** Another per run, so certificates and records an earlier run left in the same emulator are not this run's. */
export const OWNER_ID = `hostgate-e2e-${RUN_ID}`;
/** The shortest the config allows: a hand edit is restored within it. */
export const RESYNC_INTERVAL = "30s";
export const RESYNC_MS = 30_000;

export function writePlatformConfig(platform: Platform, directory: string): { path: string; config: PlatformConfig } {
  const document = parseDocument(readFileSync(join(EXAMPLES, "platform-config-aws.yaml"), "utf8"));
  document.set("domains", [
    { apex: "example.com", zoneId: platform.zones["example.com"] },
    { apex: "corp.example.net", zoneId: platform.zones["corp.example.net"] },
  ]);
  for (const [name, lb] of Object.entries(platform.loadBalancers)) {
    document.setIn(["loadBalancers", name], {
      dnsName: lb.dnsName,
      hostedZoneId: lb.hostedZoneId,
      ipAddressType: lb.ipAddressType,
      listenerArn: lb.listenerArn,
    });
  }
  document.setIn(["dns", "ownerId"], OWNER_ID);
  document.setIn(["dns", "resyncInterval"], RESYNC_INTERVAL);
  const path = join(directory, "platform-config.yaml");
  writeFileSync(path, document.toString());
  return { path, config: loadPlatformConfig(path) };
}
