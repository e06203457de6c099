// The route planner, a pure function of what one reconcile gathers. Each case
// sets up a cluster on the in-memory API server, gathers the route's input
// from it (as the reconciler would), and checks the one plan computed from
// that input. Nothing here executes a plan (execute-route-plan.test.ts does).
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import type { KubeObject } from "../../core/kube/object-key.ts";
import type { DomainRoute } from "../../crds/types.ts";
import type { AppIdOutcome } from "../app-id-table/app-id-outcomes.ts";
import { DOMAIN_CLAIMS, DOMAIN_ROUTES, SERVICES } from "../resources.ts";
import type { RouteInput } from "./gather-route.ts";
import { planRoute, REFUSED_RECHECK_MS, RELEASED_CLAIM_RETRY_MS } from "./plan-route.ts";
import type { RoutePlan } from "./plan-route.ts";
import { objectNameFor } from "./render/names.ts";
import { defaultConfig, GATEWAYS, orphanedClaim, personsGateway, route, sso, world } from "./testing/route-world.ts";
import type { World } from "./testing/route-world.ts";

/** The plan in a few words: what each section says. */
function summary(plan: RoutePlan) {
  const claim = plan.claim === undefined ? undefined : "create" in plan.claim ? "create" : "release";
  const ready = plan.status?.conditions?.find((c) => c.type === "Ready");
  return {
    finalizer: plan.finalizer,
    claim,
    apply: plan.objects.apply.map((a) => `${a.current === undefined ? "create" : "replace"} ${a.desired.kind}`),
    prune: plan.objects.prune.map((o) => o.kind),
    ready: ready === undefined ? undefined : `${ready.status} ${ready.reason}`,
    requeueAfterMs: plan.requeueAfterMs,
  };
}

type Summary = ReturnType<typeof summary>;
const EMPTY: Summary = { finalizer: undefined, claim: undefined, apply: [], prune: [], ready: undefined, requeueAfterMs: undefined };

async function converged(w: World, name: string, spec: Partial<DomainRoute["spec"]> = {}, domain = "shop.example.com"): Promise<void> {
  await w.api.create(DOMAIN_ROUTES, route(name, domain, spec));
  await w.reconcile(name);
}

async function update(w: World, name: string, change: (route: DomainRoute) => DomainRoute): Promise<void> {
  await w.api.update(DOMAIN_ROUTES, change(w.get(name)!) as unknown as KubeObject);
}

const published = (input: RouteInput): AppIdOutcome => ({ kind: "published", uid: input.route.metadata.uid!, appId: "shop-app" });

interface Case {
  name: string;
  setup: (w: World) => Promise<void>;
  /** A change to the gathered input, for what the cluster cannot easily show (an apply error, an appId outcome). */
  adjust?: (input: RouteInput) => RouteInput;
  expected: Partial<Summary>;
  /** The route to gather, when not shop. */
  input?: string;
  /** Further checks of the plan. */
  check?: (plan: RoutePlan, input: RouteInput) => void;
}

