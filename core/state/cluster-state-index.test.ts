import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { celEnv, parse, plan } from "@bufbuild/cel";
import { ClusterStateIndex } from "./cluster-state-index.ts";
import { field, grant, grantNames, plain, route, routeNames } from "./state-fixtures.ts";

describe("ClusterStateIndex.celValue", () => {
  it("is empty lists and maps for an empty cluster", () => {
    const cluster = new ClusterStateIndex().celValue();
    assert.deepEqual(plain(cluster), {
      grants: [],
      grantsByNamespace: {},
      domainRoutesByDomain: {},
      domainRoutesByAppId: {},
    });
  });

  it("shapes a grant exactly as policies read it", () => {
    const cluster = ClusterStateIndex.fromObjects([
      grant({
        name: "team-a-shop",
        namespaces: ["team-a"],
        hostnames: ["Shop.Example.com.", "*.shop.example.com"],
        kinds: ["DomainRoute"],
        allowPublicWithoutProtection: true,
      }),
    ]).celValue();
    assert.deepEqual(field(cluster, "grants"), [
      {
        name: "team-a-shop",
        namespaces: ["team-a"],
        hostnames: ["shop.example.com", "*.shop.example.com"],
        kinds: ["DomainRoute"],
        allowPublicWithoutProtection: true,
      },
    ]);
  });

  it("shapes a route reference exactly as policies read it", () => {
    const cluster = ClusterStateIndex.fromObjects([
      route({ namespace: "team-a", name: "shop-web", uid: "u-1", domain: "shop.example.com", appId: "shop-web" }),
    ]).celValue();
    const ref = { namespace: "team-a", name: "shop-web", uid: "u-1", domain: "shop.example.com", lb: "alb-out", appId: "shop-web" };
    assert.deepEqual(field(cluster, "domainRoutesByDomain"), { "shop.example.com": [ref] });
    assert.deepEqual(field(cluster, "domainRoutesByAppId"), { "shop-web": [ref] });
  });

  const indexing: {
    name: string;
    objects: unknown[];
    grants?: string[];
    grantsByNamespace?: Record<string, string[]>;
    byDomain?: Record<string, string[]>;
    byAppId?: Record<string, string[]>;
  }[] = [
    {
      name: "grants are listed by name and under every namespace they name",
      objects: [grant({ name: "zeta", namespaces: ["team-b", "team-a"] }), grant({ name: "alpha", namespaces: ["team-a", "team-a"] })],
      grants: ["alpha", "zeta"],
      grantsByNamespace: { "team-a": ["alpha", "zeta"], "team-b": ["zeta"] },
    },
    {
      name: "routes sharing a domain are listed by namespace then name",
      objects: [
        route({ namespace: "team-b", name: "a", domain: "x.example.com" }),
        route({ namespace: "team-a", name: "z", domain: "x.example.com" }),
        route({ namespace: "team-a", name: "b", domain: "x.example.com" }),
      ],
      byDomain: { "x.example.com": ["team-a/b", "team-a/z", "team-b/a"] },
    },
    {
      name: "domains are lowercased and lose a trailing dot",
      objects: [route({ name: "web", domain: "Web.Example.COM." })],
      byDomain: { "web.example.com": ["team-a/web"] },
    },
    {
      name: "a route without protection is under no appId",
      objects: [route({ name: "web", domain: "web.example.com" })],
      byDomain: { "web.example.com": ["team-a/web"] },
      byAppId: {},
    },
    {
      name: "routes sharing an appId are all listed under it",
      objects: [
        route({ namespace: "team-b", name: "two", domain: "b.example.com", appId: "shop" }),
        route({ namespace: "team-a", name: "one", domain: "a.example.com", appId: "shop" }),
      ],
      byAppId: { shop: ["team-a/one", "team-b/two"] },
    },
    {
      name: "a Terminating route is listed under neither its domain nor its appId",
      objects: [
        route({ namespace: "team-b", name: "squat", domain: "shop.example.com", appId: "shop-web", deletionTimestamp: "2030-01-01T00:00:00Z" }),
        route({ namespace: "team-a", name: "shop-web", domain: "shop.example.com", appId: "shop-web" }),
      ],
      byDomain: { "shop.example.com": ["team-a/shop-web"] },
      byAppId: { "shop-web": ["team-a/shop-web"] },
    },
    {
      name: "an empty deletionTimestamp is no deletion: the route stays listed",
      objects: [route({ name: "web", domain: "web.example.com", appId: "web", deletionTimestamp: "" })],
      byDomain: { "web.example.com": ["team-a/web"] },
      byAppId: { web: ["team-a/web"] },
    },
    {
      name: "a route without a namespace is indexed in default, where kubectl would put it",
      objects: [{ apiVersion: "hostgate.dev/v1alpha1", kind: "DomainRoute", metadata: { name: "web" }, spec: { domain: "w.example.com" } }],
      byDomain: { "w.example.com": ["default/web"] },
    },
    {
      name: "malformed objects index under nothing instead of throwing",
      objects: [
        { apiVersion: "hostgate.dev/v1alpha1", kind: "DomainRoute", metadata: { name: "no-spec", namespace: "x" } },
        { apiVersion: "hostgate.dev/v1alpha1", kind: "DomainRoute", metadata: { name: "bad", namespace: "x" }, spec: { domain: 42, protection: "sso" } },
        { apiVersion: "hostgate.dev/v1alpha1", kind: "HostnameGrant", metadata: { name: "no-spec" } },
        { apiVersion: "hostgate.dev/v1alpha1", kind: "HostnameGrant", metadata: { name: "bad" }, spec: { namespaces: "team-a", hostnames: [1, null] } },
      ],
      grants: ["bad", "no-spec"],
      grantsByNamespace: {},
      byDomain: {},
      byAppId: {},
    },
    {
      name: "objects of other kinds and groups are ignored",
      objects: [
        { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "c", namespace: "team-a" } },
        { apiVersion: "example.org/v1", kind: "DomainRoute", metadata: { name: "r", namespace: "team-a" }, spec: { domain: "r.example.com" } },
        { apiVersion: "hostgate.dev/v1alpha1", kind: "DomainClaim", metadata: { name: "r.example.com" } },
        null,
        "junk",
      ],
      grants: [],
      byDomain: {},
    },
  ];
  for (const c of indexing) {
    it(c.name, () => {
      const cluster = ClusterStateIndex.fromObjects(c.objects).celValue();
      if (c.grants)
        assert.deepEqual(
          (field(cluster, "grants") as { name: string }[]).map((g) => g.name),
          c.grants,
        );
      if (c.grantsByNamespace) assert.deepEqual(grantNames(cluster), c.grantsByNamespace);
      if (c.byDomain) assert.deepEqual(routeNames(cluster, "domainRoutesByDomain"), c.byDomain);
      if (c.byAppId) assert.deepEqual(routeNames(cluster, "domainRoutesByAppId"), c.byAppId);
    });
  }

  it("grants default to all kinds and to requiring protection", () => {
    const cluster = ClusterStateIndex.fromObjects([
      grant({ name: "g", namespaces: ["a"] }),
      { apiVersion: "hostgate.dev/v1alpha1", kind: "HostnameGrant", metadata: { name: "s" }, spec: { allowPublicWithoutProtection: "true" } },
    ]).celValue();
    for (const g of field(cluster, "grants") as Record<string, unknown>[]) {
      assert.deepEqual(g.kinds, []);
      assert.equal(g.allowPublicWithoutProtection, false);
    }
  });

  it("holds only CEL input types: Maps, arrays, strings, booleans", () => {
    const cluster = ClusterStateIndex.fromObjects([
      grant({ name: "g", namespaces: ["team-a"], hostnames: ["a.example.com"] }),
      route({ name: "web", domain: "a.example.com", appId: "web" }),
    ]).celValue();
    const offenders: string[] = [];
    const walk = (value: unknown, path: string): void => {
      if (value instanceof Map) {
        for (const [k, v] of value) {
          if (typeof k !== "string") offenders.push(`${path} key ${String(k)}`);
          walk(v, `${path}.${k}`);
        }
      } else if (Array.isArray(value)) {
        for (const [i, v] of value.entries()) walk(v, `${path}[${i}]`);
      } else if (!["string", "boolean", "bigint"].includes(typeof value)) offenders.push(`${path}: ${typeof value}`);
    };
    walk(cluster, "cluster");
    assert.deepEqual(offenders, []);
  });
});

