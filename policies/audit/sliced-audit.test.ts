// auditObjectsSliced: auditObjects' results exactly, judged in slices that
// give the event loop a turn between them, and stopped without results when
// the caller says the pass is superseded.
import assert from "node:assert/strict";
import { join } from "node:path";
import { describe, test } from "node:test";
import { loadEnvironment } from "../../core/environment.ts";
import { LABEL_MANAGED_BY, LABEL_ROUTE_UID } from "../../core/kube/produced-labels.ts";
import type { KubeObject } from "../../core/kube/object-key.ts";
import { readManifests } from "../../core/objects/index.ts";
import { InputError } from "../engine/input-error.ts";
import { auditObjects } from "./audit-objects.ts";
import { auditObjectsSliced } from "./sliced-audit.ts";

const ROOT = join(import.meta.dirname, "..", "..");
const STATE = join(ROOT, "examples", "state");

async function scene(): Promise<{ objects: KubeObject[]; env: Awaited<ReturnType<typeof loadEnvironment>>["verdict"] }> {
  const loaded = await loadEnvironment({ config: join(ROOT, "examples", "platform-config.yaml"), policies: [join(ROOT, "policies", "library")], state: STATE });
  const objects = (await readManifests([STATE])).map((m) => m.object as KubeObject);
  const route = objects.find((o) => o.kind === "DomainRoute" && (o as { spec?: { routing?: { mode?: string } } }).spec?.routing?.mode === "Managed");
  // A VirtualService the reconciler would have written for a Managed route, proven only by that route (elsewhere in the set).
  const extra: KubeObject[] = [];
  if (route !== undefined) {
    extra.push({
      apiVersion: "networking.istio.io/v1",
      kind: "VirtualService",
      metadata: {
        name: `${route.metadata!.name}-vs`,
        namespace: route.metadata!.namespace!,
        labels: { [LABEL_MANAGED_BY]: "hostgate", [LABEL_ROUTE_UID]: String(route.metadata!.uid ?? "") },
      },
      spec: { hosts: [(route as { spec: { domain: string } }).spec.domain] },
    });
  }
  // Reversed, and an object twice (equal subjects: their results must interleave as one stable sort of all results orders them).
  const all = [...extra, ...objects].reverse();
  return { objects: [...all, all[0]!], env: loaded.verdict };
}

/** A clock that moves 1 ms each time it is read, and a yield that counts turns. */
function stepping(): { now: () => number; yieldToLoop: () => Promise<void>; turns: () => number } {
  let t = 0;
  let turns = 0;
  return {
    now: () => t++,
    yieldToLoop: async () => {
      turns++;
    },
    turns: () => turns,
  };
}

describe("auditObjectsSliced", () => {
  const slices = [
    { name: "in one slice when the budget is never reached", sliceMs: 1e9, moreThanOneTurn: false },
    { name: "in a slice per object when each object takes the whole budget", sliceMs: 1, moreThanOneTurn: true },
    { name: "in slices of a few objects", sliceMs: 3, moreThanOneTurn: true },
  ];
  for (const { name, sliceMs, moreThanOneTurn } of slices) {
    test(`gives auditObjects' results in its order ${name}`, async () => {
      const { objects, env } = await scene();
      const clock = stepping();
      const sliced = await auditObjectsSliced(objects, env, { sliceMs, now: clock.now, yieldToLoop: clock.yieldToLoop });
      assert.equal(sliced.completed, true);
      assert.deepEqual(sliced.completed && sliced.results, auditObjects(objects, env));
      assert.equal(clock.turns() > 0, moreThanOneTurn);
      assert.equal(sliced.slices, clock.turns() + 1);
    });
  }

  test("lets other work run between slices (the real setImmediate)", async () => {
    const { objects, env } = await scene();
    let ranDuringPass = false;
    let done = false;
    const other = setImmediate(() => (ranDuringPass = !done));
    const sliced = await auditObjectsSliced(objects, env, { sliceMs: 1e-9 });
    done = true;
    clearImmediate(other);
    assert.equal(sliced.completed, true);
    assert.ok(ranDuringPass, "a callback queued before the pass ran before it ended");
  });

  test("stops without results when superseded between slices, judging nothing more", async () => {
    const { objects, env } = await scene();
    const clock = stepping();
    const sliced = await auditObjectsSliced(objects, env, { sliceMs: 1, now: clock.now, yieldToLoop: clock.yieldToLoop, superseded: () => clock.turns() >= 2 });
    assert.deepEqual(sliced, { completed: false, slices: 3 });
  });

  test("stops before judging when superseded at once", async () => {
    const { objects, env } = await scene();
    assert.deepEqual(await auditObjectsSliced(objects, env, { superseded: () => true }), { completed: false, slices: 1 });
  });

  test("refuses an object without a name before judging any, as auditObjects does", async () => {
    const { objects, env } = await scene();
    const bad = [...objects, { apiVersion: "v1", kind: "ConfigMap", metadata: {} }];
    await assert.rejects(auditObjectsSliced(bad, env), (e) => e instanceof InputError && /has no metadata\.name/.test(e.message + String(e.problems)));
  });

  test("refuses a slice length that is not positive", async () => {
    const { objects, env } = await scene();
    await assert.rejects(auditObjectsSliced(objects, env, { sliceMs: 0 }), /sliceMs must be positive \(got 0\)/);
  });
});
