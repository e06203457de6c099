// The deletion window (issue 10, item 1): an UPDATE of a Terminating object
// is judged like any other, except the finalizer removal that changes
// nothing else. Through decide(), the one verdict function, with the real
// library, CRD catalog and example config.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { beingDeleted, onlyReleasesFinalizers } from "./deletion-window.ts";
import { decide } from "./verdict.ts";
import type { Phases, Verdict } from "./verdict.ts";
import {
  admissionInput,
  DELETED_AT,
  domainRoute,
  FINALIZER_RELEASES,
  HOSTGATE_FINALIZER,
  NOT_ONLY_RELEASES,
  scenarioEnvironment,
  TENANT_FINALIZER,
  terminating,
  TERMINATING_ATTACKS,
  withMetadata,
} from "./testing/admission-scenarios.ts";
import type { Json, UpdateScenario } from "./testing/admission-scenarios.ts";

const ENVIRONMENT = scenarioEnvironment();

/** `hostgate check` runs every phase; the webhook's two endpoints run one each. */
const PHASES: Array<{ name: string; phases: Phases }> = [
  { name: "every phase (hostgate check)", phases: { schema: true, mutate: true, validate: true } },
  { name: "the validating webhook's phase", phases: { schema: false, mutate: false, validate: true } },
];

const denyingPolicies = (verdict: Verdict) => [...new Set(verdict.denials.map((d) => d.policy))].sort();

/** The same update with the stored object not being deleted: what the policies say of the object itself. */
function alive(scenario: UpdateScenario): UpdateScenario {
  const strip = (o: Json) => withMetadata(o, { deletionTimestamp: undefined, deletionGracePeriodSeconds: undefined });
  return { ...scenario, stored: strip(scenario.stored), updated: strip(scenario.updated) };
}

function judge(scenario: UpdateScenario, phases: Phases): Verdict {
  return decide(admissionInput("UPDATE", scenario.updated, scenario.stored), ENVIRONMENT, phases);
}

describe("decide judges updates of Terminating objects", () => {
  for (const { name: phaseName, phases } of PHASES) {
    describe(`with ${phaseName}`, () => {
      for (const scenario of [...TERMINATING_ATTACKS, ...NOT_ONLY_RELEASES]) {
        test(scenario.name, () => {
          const verdict = judge(scenario, phases);
          assert.equal(verdict.allowed, false, "admitted");
          assert.deepEqual(denyingPolicies(verdict), scenario.deniedBy, JSON.stringify(verdict.denials));
        });
      }

      for (const scenario of FINALIZER_RELEASES) {
        test(scenario.name, () => {
          const control = judge(alive(scenario), phases);
          assert.equal(control.allowed, false, "the control: the policies deny this object when it is not being deleted");
          const verdict = judge(scenario, phases);
          assert.deepEqual(verdict, {
            allowed: true,
            denials: [],
            warnings: [],
            audits: [],
            patch: [],
            object: scenario.updated,
            applied: { policies: [], schema: false },
          });
        });
      }
    });
  }

  test("the mutating phase patches nothing on a finalizer release (the object is not touched on its way out)", () => {
    const [release] = FINALIZER_RELEASES;
    const verdict = judge(release!, { schema: false, mutate: true, validate: false });
    assert.deepEqual(verdict.patch, []);
    assert.equal(verdict.allowed, true);
  });

  test("a finalizer release claimed by the request alone (the stored object is not being deleted) is judged", () => {
    // Only the stored deletionTimestamp counts: a client can write one into its request.
    const stored = withMetadata(terminating(domainRoute("team-b", "legacy", { domain: "legacy.example.com" })), { deletionTimestamp: undefined });
    const updated = withMetadata(stored, { deletionTimestamp: DELETED_AT, finalizers: [] });
    const verdict = decide(admissionInput("UPDATE", updated, stored), ENVIRONMENT);
    assert.equal(verdict.allowed, false);
    assert.deepEqual(denyingPolicies(verdict), ["hostname-granted"]);
  });
});

describe("onlyReleasesFinalizers", () => {
  const stored = terminating(domainRoute("team-a", "web", { domain: "web.shop.example.com" }));
  const reordered = (object: Json): Json => {
    const reversed = (o: Json) => Object.fromEntries(Object.entries(o).reverse());
    return reversed({ ...object, metadata: reversed(object.metadata as Json), spec: reversed(object.spec as Json) });
  };
  const cases: Array<{ name: string; object: unknown; stored: unknown; expected: boolean }> = [
    { name: "the stored object itself is a release of nothing", object: stored, stored, expected: true },
    {
      name: "keys in another order are the same object (JSON equality, not text)",
      object: reordered(withMetadata(stored, { finalizers: [TENANT_FINALIZER] })),
      stored,
      expected: true,
    },
    {
      name: "finalizers reordered are still only the stored ones",
      object: withMetadata(stored, { finalizers: [TENANT_FINALIZER, HOSTGATE_FINALIZER] }),
      stored,
      expected: true,
    },
    {
      name: "a finalizer the stored object does not have is not a release",
      object: withMetadata(stored, { finalizers: ["x.example.com/new"] }),
      stored,
      expected: false,
    },
    {
      name: "finalizers that are not a list of strings are not a release",
      object: withMetadata(stored, { finalizers: [HOSTGATE_FINALIZER, 7] }),
      stored,
      expected: false,
    },
    {
      name: "a finalizers field that is not a list is not a release",
      object: withMetadata(stored, { finalizers: HOSTGATE_FINALIZER }),
      stored,
      expected: false,
    },
    { name: "a changed spec is not a release", object: { ...stored, spec: { ...(stored.spec as Json), lb: "alb-out" } }, stored, expected: false },
    {
      name: "a changed status is not a release (the server resets it only for kinds with a status subresource)",
      object: { ...stored, status: { conditions: [] } },
      stored,
      expected: false,
    },
    { name: "a changed name is not a release", object: withMetadata(stored, { name: "other" }), stored, expected: false },
    { name: "a changed label is not a release", object: withMetadata(stored, { labels: { a: "b" } }), stored, expected: false },
    { name: "a missing metadata is not a release", object: { ...stored, metadata: undefined }, stored, expected: false },
    { name: "an object that is not a JSON object is not a release", object: null, stored, expected: false },
  ];
  for (const c of cases) {
    test(c.name, () => assert.equal(onlyReleasesFinalizers(c.object, c.stored), c.expected));
  }
});

describe("beingDeleted", () => {
  const cases: Array<{ name: string; object: unknown; expected: boolean }> = [
    { name: "a stored object with a deletionTimestamp is being deleted", object: { metadata: { deletionTimestamp: DELETED_AT } }, expected: true },
    { name: "an empty deletionTimestamp is not one", object: { metadata: { deletionTimestamp: "" } }, expected: false },
    { name: "a deletionTimestamp that is not a string is not one", object: { metadata: { deletionTimestamp: 1 } }, expected: false },
    { name: "no metadata, or no object, is not being deleted", object: null, expected: false },
  ];
  for (const c of cases) {
    test(c.name, () => assert.equal(beingDeleted(c.object), c.expected));
  }
});
