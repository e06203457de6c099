// Leader election on a coordination.k8s.io/v1 Lease, with client-go's
// semantics, so that of several replicas exactly one runs the controllers:
//
// - A candidate takes the lease when it is absent, released (no holder),
//   expired (renewTime + leaseDuration < now) or already its own, by an
//   update carrying the resourceVersion it read: of two candidates racing,
//   the server refuses the second (409), so only one wins.
// - The leader renews every retryPeriod. If no renewal has succeeded within
//   renewDeadline of the last one, it stops leading: aborts the signal
//   handed to onStartedLeading and calls onStoppedLeading. renewDeadline is
//   shorter than leaseDuration, so it stops before anyone else may start:
//   it never keeps working on a lease that may have expired. Seeing another
//   holder in the lease ends its leadership at once.
// - stop() stops the leader's work first, then releases the lease (no
//   holder, a 1-second duration, like client-go's ReleaseOnCancel) so a
//   standby takes over on its next retry instead of after the lease expires.
// - After losing the lease the elector stands again as a candidate.
//
// Expiry is judged by the renewTime written in the lease against this
// replica's clock, so replicas' clocks must agree to well within
// leaseDuration − renewDeadline (NTP does). client-go instead times from
// when it saw the lease change, which tolerates skew but makes a restarted
// replica wait a full leaseDuration even for a lease long dead.
import type { Clock, TimerHandle } from "../../core/clock.ts";
import { systemClock } from "../../core/clock.ts";
import { KubeApiError } from "../../core/kube/api-error.ts";
import type { Logger } from "../../core/logger.ts";
import { silentLogger } from "../../core/logger.ts";
import type { Lease, LeaseClient, LeaseSpec } from "./lease-client.ts";
import { formatMicroTime, parseMicroTime } from "./micro-time.ts";

export interface LeaderElectorOptions {
  client: LeaseClient;
  namespace: string;
  /** The Lease's name: one per group of replicas that elect a leader among themselves. */
  name: string;
  /** Unique per replica (the pod name); written as holderIdentity. */
  holderId: string;
  /** How long a lease stays valid without renewal; default 15 000 ms. */
  leaseDurationMs?: number;
  /** The leader gives up if it has not renewed for this long; default 10 000 ms. */
  renewDeadlineMs?: number;
  /** Between attempts to acquire or renew; default 2 000 ms. */
  retryPeriodMs?: number;
  clock?: Clock;
  logger?: Logger;
  /** Uniform in [0, 1): spreads candidates' retries over [retryPeriod, 2.2 × retryPeriod), as client-go's JitterFactor 1.2. */
  random?: () => number;
  /**
   * Now leading: start the work. `signal` aborts when leadership ends; the
   * work must stop then. May return a promise; a rejection is logged.
   */
  onStartedLeading: (signal: AbortSignal) => void | Promise<void>;
  /**
   * No longer leading. If it returns a promise, stop() releases the lease
   * only after it settles, and the elector does not lead again before: make
   * it resolve once the work has really stopped (e.g. controller.stop()).
   */
  onStoppedLeading: () => void | Promise<void>;
}

/** client-go's wait.JitterUntil factor for candidates' retries. */
const JITTER_FACTOR = 1.2;

type Attempt = { ok: true } | { ok: false; heldBy: string } | { ok: false; error: unknown };

export class LeaderElector {
  readonly #client: LeaseClient;
  readonly #namespace: string;
  readonly #name: string;
  readonly #holderId: string;
  readonly #leaseDurationMs: number;
  readonly #renewDeadlineMs: number;
  readonly #retryPeriodMs: number;
  readonly #clock: Clock;
  readonly #logger: Logger;
  readonly #random: () => number;
  readonly #onStartedLeading: (signal: AbortSignal) => void | Promise<void>;
  readonly #onStoppedLeading: () => void | Promise<void>;

  #started = false;
  #running = false;
  #leading = false;
  #leaderAbort: AbortController | undefined;
  /** The next attempt. */
  #timer: TimerHandle | undefined;
  /** When leadership ends unless a renewal succeeds first. */
  #deadline: TimerHandle | undefined;
  /** The attempt in flight, if any: attempts never overlap. */
  #attempt: Promise<void> | undefined;
  /** onStoppedLeading still running: no new term starts before it ends. */
  #windingDown: Promise<void> | undefined;
  #stopping: Promise<void> | undefined;
  /** The lease as last read or written: the resourceVersion the next write carries. */
  #lease: Lease | undefined;
  /** Clock time when #lease's resourceVersion was first seen. */
  #observedAt = 0;
  /** Our last successful write made us holder: stop() must release, leading or not. */
  #holding = false;
  #lastLoggedHolder: string | undefined;
  #lastLoggedError: string | undefined;

