import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, renameSync, rmSync, unlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, it } from "node:test";
import { stringify } from "yaml";
import { ManualClock } from "../../clock.ts";
import { RecordingLogger } from "../../testing/recording-logger.ts";
import { ManifestError } from "../../objects/manifest.ts";
import { grant, route, routeNames } from "../state-fixtures.ts";
import type { DirectoryWatcher, DirectoryWatchEvents } from "./directory-watcher.ts";
import { FileStateSource, StateDirectoryError } from "./file-state-source.ts";

/** A DirectoryWatcher the test drives by hand. */
class FakeWatcher {
  events: DirectoryWatchEvents | undefined;
  opened = 0;
  closed = 0;
  failOpen = false;
  readonly watcher: DirectoryWatcher = (_directory, events) => {
    if (this.failOpen) throw Object.assign(new Error("EMFILE: too many open files"), { code: "EMFILE" });
    this.opened++;
    this.events = events;
    let open = true;
    return {
      recursive: true,
      close: () => {
        if (open) this.closed++;
        open = false;
      },
    };
  };
  change(path: string): void {
    this.events!.onChange(path);
  }
}

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** A state directory with a grant, a route, and objects of other kinds that must be skipped quietly. */
function stateDir(): string {
  const dir = mkdtempSync(join(tmpdir(), "hostgate-file-state-"));
  dirs.push(dir);
  writeFileSync(join(dir, "grants.yaml"), stringify(grant({ name: "team-a", namespaces: ["team-a"], hostnames: ["*.shop.example.com"] })));
  mkdirSync(join(dir, "routes"));
  writeFileSync(join(dir, "routes", "web.yaml"), stringify(route({ name: "web", domain: "shop.example.com", appId: "shop-web" })));
  writeFileSync(join(dir, "platform-config.yaml"), "apiVersion: hostgate.dev/v1alpha1\nkind: PlatformConfig\ndomains: [{apex: example.com}]\n");
  writeFileSync(
    join(dir, "routes", "httproute.yaml"),
    stringify({
      apiVersion: "gateway.networking.k8s.io/v1",
      kind: "HTTPRoute",
      metadata: { name: "h", namespace: "team-a" },
      spec: { hostnames: ["h.shop.example.com"] },
    }),
  );
  return dir;
}

function harness(directory = stateDir()) {
  const clock = new ManualClock();
  const logger = new RecordingLogger();
  const watch = new FakeWatcher();
  const source = new FileStateSource({ directory, clock, logger, watcher: watch.watcher, debounceMs: 150, rewatchMs: 2000 });
  let changes = 0;
  source.onChange(() => changes++);
  return { directory, clock, logger, watch, source, changes: () => changes };
}

const domains = (h: ReturnType<typeof harness>) => Object.keys(routeNames(h.source.current(), "domainRoutesByDomain"));