describe("ClusterStateIndex updates", () => {
  const base = () => [
    grant({ name: "team-a", namespaces: ["team-a"], hostnames: ["*.shop.example.com"] }),
    route({ name: "web", domain: "shop.example.com", appId: "shop-web" }),
    route({ name: "api", domain: "api.shop.example.com", appId: "shop-api" }),
  ];

  const cases: {
    name: string;
    apply: (index: ClusterStateIndex) => unknown;
    result?: unknown;
    grantsByNamespace?: Record<string, string[]>;
    byDomain?: Record<string, string[]>;
    byAppId?: Record<string, string[]>;
  }[] = [
    {
      name: "a route whose domain changes moves to the new domain key",
      apply: (i) => i.upsert(route({ name: "web", domain: "www.shop.example.com", appId: "shop-web" })),
      result: true,
      byDomain: { "api.shop.example.com": ["team-a/api"], "www.shop.example.com": ["team-a/web"] },
    },
    {
      name: "a route whose appId changes moves to the new appId key",
      apply: (i) => i.upsert(route({ name: "web", domain: "shop.example.com", appId: "shop-storefront" })),
      byAppId: { "shop-api": ["team-a/api"], "shop-storefront": ["team-a/web"] },
    },
    {
      name: "a route that loses its protection leaves the appId index",
      apply: (i) => i.upsert(route({ name: "web", domain: "shop.example.com" })),
      byAppId: { "shop-api": ["team-a/api"] },
    },
    {
      name: "a route moved onto another's domain joins that list in order",
      apply: (i) => i.upsert(route({ name: "api", domain: "shop.example.com", appId: "shop-api" })),
      byDomain: { "shop.example.com": ["team-a/api", "team-a/web"] },
    },
    {
      name: "a route that starts Terminating leaves the domain and appId indexes",
      apply: (i) => i.upsert(route({ name: "web", domain: "shop.example.com", appId: "shop-web", deletionTimestamp: "2030-01-01T00:00:00Z" })),
      result: true,
      byDomain: { "api.shop.example.com": ["team-a/api"] },
      byAppId: { "shop-api": ["team-a/api"] },
    },
    {
      name: "a Terminating route whose domain and appId are edited is still listed under neither",
      apply: (i) => {
        i.upsert(route({ name: "web", domain: "shop.example.com", appId: "shop-web", deletionTimestamp: "2030-01-01T00:00:00Z" }));
        return i.upsert(route({ name: "web", domain: "api.shop.example.com", appId: "shop-api", deletionTimestamp: "2030-01-01T00:00:00Z" }));
      },
      byDomain: { "api.shop.example.com": ["team-a/api"] },
      byAppId: { "shop-api": ["team-a/api"] },
    },
    {
      name: "removing a Terminating route removes it and leaves the other routes listed",
      apply: (i) => {
        i.upsert(route({ name: "web", domain: "api.shop.example.com", appId: "shop-api", deletionTimestamp: "2030-01-01T00:00:00Z" }));
        return i.remove(route({ name: "web" }));
      },
      result: true,
      byDomain: { "api.shop.example.com": ["team-a/api"] },
      byAppId: { "shop-api": ["team-a/api"] },
    },
    {
      name: "removing a route drops its keys when it was the last user",
      apply: (i) => i.remove(route({ name: "web" })),
      result: true,
      byDomain: { "api.shop.example.com": ["team-a/api"] },
      byAppId: { "shop-api": ["team-a/api"] },
    },
    {
      name: "removal needs only kind, namespace and name",
      apply: (i) => i.remove({ apiVersion: "hostgate.dev/v1alpha1", kind: "DomainRoute", metadata: { namespace: "team-a", name: "api" } }),
      result: true,
      byDomain: { "shop.example.com": ["team-a/web"] },
    },
    {
      name: "removing an object that is not there reports false and changes nothing",
      apply: (i) => i.remove(route({ namespace: "team-b", name: "web" })),
      result: false,
      byDomain: { "api.shop.example.com": ["team-a/api"], "shop.example.com": ["team-a/web"] },
    },
    {
      name: "removing an object of another kind reports false",
      apply: (i) => i.remove({ apiVersion: "v1", kind: "Service", metadata: { namespace: "team-a", name: "web" } }),
      result: false,
    },
    {
      name: "upserting an object of another kind reports false",
      apply: (i) => i.upsert({ apiVersion: "v1", kind: "Service", metadata: { namespace: "team-a", name: "web" } }),
      result: false,
    },
    {
      name: "upserting a nameless route reports false",
      apply: (i) => i.upsert(route({ name: "" })),
      result: false,
    },
    {
      name: "a grant whose namespaces change moves between namespaces",
      apply: (i) => i.upsert(grant({ name: "team-a", namespaces: ["team-a2", "team-a3"], hostnames: ["*.shop.example.com"] })),
      grantsByNamespace: { "team-a2": ["team-a"], "team-a3": ["team-a"] },
    },
    {
      name: "removing a grant removes it from every namespace",
      apply: (i) => i.remove(grant({ name: "team-a" })),
      grantsByNamespace: {},
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const index = ClusterStateIndex.fromObjects(base());
      index.celValue();
      const result = c.apply(index);
      if (c.result !== undefined) assert.equal(result, c.result);
      const cluster = index.celValue();
      if (c.grantsByNamespace) assert.deepEqual(grantNames(cluster), c.grantsByNamespace);
      if (c.byDomain) assert.deepEqual(routeNames(cluster, "domainRoutesByDomain"), c.byDomain);
      if (c.byAppId) assert.deepEqual(routeNames(cluster, "domainRoutesByAppId"), c.byAppId);
    });
  }

  it("counts what it holds for metrics", () => {
    const index = ClusterStateIndex.fromObjects([...base(), route({ name: "plain", domain: "plain.shop.example.com" })]);
    assert.deepEqual(index.counts(), { hostnameGrants: 1, domainRoutes: 3, domains: 3, appIds: 2, grantedNamespaces: 1 });
  });

  it("counts a Terminating route as held, under no domain or appId", () => {
    const index = ClusterStateIndex.fromObjects([
      ...base(),
      route({ name: "gone", domain: "gone.shop.example.com", appId: "gone", deletionTimestamp: "2030-01-01T00:00:00Z" }),
    ]);
    assert.deepEqual(index.counts(), { hostnameGrants: 1, domainRoutes: 3, domains: 2, appIds: 2, grantedNamespaces: 1 });
  });

  it("returns the same value until something changes", () => {
    const index = ClusterStateIndex.fromObjects(base());
    const first = index.celValue();
    assert.equal(index.celValue(), first);
    index.upsert(route({ name: "web", domain: "shop.example.com", appId: "shop-web" }));
    assert.equal(index.celValue(), first, "an identical upsert is not a change");
    index.upsert(route({ name: "web", domain: "shop.example.com", appId: "other" }));
    assert.notEqual(index.celValue(), first);
  });
});

