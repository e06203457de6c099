import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { Clock, TimerHandle } from "../../core/clock.ts";
import { ManualClock } from "../../core/clock.ts";
import { KubeApiError } from "../../core/kube/api-error.ts";
import { RecordingLogger } from "../../core/testing/recording-logger.ts";
import { LeaderElector } from "./leader-election.ts";
import type { LeaderElectorOptions } from "./leader-election.ts";
import type { Lease } from "./lease-client.ts";
import { formatMicroTime, parseMicroTime } from "./micro-time.ts";
import { FakeLeaseClient, leaseNetworkError } from "./testing/fake-lease-client.ts";

const NS = "hostgate-system";
const NAME = "hostgate-reconciler";
const LEASE_MS = 15_000;
const DEADLINE_MS = 10_000;
const RETRY_MS = 2_000;
/** Time moves in steps this long, with promises flushed between, as the fake answers on microtasks. */
const STEP_MS = 100;

async function flush(): Promise<void> {
  for (let i = 0; i < 3; i++) await new Promise(setImmediate);
}

/**
 * A view of the shared clock that a simulated crash freezes: its pending
 * timers are dropped and new ones never fire, so the elector on it simply
 * stops, releasing nothing, while time goes on for everyone else.
 */
class CrashableClock implements Clock {
  readonly #inner: ManualClock;
  readonly #timers = new Set<TimerHandle>();
  #crashed = false;

  constructor(inner: ManualClock) {
    this.#inner = inner;
  }
  now(): number {
    return this.#inner.now();
  }
  setTimeout(callback: () => void, ms: number): TimerHandle {
    if (this.#crashed) return {};
    const handle = this.#inner.setTimeout(() => {
      this.#timers.delete(handle);
      callback();
    }, ms);
    this.#timers.add(handle);
    return handle;
  }
  clearTimeout(handle: TimerHandle): void {
    this.#timers.delete(handle);
    this.#inner.clearTimeout(handle);
  }
  crash(): void {
    this.#crashed = true;
    for (const handle of this.#timers) this.#inner.clearTimeout(handle);
    this.#timers.clear();
  }
}

interface Candidate {
  holderId: string;
  elector: LeaderElector;
  /** "started" and "stopped", in the order the callbacks ran. */
  events: string[];
  /** Clock times at which it started leading. */
  startedAt: number[];
  signals: AbortSignal[];
  clock: CrashableClock;
}

function world() {
  const clock = new ManualClock();
  const client = new FakeLeaseClient();
  const logger = new RecordingLogger();
  const candidates: Candidate[] = [];
  const candidate = (holderId: string, overrides: Partial<LeaderElectorOptions> = {}): Candidate => {
    const own = new CrashableClock(clock);
    const c: Candidate = { holderId, events: [], startedAt: [], signals: [], clock: own, elector: undefined as unknown as LeaderElector };
    c.elector = new LeaderElector({
      client,
      namespace: NS,
      name: NAME,
      holderId,
      clock: own,
      logger,
      random: () => 0,
      onStartedLeading: (signal) => {
        c.events.push("started");
        c.startedAt.push(clock.now());
        c.signals.push(signal);
      },
      onStoppedLeading: () => {
        c.events.push("stopped");
      },
      ...overrides,
    });
    candidates.push(c);
    return c;
  };
  const lease = (): Lease | undefined => client.peek(NS, NAME);
  const leaders = (): string[] => candidates.filter((c) => c.elector.isLeader()).map((c) => c.holderId);
  /** Moves time on by `ms` in steps, flushing promises and checking `each` after every step. */
  const run = async (ms: number, each?: () => void): Promise<void> => {
    for (let t = 0; t < ms; t += STEP_MS) {
      clock.advance(STEP_MS);
      await flush();
      each?.();
    }
  };
  /** Fails the test if anyone leads without a lease in its name that is still valid. */
  const assertNoLeaderWithoutValidLease = (): void => {
    const current = lease();
    for (const id of leaders()) {
      assert.equal(current?.spec.holderIdentity, id, `${id} leads but the lease names ${current?.spec.holderIdentity}`);
      const renewedAt = parseMicroTime(current?.spec.renewTime)!;
      assert.ok(clock.now() < renewedAt + current!.spec.leaseDurationSeconds! * 1000, `${id} leads on an expired lease`);
    }
  };
  return { clock, client, logger, candidate, lease, leaders, run, assertNoLeaderWithoutValidLease };
}