describe("FileStateSource: start", () => {
  it("loads the grants and routes under the directory tree and skips other kinds without a word", async () => {
    const h = harness();
    assert.equal(h.source.synced(), false);
    assert.equal(h.source.notReadyReason(), `the state under ${h.directory} is not loaded yet`);
    await h.source.start();
    assert.equal(h.source.synced(), true);
    assert.equal(h.source.notReadyReason(), undefined);
    assert.deepEqual(h.source.counts(), { hostnameGrants: 1, domainRoutes: 1, domains: 1, appIds: 1, grantedNamespaces: 1 });
    assert.deepEqual(h.logger.messages("warn").concat(h.logger.messages("error")), []);
    assert.deepEqual(h.logger.messages("info"), [`loaded state from ${h.directory}: 1 HostnameGrants, 1 DomainRoutes`]);
    assert.equal(h.source.describe(), `local files under ${h.directory}`);
    await h.source.stop();
  });

  const refusals: { name: string; setup: () => string; error: (e: unknown) => boolean }[] = [
    {
      name: "a directory that does not exist",
      setup: () => join(tmpdir(), "hostgate-no-such-state-dir"),
      error: (e) =>
        e instanceof StateDirectoryError &&
        /hostgate-no-such-state-dir: not found; check the path .*; the state directory must exist \(pass --state DIR to use another\)/.test(e.message),
    },
    {
      name: "a path that is a file",
      setup: () => join(stateDir(), "grants.yaml"),
      error: (e) => e instanceof StateDirectoryError && /grants\.yaml: not a directory; the state is read from a directory of manifests/.test(e.message),
    },
    {
      name: "a directory whose files do not parse, with every problem's file and line",
      setup: () => {
        const dir = stateDir();
        writeFileSync(join(dir, "routes", "broken.yaml"), "apiVersion: hostgate.dev/v1alpha1\nkind: [DomainRoute\n");
        return dir;
      },
      error: (e) => e instanceof ManifestError && e.problems.length === 1 && /routes\/broken\.yaml:\d+:\d+: invalid YAML: /.test(e.problems[0]!),
    },
  ];
  for (const c of refusals) {
    it(`refuses to start on ${c.name}, leaving no watcher open`, async () => {
      const h = harness(c.setup());
      await assert.rejects(h.source.start(), c.error);
      assert.equal(h.watch.opened, h.watch.closed);
      assert.equal(h.clock.pendingTimers(), 0);
      assert.equal(h.source.synced(), false);
    });
  }
});

