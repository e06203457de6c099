import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { loadCrdCatalog } from "../../crds/catalog.ts";
import { checkCustomResource, checkIfCustomResource } from "./check.ts";

const catalog = loadCrdCatalog();
const routeEntry = catalog.lookup("hostgate.dev/v1alpha1", "DomainRoute")!;
const grantEntry = catalog.lookup("hostgate.dev/v1alpha1", "HostnameGrant")!;
const claimEntry = catalog.lookup("hostgate.dev/v1alpha1", "DomainClaim")!;

const NEITHER =
  "spec.backend: Required value: spec.routing.mode is Managed (the default), so hostgate sends the traffic to spec.backend, but spec.backend sets neither service nor external: set exactly one of spec.backend.service (a Service in the cluster) or spec.backend.external (an IPv4 address outside it)";
const BOTH =
  'spec.backend: Invalid value: "object": spec.routing.mode is Managed and spec.backend sets both service and external: a route has exactly one backend, so keep spec.backend.service or spec.backend.external and remove the other';
const EXTERNAL_WITH_BACKEND =
  "spec.backend: Forbidden: spec.routing.mode is External, so your own VirtualService attached to the gateway routes the traffic and hostgate uses no backend, but spec.backend is set: remove spec.backend, or set spec.routing.mode to Managed to have hostgate route to it";
const IMMUTABLE_DOMAIN = 'spec.domain: Invalid value: "string": domain is immutable; create a new DomainRoute for a new domain';

function route(spec: Record<string, unknown>, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    apiVersion: "hostgate.dev/v1alpha1",
    kind: "DomainRoute",
    metadata: { name: "web", namespace: "shop" },
    spec: { domain: "shop.example.com", lb: "alb-in", ...spec },
    ...extra,
  };
}

const service = { name: "web", port: 8080 };
const external = { ip: "10.20.30.40", port: 443, protocol: "HTTPS" };

