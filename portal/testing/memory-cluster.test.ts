// The portal's test world itself: RBAC as RBAC reads, the seeded state, and
// hostgate's admission chain in the API server's order.
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { FakeRbac } from "./fake-rbac.ts";
import { memoryCluster, SERVICES } from "./memory-cluster.ts";
import { DOMAIN_ROUTES, HOSTNAME_GRANTS } from "../../core/state/sources/indexed-resources.ts";
import type { KubeApiError } from "../../core/kube/api-error.ts";
import type { KubeObject } from "../../core/kube/object-key.ts";

const JANE = { user: "jane", groups: ["team-a"] };
const route = (spec: Record<string, unknown>): KubeObject => ({
  apiVersion: "hostgate.dev/v1alpha1",
  kind: "DomainRoute",
  metadata: { name: "x", namespace: "team-a" },
  spec,
});

describe("FakeRbac", () => {
  const rbac = new FakeRbac([
    { groups: ["team-a"], apiGroups: ["hostgate.dev"], resources: ["*"], verbs: ["get", "list"], namespaces: ["team-a"] },
    { users: ["admin"], apiGroups: ["*"], resources: ["*"], verbs: ["*"] },
  ]);
  const cases: {
    name: string;
    who: { user: string; groups: string[] };
    verb: "get" | "list" | "create";
    resource: string;
    namespace?: string;
    allowed: boolean;
  }[] = [
    { name: "a group's rule in its namespace allows", who: JANE, verb: "list", resource: "domainroutes", namespace: "team-a", allowed: true },
    { name: "a verb the rule does not name is refused", who: JANE, verb: "create", resource: "domainroutes", namespace: "team-a", allowed: false },
    { name: "another namespace is refused", who: JANE, verb: "list", resource: "domainroutes", namespace: "team-b", allowed: false },
    { name: "a namespaced binding never reaches cluster-scoped resources", who: JANE, verb: "list", resource: "hostnamegrants", allowed: false },
    {
      name: "`*` resources leave out subresources, as RBAC does",
      who: JANE,
      verb: "get",
      resource: "domainroutes/status",
      namespace: "team-a",
      allowed: false,
    },
    { name: "a user rule without namespaces holds everywhere", who: { user: "admin", groups: [] }, verb: "create", resource: "hostnamegrants", allowed: true },
  ];
  for (const c of cases) {
    test(c.name, () => {
      assert.equal(rbac.allows(c.who, c.verb, { group: "hostgate.dev", resource: c.resource }, c.namespace), c.allowed);
      assert.equal(rbac.authorize(c.who, c.verb, { group: "hostgate.dev", resource: c.resource }, c.namespace) === undefined, c.allowed);
    });
  }
});

describe("the memory cluster", () => {
  test("it holds the example grants, a team-b grant, the example routes (live) and the Services", async () => {
    const { api } = await memoryCluster();
    assert.deepEqual(
      api.objects(HOSTNAME_GRANTS).map((g) => g.metadata?.name),
      ["marketing-public-site", "platform-internal", "team-a-shop", "team-b-api", "team-b-shop"],
    );
    const routes = api.objects(DOMAIN_ROUTES);
    assert.deepEqual(
      routes.map((r) => `${r.metadata?.namespace}/${r.metadata?.name}`),
      ["marketing/website", "platform/grafana", "team-a/shop-admin", "team-a/shop-web"],
    );
    for (const r of routes) {
      const ready = (r.status as { conditions: { type: string; status: string }[] }).conditions.find((c) => c.type === "Ready");
      assert.equal(ready?.status, "True");
    }
    assert.equal(api.objects(SERVICES).length, 5);
  });

  test("without fieldValidation Strict an unknown field is dropped and the write admitted, as the API server's default (Warn) does", async () => {
    const { api } = await memoryCluster();
    const spec = { domain: "x.shop.example.com", lb: "alb-in", backend: { service: { name: "shop-web", port: 8080 } }, colour: "blue" };
    const stored = await api.as(JANE).create(DOMAIN_ROUTES, route(spec), { dryRun: true });
    assert.equal((stored.spec as { colour?: string }).colour, undefined);
    await assert.rejects(api.as(JANE).create(DOMAIN_ROUTES, route(spec), { dryRun: true, fieldValidation: "Strict" }), (error: KubeApiError) => {
      assert.equal(error.status, 400);
      assert.equal(
        error.statusMessage,
        'DomainRoute in version "v1alpha1" cannot be handled as a DomainRoute: strict decoding error: unknown field "spec.colour"',
      );
      return true;
    });
  });

  test("a policy denial is the validating webhook's, as the API server passes it on, with a cause per finding", async () => {
    const { api } = await memoryCluster();
    await assert.rejects(
      api.as(JANE).create(DOMAIN_ROUTES, route({ domain: "www.example.com", lb: "alb-in", backend: { service: { name: "shop-web", port: 8080 } } })),
      (error: KubeApiError) => {
        assert.match(
          error.statusMessage,
          /^domainroutes\.hostgate\.dev "x" is forbidden: admission webhook "validate\.hostgate\.dev" denied the request: DomainRoute team-a\/x violates/,
        );
        assert.ok(error.causes.some((c) => c.field === "spec.domain" && c.message?.startsWith("hostname-granted: ")));
        return true;
      },
    );
  });
});
