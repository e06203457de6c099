// The self-managed serving certificate: keeps the store's certificates as
// the planner wants them, publishes the CA bundle, and hands the HTTPS
// server the current pair. Every replica runs one; they share the store:
//   - each check re-reads the store, so a replica adopts what another wrote;
//   - writes are conditional on the version read, and a conflict means
//     "someone else got there first": re-read and re-plan, never overwrite;
//   - a failure (API down, RBAC missing) keeps the last good certificate in
//     service and retries with backoff; valid() reports it.
import type { Clock, TimerHandle } from "../core/clock.ts";
import { systemClock } from "../core/clock.ts";
import type { Logger } from "../core/logger.ts";
import { silentLogger } from "../core/logger.ts";
import { backoffDelay } from "../core/backoff.ts";
import type { CaBundlePublisher } from "./bundle-publisher.ts";
import { messageOf } from "./certificate-info.ts";
import { executePlan } from "./execute-plan.ts";
import type { CertificateIssuer } from "./issuer.ts";
import { createCertificateIssuer } from "./issuer.ts";
import type { PlanOptions } from "./planner.ts";
import { planCertificates } from "./planner.ts";
import type { CertificatePolicy } from "./policy.ts";
import type { CertificateValidity, ServingCertificateSource, TlsMaterial } from "./source.ts";
import { problemOf, ServedCertificate } from "./source.ts";
import type { CertificateStore } from "./store.ts";
import { StoreConflictError } from "./store.ts";
import { CA_BUNDLE_KEY, decodeCertificates } from "./stored-state.ts";

export interface CertificateManagerOptions {
  store: CertificateStore;
  policy: CertificatePolicy;
  /** Writes the bundle into the webhook configurations; none in local mode (ca.crt is the bundle). */
  publisher?: CaBundlePublisher;
  issuer?: CertificateIssuer;
  clock?: Clock;
  logger?: Logger;
  /** How often to re-read the store and re-plan when all is well (ms). Default 1 minute: one GET per replica, cheap. */
  checkInterval?: number;
  /** Retry delays after failures (no jitter). Default 1 s doubling up to checkInterval. */
  backoff?: { initialMs: number; maxMs: number };
  /** Conflicting writes tolerated within one check before it counts as a failure. Default 5. */
  maxConflicts?: number;
}

export interface CheckResult {
  ok: boolean;
  /** Whether this check wrote the store. */
  wrote: boolean;
  /** Why the check failed (ok false). */
  error?: string;
  /** When the planner next has something to do. */
  nextReviewAt?: Date;
}

export interface ManagerStatus {
  consecutiveFailures: number;
  lastError?: string;
  lastSuccessAt?: Date;
  /** The bundle last written into the webhook configurations by this replica. */
  publishedBundle?: string;
}

export class CertificateManager implements ServingCertificateSource {
  readonly #store: CertificateStore;
  readonly #policy: CertificatePolicy;
  readonly #publisher: CaBundlePublisher | undefined;
  readonly #issuer: CertificateIssuer;
  readonly #clock: Clock;
  readonly #logger: Logger;
  readonly #checkInterval: number;
  readonly #backoff: { initialMs: number; maxMs: number };
  readonly #maxConflicts: number;
  readonly #served: ServedCertificate;

  #publishedBundle: string | undefined;
  #failures = 0;
  #lastError: string | undefined;
  #lastSuccessAt: Date | undefined;
  #queue: Promise<unknown> = Promise.resolve();
  #timer: TimerHandle | undefined;
  #starting: Promise<void> | undefined;
  #wake: (() => void) | undefined;
  #stopped = false;

  constructor(options: CertificateManagerOptions) {
    this.#store = options.store;
    this.#policy = options.policy;
    this.#publisher = options.publisher;
    this.#issuer = options.issuer ?? createCertificateIssuer();
    this.#clock = options.clock ?? systemClock;
    this.#logger = options.logger ?? silentLogger;
    this.#checkInterval = options.checkInterval ?? 60_000;
    this.#backoff = options.backoff ?? { initialMs: 1_000, maxMs: this.#checkInterval };
    this.#maxConflicts = options.maxConflicts ?? 5;
    this.#served = new ServedCertificate((error) => this.#logger.error({ error: messageOf(error) }, "a serving-certificate change listener failed"));
  }

  /** Checks until a certificate is in hand (retrying failures with backoff), then keeps checking in the background. */
  start(): Promise<void> {
    this.#starting ??= this.#startOnce();
    return this.#starting;
  }