describe("ClusterStateIndex copy-on-write", () => {
  it("never changes a snapshot handed out earlier, whatever happens next", () => {
    const index = ClusterStateIndex.fromObjects([
      grant({ name: "team-a", namespaces: ["team-a"], hostnames: ["*.shop.example.com"] }),
      route({ name: "web", domain: "shop.example.com", appId: "shop-web" }),
      route({ name: "cart", domain: "shop.example.com", appId: "shop-cart" }),
    ]);
    const snapshot = index.celValue();
    const frozen = structuredClone(snapshot);

    index.upsert(route({ name: "web", domain: "www.shop.example.com", appId: "shop-web2" }));
    index.upsert(route({ name: "new", domain: "shop.example.com" }));
    index.remove(route({ name: "cart" }));
    index.upsert(grant({ name: "team-a", namespaces: ["team-b"] }));
    index.upsert(grant({ name: "team-c", namespaces: ["team-a"] }));
    const later = index.celValue();
    index.upsert(route({ name: "another", domain: "shop.example.com" }));

    assert.deepEqual(snapshot, frozen);
    assert.deepEqual(routeNames(later, "domainRoutesByDomain"), {
      "shop.example.com": ["team-a/new"],
      "www.shop.example.com": ["team-a/web"],
    });
    assert.deepEqual(routeNames(index.celValue(), "domainRoutesByDomain")["shop.example.com"], ["team-a/another", "team-a/new"]);
  });

  it("shares untouched lists between snapshots instead of rebuilding them", () => {
    const index = ClusterStateIndex.fromObjects([route({ name: "a", domain: "a.example.com" }), route({ name: "b", domain: "b.example.com" })]);
    const before = index.celValue().get("domainRoutesByDomain") as Map<string, unknown>;
    index.upsert(route({ name: "b", domain: "c.example.com" }));
    const after = index.celValue().get("domainRoutesByDomain") as Map<string, unknown>;
    assert.notEqual(after, before);
    assert.equal(after.get("a.example.com"), before.get("a.example.com"));
  });

  it("ends in the same state as a fresh build after any sequence of changes", () => {
    // Seeded so a failure reproduces.
    let seed = 42;
    const random = (n: number) => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return seed % n;
    };
    const index = new ClusterStateIndex();
    const live = new Map<string, unknown>();
    for (let step = 0; step < 2000; step++) {
      const isGrant = random(4) === 0;
      const name = `n${random(30)}`;
      const namespace = `ns${random(3)}`;
      const object = isGrant
        ? grant({ name, namespaces: [`ns${random(5)}`, `ns${random(5)}`], hostnames: [`h${random(5)}.example.com`] })
        : route({
            namespace,
            name,
            domain: random(5) === 0 ? undefined : `d${random(8)}.example.com`,
            appId: random(2) ? `app${random(6)}` : undefined,
            deletionTimestamp: random(6) === 0 ? "2030-01-01T00:00:00Z" : undefined,
          });
      const key = isGrant ? `g/${name}` : `r/${namespace}/${name}`;
      if (random(3) === 0) {
        index.remove(object);
        live.delete(key);
      } else {
        index.upsert(object);
        live.set(key, object);
      }
      if (random(5) === 0) index.celValue();
    }
    assert.deepEqual(index.celValue(), ClusterStateIndex.fromObjects(live.values()).celValue());
  });
});

