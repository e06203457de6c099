import assert from "node:assert/strict";
import { afterEach, describe, it } from "node:test";
import { Registry } from "prom-client";
import { KubeApiError } from "../../core/kube/api-error.ts";
import { decide } from "../../policies/verdict.ts";
import type { PolicySet } from "../../policies/engine/module-loader.ts";
import { admissionInput } from "../../policies/testing/admission-scenarios.ts";
import type { Json } from "../../policies/testing/admission-scenarios.ts";
import { POLICY_MODULES } from "./cluster-policy-modules.ts";
import { registerPolicySetMetrics } from "./policy-set-metrics.ts";
import { DEBOUNCE_MS, denyNamePrefix, liveHarness, withExpression } from "./testing/policy-modules.ts";
import type { LiveHarness } from "./testing/policy-modules.ts";

const route = (name: string, kind = "DomainRoute"): Json => ({
  apiVersion: "hostgate.dev/v1alpha1",
  kind,
  metadata: { name, namespace: "team-a" },
  spec: { domain: `${name}.shop.example.com` },
});

/** Denial messages for creating `object` under `policies`, by policy. */
function denials(policies: PolicySet, object: Json): string[] {
  const verdict = decide(
    admissionInput("CREATE", object),
    { policies, config: {}, cluster: {}, crdFor: () => undefined },
    {
      schema: false,
      mutate: false,
      validate: true,
    },
  );
  return verdict.denials.map((d) => `${d.policy}: ${d.message}`);
}

const NO_BAD = denyNamePrefix("no-bad", "bad", "names must not start with bad");
const NO_EVIL = denyNamePrefix("no-evil", "evil", "names must not start with evil");

let harness: LiveHarness | undefined;
afterEach(async () => {
  await harness?.live.stop();
  harness = undefined;
});

async function started(seed: Parameters<typeof liveHarness>[0] = []): Promise<LiveHarness> {
  harness = liveHarness(seed);
  harness.live.start();
  await harness.settle();
  return harness;
}