describe("checkCustomResource on a DomainRoute", () => {
  describe("the backend union rule", () => {
    const routings: { label: string; routing: Record<string, unknown> }[] = [
      { label: "no routing", routing: {} },
      { label: "an empty routing", routing: { routing: {} } },
      { label: "mode Managed", routing: { routing: { mode: "Managed" } } },
      { label: "mode External", routing: { routing: { mode: "External" } } },
    ];
    const backends: { label: string; backend: Record<string, unknown> }[] = [
      { label: "no backend", backend: {} },
      { label: "an empty backend", backend: { backend: {} } },
      { label: "a service backend", backend: { backend: { service } } },
      { label: "an external backend", backend: { backend: { external } } },
      { label: "both backends", backend: { backend: { service, external } } },
    ];
    const expected = (external: boolean, backend: string): string[] => {
      if (external) return backend === "no backend" || backend === "an empty backend" ? [] : [EXTERNAL_WITH_BACKEND];
      if (backend === "no backend" || backend === "an empty backend") return [NEITHER];
      if (backend === "both backends") return [BOTH];
      return [];
    };
    for (const r of routings) {
      for (const b of backends) {
        const messages = expected(r.label === "mode External", b.label);
        it(`${r.label} with ${b.label} is ${messages.length === 0 ? "accepted" : "rejected"}`, () => {
          const result = checkCustomResource(routeEntry, route({ ...r.routing, ...b.backend }), { operation: "CREATE" });
          assert.deepEqual(
            result.violations.map((v) => v.message),
            messages,
          );
        });
      }
    }
  });

  describe("the immutable domain", () => {
    const stored = route({ backend: { service } });
    const cases: { name: string; operation: "CREATE" | "UPDATE"; domain: string; oldObject?: unknown; messages: string[] }[] = [
      { name: "a new DomainRoute may pick any domain", operation: "CREATE", domain: "other.example.com", messages: [] },
      { name: "an update that keeps the domain is accepted", operation: "UPDATE", domain: "shop.example.com", oldObject: stored, messages: [] },
      {
        name: "an update that changes the domain is rejected",
        operation: "UPDATE",
        domain: "other.example.com",
        oldObject: stored,
        messages: [IMMUTABLE_DOMAIN],
      },
      { name: "an update without the stored object cannot compare, so the rule does not run", operation: "UPDATE", domain: "other.example.com", messages: [] },
    ];
    for (const c of cases) {
      it(c.name, () => {
        const object = route({ domain: c.domain, backend: { service } });
        const result = checkCustomResource(routeEntry, object, { operation: c.operation, ...(c.oldObject !== undefined ? { oldObject: c.oldObject } : {}) });
        assert.deepEqual(
          result.violations.map((v) => v.message),
          c.messages,
        );
      });
    }

    it("a transition rule is not applied on CREATE even when an old object is passed", () => {
      const result = checkCustomResource(routeEntry, route({ domain: "other.example.com", backend: { service } }), { operation: "CREATE", oldObject: stored });
      assert.deepEqual(result.violations, []);
    });
  });

  it("returns the object as stored: pruned and defaulted", () => {
    const result = checkCustomResource(routeEntry, route({ backend: { external: { ip: "10.0.0.1", port: 80 } }, dns: {}, colour: "blue" }), {
      operation: "CREATE",
    });
    assert.deepEqual(result.object.spec, {
      domain: "shop.example.com",
      lb: "alb-in",
      backend: { external: { ip: "10.0.0.1", port: 80, protocol: "HTTP" } },
      dns: { ttl: 300 },
      routing: { mode: "Managed" },
    });
    assert.deepEqual(result.prunedFields, ["spec.colour"]);
    assert.deepEqual(result.violations, []);
  });

  it("reports every unknown field it prunes, at any depth", () => {
    const object = route(
      {
        backend: { service: { ...service, protocol: "http" } },
        protection: { provider: "sso", appId: "shop", rules: [{ action: "Allow", paths: ["/healthz"], exact: true }] },
      },
      { extra: 1, metadata: { name: "web", namespace: "shop", lables: {} } },
    );
    const result = checkCustomResource(routeEntry, object, { operation: "CREATE" });
    assert.deepEqual(result.prunedFields, ["metadata.lables", "spec.backend.service.protocol", "spec.protection.rules[0].exact", "extra"]);
    assert.deepEqual(result.violations, []);
  });

  it("drops status on create, as the main endpoint of a resource with a status subresource does", () => {
    const result = checkCustomResource(routeEntry, route({ backend: { service } }, { status: { claimedDomain: "x" } }), { operation: "CREATE" });
    assert.equal(result.object.status, undefined);
  });

  it("keeps the stored status on update, whatever the object says", () => {
    const stored = route({ backend: { service } }, { status: { claimedDomain: "shop.example.com" } });
    const result = checkCustomResource(routeEntry, route({ backend: { service } }, { status: { claimedDomain: "mine" } }), {
      operation: "UPDATE",
      oldObject: stored,
    });
    assert.deepEqual(result.object.status, { claimedDomain: "shop.example.com" });
  });

  it("skips the rules and says so when the object lacks a required field", () => {
    const result = checkCustomResource(
      routeEntry,
      { apiVersion: "hostgate.dev/v1alpha1", kind: "DomainRoute", metadata: { name: "web" }, spec: { domain: "shop.example.com" } },
      { operation: "CREATE" },
    );
    assert.deepEqual(
      result.violations.map((v) => [v.field, v.reason]),
      [
        ["spec.lb", "FieldValueRequired"],
        ["<nil>", "FieldValueInvalid"],
      ],
    );
  });

  it("checks metadata before the schema, and a missing name blocks the rules too", () => {
    const result = checkCustomResource(routeEntry, route({ backend: {} }, { metadata: { namespace: "shop" } }), { operation: "CREATE" });
    assert.deepEqual(
      result.violations.map((v) => v.field),
      ["metadata.name", "<nil>"],
    );
  });
});