  async #startOnce(): Promise<void> {
    for (;;) {
      if (this.#stopped)
        throw new Error(
          `the certificate manager was stopped before a serving certificate was available${this.#lastError ? ` (last error: ${this.#lastError})` : ""}`,
        );
      const result = await this.check();
      if (this.#served.material !== undefined) {
        this.#schedule(result);
        return;
      }
      await this.#sleep(this.#retryDelay());
    }
  }

  /** One pass: read, plan, write if needed, adopt, publish. Never throws; calls are serialized. */
  check(): Promise<CheckResult> {
    const run = this.#queue.then(() => this.#checkOnce());
    this.#queue = run;
    return run;
  }

  /** Resolves when no check is running (after stop(), before exiting; in tests, after moving the clock). */
  async idle(): Promise<void> {
    await this.#queue;
  }

  current(): TlsMaterial {
    return this.#served.current();
  }

  onChange(listener: (material: TlsMaterial) => void): () => void {
    return this.#served.onChange(listener);
  }

  valid(now: Date = new Date(this.#clock.now())): CertificateValidity {
    return this.#served.valid(now, this.#lastError === undefined ? undefined : `the last ${this.#failures} certificate check(s) failed: ${this.#lastError}`);
  }

  problem(now: Date): string | undefined {
    return problemOf(this.valid(now));
  }

  notAfter(): Date | undefined {
    return this.#served.notAfter();
  }

  status(): ManagerStatus {
    return {
      consecutiveFailures: this.#failures,
      ...(this.#lastError !== undefined ? { lastError: this.#lastError } : {}),
      ...(this.#lastSuccessAt !== undefined ? { lastSuccessAt: this.#lastSuccessAt } : {}),
      ...(this.#publishedBundle !== undefined ? { publishedBundle: this.#publishedBundle } : {}),
    };
  }

  stop(): void {
    this.#stopped = true;
    if (this.#timer !== undefined) this.#clock.clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#wake?.();
  }

  async #checkOnce(): Promise<CheckResult> {
    let conflicts = 0;
    try {
      for (;;) {
        const now = new Date(this.#clock.now());
        const stored = await this.#store.read();
        const options = this.#planOptions();
        const plan = planCertificates(stored?.data, now, options);
        for (const problem of plan.problems) this.#logger.warn({ store: this.#store.location, problem }, "discarding unusable stored certificate data");
        for (const reason of plan.waiting) this.#logger.debug({ reason }, "certificate change waiting");
        let data = stored?.data;
        if (plan.changed) {
          const next = await executePlan(plan, { issuer: this.#issuer, now, policy: this.#policy, ...(data ? { base: data } : {}) });
          try {
            await this.#store.write(next, stored?.version);
          } catch (error) {
            if (!(error instanceof StoreConflictError) || ++conflicts > this.#maxConflicts) throw error;
            this.#logger.info({ store: this.#store.location, conflicts }, "another replica changed the certificates first; re-reading them");
            continue;
          }
          for (const reason of plan.reasons) this.#logger.info({ store: this.#store.location, reason }, "certificates updated");
          data = next;
        }
        const after = planCertificates(data, now, options);
        if (after.changed)
          this.#logger.error(
            { reasons: after.reasons, problems: after.problems },
            "the certificate planner wants to change what it just wrote (a bug); keeping it until the next check",
          );
        this.#adopt(data ?? {});
        await this.#publish(data?.[CA_BUNDLE_KEY] ?? "");
        this.#failures = 0;
        this.#lastError = undefined;
        this.#lastSuccessAt = now;
        return { ok: true, wrote: plan.changed, nextReviewAt: after.nextReviewAt };
      }
    } catch (error) {
      this.#failures++;
      this.#lastError = messageOf(error);
      const retryIn = this.#retryDelay();
      this.#logger.error(
        { store: this.#store.location, error: this.#lastError, failures: this.#failures, retryInMs: retryIn },
        this.#served.material ? "certificate check failed; still serving the current certificate" : "certificate check failed; no serving certificate yet",
      );
      return { ok: false, wrote: false, error: this.#lastError };
    }
  }

  #planOptions(): PlanOptions {
    // With a publisher, the serving certificate moves to a new CA only once
    // this replica has seen that CA published ("" = nothing seen yet).
    return this.#publisher === undefined ? this.#policy : { ...this.#policy, publishedBundle: this.#publishedBundle ?? "" };
  }

  #adopt(data: Record<string, string>): void {
    const decoded = decodeCertificates(data);
    if (decoded.serving === undefined) return;
    const next: TlsMaterial = {
      cert: decoded.serving.certificate.pem,
      key: decoded.serving.keyPem,
      ca: data[CA_BUNDLE_KEY] ?? "",
      notBefore: decoded.serving.certificate.notBefore,
      notAfter: decoded.serving.certificate.notAfter,
    };
    const previous = this.#served.material;
    if (previous !== undefined && previous.cert === next.cert && previous.key === next.key && previous.ca === next.ca) return;
    if (previous === undefined || previous.cert !== next.cert) {
      this.#logger.info(
        { notAfter: next.notAfter.toISOString(), names: [...decoded.serving.certificate.dnsNames, ...decoded.serving.certificate.ipAddresses] },
        "serving certificate loaded",
      );
    }
    this.#served.replace(next);
  }

  async #publish(bundle: string): Promise<void> {
    if (this.#publisher === undefined || bundle === "") return;
    const result = await this.#publisher.publish(bundle);
    if (result.updated.length > 0) this.#logger.info({ updated: result.updated }, "CA bundle written into the webhook configurations");
    this.#publishedBundle = bundle;
  }

  #schedule(last: CheckResult): void {
    if (this.#stopped) return;
    const now = this.#clock.now();
    let delay: number;
    if (!last.ok) delay = this.#retryDelay();
    else {
      const due = last.nextReviewAt ? last.nextReviewAt.getTime() - now : this.#checkInterval;
      // Planner deadlines fall between checks: wake for them, but never in a
      // tight loop (a deadline already past means "now", which a check that
      // just ran has seen to; the next regular check is soon enough).
      delay = due > 0 ? Math.min(this.#checkInterval, Math.max(due, 1_000)) : this.#checkInterval;
    }
    this.#timer = this.#clock.setTimeout(() => {
      this.#timer = undefined;
      void this.check().then((result) => this.#schedule(result));
    }, delay);
  }

  /** The wait before the next check after the current run of failures. */
  #retryDelay(): number {
    return backoffDelay(this.#failures, { ...this.#backoff, factor: 2 });
  }

  #sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = this.#clock.setTimeout(() => {
        this.#wake = undefined;
        resolve();
      }, ms);
      this.#wake = () => {
        this.#clock.clearTimeout(timer);
        this.#wake = undefined;
        resolve();
      };
    });
  }
}
