// The cluster's PolicyModule objects as the policy set in force. A reflector
// hands over every change (list, relist, watch event); a burst of them is
// debounced into one recompile, and the new set replaces the old one in a
// single assignment, so a review holding the old set finishes with it.
//
// Only objects whose resourceVersion changed are compiled again. A module
// that does not load becomes a fail-closed stand-in (fail-closed-module.ts),
// never a gap. Until the first complete list the set is not ready: a review
// judged by an empty set would be admitted unchecked.
import type { Clock, TimerHandle } from "../../core/clock.ts";
import { systemClock } from "../../core/clock.ts";
import type { Logger } from "../../core/logger.ts";
import { silentLogger } from "../../core/logger.ts";
import type { KubeObject } from "../../core/kube/object-key.ts";
import { resourceVersionOf } from "../../core/kube/object-key.ts";
import type { ReflectorBatch } from "../../core/kube/reflector-types.ts";
import { makePolicySet } from "../../policies/engine/module-loader.ts";
import type { PolicySet } from "../../policies/engine/module-loader.ts";
import { loadPolicyModuleObject, policySetOf } from "../../policies/policy-module-objects.ts";
import type { LoadedPolicyModule } from "../../policies/policy-module-objects.ts";
import type { PolicySetSource } from "./policy-set-source.ts";

/** Long enough to fold a `kubectl apply -f dir/` burst into one swap, short enough to be "within seconds". */
export const DEFAULT_DEBOUNCE_MS = 500;

export interface LivePolicySetOptions {
  logger?: Logger;
  clock?: Clock;
  debounceMs?: number;
  /** Why the first list has not arrived (the reflector's last error), for /readyz and denials. */
  waitingReason?: () => string | undefined;
}

interface Loaded extends LoadedPolicyModule {
  version: string;
}

/** One swap, as logged: what changed and how long compiling took. */
export interface PolicySetSwap {
  generation: number;
  added: string[];
  changed: string[];
  removed: string[];
  failed: string[];
  modules: number;
  tookMs: number;
}

export class LivePolicySet implements PolicySetSource {
  readonly #logger: Logger;
  readonly #clock: Clock;
  readonly #debounceMs: number;
  readonly #waitingReason: (() => string | undefined) | undefined;
  /** The objects as the API server has them now, by name. */
  readonly #objects = new Map<string, KubeObject>();
  /** What is compiled, by name (in force, or about to be). */
  readonly #loaded = new Map<string, Loaded>();
  #set: PolicySet | undefined;
  #generation = 0;
  #timer: TimerHandle | undefined;
  #stopped = false;

  constructor(options: LivePolicySetOptions = {}) {
    this.#logger = options.logger ?? silentLogger;
    this.#clock = options.clock ?? systemClock;
    this.#debounceMs = options.debounceMs ?? DEFAULT_DEBOUNCE_MS;
    this.#waitingReason = options.waitingReason;
  }

  current(): PolicySet {
    return this.#set ?? EMPTY;
  }

  notReadyReason(): string | undefined {
    if (this.#set !== undefined) return undefined;
    const why = this.#waitingReason?.();
    return `the PolicyModules have not been listed yet${why === undefined ? "" : ` (${why})`}`;
  }

  /** Swaps so far; 0 until the first set is in force. */
  generation(): number {
    return this.#generation;
  }

  /** Names of the modules in force as fail-closed stand-ins, sorted. */
  failedModules(): string[] {
    return [...this.#loaded]
      .filter(([, l]) => l.problems !== undefined)
      .map(([name]) => name)
      .sort();
  }

  /** A reflector handler: records the change; the first list is swapped in at once, later changes after the debounce. */
  apply(batch: ReflectorBatch<KubeObject>): void {
    for (const change of batch.changes) {
      const name = change.key.name;
      if (change.type === "deleted") this.#objects.delete(name);
      else this.#objects.set(name, change.object);
    }
    if (this.#set === undefined && batch.cause === "list") this.flush();
    else if (this.#set !== undefined && this.#timer === undefined && !this.#stopped) {
      this.#timer = this.#clock.setTimeout(() => this.flush(), this.#debounceMs);
    }
  }

  /** Compiles what changed and swaps the set in; returns the swap, or undefined when nothing changed. */
  flush(): PolicySetSwap | undefined {
    if (this.#timer !== undefined) this.#clock.clearTimeout(this.#timer);
    this.#timer = undefined;
    const started = performance.now();
    const added: string[] = [];
    const changed: string[] = [];
    const removed = [...this.#loaded.keys()].filter((name) => !this.#objects.has(name));
    for (const name of removed) this.#loaded.delete(name);
    for (const [name, object] of this.#objects) {
      const version = resourceVersionOf(object) || JSON.stringify(object);
      const before = this.#loaded.get(name);
      if (before?.version === version) continue;
      (before === undefined ? added : changed).push(name);
      this.#loaded.set(name, { version, ...loadPolicyModuleObject(name, object) });
    }
    if (this.#set !== undefined && added.length + changed.length + removed.length === 0) return undefined;
    const names = [...this.#loaded.keys()];
    // No PolicyModule at all is not "no rules": it fails closed (noPolicyModulesModule), never admitting unchecked.
    this.#set = policySetOf(this.#loaded);
    this.#generation++;
    const swap: PolicySetSwap = {
      generation: this.#generation,
      added: added.sort(),
      changed: changed.sort(),
      removed: removed.sort(),
      failed: this.failedModules(),
      modules: names.length,
      tookMs: Math.round((performance.now() - started) * 1000) / 1000,
    };
    this.#log(swap);
    return swap;
  }

  stop(): void {
    this.#stopped = true;
    if (this.#timer !== undefined) this.#clock.clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  #log(swap: PolicySetSwap): void {
    this.#logger.info({ ...swap }, `policy set ${swap.generation} in force: ${swap.modules} PolicyModules`);
    for (const name of swap.failed) {
      const problems = this.#loaded.get(name)?.problems ?? [];
      this.#logger.error({ policy: name, problems }, `PolicyModule ${name} cannot load; what it matches is denied until it is fixed or deleted`);
    }
    if (swap.modules === 0)
      this.#logger.error({}, "no PolicyModules are installed: every request the webhook is sent is denied (PolicyModules excepted) until they are");
  }
}

const EMPTY = makePolicySet([]);