const cases: Case[] = [
  {
    name: "a new route gets the finalizer, its claim, every object it renders created, and Ready",
    setup: (w) => w.api.create(DOMAIN_ROUTES, route("shop", "shop.example.com")).then(() => {}),
    expected: { finalizer: "add", claim: "create", apply: ["create Gateway", "create VirtualService"], ready: "True Ready" },
  },
  {
    name: "a converged route plans nothing",
    setup: (w) => converged(w, "shop"),
    expected: {},
  },
  {
    name: "a protected route creates its AuthorizationPolicy first and waits for the appId table before Ready",
    setup: (w) => w.api.create(DOMAIN_ROUTES, route("shop", "shop.example.com", sso)).then(() => {}),
    expected: {
      finalizer: "add",
      claim: "create",
      apply: ["create AuthorizationPolicy", "create Gateway", "create VirtualService"],
      ready: "False ProtectionPending",
    },
  },
  {
    name: "a second route for a taken domain is told DomainTaken and plans no object",
    setup: async (w) => {
      await converged(w, "shop");
      await w.api.create(DOMAIN_ROUTES, route("copy", "shop.example.com"));
    },
    input: "copy",
    expected: { finalizer: "add", ready: "False DomainTaken" },
  },
  {
    name: "a claim whose owner is gone is released, and the route looks again shortly, writing nothing else",
    setup: async (w) => {
      await w.api.create(DOMAIN_CLAIMS, orphanedClaim);
      await w.api.create(DOMAIN_ROUTES, route("shop", "shop.example.com"));
    },
    expected: { finalizer: "add", claim: "release", requeueAfterMs: RELEASED_CLAIM_RETRY_MS },
  },
  {
    name: "a hand-edited object is replaced, and only that one",
    setup: async (w) => {
      await converged(w, "shop");
      const gateway = w.api.server.objects(GATEWAYS)[0]!;
      await w.api.update(GATEWAYS, { ...gateway, spec: { ...(gateway.spec as object), servers: [] } });
    },
    expected: { apply: ["replace Gateway"] },
  },
  {
    name: "an object it no longer renders is pruned (External mode has no VirtualService)",
    setup: async (w) => {
      await converged(w, "shop");
      await update(w, "shop", (r) => ({ ...r, spec: { ...r.spec, routing: { mode: "External" }, backend: undefined } }) as DomainRoute);
    },
    // The status is written again: it now describes the new generation.
    expected: { prune: ["VirtualService"], ready: "True Ready" },
  },
  {
    name: "a route whose provider the platform does not list serves nothing: everything it has is pruned, UnknownProvider",
    setup: async (w) => {
      await converged(w, "shop", { protection: { provider: "sso", appId: "shop-app" } });
      w.deps.config = { ...defaultConfig, protection: { ...defaultConfig.protection, providers: [] } };
    },
    expected: { prune: ["VirtualService", "Gateway", "AuthorizationPolicy"], ready: "False UnknownProvider" },
  },
  {
    name: "a route whose backend Service is an ExternalName serves nothing, BackendRejected",
    setup: async (w) => {
      await converged(w, "shop");
      await w.api.create(SERVICES, {
        apiVersion: "v1",
        kind: "Service",
        metadata: { name: "web", namespace: "team-a" },
        spec: { type: "ExternalName", externalName: "169.254.169.254" },
      });
    },
    expected: { prune: ["VirtualService", "Gateway"], ready: "False BackendRejected" },
  },
  {
    name: "a name held by a person's object refuses the route: nothing is written there, ObjectNotOwned, looked at again later",
    setup: async (w) => {
      await personsGateway(w, "shop.example.com");
      await w.api.create(DOMAIN_ROUTES, route("shop", "shop.example.com"));
    },
    expected: { finalizer: "add", claim: "create", ready: "False ObjectNotOwned", requeueAfterMs: REFUSED_RECHECK_MS },
    check: (plan) => assert.deepEqual(plan.refused, [`Gateway ${defaultConfig.gateway.namespace}/${objectNameFor("shop.example.com")}`]),
  },
  {
    name: "an object of its own that its list does not show yet (a cache a moment behind) is taken as its own, not refused",
    setup: (w) => converged(w, "shop"),
    adjust: (input) => ({ ...input, occupants: input.owned, owned: [] }),
    expected: {},
  },
  {
    name: "a failed write is reported as GatewayReady ApplyFailed",
    setup: (w) => w.api.create(DOMAIN_ROUTES, route("shop", "shop.example.com")).then(() => {}),
    adjust: (input) => ({ ...input, applyError: "500 InternalError: etcd timeout" }),
    expected: { finalizer: "add", claim: "create", apply: ["create Gateway", "create VirtualService"], ready: "False ApplyFailed" },
  },
  {
    name: "a published appId makes a protected route Ready, with its effectiveAppId",
    setup: (w) => converged(w, "shop", sso),
    adjust: (input) => ({ ...input, appId: { known: true, outcome: published(input) } }),
    expected: { ready: "True Ready" },
    check: (plan) => assert.equal(plan.status?.effectiveAppId, "shop-app"),
  },
  {
    name: "an appId conflict makes ProtectionReady and Ready False AppIDConflict, naming the others",
    setup: (w) => converged(w, "shop", sso),
    adjust: (input) => ({
      ...input,
      appId: { known: true, outcome: { kind: "conflict", uid: input.route.metadata.uid!, appId: "shop-app", others: ["team-b/copy (copy.example.com)"] } },
    }),
    expected: { ready: "False AppIDConflict" },
    check: (plan) => assert.match(plan.status!.conditions!.find((c) => c.type === "ProtectionReady")!.message, /team-b\/copy \(copy\.example\.com\)/),
  },
  {
    name: "an outcome decided for another incarnation of the route (another uid) is not taken: ProtectionPending",
    setup: (w) => converged(w, "shop", sso),
    adjust: (input) => ({ ...input, appId: { known: true, outcome: { kind: "published", uid: "uid-of-an-earlier-shop", appId: "shop-app" } } }),
    expected: {},
  },
  {
    name: "before the appId table has run in this term (a restart), the ProtectionReady the route has is kept: nothing to write",
    setup: (w) => converged(w, "shop", sso),
    adjust: (input) => {
      const conditions = input.route.status!.conditions!.map((c) =>
        c.type === "ProtectionReady" ? { ...c, status: "True" as const, reason: "Published", message: "published" } : c,
      );
      const withPublished = { ...input, route: { ...input.route, status: { ...input.route.status, conditions, effectiveAppId: "shop-app" } } };
      return { ...withPublished, appId: { known: false } };
    },
    expected: { ready: "True Ready" },
    check: (plan) => assert.equal(plan.status?.effectiveAppId, "shop-app", "the appId stays"),
  },
  {
    name: "a table too large to write keeps the route's effectiveAppId (the previous table stays in force)",
    setup: (w) => converged(w, "shop", sso),
    adjust: (input) => ({
      ...input,
      route: { ...input.route, status: { ...input.route.status, effectiveAppId: "shop-app" } },
      appId: {
        known: true,
        outcome: { kind: "tableTooLarge", uid: input.route.metadata.uid!, appId: "shop-app", problems: ["EnvoyFilter would be too large"] },
      },
    }),
    expected: { ready: "False IdentityTableTooLarge" },
    check: (plan) => assert.equal(plan.status?.effectiveAppId, "shop-app"),
  },
  {
    name: "a deleting route prunes everything, releases its claim and drops the finalizer",
    setup: async (w) => {
      await converged(w, "shop");
      await w.api.delete(DOMAIN_ROUTES, { namespace: "team-a", name: "shop" });
    },
    expected: { finalizer: "remove", claim: "release", prune: ["VirtualService", "Gateway"] },
  },
  {
    name: "a deleting route whose claim is another route's releases nothing",
    setup: async (w) => {
      await converged(w, "shop");
      await converged(w, "copy");
      await w.api.delete(DOMAIN_ROUTES, { namespace: "team-a", name: "copy" });
    },
    input: "copy",
    expected: { finalizer: "remove" },
  },
  {
    name: "a deleting route without the finalizer plans nothing",
    setup: async (w) => {
      await w.api.create(DOMAIN_ROUTES, {
        ...route("shop", "shop.example.com"),
        metadata: { name: "shop", namespace: "team-a", finalizers: ["someone.else/hold"] },
      });
      await w.api.delete(DOMAIN_ROUTES, { namespace: "team-a", name: "shop" });
    },
    expected: {},
  },
];

describe("planning a route reconcile", () => {
  for (const c of cases) {
    test(c.name, async () => {
      const w = world();
      await c.setup(w);
      const gathered = await w.gather(c.input ?? "shop");
      const input = c.adjust === undefined ? gathered : c.adjust(gathered);
      const plan = planRoute(input);
      assert.deepEqual(summary(plan), { ...EMPTY, ...c.expected });
      c.check?.(plan, input);
    });
  }

  test("the same input always gives the same plan (no clock, no randomness beyond the input)", async () => {
    const w = world();
    await w.api.create(DOMAIN_ROUTES, route("shop", "shop.example.com", sso));
    const input = await w.gather("shop");
    assert.deepEqual(planRoute(structuredClone(input)), planRoute(structuredClone(input)));
  });

  test("the input is plain data: it survives a JSON round trip and plans the same", async () => {
    const w = world();
    await converged(w, "shop", sso);
    const input = await w.gather("shop");
    assert.deepEqual(planRoute(JSON.parse(JSON.stringify(input)) as RouteInput), planRoute(input));
  });
});