describe("FileStateSource: reloading", () => {
  const edits: { name: string; edit: (dir: string) => void; domains: string[]; grants: number }[] = [
    {
      name: "a changed file",
      edit: (dir) => writeFileSync(join(dir, "routes", "web.yaml"), stringify(route({ name: "web", domain: "www.shop.example.com" }))),
      domains: ["www.shop.example.com"],
      grants: 1,
    },
    {
      name: "a new file",
      edit: (dir) => writeFileSync(join(dir, "routes", "api.yaml"), stringify(route({ name: "api", domain: "api.shop.example.com" }))),
      domains: ["api.shop.example.com", "shop.example.com"],
      grants: 1,
    },
    {
      name: "a deleted file",
      edit: (dir) => unlinkSync(join(dir, "grants.yaml")),
      domains: ["shop.example.com"],
      grants: 0,
    },
    {
      name: "a new folder of files",
      edit: (dir) => {
        mkdirSync(join(dir, "more"));
        writeFileSync(join(dir, "more", "g.yaml"), stringify(grant({ name: "team-b", namespaces: ["team-b"] })));
      },
      domains: ["shop.example.com"],
      grants: 2,
    },
  ];
  for (const c of edits) {
    it(`picks up ${c.name} after the debounce, as a new snapshot`, async () => {
      const h = harness();
      await h.source.start();
      const before = h.source.current();
      c.edit(h.directory);
      h.watch.change("routes/web.yaml");
      h.clock.advance(149);
      await h.source.idle();
      assert.equal(h.source.current(), before, "nothing before the debounce ends");
      h.clock.advance(1);
      await h.source.idle();
      assert.deepEqual(domains(h), c.domains);
      assert.equal(h.source.counts().hostnameGrants, c.grants);
      assert.deepEqual(Object.keys(routeNames(before, "domainRoutesByDomain")), ["shop.example.com"], "the earlier snapshot is untouched");
      assert.equal(h.changes(), 2);
      await h.source.stop();
    });
  }

  it("reloads once for a burst of changes", async () => {
    const h = harness();
    await h.source.start();
    for (const delay of [0, 100, 100, 100]) {
      h.clock.advance(delay);
      h.watch.change("grants.yaml");
    }
    h.clock.advance(150);
    await h.source.idle();
    assert.equal(h.source.status().loads, 2);
    await h.source.stop();
  });

  it("ignores editor swap and backup files", async () => {
    const h = harness();
    await h.source.start();
    h.watch.change("routes/.web.yaml.swp");
    h.watch.change("routes/web.yaml~");
    assert.equal(h.clock.pendingTimers(), 0);
    await h.source.stop();
  });

  it("keeps serving the last good state when a file breaks, says which file and what is wrong, and recovers when it is fixed", async () => {
    const h = harness();
    await h.source.start();
    const good = h.source.current();
    writeFileSync(join(h.directory, "routes", "web.yaml"), "apiVersion: hostgate.dev/v1alpha1\nkind: DomainRoute\nmetadata: {name: web\n");
    h.watch.change("routes/web.yaml");
    h.clock.advance(150);
    await h.source.idle();
    assert.equal(h.source.current(), good, "the same snapshot: nothing was swapped");
    assert.equal(h.source.synced(), true, "still ready on the last good state");
    const [message] = h.logger.messages("error");
    assert.match(
      message!,
      new RegExp(
        `^state under ${h.directory} not reloaded \\(still serving the state loaded at \\d{4}-\\d\\d-\\d\\dT[\\d:.]+Z\\): ${h.directory}/routes/web\\.yaml:\\d+:\\d+: invalid YAML: `,
      ),
    );
    const status = h.source.status();
    assert.equal(status.failedLoads, 1);
    assert.match(status.lastError!.problems[0]!, /routes\/web\.yaml:\d+:\d+: invalid YAML/);

    writeFileSync(join(h.directory, "routes", "web.yaml"), stringify(route({ name: "web", domain: "fixed.shop.example.com" })));
    h.watch.change("routes/web.yaml");
    h.clock.advance(150);
    await h.source.idle();
    assert.deepEqual(domains(h), ["fixed.shop.example.com"]);
    assert.equal(h.source.status().lastError, undefined);
    await h.source.stop();
  });

  it("runs a reload asked for during a load once more afterwards, so the last edit always lands", async () => {
    const h = harness();
    await h.source.start();
    const first = h.source.reload();
    writeFileSync(join(h.directory, "routes", "web.yaml"), stringify(route({ name: "web", domain: "late.shop.example.com" })));
    const second = h.source.reload();
    assert.equal(second, first, "one load in flight at a time");
    await second;
    assert.deepEqual(domains(h), ["late.shop.example.com"]);
    assert.equal(h.source.status().loads, 3);
    await h.source.stop();
  });

  it("watches again after the watch broke, and reloads to catch what it missed", async () => {
    const h = harness();
    await h.source.start();
    h.watch.failOpen = true;
    h.watch.events!.onError(new Error("ENOSPC: inotify watch limit reached"));
    assert.equal(h.watch.closed, 1);
    assert.match(h.logger.messages("warn")[0]!, /failed \(ENOSPC: inotify watch limit reached\); trying again every 2000 ms/);
    h.clock.advance(2000);
    assert.equal(h.watch.opened, 1, "still failing: tries again later");
    writeFileSync(join(h.directory, "routes", "web.yaml"), stringify(route({ name: "web", domain: "missed.shop.example.com" })));
    h.watch.failOpen = false;
    h.clock.advance(2000);
    await h.source.idle();
    assert.equal(h.watch.opened, 2);
    assert.deepEqual(domains(h), ["missed.shop.example.com"]);
    await h.source.stop();
  });

  it("keeps the last good state while the directory is gone, and loads it again once it is back", async () => {
    const h = harness();
    await h.source.start();
    const good = h.source.current();
    const saved = join(tmpdir(), `hostgate-moved-${process.pid}`);
    dirs.push(saved);
    renameSync(h.directory, saved);
    h.watch.failOpen = true;
    h.watch.change("grants.yaml");
    h.clock.advance(150);
    await h.source.idle();
    assert.equal(h.source.current(), good);
    assert.match(h.logger.messages("error")[0]!, /not reloaded \(still serving the state loaded at .*\): .*: not found/);
    assert.equal(h.watch.closed, 1, "the dead watch is closed");
    h.clock.advance(2000);
    assert.equal(h.watch.opened, 1, "no directory, no watch yet");
    renameSync(saved, h.directory);
    writeFileSync(join(h.directory, "routes", "web.yaml"), stringify(route({ name: "web", domain: "back.shop.example.com" })));
    h.watch.failOpen = false;
    h.clock.advance(2000);
    await h.source.idle();
    assert.equal(h.watch.opened, 2);
    assert.deepEqual(domains(h), ["back.shop.example.com"]);
    await h.source.stop();
  });

  it("stop() closes the watcher and cancels a pending reload", async () => {
    const h = harness();
    await h.source.start();
    h.watch.change("grants.yaml");
    assert.equal(h.clock.pendingTimers(), 1);
    await h.source.stop();
    assert.equal(h.clock.pendingTimers(), 0);
    assert.equal(h.watch.closed, 1);
    h.watch.change("grants.yaml");
    assert.equal(h.clock.pendingTimers(), 0, "changes after stop are ignored");
  });
});