describe("ClusterStateIndex at scale", () => {
  it("builds 10,000 routes and 1,000 grants and keeps answering lookups", () => {
    const objects: unknown[] = [];
    for (let i = 0; i < 1000; i++) {
      objects.push(grant({ name: `grant-${i}`, namespaces: [`team-${i % 200}`, "shared"], hostnames: [`*.t${i}.example.com`] }));
    }
    for (let i = 0; i < 10000; i++) {
      objects.push(route({ namespace: `team-${i % 200}`, name: `route-${i}`, domain: `r${i}.t${i % 1000}.example.com`, appId: `app-${i}` }));
    }
    const index = ClusterStateIndex.fromObjects(objects);
    assert.deepEqual(index.counts(), { hostnameGrants: 1000, domainRoutes: 10000, domains: 10000, appIds: 10000, grantedNamespaces: 201 });
    for (let i = 0; i < 100; i++) {
      index.celValue();
      index.upsert(route({ namespace: "team-0", name: `route-${i * 100}`, domain: `moved-${i}.example.com`, appId: `app-${i * 100}` }));
    }
    const cluster = index.celValue();
    assert.equal((cluster.get("grantsByNamespace") as Map<string, unknown[]>).get("shared")?.length, 1000);
    assert.equal((cluster.get("domainRoutesByDomain") as Map<string, unknown[]>).has("moved-99.example.com"), true);
  });
});

