// The serving certificate from files (--tls-cert/--tls-key), e.g. a
// cert-manager Secret mounted into the pod. It reloads them when they
// change, without a restart:
//   - it watches the directories, not the files: a mounted Secret is
//     updated by pointing the `..data` symlink at a new directory, which
//     changes no watched file's inode but is an event in the directory;
//   - events are debounced (the kubelet and editors write in several steps);
//   - it also re-reads every pollInterval, because file events can be lost
//     (network filesystems, a watcher that died with its directory);
//   - a pair that does not check out (half-written, mismatched key,
//     expired) is refused: the last good pair keeps serving and valid()
//     says why the new one was refused.
// At start, a missing or unusable file is an error naming the file and the fix.
import { watch } from "node:fs";
import type { FSWatcher } from "node:fs";
import { readFile } from "node:fs/promises";
import { dirname, resolve } from "node:path";
import type { Clock, TimerHandle } from "../core/clock.ts";
import { systemClock } from "../core/clock.ts";
import { InputError } from "../core/errors.ts";
import type { Logger } from "../core/logger.ts";
import { silentLogger } from "../core/logger.ts";
import { messageOf } from "./certificate-info.ts";
import { checkServingPair } from "./serving-pair.ts";
import type { PairCheck } from "./serving-pair.ts";
import type { CertificateValidity, ServingCertificateSource, TlsMaterial } from "./source.ts";
import { problemOf, ServedCertificate } from "./source.ts";

export interface FileCertificateSourceOptions {
  certFile: string;
  keyFile: string;
  clock?: Clock;
  logger?: Logger;
  /** Quiet time after the last file event before reloading (ms). Default 200. */
  debounce?: number;
  /** Re-read this often even without events (ms). Default 1 minute. */
  pollInterval?: number;
}

export interface ReloadResult {
  changed: boolean;
  /** Why the files on disk were refused (the previous pair still serves). */
  problems?: string[];
}

export class CertificateFileError extends InputError {
  constructor(problems: string[]) {
    super(problems, "the TLS certificate files are unusable");
  }
}

export class FileCertificateSource implements ServingCertificateSource {
  readonly #certFile: string;
  readonly #keyFile: string;
  readonly #clock: Clock;
  readonly #logger: Logger;
  readonly #debounce: number;
  readonly #pollInterval: number;
  readonly #served: ServedCertificate;

  /** The file contents last loaded, to skip reloads that change nothing. */
  #loaded: string | undefined;
  #refused: string[] | undefined;
  #watchers = new Map<string, FSWatcher>();
  #debounceTimer: TimerHandle | undefined;
  #pollTimer: TimerHandle | undefined;
  #queue: Promise<unknown> = Promise.resolve();
  #stopped = false;

  constructor(options: FileCertificateSourceOptions) {
    this.#certFile = resolve(options.certFile);
    this.#keyFile = resolve(options.keyFile);
    this.#clock = options.clock ?? systemClock;
    this.#logger = options.logger ?? silentLogger;
    this.#debounce = options.debounce ?? 200;
    this.#pollInterval = options.pollInterval ?? 60_000;
    this.#served = new ServedCertificate((error) => this.#logger.error({ error: messageOf(error) }, "a serving-certificate change listener failed"));
  }

