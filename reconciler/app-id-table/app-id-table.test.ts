import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { DomainClaim, DomainRoute } from "../../crds/types.ts";
import { computeAppIdTable, MAX_NAMED_OTHERS } from "./app-id-table.ts";
import type { AppIdConflict, RouteAppIdState } from "./app-id-table.ts";
import { claimFor, owned, route } from "./testing/fixtures.ts";

interface Case {
  name: string;
  routes: DomainRoute[];
  claims: DomainClaim[];
  /** [host, appId, "namespace/name"] */
  entries: [string, string, string][];
  conflicts?: AppIdConflict[];
  states: Record<string, RouteAppIdState>;
}

function scene(...parts: { route: DomainRoute; claim?: DomainClaim }[]): Pick<Case, "routes" | "claims"> {
  return { routes: parts.map((p) => p.route), claims: parts.flatMap((p) => (p.claim ? [p.claim] : [])) };
}

/** The platform in these tests lists one provider, `sso` (the fixtures' routes name it). */
const knownProvider = (provider: string): boolean => provider === "sso";

/** `base` naming a provider the platform does not list. */
function withProvider(base: DomainRoute, provider: string): DomainRoute {
  return { ...base, spec: { ...base.spec, protection: { ...base.spec.protection!, provider } } };
}

/** An owned route (its claim included) whose provider the platform does not list. */
function ownedWithProvider(name: string, provider: string, appId: string): { route: DomainRoute; claim: DomainClaim } {
  const { route: r, claim } = owned(name, { appId });
  return { route: withProvider(r, provider), claim };
}

const shopRoute = route("shop", { appId: "shop-id" });
const thiefRoute = route("thief", { namespace: "team-b", domain: "shop.example.com", appId: "thief-id" });