describe("checkCustomResource on a DomainClaim", () => {
  const claim = (name: string, domain: string, owner = { namespace: "shop", name: "web", uid: "0b7a2c1e-4d5f-4a6b-8c9d-0e1f2a3b4c5d" }) => ({
    apiVersion: "hostgate.dev/v1alpha1",
    kind: "DomainClaim",
    metadata: { name },
    spec: { domain, owner },
  });
  const NAME_MISMATCH =
    'spec.domain: Invalid value: "object": metadata.name must equal spec.domain: a DomainClaim is named after the domain it locks, which is what makes the claim unique';

  const cases: { name: string; object: unknown; operation: "CREATE" | "UPDATE"; oldObject?: unknown; messages: string[] }[] = [
    { name: "a claim named after its domain is accepted", object: claim("shop.example.com", "shop.example.com"), operation: "CREATE", messages: [] },
    {
      name: "a claim named differently from its domain is rejected",
      object: claim("shop", "shop.example.com"),
      operation: "CREATE",
      messages: [NAME_MISMATCH],
    },
    {
      name: "changing the owner is rejected",
      object: claim("shop.example.com", "shop.example.com", { namespace: "thief", name: "web", uid: "0b7a2c1e-4d5f-4a6b-8c9d-0e1f2a3b4c5d" }),
      operation: "UPDATE",
      oldObject: claim("shop.example.com", "shop.example.com"),
      messages: [
        'spec.owner: Invalid value: "object": owner is immutable: a DomainClaim belongs to the DomainRoute that created it until the claim is deleted',
      ],
    },
    {
      name: "changing the domain is rejected twice: it no longer matches the name and it is immutable",
      object: claim("shop.example.com", "other.example.com"),
      operation: "UPDATE",
      oldObject: claim("shop.example.com", "shop.example.com"),
      messages: [
        NAME_MISMATCH,
        'spec.domain: Invalid value: "string": domain is immutable: a DomainClaim locks one domain for its whole life; delete it and create a new one instead',
      ],
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const result = checkCustomResource(claimEntry, c.object, { operation: c.operation, ...(c.oldObject !== undefined ? { oldObject: c.oldObject } : {}) });
      assert.deepEqual(
        result.violations.map((v) => v.message),
        c.messages,
      );
    });
  }
});

describe("checkCustomResource on a HostnameGrant", () => {
  it("clears the namespace of a cluster-scoped object instead of rejecting it", () => {
    const result = checkCustomResource(
      grantEntry,
      {
        apiVersion: "hostgate.dev/v1alpha1",
        kind: "HostnameGrant",
        metadata: { name: "shop", namespace: "default" },
        spec: { namespaces: ["shop"], hostnames: ["*.shop.example.com"] },
      },
      { operation: "CREATE" },
    );
    assert.deepEqual(result.object.metadata, { name: "shop" });
    assert.deepEqual(result.violations, []);
  });

  it("rejects a hostname with a wildcard anywhere but the first label", () => {
    const result = checkCustomResource(
      grantEntry,
      {
        apiVersion: "hostgate.dev/v1alpha1",
        kind: "HostnameGrant",
        metadata: { name: "shop" },
        spec: { namespaces: ["shop"], hostnames: ["shop.*.example.com"], kinds: ["Ingress"] },
      },
      { operation: "CREATE" },
    );
    assert.deepEqual(
      result.violations.map((v) => [v.field, v.reason]),
      [
        ["spec.hostnames[0]", "FieldValueInvalid"],
        ["spec.kinds[0]", "FieldValueNotSupported"],
        ["<nil>", "FieldValueInvalid"],
      ],
    );
  });
});

describe("checkIfCustomResource", () => {
  it("leaves kinds outside the catalog alone", () => {
    assert.equal(checkIfCustomResource(catalog, { apiVersion: "v1", kind: "Service", metadata: { name: "web" } }, { operation: "CREATE" }), undefined);
    assert.equal(checkIfCustomResource(catalog, "not an object", { operation: "CREATE" }), undefined);
  });

  it("checks our kinds", () => {
    const result = checkIfCustomResource(catalog, route({ backend: { service } }), { operation: "CREATE" });
    assert.deepEqual(result?.violations, []);
  });
});

describe("checkCustomResource options", () => {
  it("stops after pruning and defaults with defaultsOnly, as the object reaches mutating webhooks", () => {
    const result = checkCustomResource(routeEntry, route({ backend: {}, colour: "blue" }, { status: { claimedDomain: "x" } }), {
      operation: "CREATE",
      defaultsOnly: true,
    });
    assert.deepEqual(result.violations, []);
    assert.deepEqual(result.prunedFields, ["spec.colour"]);
    assert.deepEqual(result.object.spec, { domain: "shop.example.com", lb: "alb-in", backend: {}, routing: { mode: "Managed" } });
    assert.deepEqual(result.object.status, { claimedDomain: "x" });
  });

  it("has nothing to check on DELETE", () => {
    const result = checkCustomResource(routeEntry, route({}), { operation: "DELETE" });
    assert.deepEqual(result.violations, []);
  });
});
