// Issue 10, items 1 and 2 through `hostgate check --operation UPDATE`: the
// stored objects (--old) are Terminating, the files are the edits. The same
// scenarios as policies/deletion-window.test.ts (decide) and
// webhook/admission-window.test.ts (the webhook). Item 5 cannot reach
// decide() through check: `-n` naming another namespace than the object is
// refused as unusable input (cli-check.test.ts), as kubectl refuses it.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { entriesOf, hostgate, tempDir, writeYaml } from "./fixtures.ts";
import {
  domainRoute,
  FINALIZER_RELEASES,
  HOSTGATE_FINALIZER,
  NOT_ONLY_RELEASES,
  STATE,
  terminating,
  TERMINATING_ATTACKS,
  withMetadata,
  withSpec,
} from "../policies/testing/admission-scenarios.ts";
import type { Json, UpdateScenario } from "../policies/testing/admission-scenarios.ts";

const dir = tempDir("check-admission");
// team-b's route squatted team-a's appId while Terminating.
const squatter = terminating(domainRoute("team-b", "squat", { domain: "api.example.com", protection: { provider: "sso", appId: "shop-web" } }));
const stateDir = (() => {
  const state = `${dir}/state`;
  writeYaml(state, "state.yaml", ...STATE, squatter);
  return state;
})();

let files = 0;
async function checkUpdate(updated: Json, stored: Json, ...extra: string[]) {
  const n = ++files;
  const file = writeYaml(dir, `new-${n}.yaml`, updated);
  const old = writeYaml(dir, `old-${n}.yaml`, stored);
  const result = await hostgate("check", "-f", file, "--operation", "UPDATE", "--old", old, "--state", stateDir, "-o", "json", ...extra);
  const [entry] = entriesOf(result);
  assert.ok(entry, result.stderr);
  return { result, entry };
}

const denyingPolicies = (entry: { denials: Array<{ policy: string }> }) => [...new Set(entry.denials.map((d) => d.policy))].sort();

describe("hostgate check judges updates of Terminating objects", () => {
  for (const scenario of [...TERMINATING_ATTACKS, ...NOT_ONLY_RELEASES]) {
    test(scenario.name, async () => {
      const { result, entry } = await checkUpdate(scenario.updated, scenario.stored);
      assert.equal(result.exitCode, 1, JSON.stringify(entry));
      assert.deepEqual(denyingPolicies(entry), scenario.deniedBy, JSON.stringify(entry.denials));
    });
  }

  for (const scenario of FINALIZER_RELEASES) {
    test(scenario.name, async () => {
      const { result, entry } = await checkUpdate(scenario.updated, scenario.stored);
      assert.equal(result.exitCode, 0, JSON.stringify(entry.denials));
      assert.deepEqual([entry.denials, entry.warnings, entry.patch], [[], [], []]);
    });
  }

  // Files without metadata.namespace are in "default" (--old included); the
  // API server stores the namespace, so check compares the stored object with it.
  test("a release whose stored and new files both name no namespace is allowed", async () => {
    const [release] = FINALIZER_RELEASES as [UpdateScenario];
    const bare = (o: Json) => withMetadata(o, { namespace: undefined });
    const { result, entry } = await checkUpdate(bare(release.updated), bare(release.stored));
    assert.equal(result.exitCode, 0, JSON.stringify(entry.denials));
    assert.equal(entry.namespace, "default");
  });

  test("the control for the above: the same files as a release of a live object are judged, and denied", async () => {
    const [release] = FINALIZER_RELEASES as [UpdateScenario];
    const alive = (o: Json) => withMetadata(o, { namespace: undefined, deletionTimestamp: undefined });
    const { result } = await checkUpdate(alive(release.updated), alive(release.stored));
    assert.equal(result.exitCode, 1);
  });
});

describe("hostgate check leaves Terminating routes out of the appId index", () => {
  const owner = STATE.find((o) => (o.metadata as Json).name === "shop-web")!;

  test("the owner of an appId a Terminating route squats can still update its route", async () => {
    const { result, entry } = await checkUpdate(withSpec(owner, { backend: { service: { name: "shop-web", port: 9090 } } }), owner);
    assert.equal(result.exitCode, 0, JSON.stringify(entry.denials));
  });

  test("the squatter's own finalizer release is allowed (it is on its way out)", async () => {
    const { result, entry } = await checkUpdate(withMetadata(squatter, { finalizers: [HOSTGATE_FINALIZER] }), squatter);
    assert.equal(result.exitCode, 0, JSON.stringify(entry.denials));
  });
});
