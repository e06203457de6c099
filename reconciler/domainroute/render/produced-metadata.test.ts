// The reconciler finds and prunes what it produced by these labels, and the
// garbage collector deletes by these owner references: both must be exactly
// right on every object of every case.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { ANNOTATION_DOMAIN, ANNOTATION_ROUTE, LABEL_DOMAIN_HASH, LABEL_MANAGED_BY, LABEL_ROUTE_UID, routeSelector } from "./metadata.ts";
import { domainHash, objectNameFor } from "./names.ts";
import { PRODUCED_RESOURCES } from "./produced-resources.ts";
import { renderRoute } from "./render-route.ts";
import { RENDER_CASES } from "./testing/render-cases.ts";
import { DEFAULT_UID } from "./testing/route-builder.ts";

describe("metadata of produced objects", () => {
  for (const c of RENDER_CASES.filter((c) => c.kinds.length > 0)) {
    it(`labels, annotates, places and owns every object correctly for ${c.name}`, () => {
      const { name: routeName, namespace: routeNamespace, uid } = c.route.metadata;
      const domain = c.route.spec.domain;
      for (const object of renderRoute(c.route, c.config).objects) {
        const metadata = object.metadata as Record<string, unknown>;
        const resource = PRODUCED_RESOURCES.find((r) => r.kind === object.kind);
        assert.ok(resource, `${object.kind} is missing from PRODUCED_RESOURCES, so it would never be pruned`);
        assert.equal(object.apiVersion, `${resource.group}/${resource.version}`);
        const namespace = resource.scope === "gateway" ? c.config.gateway.namespace : routeNamespace;
        assert.equal(metadata.namespace, namespace, `${object.kind} namespace`);
        assert.equal(metadata.name, objectNameFor(domain));
        assert.deepEqual(metadata.labels, { [LABEL_MANAGED_BY]: "hostgate", [LABEL_DOMAIN_HASH]: domainHash(domain), [LABEL_ROUTE_UID]: uid });
        assert.deepEqual(metadata.annotations, { [ANNOTATION_DOMAIN]: domain, [ANNOTATION_ROUTE]: `${routeNamespace}/${routeName}` });
        if (namespace === routeNamespace) {
          assert.deepEqual(metadata.ownerReferences, [
            { apiVersion: "hostgate.dev/v1alpha1", kind: "DomainRoute", name: routeName, uid, controller: true, blockOwnerDeletion: true },
          ]);
        } else {
          assert.equal(metadata.ownerReferences, undefined, `${object.kind} in ${namespace} must not be owned by a DomainRoute in ${routeNamespace}`);
        }
      }
    });
  }

  it("never puts an owner reference on an object in the gateway namespace of a route elsewhere", () => {
    const c = RENDER_CASES.find((c) => c.kinds.includes("AuthorizationPolicy") && c.route.metadata.namespace !== c.config.gateway.namespace)!;
    const inGatewayNamespace = renderRoute(c.route, c.config).objects.filter((o) => o.metadata?.namespace === c.config.gateway.namespace);
    assert.deepEqual(
      inGatewayNamespace.map((o) => [o.kind, o.metadata?.ownerReferences]),
      [
        ["AuthorizationPolicy", undefined],
        ["Gateway", undefined],
      ],
    );
  });

  it("selects the produced objects by the route's uid", () => {
    assert.equal(routeSelector(DEFAULT_UID), `hostgate.dev/route-uid=${DEFAULT_UID}`);
  });
});