  /** Loads the pair; throws CertificateFileError when it is unusable. Then watches for changes. */
  async start(): Promise<void> {
    if (this.#served.material !== undefined) return;
    const { text, check } = await this.#read();
    if (!check.ok) throw new CertificateFileError(check.problems);
    this.#served.replace(check.material, false);
    this.#loaded = text;
    if (check.notYetValid)
      this.#logger.warn(
        { certFile: this.#certFile, notBefore: check.material.notBefore.toISOString() },
        "the serving certificate is not valid yet; readiness fails until it is (is this machine's clock behind?)",
      );
    this.#logger.info(
      { certFile: this.#certFile, keyFile: this.#keyFile, notAfter: check.material.notAfter.toISOString() },
      "serving certificate loaded from files",
    );
    this.#watch();
    this.#schedulePoll();
  }

  /** Re-reads the files now and swaps the pair in if it changed and checks out. */
  reload(): Promise<ReloadResult> {
    const run = this.#queue.then(() => this.#reloadOnce());
    this.#queue = run;
    return run;
  }

  current(): TlsMaterial {
    return this.#served.current();
  }

  onChange(listener: (material: TlsMaterial) => void): () => void {
    return this.#served.onChange(listener);
  }

  valid(now: Date = new Date(this.#clock.now())): CertificateValidity {
    return this.#served.valid(now, this.#refused === undefined ? undefined : `the files changed but were refused: ${this.#refused.join("; ")}`);
  }

  problem(now: Date): string | undefined {
    return problemOf(this.valid(now));
  }

  notAfter(): Date | undefined {
    return this.#served.notAfter();
  }

  stop(): void {
    this.#stopped = true;
    for (const watcher of this.#watchers.values()) watcher.close();
    this.#watchers.clear();
    if (this.#debounceTimer !== undefined) this.#clock.clearTimeout(this.#debounceTimer);
    if (this.#pollTimer !== undefined) this.#clock.clearTimeout(this.#pollTimer);
    this.#debounceTimer = this.#pollTimer = undefined;
  }

  async #reloadOnce(): Promise<ReloadResult> {
    if (this.#stopped) return { changed: false };
    let read: FileRead;
    try {
      read = await this.#read();
    } catch (error) {
      return this.#refuse([messageOf(error)]);
    }
    if (read.text === this.#loaded) {
      // Back to (or still) what is served: any earlier refusal is moot.
      this.#refused = undefined;
      return { changed: false };
    }
    if (!read.check.ok) return this.#refuse(read.check.problems);
    this.#loaded = read.text;
    this.#refused = undefined;
    this.#logger.info({ certFile: this.#certFile, notAfter: read.check.material.notAfter.toISOString() }, "serving certificate reloaded from files");
    this.#served.replace(read.check.material);
    return { changed: true };
  }

  #refuse(problems: string[]): ReloadResult {
    const known = this.#refused?.join("\n") === problems.join("\n");
    this.#refused = problems;
    // Logged once per distinct refusal, not on every poll.
    if (!known)
      this.#logger.warn(
        { certFile: this.#certFile, keyFile: this.#keyFile, problems },
        "the certificate files changed but are unusable; still serving the previous certificate",
      );
    return { changed: false, problems };
  }

  async #read(): Promise<FileRead> {
    const [cert, key] = await Promise.all([readText(this.#certFile), readText(this.#keyFile)]);
    const check = checkServingPair({ certFile: this.#certFile, keyFile: this.#keyFile }, cert, key, new Date(this.#clock.now()));
    return { text: `${cert.text ?? ""}\0${key.text ?? ""}`, check };
  }

  #watch(): void {
    for (const dir of new Set([dirname(this.#certFile), dirname(this.#keyFile)])) {
      if (this.#watchers.has(dir)) continue;
      try {
        const watcher = watch(dir, () => this.#onEvent());
        watcher.on("error", (error) => {
          // The directory went away (or the platform gave up): polling goes on and re-watches.
          this.#logger.warn({ dir, error: error.message }, "stopped watching the certificate directory; polling continues");
          watcher.close();
          this.#watchers.delete(dir);
        });
        this.#watchers.set(dir, watcher);
      } catch (error) {
        this.#logger.warn({ dir, error: messageOf(error) }, "cannot watch the certificate directory; relying on polling");
      }
    }
  }

  #onEvent(): void {
    if (this.#stopped) return;
    if (this.#debounceTimer !== undefined) this.#clock.clearTimeout(this.#debounceTimer);
    this.#debounceTimer = this.#clock.setTimeout(() => {
      this.#debounceTimer = undefined;
      void this.reload();
    }, this.#debounce);
  }

  #schedulePoll(): void {
    if (this.#stopped) return;
    this.#pollTimer = this.#clock.setTimeout(() => {
      this.#pollTimer = undefined;
      this.#watch();
      void this.reload().finally(() => this.#schedulePoll());
    }, this.#pollInterval);
  }
}

interface FileRead {
  /** Both files' contents, to tell whether anything changed. */
  text: string;
  check: PairCheck;
}

async function readText(path: string): Promise<{ text?: string; readError?: string }> {
  try {
    return { text: await readFile(path, "utf8") };
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    return { readError: code === "ENOENT" ? "no such file" : code === "EACCES" ? "permission denied" : messageOf(error) };
  }
}