  constructor(options: LeaderElectorOptions) {
    this.#leaseDurationMs = options.leaseDurationMs ?? 15_000;
    this.#renewDeadlineMs = options.renewDeadlineMs ?? 10_000;
    this.#retryPeriodMs = options.retryPeriodMs ?? 2_000;
    const problems = optionProblems(options, this.#leaseDurationMs, this.#renewDeadlineMs, this.#retryPeriodMs);
    if (problems.length > 0) throw new RangeError(`invalid leader election options: ${problems.join("; ")}`);
    this.#client = options.client;
    this.#namespace = options.namespace;
    this.#name = options.name;
    this.#holderId = options.holderId;
    this.#clock = options.clock ?? systemClock;
    this.#logger = options.logger ?? silentLogger;
    this.#random = options.random ?? Math.random;
    this.#onStartedLeading = options.onStartedLeading;
    this.#onStoppedLeading = options.onStoppedLeading;
  }

  /** Stands as a candidate: the first attempt is immediate. Failures are retried, never thrown. */
  start(): void {
    if (this.#started) throw new Error(`leader elector ${this.#holderId} for lease ${this.#where()} was already started; build a new one`);
    this.#started = true;
    if (this.#stopping !== undefined) return;
    this.#running = true;
    this.#logger.info({ lease: this.#where(), holderId: this.#holderId }, `${this.#holderId}: standing for leader of lease ${this.#where()}`);
    this.#attemptNow();
  }

  /**
   * Stops leading (the signal aborts, onStoppedLeading runs and is awaited),
   * then releases the lease if held. Resolves when done; a hung API server
   * delays it by at most renewDeadline.
   */
  stop(): Promise<void> {
    this.#stopping ??= this.#stop();
    return this.#stopping;
  }

  isLeader(): boolean {
    return this.#leading;
  }

  /** The holder in the lease as last read or written; undefined before the first read or when released. */
  observedLeader(): string | undefined {
    const holder = this.#lease?.spec.holderIdentity;
    return holder === undefined || holder === "" ? undefined : holder;
  }

  async #stop(): Promise<void> {
    this.#running = false;
    if (this.#timer !== undefined) this.#clock.clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#stepDown("the elector is stopping");
    // The work stops before the lease goes: a standby must not start while we still run.
    await this.#windingDown;
    // A renewal in flight would make the release's resourceVersion stale: let it land first.
    if (this.#attempt !== undefined && !(await this.#within(this.#attempt, this.#renewDeadlineMs))) {
      this.#logger.warn(
        { lease: this.#where(), holderId: this.#holderId },
        `${this.#holderId}: the API server did not answer within ${this.#renewDeadlineMs} ms; lease ${this.#where()} not released, a standby takes over once it expires`,
      );
      return;
    }
    if (this.#holding && !(await this.#within(this.#release(), this.#renewDeadlineMs))) {
      this.#logger.warn(
        { lease: this.#where(), holderId: this.#holderId },
        `${this.#holderId}: releasing lease ${this.#where()} got no answer within ${this.#renewDeadlineMs} ms; a standby takes over once it expires`,
      );
    }
  }

  #attemptNow(): void {
    this.#timer = undefined;
    if (!this.#running) return;
    const attempt = this.#cycle().finally(() => {
      if (this.#attempt === attempt) this.#attempt = undefined;
    });
    this.#attempt = attempt;
  }

  async #cycle(): Promise<void> {
    if (this.#windingDown !== undefined) await this.#windingDown;
    if (!this.#running) return;
    const startedAt = this.#clock.now();
    let attempt: Attempt;
    try {
      attempt = await this.#tryAcquireOrRenew(startedAt);
    } catch (error) {
      attempt = { ok: false, error };
    }
    // stop() took over: it releases the lease if this attempt just took it.
    if (!this.#running) return;
    if (attempt.ok) this.#succeeded(startedAt);
    else if ("heldBy" in attempt) this.#heldBy(attempt.heldBy);
    else this.#failed(attempt.error);
    const delay = this.#leading ? this.#retryPeriodMs : Math.round(this.#retryPeriodMs * (1 + JITTER_FACTOR * this.#random()));
    this.#timer = this.#clock.setTimeout(() => this.#attemptNow(), delay);
  }

  /** One read and at most one write; ok when the lease is now ours for another leaseDuration from `now`. */
  async #tryAcquireOrRenew(now: number): Promise<Attempt> {
    const current = await this.#client.get(this.#namespace, this.#name);
    if (current === undefined) {
      const created = await this.#client.create({
        apiVersion: "coordination.k8s.io/v1",
        kind: "Lease",
        metadata: { namespace: this.#namespace, name: this.#name },
        spec: this.#spec(now, undefined),
      });
      this.#observe(created, now);
      this.#holding = true;
      return { ok: true };
    }
    this.#observe(current, now);
    const holder = current.spec.holderIdentity ?? "";
    const ours = holder === this.#holderId;
    this.#holding = ours;
    if (!ours && holder !== "" && !this.#expired(current, now)) return { ok: false, heldBy: holder };
    const updated = await this.#client.update({ ...current, metadata: { ...current.metadata }, spec: this.#spec(now, current.spec) });
    this.#observe(updated, now);
    this.#holding = true;
    return { ok: true };
  }

  /** The lease as we write it: a new holder counts a transition and a new acquireTime; a renewal keeps both. */
  #spec(now: number, previous: LeaseSpec | undefined): LeaseSpec {
    const stamp = formatMicroTime(now);
    const ours = previous?.holderIdentity === this.#holderId;
    const transitions = previous?.leaseTransitions ?? 0;
    return {
      holderIdentity: this.#holderId,
      leaseDurationSeconds: Math.ceil(this.#leaseDurationMs / 1000),
      acquireTime: ours ? (previous?.acquireTime ?? stamp) : stamp,
      renewTime: stamp,
      leaseTransitions: previous === undefined ? 0 : ours ? transitions : transitions + 1,
    };
  }

  #expired(lease: Lease, now: number): boolean {
    const seconds = lease.spec.leaseDurationSeconds;
    const durationMs = typeof seconds === "number" && seconds > 0 ? seconds * 1000 : this.#leaseDurationMs;
    // A renewTime we cannot read: time the lease from when we first saw this version of it.
    const renewedAt = parseMicroTime(lease.spec.renewTime) ?? this.#observedAt;
    return renewedAt + durationMs < now;
  }

  #observe(lease: Lease, now: number): void {
    if (lease.metadata.resourceVersion !== this.#lease?.metadata.resourceVersion) this.#observedAt = now;
    this.#lease = lease;
  }

  #succeeded(renewedAt: number): void {
    this.#lastLoggedError = undefined;
    this.#lastLoggedHolder = this.#holderId;
    // An answer that took so long the deadline has passed proves nothing about now.
    if (renewedAt + this.#renewDeadlineMs <= this.#clock.now()) {
      this.#stepDown(`the renewal took longer than the renew deadline (${this.#renewDeadlineMs} ms)`);
      return;
    }
    this.#armDeadline(renewedAt);
    if (this.#leading) return;
    this.#leading = true;
    const abort = new AbortController();
    this.#leaderAbort = abort;
    this.#logger.info(
      { lease: this.#where(), holderId: this.#holderId, leaseTransitions: this.#lease?.spec.leaseTransitions },
      `${this.#holderId}: became leader of lease ${this.#where()}`,
    );
    this.#settle("onStartedLeading", () => this.#onStartedLeading(abort.signal));
  }

  #heldBy(holder: string): void {
    if (this.#leading) this.#stepDown(`lease ${this.#where()} is now held by ${holder}`);
    if (holder !== this.#lastLoggedHolder) {
      this.#lastLoggedHolder = holder;
      this.#logger.info(
        { lease: this.#where(), holderId: this.#holderId, leader: holder },
        `${this.#holderId}: lease ${this.#where()} is held by ${holder}; standing by`,
      );
    }
  }

  #failed(error: unknown): void {
    const message = error instanceof Error ? error.message : String(error);
    // 409: AlreadyExists or Conflict, another candidate (or our own stale read) wrote first.
    const lost = error instanceof KubeApiError && error.status === 409;
    const fields = { lease: this.#where(), holderId: this.#holderId, error: message };
    if (this.#leading) {
      // Every failed renewal, while the deadline runs: the lines before a step-down say why.
      this.#logger.warn(
        fields,
        `${this.#holderId}: renewing lease ${this.#where()} failed: ${message}; leadership ends at the renew deadline unless a retry succeeds`,
      );
    } else if (lost) {
      this.#logger.debug(fields, `${this.#holderId}: another candidate wrote lease ${this.#where()} first: ${message}`);
    } else if (message !== this.#lastLoggedError) {
      // A standby in an outage would say the same every retry: once is enough.
      this.#lastLoggedError = message;
      this.#logger.warn(fields, `${this.#holderId}: acquiring lease ${this.#where()} failed: ${message}; retrying`);
    }
  }

  #armDeadline(renewedAt: number): void {
    if (this.#deadline !== undefined) this.#clock.clearTimeout(this.#deadline);
    this.#deadline = this.#clock.setTimeout(
      () => {
        this.#deadline = undefined;
        this.#stepDown(`no renewal of lease ${this.#where()} succeeded within the renew deadline (${this.#renewDeadlineMs} ms)`);
      },
      renewedAt + this.#renewDeadlineMs - this.#clock.now(),
    );
  }