function seeded(spec: Lease["spec"]): Lease {
  return { metadata: { namespace: NS, name: NAME }, spec };
}

describe("LeaderElector: acquiring", () => {
  it("acquires an absent lease at once, then renews it every retry period keeping its acquireTime", async () => {
    const w = world();
    const a = w.candidate("replica-a");
    const startedAt = w.clock.now();
    a.elector.start();
    await flush();
    assert.equal(a.elector.isLeader(), true);
    assert.deepEqual(a.events, ["started"]);
    assert.equal(a.signals[0]!.aborted, false);
    assert.deepEqual(w.lease()?.spec, {
      holderIdentity: "replica-a",
      leaseDurationSeconds: 15,
      acquireTime: "2030-01-01T00:00:00.000000Z",
      renewTime: "2030-01-01T00:00:00.000000Z",
      leaseTransitions: 0,
    });
    await w.run(RETRY_MS);
    assert.equal(w.lease()?.spec.renewTime, formatMicroTime(startedAt + RETRY_MS));
    assert.equal(w.lease()?.spec.acquireTime, formatMicroTime(startedAt));
    assert.deepEqual(a.events, ["started"], "renewing does not start anything again");
    assert.equal(a.elector.observedLeader(), "replica-a");
    await a.elector.stop();
  });

  const now = Date.UTC(2030, 0, 1);
  const cases: { name: string; spec: Lease["spec"]; leads: boolean; transitions: number; acquireTime?: string }[] = [
    {
      name: "released (no holder)",
      spec: { holderIdentity: "", leaseDurationSeconds: 1, renewTime: formatMicroTime(now), leaseTransitions: 2 },
      leads: true,
      transitions: 3,
    },
    {
      name: "expired: another holder's renewTime is more than its duration ago",
      spec: { holderIdentity: "gone", leaseDurationSeconds: 15, renewTime: formatMicroTime(now - 15_001), leaseTransitions: 3 },
      leads: true,
      transitions: 4,
    },
    {
      name: "still valid: renewed exactly its duration ago",
      spec: { holderIdentity: "other", leaseDurationSeconds: 15, renewTime: formatMicroTime(now - 15_000), leaseTransitions: 3 },
      leads: false,
      transitions: 3,
    },
    {
      name: "valid and held by another",
      spec: { holderIdentity: "other", leaseDurationSeconds: 15, renewTime: formatMicroTime(now - 1000), leaseTransitions: 3 },
      leads: false,
      transitions: 3,
    },
    {
      name: "valid and its own, from before a restart",
      spec: {
        holderIdentity: "replica-a",
        leaseDurationSeconds: 15,
        acquireTime: formatMicroTime(now - 60_000),
        renewTime: formatMicroTime(now - 1000),
        leaseTransitions: 3,
      },
      leads: true,
      transitions: 3,
      acquireTime: formatMicroTime(now - 60_000),
    },
  ];
  for (const c of cases) {
    it(`${c.leads ? "acquires at once" : "stands by"} when the lease is ${c.name}`, async () => {
      const w = world();
      w.client.seed(seeded(c.spec));
      const a = w.candidate("replica-a");
      a.elector.start();
      await flush();
      assert.equal(a.elector.isLeader(), c.leads);
      assert.equal(w.lease()?.spec.leaseTransitions, c.transitions);
      if (c.leads) {
        assert.equal(w.lease()?.spec.holderIdentity, "replica-a");
        assert.equal(w.lease()?.spec.acquireTime, c.acquireTime ?? formatMicroTime(now));
      } else {
        assert.deepEqual(w.lease()?.spec, c.spec, "a standby writes nothing");
        assert.equal(a.elector.observedLeader(), "other");
      }
      await a.elector.stop();
    });
  }

  it("refuses timings that could let a leader outlive its lease, naming each problem", () => {
    const client = new FakeLeaseClient();
    const base = { client, namespace: NS, name: NAME, holderId: "a", onStartedLeading: () => {}, onStoppedLeading: () => {} };
    assert.throws(() => new LeaderElector({ ...base, leaseDurationMs: 10_000, renewDeadlineMs: 10_000 }), /leaseDurationMs must be > renewDeadlineMs/);
    assert.throws(() => new LeaderElector({ ...base, renewDeadlineMs: 2_000, retryPeriodMs: 2_000 }), /renewDeadlineMs must be > 1.2 × retryPeriodMs/);
    assert.throws(() => new LeaderElector({ ...base, holderId: "" }), /holderId must not be empty/);
  });
});