const cases: Case[] = [
  {
    name: "a protected route that owns its claim is published",
    ...scene(owned("shop", { appId: "shop-id" })),
    entries: [["shop.example.com", "shop-id", "team-a/shop"]],
    states: { "team-a/shop": { kind: "published", appId: "shop-id" } },
  },
  {
    name: "an appId wanted by two routes goes to neither, and each names the other",
    ...scene(owned("a", { appId: "shared" }), owned("b", { namespace: "team-b", appId: "shared" }), owned("c", { appId: "own" })),
    entries: [["c.example.com", "own", "team-a/c"]],
    conflicts: [{ appId: "shared", routes: ["team-a/a (a.example.com)", "team-b/b (b.example.com)"] }],
    states: {
      "team-a/a": { kind: "conflict", appId: "shared", others: ["team-b/b (b.example.com)"] },
      "team-a/c": { kind: "published", appId: "own" },
      "team-b/b": { kind: "conflict", appId: "shared", others: ["team-a/a (a.example.com)"] },
    },
  },
  {
    name: "an appId wanted by three routes goes to none, and each names the two others sorted",
    ...scene(owned("z", { appId: "shared" }), owned("m", { namespace: "team-c", appId: "shared" }), owned("a", { namespace: "team-b", appId: "shared" })),
    entries: [],
    conflicts: [{ appId: "shared", routes: ["team-a/z (z.example.com)", "team-b/a (a.example.com)", "team-c/m (m.example.com)"] }],
    states: {
      "team-a/z": { kind: "conflict", appId: "shared", others: ["team-b/a (a.example.com)", "team-c/m (m.example.com)"] },
      "team-b/a": { kind: "conflict", appId: "shared", others: ["team-a/z (z.example.com)", "team-c/m (m.example.com)"] },
      "team-c/m": { kind: "conflict", appId: "shared", others: ["team-a/z (z.example.com)", "team-b/a (a.example.com)"] },
    },
  },
  {
    name: "conflicts are listed sorted by appId",
    ...scene(owned("a", { appId: "zeta" }), owned("b", { appId: "zeta" }), owned("c", { appId: "alpha" }), owned("d", { appId: "alpha" })),
    entries: [],
    conflicts: [
      { appId: "alpha", routes: ["team-a/c (c.example.com)", "team-a/d (d.example.com)"] },
      { appId: "zeta", routes: ["team-a/a (a.example.com)", "team-a/b (b.example.com)"] },
    ],
    states: {
      "team-a/a": { kind: "conflict", appId: "zeta", others: ["team-a/b (b.example.com)"] },
      "team-a/b": { kind: "conflict", appId: "zeta", others: ["team-a/a (a.example.com)"] },
      "team-a/c": { kind: "conflict", appId: "alpha", others: ["team-a/d (d.example.com)"] },
      "team-a/d": { kind: "conflict", appId: "alpha", others: ["team-a/c (c.example.com)"] },
    },
  },
  {
    name: "a route whose domain has no claim is unclaimed and not published",
    ...scene({ route: route("shop", { appId: "shop-id" }) }),
    entries: [],
    states: { "team-a/shop": { kind: "unclaimed" } },
  },
  {
    name: "a route whose domain is claimed by another uid is unclaimed, and the owner keeps the host",
    ...scene({ route: shopRoute, claim: claimFor(shopRoute) }, { route: thiefRoute }),
    entries: [["shop.example.com", "shop-id", "team-a/shop"]],
    states: { "team-a/shop": { kind: "published", appId: "shop-id" }, "team-b/thief": { kind: "unclaimed" } },
  },
  {
    name: "a claim naming the route's name but another uid (a recreated route) leaves it unclaimed",
    ...scene({ route: route("shop", { appId: "shop-id", uid: "new-uid" }), claim: claimFor(route("shop", { uid: "old-uid" })) }),
    entries: [],
    states: { "team-a/shop": { kind: "unclaimed" } },
  },
  {
    name: "an unclaimed route does not count toward a conflict over its appId",
    ...scene(owned("real", { appId: "shared" }), { route: route("squatter", { appId: "shared" }) }),
    entries: [["real.example.com", "shared", "team-a/real"]],
    states: { "team-a/real": { kind: "published", appId: "shared" }, "team-a/squatter": { kind: "unclaimed" } },
  },
  {
    name: "a route being deleted is left out and does not count toward a conflict",
    ...scene(owned("gone", { appId: "shared", deleting: true }), owned("kept", { appId: "shared" })),
    entries: [["kept.example.com", "shared", "team-a/kept"]],
    states: { "team-a/kept": { kind: "published", appId: "shared" } },
  },
  {
    name: "a route without protection, or with an empty appId, has neither an entry nor a state",
    ...scene(owned("open"), owned("blank", { appId: "" })),
    entries: [],
    states: {},
  },
  {
    name: "an upper-case domain is published lower-cased",
    ...scene(owned("shop", { domain: "Shop.EXAMPLE.com", appId: "Shop-ID" })),
    entries: [["shop.example.com", "Shop-ID", "team-a/shop"]],
    states: { "team-a/shop": { kind: "published", appId: "Shop-ID" } },
  },
  {
    name: "two owning routes whose domains differ only in letter case are both left unpublished",
    ...scene(owned("lower", { domain: "shop.example.com", appId: "one" }), owned("upper", { domain: "SHOP.example.com", appId: "two" })),
    entries: [],
    states: { "team-a/lower": { kind: "unclaimed" }, "team-a/upper": { kind: "unclaimed" } },
  },
  {
    name: "only ASCII letters are lower-cased, so a Kelvin sign cannot turn into another host's k",
    ...scene(owned("kelvin", { domain: "\u212Aey.example.com", appId: "kelvin-id" })),
    entries: [["\u212Aey.example.com", "kelvin-id", "team-a/kelvin"]],
    states: { "team-a/kelvin": { kind: "published", appId: "kelvin-id" } },
  },
  {
    name: "a route whose provider the platform does not list gets no entry, even though it owns its claim",
    ...scene(ownedWithProvider("shop", "retired-sso", "shop-id")),
    entries: [],
    states: { "team-a/shop": { kind: "unknownProvider", provider: "retired-sso" } },
  },
  {
    name: "a provider is matched exactly: one differing only in letter case is unknown",
    ...scene(ownedWithProvider("shop", "SSO", "shop-id")),
    entries: [],
    states: { "team-a/shop": { kind: "unknownProvider", provider: "SSO" } },
  },
  {
    name: "an unknown provider is reported even when the route does not own its claim (it is the reason nothing is served)",
    ...scene({ route: withProvider(route("shop", { appId: "shop-id" }), "retired-sso") }),
    entries: [],
    states: { "team-a/shop": { kind: "unknownProvider", provider: "retired-sso" } },
  },
  {
    name: "a route with an unknown provider does not claim its appId: the valid route sharing it is published, with no conflict",
    ...scene(owned("real", { appId: "shared" }), ownedWithProvider("stale", "retired-sso", "shared")),
    entries: [["real.example.com", "shared", "team-a/real"]],
    states: { "team-a/real": { kind: "published", appId: "shared" }, "team-a/stale": { kind: "unknownProvider", provider: "retired-sso" } },
  },
  {
    name: "entries are sorted by host",
    ...scene(owned("c", { appId: "3" }), owned("a", { appId: "1" }), owned("b", { appId: "2" })),
    entries: [
      ["a.example.com", "1", "team-a/a"],
      ["b.example.com", "2", "team-a/b"],
      ["c.example.com", "3", "team-a/c"],
    ],
    states: { "team-a/a": { kind: "published", appId: "1" }, "team-a/b": { kind: "published", appId: "2" }, "team-a/c": { kind: "published", appId: "3" } },
  },
];