  /** Ends leadership now: the signal aborts and onStoppedLeading runs (awaited by stop() and the next term). */
  #stepDown(reason: string): void {
    if (this.#deadline !== undefined) this.#clock.clearTimeout(this.#deadline);
    this.#deadline = undefined;
    if (!this.#leading) return;
    this.#leading = false;
    this.#leaderAbort?.abort(new Error(`leadership ended: ${reason}`));
    this.#leaderAbort = undefined;
    const level = this.#running ? "warn" : "info";
    this.#logger[level]({ lease: this.#where(), holderId: this.#holderId, reason }, `${this.#holderId}: stopped leading: ${reason}`);
    const done = this.#settle("onStoppedLeading", () => this.#onStoppedLeading());
    const windingDown = done.finally(() => {
      if (this.#windingDown === windingDown) this.#windingDown = undefined;
    });
    this.#windingDown = windingDown;
  }

  async #release(): Promise<void> {
    const lease = this.#lease;
    if (lease === undefined) return;
    const now = formatMicroTime(this.#clock.now());
    try {
      const released = await this.#client.update({
        ...lease,
        metadata: { ...lease.metadata },
        spec: { holderIdentity: "", leaseDurationSeconds: 1, acquireTime: now, renewTime: now, leaseTransitions: lease.spec.leaseTransitions ?? 0 },
      });
      this.#lease = released;
      this.#holding = false;
      this.#logger.info({ lease: this.#where(), holderId: this.#holderId }, `${this.#holderId}: released lease ${this.#where()}`);
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      this.#logger.warn(
        { lease: this.#where(), holderId: this.#holderId, error: message },
        `${this.#holderId}: releasing lease ${this.#where()} failed: ${message}; a standby takes over once it expires`,
      );
    }
  }