describe("LeaderElector: leader and standby", () => {
  it("keeps a second elector on standby for as long as the first renews", async () => {
    const w = world();
    const a = w.candidate("replica-a");
    const b = w.candidate("replica-b");
    a.elector.start();
    await flush();
    b.elector.start();
    await w.run(60_000, w.assertNoLeaderWithoutValidLease);
    assert.deepEqual(w.leaders(), ["replica-a"]);
    assert.deepEqual(a.events, ["started"]);
    assert.deepEqual(b.events, []);
    assert.equal(b.elector.observedLeader(), "replica-a");
    assert.equal(w.lease()?.spec.leaseTransitions, 0);
    assert.equal(
      w.logger.messages("info").filter((m) => m === "replica-b: lease hostgate-system/hostgate-reconciler is held by replica-a; standing by").length,
      1,
      "said once, not every retry",
    );
    assert.ok(
      w.client.calls.filter((c) => c.operation === "update").every((c) => c.holder === "replica-a"),
      "the standby never writes",
    );
    await Promise.all([a.elector.stop(), b.elector.stop()]);
  });

  it("hands over after a crash only once the lease has expired", async () => {
    const w = world();
    const a = w.candidate("replica-a");
    const b = w.candidate("replica-b");
    a.elector.start();
    await flush();
    b.elector.start();
    await w.run(10_050);
    a.clock.crash();
    const lastRenewal = parseMicroTime(w.lease()?.spec.renewTime)!;
    await w.run(LEASE_MS + RETRY_MS + STEP_MS, () => {
      if (b.elector.isLeader()) assert.ok(w.clock.now() > lastRenewal + LEASE_MS, "took over a lease that had not expired");
    });
    assert.equal(b.elector.isLeader(), true);
    const tookOver = b.startedAt[0]!;
    assert.ok(
      tookOver > lastRenewal + LEASE_MS && tookOver <= lastRenewal + LEASE_MS + RETRY_MS,
      `took over ${tookOver - lastRenewal} ms after the last renewal`,
    );
    assert.equal(w.lease()?.spec.holderIdentity, "replica-b");
    assert.equal(w.lease()?.spec.leaseTransitions, 1);
    assert.equal(w.lease()?.spec.acquireTime, formatMicroTime(tookOver));
    await b.elector.stop();
  });

  it("on stop, stops the work, releases the lease, and the standby takes over on its next retry", async () => {
    const w = world();
    const a = w.candidate("replica-a");
    const b = w.candidate("replica-b");
    a.elector.start();
    await flush();
    b.elector.start();
    await w.run(5_000);
    const stoppedAt = w.clock.now();
    await a.elector.stop();
    assert.equal(a.elector.isLeader(), false);
    assert.deepEqual(a.events, ["started", "stopped"]);
    assert.equal(a.signals[0]!.aborted, true);
    assert.deepEqual(w.lease()?.spec, {
      holderIdentity: "",
      leaseDurationSeconds: 1,
      acquireTime: formatMicroTime(stoppedAt),
      renewTime: formatMicroTime(stoppedAt),
      leaseTransitions: 0,
    });
    await w.run(RETRY_MS);
    assert.equal(b.elector.isLeader(), true);
    assert.ok(b.startedAt[0]! - stoppedAt <= RETRY_MS, "on its next retry, not after the lease duration");
    assert.equal(w.lease()?.spec.leaseTransitions, 1);
    assert.equal(w.client.calls.filter((c) => c.holder === "").length, 1, "one release");
    await b.elector.stop();
  });

  it("releases the lease only once the work has stopped, so a standby never runs beside it", async () => {
    const w = world();
    let finishStopping = (): void => {};
    const a = w.candidate("replica-a", {
      onStoppedLeading: () => new Promise<void>((resolve) => (finishStopping = resolve)),
    });
    const b = w.candidate("replica-b");
    a.elector.start();
    await flush();
    b.elector.start();
    await w.run(1_000);
    let stopped = false;
    void a.elector.stop().then(() => (stopped = true));
    await w.run(RETRY_MS * 2);
    assert.equal(stopped, false);
    assert.equal(w.lease()?.spec.holderIdentity, "replica-a", "not released while the work still runs");
    assert.equal(b.elector.isLeader(), false);
    finishStopping();
    await flush();
    assert.equal(stopped, true);
    assert.equal(w.lease()?.spec.holderIdentity, "");
    await w.run(RETRY_MS);
    assert.equal(b.elector.isLeader(), true);
    await b.elector.stop();
  });

  it("lets a renewal in flight land before releasing, so the release does not conflict with it", async () => {
    const w = world();
    const a = w.candidate("replica-a");
    a.elector.start();
    await flush();
    w.client.pause();
    await w.run(RETRY_MS);
    let stopped = false;
    void a.elector.stop().then(() => (stopped = true));
    await flush();
    assert.equal(a.signals[0]!.aborted, true, "the work stops at once");
    w.client.resume();
    await flush();
    assert.equal(stopped, true);
    assert.equal(w.lease()?.spec.holderIdentity, "");
    assert.deepEqual(w.logger.messages("warn"), []);
  });

  it("writes nothing when a standby stops", async () => {
    const w = world();
    w.client.seed(seeded({ holderIdentity: "other", leaseDurationSeconds: 15, renewTime: formatMicroTime(w.clock.now()) }));
    const a = w.candidate("replica-a");
    a.elector.start();
    await flush();
    await a.elector.stop();
    assert.equal(w.client.calls.filter((c) => c.operation !== "get").length, 0);
    assert.deepEqual(a.events, []);
    assert.equal(w.clock.pendingTimers(), 0, "no timer left behind");
  });
});