describe("the cluster's PolicyModules as the live policy set", () => {
  it("is not ready before the first complete list, then holds exactly the listed modules as generation 1", async () => {
    harness = liveHarness([NO_BAD, NO_EVIL]);
    const { live } = harness;
    assert.match(live.policies.notReadyReason()!, /the PolicyModules have not been listed yet/);
    assert.equal(live.policies.current().modules.length, 0);
    live.start();
    await harness.settle();
    assert.equal(live.policies.notReadyReason(), undefined);
    assert.deepEqual(
      live.policies.current().modules.map((m) => m.name),
      ["no-bad", "no-evil"],
    );
    assert.equal(live.policies.generation(), 1);
    assert.deepEqual(denials(live.policies.current(), route("bad-shop")), ["no-bad: names must not start with bad"]);
  });

  it("says the CRD is missing when listing PolicyModules answers 404", async () => {
    harness = liveHarness();
    harness.server.failLists(POLICY_MODULES, new KubeApiError("404 NotFound: the server could not find the requested resource", 404, "NotFound"));
    harness.live.start();
    await harness.settle();
    assert.match(harness.live.policies.notReadyReason()!, /policymodules\.hostgate\.dev is not served: install the PolicyModule CRD/);
  });

  it("fails closed when the cluster has no PolicyModules: ready, but denying every kind it is sent except PolicyModules, and says so", async () => {
    const { live, logger } = await started();
    assert.equal(live.policies.notReadyReason(), undefined, "ready, so a PolicyModule can be applied");
    const set = live.policies.current();
    for (const kind of ["DomainRoute", "HostnameGrant", "Gateway"]) {
      assert.match(denials(set, route("fine", kind))[0] ?? "", /^no-policy-modules: no PolicyModule is installed in the cluster/, kind);
    }
    assert.deepEqual(
      denials(set, route("fine", "PolicyModule")).filter((d) => d.startsWith("no-policy-modules:")),
      [],
      "the library can be installed again",
    );
    assert.ok(logger.messages("error").some((m) => /no PolicyModules are installed: every request the webhook is sent is denied/.test(m)));
  });

  it("folds a burst of changes within the debounce window into one swap, logged with what changed and how long it took", async () => {
    const h = await started([NO_BAD]);
    const before = h.live.policies.current();
    h.put(NO_EVIL);
    h.put(denyNamePrefix("no-bad", "bad", "changed message"));
    await h.settle();
    h.clock.advance(DEBOUNCE_MS - 1);
    assert.equal(h.live.policies.current(), before, "nothing swaps before the debounce ends");
    h.remove("no-evil");
    h.put(denyNamePrefix("no-ugly", "ugly", "names must not start with ugly"));
    await h.settle();
    h.clock.advance(1);
    assert.equal(h.live.policies.generation(), 2, "one swap for the whole burst");
    assert.deepEqual(
      h.live.policies.current().modules.map((m) => m.name),
      ["no-bad", "no-ugly"],
    );
    assert.deepEqual(denials(h.live.policies.current(), route("bad-shop")), ["no-bad: changed message"]);
    const swap = h.logger.entries.filter((e) => /^policy set \d+ in force/.test(e.message)).at(-1)!;
    assert.equal(swap.message, "policy set 2 in force: 2 PolicyModules");
    assert.deepEqual(
      { ...swap.fields, tookMs: typeof swap.fields.tookMs },
      {
        generation: 2,
        added: ["no-ugly"],
        changed: ["no-bad"],
        removed: [],
        failed: [],
        modules: 2,
        tookMs: "number",
      },
    );
  });

  it("compiles again only the modules whose resourceVersion changed", async () => {
    const h = await started([NO_BAD, NO_EVIL]);
    const evil = h.live.policies.current().byName.get("no-evil");
    h.put(denyNamePrefix("no-bad", "bad", "changed message"));
    await h.settle();
    h.clock.advance(DEBOUNCE_MS);
    assert.equal(h.live.policies.current().byName.get("no-evil"), evil);
    assert.notEqual(h.live.policies.current().byName.get("no-bad"), undefined);
  });

  it("keeps a module that cannot load in force as a stand-in denying what it matches, naming the module and its error, while others keep working", async () => {
    const h = await started([NO_BAD, NO_EVIL]);
    h.put(withExpression(NO_EVIL, 'object.metadata.name.startsWith("evil"'));
    await h.settle();
    h.clock.advance(DEBOUNCE_MS);
    const set = h.live.policies.current();
    const [denial, ...rest] = denials(set, route("fine-shop"));
    assert.deepEqual(rest, []);
    assert.match(denial!, /^no-evil: policy module "no-evil" is installed but cannot load, so what it matches is denied until it is fixed or deleted/);
    assert.match(denial!, /PolicyModule\/no-evil: policy "no-evil": spec\.validations\[0\]\.expression \(line 1, column \d+\)/);
    assert.deepEqual(denials(set, route("bad-shop")).sort(), [denial!, "no-bad: names must not start with bad"].sort());
    assert.deepEqual(denials(set, route("fine-shop", "HostnameGrant")), [], "kinds the broken module did not match are untouched");
    assert.deepEqual(h.live.policies.failedModules(), ["no-evil"]);
    assert.ok(h.logger.at("error").some((e) => e.message.startsWith("PolicyModule no-evil cannot load") && e.fields.policy === "no-evil"));

    h.put(NO_EVIL);
    await h.settle();
    h.clock.advance(DEBOUNCE_MS);
    assert.deepEqual(denials(h.live.policies.current(), route("fine-shop")), [], "fixed: the stand-in is gone");
    assert.deepEqual(h.live.policies.failedModules(), []);
  });

  it("denies every kind the webhook is sent, but not PolicyModules, when a broken module's match cannot be read either", async () => {
    const broken = structuredClone(NO_BAD) as { spec: { match: unknown } };
    broken.spec.match = [{ apiGroups: "hostgate.dev", kinds: ["DomainRoute"] }];
    const h = await started([broken as never]);
    const set = h.live.policies.current();
    for (const kind of ["DomainRoute", "HostnameGrant", "Gateway"]) {
      assert.match(denials(set, route("fine", kind))[0] ?? "", /^no-bad: policy module "no-bad" is installed but cannot load/, kind);
    }
    // (the webhook's own PolicyModule checks may deny this made-up object; the stand-in must not)
    assert.deepEqual(
      denials(set, route("fine", "PolicyModule")).filter((d) => d.startsWith("no-bad:")),
      [],
      "the fix can still be applied",
    );
  });

  it("publishes the set's generation and the number of modules that cannot load as metrics", async () => {
    const h = await started([NO_BAD, withExpression(NO_EVIL, "")]);
    const registry = new Registry();
    registerPolicySetMetrics(registry, h.live.policies);
    const text = await registry.metrics();
    assert.match(text, /^hostgate_policy_set_generation 1$/m);
    assert.match(text, /^hostgate_policy_module_load_failures 1$/m);
  });

  it("leaves no timer behind once stopped", async () => {
    const h = await started([NO_BAD]);
    h.put(NO_EVIL);
    await h.settle();
    await h.live.stop();
    harness = undefined;
    h.clock.advance(DEBOUNCE_MS);
    assert.equal(h.live.policies.generation(), 1);
  });
});