  /** Runs a callback, sync or async; its failure is logged, never thrown into the election. */
  #settle(what: string, callback: () => void | Promise<void>): Promise<void> {
    const failed = (error: unknown): void => {
      const message = error instanceof Error ? error.message : String(error);
      this.#logger.error({ lease: this.#where(), holderId: this.#holderId, error: message }, `${this.#holderId}: ${what} failed: ${message}`);
    };
    try {
      return Promise.resolve(callback()).catch(failed);
    } catch (error) {
      failed(error);
      return Promise.resolve();
    }
  }

  /** True if `promise` settled within `ms` of the clock. */
  #within(promise: Promise<unknown>, ms: number): Promise<boolean> {
    return new Promise((resolve) => {
      const timer = this.#clock.setTimeout(() => resolve(false), ms);
      void promise.then(
        () => {
          this.#clock.clearTimeout(timer);
          resolve(true);
        },
        () => {
          this.#clock.clearTimeout(timer);
          resolve(true);
        },
      );
    });
  }

  #where(): string {
    return `${this.#namespace}/${this.#name}`;
  }
}

function optionProblems(o: LeaderElectorOptions, leaseDurationMs: number, renewDeadlineMs: number, retryPeriodMs: number): string[] {
  const problems: string[] = [];
  if (o.holderId === "") problems.push("holderId must not be empty (use the pod name)");
  if (o.namespace === "" || o.name === "") problems.push("namespace and name of the lease must not be empty");
  if (!(retryPeriodMs > 0)) problems.push(`retryPeriodMs must be > 0 (got ${retryPeriodMs})`);
  if (!(renewDeadlineMs > JITTER_FACTOR * retryPeriodMs))
    problems.push(`renewDeadlineMs must be > ${JITTER_FACTOR} × retryPeriodMs (got ${renewDeadlineMs} and ${retryPeriodMs})`);
  if (!(leaseDurationMs > renewDeadlineMs))
    problems.push(`leaseDurationMs must be > renewDeadlineMs, so a leader stops before its lease can expire (got ${leaseDurationMs} and ${renewDeadlineMs})`);
  if (!(leaseDurationMs >= 1000)) problems.push(`leaseDurationMs must be >= 1000: leases count whole seconds (got ${leaseDurationMs})`);
  return problems;
}
