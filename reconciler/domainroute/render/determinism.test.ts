// The reconciler applies on every resync; identical output means an apply
// that changes nothing, and no churn for whatever watches these objects.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { renderRoute } from "./render-route.ts";
import { aConfig } from "./testing/platform-config.ts";
import { RENDER_CASES } from "./testing/render-cases.ts";
import { aRoute } from "./testing/route-builder.ts";

describe("rendering", () => {
  for (const c of RENDER_CASES) {
    it(`gives identical objects and JSON twice for ${c.name}`, () => {
      const first = renderRoute(c.route, c.config);
      const second = renderRoute(structuredClone(c.route), c.config);
      assert.deepEqual(second, first);
      assert.equal(JSON.stringify(second), JSON.stringify(first));
      // Nothing undefined hides in the objects: what is applied is what is compared.
      assert.deepEqual(JSON.parse(JSON.stringify(first)), first);
    });
  }

  it("gives the same JSON whatever the order of the gateway selector's labels", () => {
    const route = aRoute().protected("sso", "shop-app").build();
    const a = renderRoute(route, aConfig({ gatewaySelector: { istio: "ingressgateway", app: "edge" } }));
    const b = renderRoute(route, aConfig({ gatewaySelector: { app: "edge", istio: "ingressgateway" } }));
    assert.equal(JSON.stringify(a), JSON.stringify(b));
  });

  it("gives the same JSON whatever the order of the protection rules and their paths", () => {
    const a = renderRoute(
      aRoute()
        .protected("sso", "shop-app", [
          { action: "Allow", paths: ["/b", "/a"] },
          { action: "Allow", paths: ["/c"] },
        ])
        .build(),
      aConfig(),
    );
    const b = renderRoute(
      aRoute()
        .protected("sso", "shop-app", [
          { action: "Allow", paths: ["/c", "/a"] },
          { action: "Allow", paths: ["/b"] },
        ])
        .build(),
      aConfig(),
    );
    assert.equal(JSON.stringify(a), JSON.stringify(b));
  });

  it("does not share arrays between objects, so a caller editing one cannot change another", () => {
    const { objects } = renderRoute(
      aRoute()
        .protected("sso", "a", [
          { action: "Allow", paths: ["/x*"] },
          { action: "Authenticate", paths: ["/x/y"] },
        ])
        .build(),
      aConfig(),
    );
    const policy = objects.find((o) => o.kind === "AuthorizationPolicy")!;
    const [first, second] = (policy.spec as { rules: [{ to: { operation: { hosts: string[] } }[] }] }).rules[0].to;
    assert.notEqual(first!.operation.hosts, second!.operation.hosts);
  });
});