describe("FileStateSource with the real file system watcher", () => {
  it("reloads after a file is saved", async () => {
    const directory = stateDir();
    const source = new FileStateSource({ directory, debounceMs: 20 });
    await source.start();
    try {
      const reloaded = new Promise<void>((resolve) => source.onChange(resolve));
      writeFileSync(join(directory, "routes", "api.yaml"), stringify(route({ name: "api", domain: "api.shop.example.com" })));
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error("no reload within 5 s of saving a file")), 5000);
      });
      await Promise.race([reloaded, timeout]).finally(() => clearTimeout(timer));
      assert.equal(source.counts().domainRoutes, 2);
    } finally {
      await source.stop();
    }
  });
});

describe("FileStateSource: the existing objects it offers for the impact of a PolicyModule change", () => {
  const held = (h: ReturnType<typeof harness>) =>
    h.source
      .existingObjects()
      .snapshot()
      .objects.map((o) => `${o.apiVersion} ${o.kind} ${o.metadata?.namespace ?? ""}/${o.metadata?.name}`)
      .sort();

  it("offers the audited kinds' objects whole (trimmed of last-applied), every kind synced, and nothing else under the directory", async () => {
    const h = harness();
    const web = route({ name: "web", domain: "shop.example.com", appId: "shop-web" }) as { metadata: Record<string, unknown> };
    web.metadata.annotations = { "kubectl.kubernetes.io/last-applied-configuration": "{}" };
    writeFileSync(join(h.directory, "routes", "web.yaml"), stringify(web));
    await h.source.start();
    assert.deepEqual(held(h), [
      "gateway.networking.k8s.io/v1 HTTPRoute team-a/h",
      "hostgate.dev/v1alpha1 DomainRoute team-a/web",
      "hostgate.dev/v1alpha1 HostnameGrant /team-a",
    ]);
    const snapshot = h.source.existingObjects().snapshot();
    const route0 = snapshot.objects.find((o) => o.kind === "DomainRoute")!;
    assert.deepEqual(route0.spec, {
      domain: "shop.example.com",
      lb: "alb-out",
      backend: { service: { name: "web", port: 8080 } },
      protection: { provider: "sso", appId: "shop-web" },
    });
    assert.deepEqual(route0.metadata?.annotations, {});
    assert.ok(snapshot.kinds.every((k) => k.state.kind === "synced"));
    assert.equal(snapshot.kinds.length, 9);
    await h.source.stop();
  });

  it("follows reloads and tells its listeners, keeping the last good objects while a file is broken", async () => {
    const h = harness();
    await h.source.start();
    let told = 0;
    h.source.existingObjects().onChange(() => told++);
    writeFileSync(join(h.directory, "routes", "api.yaml"), stringify(route({ name: "api", domain: "api.shop.example.com" })));
    await h.source.reload();
    assert.equal(told, 1);
    assert.ok(held(h).includes("hostgate.dev/v1alpha1 DomainRoute team-a/api"));
    writeFileSync(join(h.directory, "routes", "broken.yaml"), "kind: [\n");
    await h.source.reload();
    assert.equal(held(h).length, 4, "the last good load stays");
    await h.source.stop();
  });
});
