// `hostgate serve` hands the reconciler the policy set its background audit
// judges by, the webhook's own, only when the platform config turns the audit
// on (audit.reports): the loaded files (the built-in library by default), or
// "cluster" with --policies-from cluster. Off, nothing is loaded for it.
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { DEFAULT_CONFIG } from "../core/cli/paths.ts";
import type { ReconcilerSettings } from "../core/cli/serve-component.ts";
import { silentLogger } from "../core/logger.ts";
import { freePort } from "./testing/http.ts";
import { runServe } from "./serve-command.ts";
import type { ServeDependencies } from "./serve-command.ts";
import { realServeDependencies } from "./serve-dependencies.ts";

const dir = mkdtempSync(join(tmpdir(), "hostgate-serve-audit-"));
after(() => rmSync(dir, { recursive: true, force: true }));
const AUDIT_ON = join(dir, "audit-on.yaml");
writeFileSync(AUDIT_ON, `${readFileSync(DEFAULT_CONFIG, "utf8")}\naudit:\n  reports: true\n  interval: 30m\n`);

/** The settings `serve --only reconciler` starts the reconciler with, given `flags`. */
async function settingsFor(flags: string[]): Promise<ReconcilerSettings> {
  let settings: ReconcilerSettings | undefined;
  let stop: ((signal: string) => void) | undefined;
  const deps: ServeDependencies = {
    ...realServeDependencies(),
    findCluster: () => ({ description: "https://10.0.0.1:443 (in-cluster)", config: {} }),
    logger: () => ({ ...silentLogger, flush() {} }),
    onStopSignal: (handler) => {
      stop = handler;
      return () => (stop = undefined);
    },
    print: () => {},
    reconciler: async (_connection, given) => {
      settings = given;
      return { notReadyReason: () => undefined, registerMetrics: () => {}, stop: async () => {} };
    },
  };
  const running = runServe(["--only", "reconciler", "--health-listen", `127.0.0.1:${await freePort()}`, ...flags], deps);
  const deadline = Date.now() + 10_000;
  while (settings === undefined || stop === undefined) {
    if (Date.now() > deadline) assert.fail("the reconciler did not start");
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  stop("SIGTERM");
  assert.equal((await running).exitCode, 0);
  return settings;
}

describe("hostgate serve and the background audit's policy set", () => {
  it("with audit.reports and policies from files, passes the loaded set (the built-in library)", async () => {
    const settings = await settingsFor(["--config", AUDIT_ON]);
    assert.equal(settings.config.audit?.interval, "30m");
    assert.ok(typeof settings.policies === "object" && settings.policies.modules.length > 0, "the library's modules are passed");
  });

  it('with audit.reports and --policies-from cluster, passes "cluster" (the reconciler watches the PolicyModules)', async () => {
    const settings = await settingsFor(["--config", AUDIT_ON, "--policies-from", "cluster"]);
    assert.equal(settings.policies, "cluster");
  });

  it("with the audit off (the default), passes no policy set", async () => {
    const settings = await settingsFor(["--config", DEFAULT_CONFIG]);
    assert.equal(settings.config.audit?.reports, false);
    assert.equal("policies" in settings, false);
  });
});
