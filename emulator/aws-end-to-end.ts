// Conformance run against an AWS emulator (moto by default): the WHOLE
// reconciler, with hostgate's real SDK adapters, on the in-memory API server,
// against Route53, ACM and ELBv2 speaking the real wire protocols. Not part of
// `npm test` (CI has no emulator): run it with `npm run emulator:aws`.
//
//   emulator ─► platform in AWS (zones, records, default certificate, ALBs and HTTPS listeners)
//            ─► platform config (loaded by core/config) ─► ReconcilerManager + sdkAwsPorts
//            ─► DomainRoutes Ready ─► records, TXT owners, certificates ISSUED + tagged + attached
//            ─► steady state (no write) ─► hand edit restored ─► delete: exactly hostgate's things gone
//
// Exit 0 when every step passed, 1 when one failed, 2 when no emulator can be had.
import { existsSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { FakeKubeApi } from "../core/kube/testing/fake-kube-api.ts";
import type { KubeObject } from "../core/kube/object-key.ts";
import { DOMAIN_ROUTES } from "../reconciler/resources.ts";
import { ReconcilerManager } from "../reconciler/manager/reconciler-manager.ts";
import { sdkAwsPorts } from "../reconciler/manager/sdk-aws-ports.ts";
import { zoneLines } from "./aws-inspect.ts";
import { checkCertificate, checkRecords, expectedAliases, leftovers, settledPassSince } from "./aws-checks.ts";
import type { Run } from "./aws-checks.ts";
import { currentLine, deleteRecordSet, repointAlias } from "./hand-edits.ts";
import { fileLogger } from "./file-logger.ts";
import { journaledPorts, writesSince } from "./journaled-ports.ts";
import type { PortCall } from "./journaled-ports.ts";
import { EXIT_NO_EMULATOR, NoEmulatorError, emulator, useDummyCredentials } from "./moto-server.ts";
import type { Emulator } from "./moto-server.ts";
import { RESYNC_MS, writePlatformConfig } from "./platform-config.ts";
import { APEXES, awsClients, setUpPlatform } from "./platform-setup.ts";
import { NAMESPACE, ROUTES, TAKEN, conditionStatus, conditionSummary, routeObject, storedRoute } from "./routes.ts";
import { checkRefusedRoute } from "./refused-route.ts";
import { StepFailed, Steps, expect, seconds, waitFor } from "./steps.ts";

const READY_TIMEOUT_MS = 180_000;

/** What the run must undo at the end, also on failure or SIGINT: the reconciler, the log file. */
type Cleanups = (() => Promise<void>)[];

async function main(steps: Steps, cleanups: Cleanups, workDir: string, logPath: string, endpoint: string): Promise<void> {
  const clients = awsClients();
  const platform = await steps.run(
    "set up the platform in AWS: two hosted zones, platform records, a default certificate, two ALBs with HTTPS listeners",
    () => setUpPlatform(clients, endpoint),
    (p) =>
      `zones ${JSON.stringify(p.zones)}, ` +
      `listeners ${Object.values(p.loadBalancers)
        .map((lb) => lb.listenerArn)
        .join(", ")}`,
  );
  const baseline = new Map<string, string[]>();
  for (const apex of APEXES) baseline.set(apex, await zoneLines(clients, platform.zones[apex]));

  const { config } = await steps.run(
    "write the platform config and load it with core/config",
    async () => writePlatformConfig(platform, workDir),
    (r) => r.path,
  );

  const logger = fileLogger(logPath);
  cleanups.push(() => logger.close());
  const journal: PortCall[] = [];
  const ports = await steps.run("build hostgate's SDK adapters (sdkAwsPorts) from the default chain", async () =>
    journaledPorts(await sdkAwsPorts(config, logger), journal),
  );
  const api = new FakeKubeApi();
  const manager = new ReconcilerManager({
    api,
    config,
    logger,
    aws: ports,
    appIdTableDebounceMs: 50,
    sweepDebounceMs: 200,
    edgeDebounceMs: 200,
    stopTimeoutMs: 5000,
  });
  // Stopped before the log closes (cleanups run last-in first).
  cleanups.push(() => manager.stop());
  manager.start();
  const full: Run = { clients, platform, config, api, manager, journal, baseline, certificates: new Map() };

  await steps.run(
    `create ${ROUTES.length} DomainRoutes and wait until each is Ready=True`,
    async () => {
      for (const route of ROUTES) await api.create(DOMAIN_ROUTES, routeObject(route));
      for (const route of ROUTES) {
        await waitFor(
          `${route.name} is Ready=True`,
          READY_TIMEOUT_MS,
          async () => (conditionStatus(api, route.name, "Ready") === "True" ? true : undefined),
          () => conditionSummary(api, route.name),
        );
      }
      return ROUTES.map((route) => `${route.name}: ${conditionSummary(api, route.name)}`).join(" | ");
    },
    (detail) => detail,
  );

  await steps.run(
    `a route for ${TAKEN.domain}, a name the platform's own record holds, gets DNSReady=False RecordOwnedElsewhere and the record stays`,
    () => checkRefusedRoute(api, clients, platform, READY_TIMEOUT_MS),
    (message) => message,
  );

  for (const route of ROUTES) {
    await steps.run(
      `${route.domain}: alias record(s) and TXT owner record(s) in the zone, listed in status.dns`,
      () => checkRecords(full, route),
      (detail) => detail,
    );
    await steps.run(
      `${route.domain}: certificate`,
      () => checkCertificate(full, route),
      (detail) => detail,
    );
  }

  await steps.run("steady state: a further pass (a route touched, then DNS's resync re-read) sends no change to AWS", async () => {
    const before = manager.stats();
    const mark = Date.now();
    const stored = api.server.get(DOMAIN_ROUTES, { namespace: NAMESPACE, name: ROUTES[0].name })!;
    const metadata = { ...stored.metadata, annotations: { ...(stored.metadata?.annotations ?? {}), "example.com/touched": String(mark) } };
    await api.update(DOMAIN_ROUTES, { ...stored, metadata } as KubeObject);
    await settledPassSince(full, mark, before);
    const writes = writesSince(full.journal, mark);
    expect(writes.length === 0, `the settled pass sent ${writes.join(", ")}`);
    return seconds(Date.now() - mark);
  });

  const [shop, wiki] = ROUTES;
  await steps.run(
    `hand edits in Route53 (${shop.domain} A re-pointed, ${wiki.domain} A deleted) are restored within the resync interval (${RESYNC_MS / 1000} s)`,
    async () => {
      await repointAlias(clients, platform.zones[shop.apex], shop.domain, "A", platform.loadBalancers[wiki.lb]);
      await deleteRecordSet(clients, platform.zones[wiki.apex], wiki.domain, "A");
      const edited = Date.now();
      const wanted = [shop, wiki].map((route) => ({ route, line: expectedAliases(full, route)[0] }));
      let seen: string[] = [];
      await waitFor(
        "both records are back as hostgate wrote them",
        RESYNC_MS + 30_000,
        async () => {
          seen = await Promise.all(wanted.map(({ route }) => currentLine(clients, platform.zones[route.apex], route.domain, "A")));
          return seen.every((line, i) => line === wanted[i].line) ? true : undefined;
        },
        () => seen.join("; "),
      );
      const took = Date.now() - edited;
      // The pass itself, the edge debounce and this loop's polling take a few seconds at most.
      expect(took <= RESYNC_MS + 5000, `restored only after ${seconds(took)}, more than the resync interval`);
      const writes = writesSince(full.journal, edited);
      return `restored after ${seconds(took)} with ${writes.join(", ")}`;
    },
    (detail) => detail,
  );

  let routesGone = 0;
  await steps.run(
    "delete the DomainRoutes: each is released (its finalizer removed)",
    async () => {
      for (const route of [...ROUTES, TAKEN]) await api.delete(DOMAIN_ROUTES, { namespace: NAMESPACE, name: route.name });
      for (const route of [...ROUTES, TAKEN]) {
        await waitFor(
          `${route.name} is gone`,
          READY_TIMEOUT_MS,
          async () => (storedRoute(api, route.name) === undefined ? true : undefined),
          () => conditionSummary(api, route.name),
        );
      }
      routesGone = Date.now();
      const left = await leftovers(full);
      return left.length === 0 ? "nothing of hostgate's left in AWS at that moment" : `still in AWS at that moment (it goes next): ${left.join("; ")}`;
    },
    (detail) => detail,
  );

  await steps.run(
    "after the deletes, exactly hostgate's records and certificates are gone and the platform's stay",
    async () => {
      let problems: string[] = [];
      await waitFor(
        "AWS holds exactly what the platform set up",
        RESYNC_MS + 30_000,
        async () => {
          problems = await leftovers(full);
          return problems.length === 0 ? true : undefined;
        },
        () => problems.join("; "),
      );
      return `converged ${seconds(Date.now() - routesGone)} after the last route was released: zones as before, hostgate's certificates deleted, listeners hold only their default certificate`;
    },
    (detail) => detail,
  );
}

async function run(): Promise<number> {
  useDummyCredentials();
  const steps = new Steps();
  let aws: Emulator;
  try {
    aws = await steps.run(
      "reach an AWS emulator",
      () => emulator(),
      (e) => e.description,
    );
  } catch (error) {
    const cause = (error as Error).cause ?? error;
    // The ✗ line above said what to install or set.
    if (cause instanceof NoEmulatorError) return EXIT_NO_EMULATOR;
    return 1;
  }
  const workDir = mkdtempSync(join(tmpdir(), "hostgate-aws-e2e-"));
  const logPath = join(workDir, "reconciler.log");
  const cleanups: Cleanups = [];
  let stopping: Promise<void> | undefined;
  const stopAll = () => {
    stopping ??= (async () => {
      for (const cleanup of cleanups.reverse()) await cleanup().catch(() => {});
      await aws.stop();
    })();
    return stopping;
  };
  const onSignal = () => {
    console.log("✗ interrupted: stopping the reconciler and the emulator");
    void stopAll().then(() => process.exit(130));
  };
  process.once("SIGINT", onSignal);
  process.once("SIGTERM", onSignal);
  let code = 0;
  try {
    await main(steps, cleanups, workDir, logPath, aws.endpoint);
  } catch (error) {
    if (!(error instanceof StepFailed)) console.log(`✗ ${(error as Error).stack}`);
    code = 1;
  } finally {
    await stopAll();
    process.off("SIGINT", onSignal);
    process.off("SIGTERM", onSignal);
  }
  const log = existsSync(logPath) ? `; reconciler log: ${logPath}` : "";
  console.log(`${code === 0 ? "✓ all" : "✗ stopped after"} ${steps.passed} steps passed in ${steps.elapsed()}${log}`);
  return code;
}

process.exitCode = await run();