describe("ClusterStateIndex with real CEL", () => {
  const index = ClusterStateIndex.fromObjects([
    grant({ name: "team-a-shop", namespaces: ["team-a"], hostnames: ["shop.example.com", "*.shop.example.com"] }),
    grant({ name: "marketing", namespaces: ["marketing"], hostnames: ["www.example.com"], allowPublicWithoutProtection: true }),
    route({ namespace: "team-a", name: "web", domain: "a.example.com", appId: "shop-web" }),
  ]);
  const evaluate = (expression: string) => plan(celEnv({}), parse(expression))({ cluster: index.celValue() } as never);

  const cases: { name: string; expression: string; expected: unknown }[] = [
    {
      name: "a domain lookup finds the route using it",
      expression: "'a.example.com' in cluster.domainRoutesByDomain && cluster.domainRoutesByDomain['a.example.com'][0].name == 'web'",
      expected: true,
    },
    { name: "an unused domain is not a key", expression: "'b.example.com' in cluster.domainRoutesByDomain", expected: false },
    { name: "an appId lookup gives the owner's namespace", expression: "cluster.domainRoutesByAppId['shop-web'][0].namespace", expected: "team-a" },
    {
      name: "a namespace's grants can be searched for a hostname",
      expression: "cluster.grantsByNamespace['team-a'].exists(g, '*.shop.example.com' in g.hostnames && g.kinds.size() == 0)",
      expected: true,
    },
    { name: "the grant list has a size", expression: "size(cluster.grants) == 2", expected: true },
    {
      name: "grant booleans are CEL bools",
      expression: "cluster.grants[0].allowPublicWithoutProtection == true && cluster.grants[0].name == 'marketing'",
      expected: true,
    },
    { name: "an absent namespace is not a key", expression: "'team-z' in cluster.grantsByNamespace", expected: false },
  ];
  for (const c of cases) {
    it(c.name, () => assert.deepEqual(evaluate(c.expression), c.expected));
  }
});

