// Local mode: the cluster state from the manifests under a directory
// (HostnameGrants and DomainRoutes; any other object is read and skipped, as
// `hostgate check --state` does), reloaded when a file under it changes.
//
// A reload swaps in a fresh index only when every file parses: one broken
// file while someone is mid-edit must not make the webhook forget every
// grant. Until the files are fixed it keeps serving the last good state and
// logs each problem with its file, line and column.
//
// It also offers the objects of the audited kinds whole (existingObjects()),
// so in local mode (`npm start`) a PolicyModule change is answered with its
// impact on them, as in a cluster. The files are read once per load for both.
import { existsSync, statSync } from "node:fs";
import { basename } from "node:path";
import type { Clock, TimerHandle } from "../../clock.ts";
import { systemClock } from "../../clock.ts";
import { InputError, isReportable, problemsOf } from "../../errors.ts";
import type { Logger } from "../../logger.ts";
import { silentLogger } from "../../logger.ts";
import type { KubeObject } from "../../kube/object-key.ts";
import { fsProblem } from "../../objects/find-manifest-files.ts";
import { readManifests } from "../../objects/read-manifests.ts";
import { AUDITED_RESOURCES } from "../audited-resources.ts";
import { ClusterStateIndex } from "../cluster-state-index.ts";
import type { ClusterCelValue, ClusterStateCounts } from "../cluster-state-index.ts";
import type { ExistingObjectsHolder, ExistingObjectsSnapshot } from "../existing-objects.ts";
import { auditedObjectsOf } from "../audited-objects.ts";
import type { DirectoryWatch, DirectoryWatcher } from "./directory-watcher.ts";
import { fsDirectoryWatcher } from "./directory-watcher.ts";
import { Listeners } from "./listeners.ts";
import type { LocalSourceStatus, StateSource } from "./state-source.ts";

/** The state directory itself is unusable (missing, not a directory, not watchable). */
export class StateDirectoryError extends InputError {
  constructor(problems: readonly string[]) {
    super(problems, "the state directory cannot be used");
  }
}

export interface FileStateSourceOptions {
  directory: string;
  logger?: Logger;
  clock?: Clock;
  /** Quiet time after the last change before reloading, so one save (or a `git checkout`) is one reload; default 150 ms. */
  debounceMs?: number;
  /** After the watch broke, how often to try watching again; default 2000 ms. */
  rewatchMs?: number;
  watcher?: DirectoryWatcher;
}

export class FileStateSource implements StateSource {
  readonly #directory: string;
  readonly #logger: Logger;
  readonly #clock: Clock;
  readonly #debounceMs: number;
  readonly #rewatchMs: number;
  readonly #watcher: DirectoryWatcher;
  readonly #listeners: Listeners;

