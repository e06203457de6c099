// Every object rendered for every case must pass the schema Istio's CRDs
// publish: the API server would refuse it otherwise, and the route would
// never be served (or, for a policy, never be protected).
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { renderRoute } from "./render-route.ts";
import { RENDER_CASES } from "./testing/render-cases.ts";
import { validateIstioObject } from "./validate-istio.ts";

describe("rendered Istio objects", () => {
  for (const c of RENDER_CASES.filter((c) => c.kinds.length > 0)) {
    it(`match the Istio schemas for ${c.name}`, () => {
      const { objects } = renderRoute(c.route, c.config);
      assert.equal(objects.length, c.kinds.length);
      for (const object of objects) assert.doesNotThrow(() => validateIstioObject(object), `${object.kind}`);
    });
  }
});