describe("ClusterStateIndex fails closed on doubtful entries", () => {
  it("indexes appIds under their lower-cased spelling, so case variants collide", () => {
    const index = ClusterStateIndex.fromObjects([route({ name: "shop", domain: "shop.example.com", appId: "Shop-Web" })]);
    assert.deepEqual(routeNames(index.celValue(), "domainRoutesByAppId"), { "shop-web": ["team-a/shop"] });
  });

  const malformedKinds: Array<{ name: string; kinds: unknown }> = [
    { name: "a scalar", kinds: "HTTPRoute" },
    { name: "an empty string", kinds: [""] },
    { name: "a number", kinds: [123] },
    { name: "an empty list", kinds: [] },
    { name: "a mix of valid and invalid entries", kinds: ["HTTPRoute", 7] },
  ];
  for (const { name, kinds } of malformedKinds) {
    it(`a grant whose kinds is ${name} grants nothing, rather than every kind`, () => {
      const index = ClusterStateIndex.fromObjects([
        {
          ...grant({ name: "g", namespaces: ["team-b"], hostnames: ["api.example.com"] }),
          spec: { namespaces: ["team-b"], hostnames: ["api.example.com"], kinds },
        },
      ]);
      assert.deepEqual(grantNames(index.celValue()), {});
    });
  }

  it("a grant with a readable kinds list is indexed for its namespaces", () => {
    const index = ClusterStateIndex.fromObjects([
      {
        ...grant({ name: "g", namespaces: ["team-b"], hostnames: ["api.example.com"] }),
        spec: { namespaces: ["team-b"], hostnames: ["api.example.com"], kinds: ["HTTPRoute"] },
      },
    ]);
    assert.deepEqual(grantNames(index.celValue()), { "team-b": ["g"] });
  });
});