describe("LeaderElector: losing the lease", () => {
  for (const trouble of ["fails", "hangs"] as const) {
    it(`steps down at the renew deadline when the API server ${trouble}, before the lease can expire, and leads again once it answers`, async () => {
      const w = world();
      const a = w.candidate("replica-a");
      a.elector.start();
      await flush();
      await w.run(4_050);
      const lastRenewal = parseMicroTime(w.lease()?.spec.renewTime)!;
      if (trouble === "fails") w.client.outage();
      else w.client.pause();
      let steppedDownAt: number | undefined;
      await w.run(LEASE_MS, () => {
        if (!a.elector.isLeader() && steppedDownAt === undefined) steppedDownAt = w.clock.now();
      });
      assert.ok(steppedDownAt !== undefined, "still leading");
      assert.ok(
        steppedDownAt - lastRenewal <= DEADLINE_MS && steppedDownAt - lastRenewal > DEADLINE_MS - STEP_MS,
        `stepped down ${steppedDownAt - lastRenewal} ms after the last renewal`,
      );
      assert.deepEqual(a.events, ["started", "stopped"]);
      assert.equal(a.signals[0]!.aborted, true);
      assert.equal(
        w.logger
          .messages("warn")
          .filter(
            (m) => m === "replica-a: stopped leading: no renewal of lease hostgate-system/hostgate-reconciler succeeded within the renew deadline (10000 ms)",
          ).length,
        1,
      );
      if (trouble === "fails") {
        assert.equal(
          w.logger.messages("warn").filter((m) => m.includes("renewing lease hostgate-system/hostgate-reconciler failed: connect ECONNREFUSED")).length,
          4,
          "the retries 2, 4, 6 and 8 s after the last renewal each say why",
        );
        w.client.endOutage();
      } else {
        w.client.resume();
      }
      await w.run(RETRY_MS * 3);
      assert.equal(a.elector.isLeader(), true, "the lease was still its own");
      assert.deepEqual(a.events, ["started", "stopped", "started"]);
      assert.equal(a.signals[1]!.aborted, false, "a new term, a new signal");
      await a.elector.stop();
    });
  }

  it("does not lead again after losing the lease until onStoppedLeading has finished", async () => {
    const w = world();
    const stopping: (() => void)[] = [];
    const a = w.candidate("replica-a", { onStoppedLeading: () => new Promise<void>((resolve) => stopping.push(resolve)) });
    a.elector.start();
    await flush();
    w.client.outage();
    await w.run(DEADLINE_MS + STEP_MS);
    assert.equal(a.elector.isLeader(), false);
    w.client.endOutage();
    await w.run(RETRY_MS * 3);
    assert.equal(a.elector.isLeader(), false, "the old term's work is still stopping");
    assert.equal(a.signals.length, 1);
    stopping[0]!();
    await flush();
    assert.equal(a.elector.isLeader(), true);
    assert.equal(a.signals.length, 2);
    const stopped = a.elector.stop();
    await flush();
    stopping[1]!();
    await stopped;
    assert.equal(w.lease()?.spec.holderIdentity, "");
  });

  it("steps down at once on finding another holder in the lease, without waiting for the deadline", async () => {
    const w = world();
    const a = w.candidate("replica-a");
    a.elector.start();
    await flush();
    const current = w.lease()!;
    w.client.seed({ ...current, spec: { ...current.spec, holderIdentity: "usurper", renewTime: formatMicroTime(w.clock.now()) } });
    await w.run(RETRY_MS);
    assert.equal(a.elector.isLeader(), false);
    assert.deepEqual(a.events, ["started", "stopped"]);
    assert.match(w.logger.messages("warn").at(-1)!, /stopped leading: lease hostgate-system\/hostgate-reconciler is now held by usurper/);
    await a.elector.stop();
    assert.equal(w.lease()?.spec.holderIdentity, "usurper", "not released: it is not ours");
  });

  it("gives up waiting for a hung API server on stop after the renew deadline, releasing nothing", async () => {
    const w = world();
    const a = w.candidate("replica-a");
    a.elector.start();
    await flush();
    w.client.pause();
    await w.run(RETRY_MS);
    let stopped = false;
    void a.elector.stop().then(() => (stopped = true));
    await flush();
    await w.run(DEADLINE_MS - STEP_MS);
    assert.equal(stopped, false);
    await w.run(STEP_MS);
    assert.equal(stopped, true);
    assert.match(w.logger.messages("warn").at(-1)!, /did not answer within 10000 ms; lease hostgate-system\/hostgate-reconciler not released/);
    assert.equal(w.lease()?.spec.holderIdentity, "replica-a");
  });

  it("gives up on a release the API server never answers after the renew deadline", async () => {
    const w = world();
    const a = w.candidate("replica-a");
    a.elector.start();
    await flush();
    w.client.pause();
    let stopped = false;
    void a.elector.stop().then(() => (stopped = true));
    await flush();
    assert.deepEqual(w.client.calls.at(-1), { operation: "update", namespace: NS, name: NAME, holder: "" }, "the release was sent");
    await w.run(DEADLINE_MS);
    assert.equal(stopped, true);
    assert.match(w.logger.messages("warn").at(-1)!, /releasing lease hostgate-system\/hostgate-reconciler got no answer within 10000 ms/);
  });
});