describe("computeAppIdTable", () => {
  for (const c of cases) {
    it(c.name, () => {
      const table = computeAppIdTable({ routes: c.routes, claims: c.claims, knownProvider });
      assert.deepEqual(
        table.entries.map((e) => [e.host, e.appId, `${e.route.namespace}/${e.route.name}`]),
        c.entries,
      );
      assert.deepEqual(table.conflicts, c.conflicts ?? []);
      assert.deepEqual(Object.fromEntries(table.routeStates), c.states);
    });
  }

  it("names at most MAX_NAMED_OTHERS others per conflicting route and counts the rest, while the conflict lists every route", () => {
    const names = Array.from({ length: MAX_NAMED_OTHERS + 3 }, (_, i) => `r${String(i).padStart(2, "0")}`);
    const parts = names.map((name) => owned(name, { appId: "copied" }));
    const table = computeAppIdTable({ routes: parts.map((p) => p.route), claims: parts.map((p) => p.claim), knownProvider });
    const label = (name: string) => `team-a/${name} (${name}.example.com)`;
    assert.deepEqual(table.conflicts, [{ appId: "copied", routes: names.map(label) }]);
    assert.deepEqual(table.routeStates.get("team-a/r00"), {
      kind: "conflict",
      appId: "copied",
      others: [...names.slice(1, MAX_NAMED_OTHERS + 1).map(label), "and 2 more"],
    });
    assert.deepEqual(table.routeStates.get("team-a/r05"), {
      kind: "conflict",
      appId: "copied",
      others: [...names.slice(0, 5), ...names.slice(6, MAX_NAMED_OTHERS + 1)].map(label).concat("and 2 more"),
    });
    assert.equal(table.entries.length, 0);
  });

  it("gives the same table, byte for byte and in the same map order, whatever the order of routes and claims", () => {
    const parts = [
      owned("a", { appId: "shared" }),
      owned("b", { namespace: "team-b", appId: "shared" }),
      owned("c", { appId: "c-id" }),
      owned("d", { namespace: "team-d", appId: "d-id" }),
      { route: route("e", { appId: "e-id" }) },
      owned("f", { appId: "shared" }),
      ownedWithProvider("g", "retired-sso", "shared"),
    ];
    const render = (order: number[]) => {
      const picked = order.map((i) => parts[i]);
      const table = computeAppIdTable({
        routes: picked.map((p) => p.route),
        claims: picked.flatMap((p) => ("claim" in p ? [p.claim] : [])).reverse(),
        knownProvider,
      });
      return JSON.stringify({ ...table, routeStates: [...table.routeStates] });
    };
    const expected = render([0, 1, 2, 3, 4, 5, 6]);
    for (const order of [
      [6, 5, 4, 3, 2, 1, 0],
      [2, 0, 6, 5, 1, 4, 3],
      [4, 5, 0, 3, 6, 2, 1],
    ]) {
      assert.equal(render(order), expected);
    }
  });
});