  #index = new ClusterStateIndex();
  /** The audited kinds' objects of the last good load; every kind synced once loaded (files have nothing pending). */
  #existing: ExistingObjectsSnapshot = {
    objects: [],
    kinds: AUDITED_RESOURCES.map((resource) => ({ resource, state: { kind: "pending", reason: "not loaded yet" } })),
  };
  #synced = false;
  #started = false;
  #stopped = false;
  #watch: DirectoryWatch | undefined;
  #debounce: TimerHandle | undefined;
  #rewatch: TimerHandle | undefined;
  #inflight: Promise<void> | undefined;
  #again = false;
  #loads = 0;
  #failedLoads = 0;
  #lastLoadTime: number | undefined;
  #lastError: { time: number; problems: readonly string[]; cause: unknown } | undefined;

  constructor(options: FileStateSourceOptions) {
    this.#directory = options.directory;
    this.#logger = options.logger ?? silentLogger;
    this.#clock = options.clock ?? systemClock;
    this.#debounceMs = options.debounceMs ?? 150;
    this.#rewatchMs = options.rewatchMs ?? 2000;
    this.#watcher = options.watcher ?? fsDirectoryWatcher;
    this.#listeners = new Listeners(this.#logger);
  }

  /**
   * Watches the directory, then loads it (in that order, so no change falls
   * between the two).
   * @throws StateDirectoryError when the directory is missing or unwatchable,
   *   or the first load's InputError (every problem, with file and line)
   */
  async start(): Promise<void> {
    if (this.#started || this.#stopped) throw new Error(`the state source for ${this.#directory} was already started or stopped; build a new one`);
    this.#started = true;
    let isDirectory: boolean;
    try {
      isDirectory = statSync(this.#directory).isDirectory();
    } catch (error) {
      throw new StateDirectoryError([`${fsProblem(this.#directory, error)}; the state directory must exist (pass --state DIR to use another)`]);
    }
    if (!isDirectory) throw new StateDirectoryError([`${this.#directory}: not a directory; the state is read from a directory of manifests`]);
    try {
      this.#openWatch();
    } catch (error) {
      throw new StateDirectoryError([`${fsProblem(this.#directory, error)}; cannot watch the state directory for changes`]);
    }
    await this.reload();
    if (!this.#synced) {
      await this.stop();
      const cause = this.#lastError?.cause;
      throw isReportable(cause) ? cause : new StateDirectoryError(this.#lastError?.problems ?? [`${this.#directory}: the state did not load`]);
    }
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    if (this.#debounce !== undefined) this.#clock.clearTimeout(this.#debounce);
    if (this.#rewatch !== undefined) this.#clock.clearTimeout(this.#rewatch);
    this.#debounce = this.#rewatch = undefined;
    this.#watch?.close();
    this.#watch = undefined;
    await this.#inflight;
  }

  /**
   * Loads the directory now (what a change triggers after the debounce);
   * also fit for a SIGHUP. Never rejects: a failed load is logged and kept
   * in status(), and the previous state stays. A call during a load makes
   * that load run once more, and resolves after it.
   */
  reload(): Promise<void> {
    if (this.#stopped) return Promise.resolve();
    if (this.#inflight !== undefined) {
      this.#again = true;
      return this.#inflight;
    }
    this.#inflight = (async () => {
      try {
        do {
          this.#again = false;
          await this.#loadOnce();
        } while (this.#again && !this.#stopped);
      } finally {
        this.#inflight = undefined;
      }
    })();
    return this.#inflight;
  }

  /** Resolves once no load is running (tests; orderly shutdown). */
  async idle(): Promise<void> {
    while (this.#inflight !== undefined) await this.#inflight;
  }

  synced(): boolean {
    return this.#synced;
  }

  current(): ClusterCelValue {
    return this.#index.celValue();
  }

  counts(): ClusterStateCounts {
    return this.#index.counts();
  }

  describe(): string {
    return `local files under ${this.#directory}`;
  }

  notReadyReason(): string | undefined {
    if (this.#synced) return undefined;
    if (this.#lastError !== undefined) return `the state under ${this.#directory} did not load: ${this.#lastError.problems.join("; ")}`;
    return `the state under ${this.#directory} is not loaded yet`;
  }

  onChange(listener: () => void): () => void {
    return this.#listeners.add(listener);
  }

  /** The objects of the audited kinds under the directory, whole (trimForAudit), as of the last good load; changes with each reload. */
  existingObjects(): ExistingObjectsHolder {
    return { snapshot: () => this.#existing, onChange: (listener) => this.onChange(listener) };
  }

  status(): LocalSourceStatus {
    return {
      mode: "local",
      synced: this.#synced,
      directory: this.#directory,
      loads: this.#loads,
      failedLoads: this.#failedLoads,
      ...(this.#lastLoadTime === undefined ? {} : { lastLoadTime: this.#lastLoadTime }),
      ...(this.#lastError === undefined ? {} : { lastError: { time: this.#lastError.time, problems: this.#lastError.problems } }),
    };
  }

  async #loadOnce(): Promise<void> {
    const started = this.#clock.now();
    let index: ClusterStateIndex;
    let objects: KubeObject[];
    try {
      objects = (await readManifests([this.#directory])).map((m) => m.object as KubeObject);
      index = ClusterStateIndex.fromObjects(objects);
    } catch (error) {
      if (this.#stopped) return;
      const problems = problemsOf(error);
      this.#failedLoads++;
      this.#lastError = { time: this.#clock.now(), problems, cause: error };
      const keeping = this.#lastLoadTime === undefined ? "" : ` (still serving the state loaded at ${new Date(this.#lastLoadTime).toISOString()})`;
      const fields = { directory: this.#directory, problems, ...(isReportable(error) ? {} : { err: error }) };
      this.#logger.error(fields, `state under ${this.#directory} not ${this.#synced ? "reloaded" : "loaded"}${keeping}: ${problems.join("; ")}`);
      // A removed directory takes its watch with it (silently, on Linux): watch
      // again until it is back, then reload.
      if (this.#watch !== undefined && !existsSync(this.#directory)) this.#watchBroke(new Error(`${this.#directory} was removed`));
      return;
    }
    if (this.#stopped) return;
    this.#index = index;
    this.#existing = auditedSnapshot(objects);
    this.#synced = true;
    this.#loads++;
    this.#lastLoadTime = this.#clock.now();
    this.#lastError = undefined;
    const counts = index.counts();
    this.#logger.info(
      { directory: this.#directory, durationMs: this.#clock.now() - started, ...counts },
      `${this.#loads === 1 ? "loaded" : "reloaded"} state from ${this.#directory}: ${counts.hostnameGrants} HostnameGrants, ${counts.domainRoutes} DomainRoutes`,
    );
    this.#listeners.notify();
  }

  #openWatch(): void {
    this.#watch = this.#watcher(this.#directory, {
      onChange: (path) => this.#changed(path),
      onError: (error) => this.#watchBroke(error),
    });
    if (!this.#watch.recursive)
      this.#logger.warn(
        { directory: this.#directory },
        `recursive watching is not available on ${process.platform}: only changes directly in ${this.#directory} trigger a reload`,
      );
  }

  #changed(path: string | undefined): void {
    if (this.#stopped) return;
    // Editors' swap and backup files come and go on every keystroke; the reader skips them anyway.
    const name = path === undefined ? "" : basename(path);
    if (name.startsWith(".") || name.endsWith("~")) return;
    if (this.#debounce !== undefined) this.#clock.clearTimeout(this.#debounce);
    this.#debounce = this.#clock.setTimeout(() => {
      this.#debounce = undefined;
      void this.reload();
    }, this.#debounceMs);
  }

  #watchBroke(error: Error): void {
    if (this.#stopped) return;
    this.#watch?.close();
    this.#watch = undefined;
    this.#logger.warn(
      { directory: this.#directory, err: error },
      `watching ${this.#directory} failed (${error.message}); trying again every ${this.#rewatchMs} ms, changes until then are picked up after`,
    );
    this.#scheduleRewatch();
  }

  #scheduleRewatch(): void {
    this.#rewatch = this.#clock.setTimeout(() => {
      this.#rewatch = undefined;
      if (this.#stopped) return;
      try {
        this.#openWatch();
      } catch {
        this.#scheduleRewatch();
        return;
      }
      this.#logger.info({ directory: this.#directory }, `watching ${this.#directory} again`);
      void this.reload();
    }, this.#rewatchMs);
  }
}

/** The objects of audited kinds (by group and kind, any version), trimmed; every audited kind synced at its newest version. */
function auditedSnapshot(objects: readonly KubeObject[]): ExistingObjectsSnapshot {
  return {
    objects: Object.freeze(auditedObjectsOf(objects)),
    kinds: AUDITED_RESOURCES.map((resource) => ({ resource, state: { kind: "synced", version: resource.versions[0]! } })),
  };
}