describe("LeaderElector: racing candidates", () => {
  const now = Date.UTC(2030, 0, 1);
  const cases: { name: string; seed?: Lease["spec"]; write: "create" | "update"; loser: string; transitions: number }[] = [
    { name: "both find the lease absent and create it", write: "create", loser: "AlreadyExists", transitions: 0 },
    {
      name: "both find it expired and update it from the same resourceVersion",
      seed: { holderIdentity: "crashed", leaseDurationSeconds: 15, renewTime: formatMicroTime(now - 60_000), leaseTransitions: 4 },
      write: "update",
      loser: "Conflict",
      transitions: 5,
    },
  ];
  for (const c of cases) {
    it(`ends with exactly one leader when ${c.name}`, async () => {
      const w = world();
      if (c.seed !== undefined) w.client.seed(seeded(c.seed));
      const a = w.candidate("replica-a");
      const b = w.candidate("replica-b");
      a.elector.start();
      b.elector.start();
      await flush();
      assert.deepEqual(
        w.client.calls.filter((call) => call.operation === c.write).map((call) => call.holder),
        ["replica-a", "replica-b"],
        "both tried to write: a real race",
      );
      assert.equal(w.leaders().length, 1);
      const winner = w.leaders()[0]!;
      assert.equal(w.lease()?.spec.holderIdentity, winner);
      assert.equal(w.lease()?.spec.leaseTransitions, c.transitions, "one change of holder counted once");
      await w.run(30_000, () => {
        w.assertNoLeaderWithoutValidLease();
        assert.deepEqual(w.leaders(), [winner]);
      });
      const loser = winner === "replica-a" ? b : a;
      assert.deepEqual(loser.events, []);
      await Promise.all([a.elector.stop(), b.elector.stop()]);
    });
  }

  it("ends with exactly one leader among five candidates started together, and exactly one after each stops in turn", async () => {
    const w = world();
    const all = ["a", "b", "c", "d", "e"].map((id) => w.candidate(`replica-${id}`));
    for (const c of all) c.elector.start();
    await w.run(RETRY_MS, w.assertNoLeaderWithoutValidLease);
    for (let round = 0; round < 4; round++) {
      assert.equal(w.leaders().length, 1, `round ${round}`);
      const leader = all.find((c) => c.elector.isLeader())!;
      await leader.elector.stop();
      await w.run(RETRY_MS * 2, () => {
        w.assertNoLeaderWithoutValidLease();
        assert.ok(w.leaders().length <= 1, "two leaders at once");
      });
    }
    assert.equal(w.leaders().length, 1);
    assert.equal(w.lease()?.spec.leaseTransitions, 4);
    await Promise.all(all.map((c) => c.elector.stop()));
  });
});

describe("LeaderElector: callbacks", () => {
  it("logs a failing onStartedLeading and keeps the lease", async () => {
    const w = world();
    const a = w.candidate("replica-a", {
      onStartedLeading: async () => {
        throw new KubeApiError("cannot start", 500, "InternalError");
      },
    });
    a.elector.start();
    await flush();
    assert.equal(a.elector.isLeader(), true);
    assert.deepEqual(w.logger.messages("error"), ["replica-a: onStartedLeading failed: cannot start"]);
    await a.elector.stop();
  });

  it("says once, not every retry, that a standby cannot reach the API server", async () => {
    const w = world();
    w.client.outage(leaseNetworkError("no route to host"));
    const a = w.candidate("replica-a");
    a.elector.start();
    await flush();
    await w.run(RETRY_MS * 5);
    assert.deepEqual(w.logger.messages("warn"), ["replica-a: acquiring lease hostgate-system/hostgate-reconciler failed: no route to host; retrying"]);
    assert.equal(w.client.calls.length, 6);
    await a.elector.stop();
  });
});
