// Every pooled Gateway hostgate renders against the Gateway API's own CRD
// (test/fixtures/gateway-api/), through the API server's schema step: no
// OpenAPI violation, no x-kubernetes-validations rule broken, nothing pruned,
// and the object as stored (the CRD's defaults applied) still contains every
// field rendered, so the reconcile's comparison sees no change and a
// Gateway is not re-written on every pass.
import assert from "node:assert/strict";
import { join } from "node:path";
import { describe, it } from "node:test";
import type { PlatformConfig } from "../../../core/config/platform-config.ts";
import type { KubeObject } from "../../../core/kube/object-key.ts";
import type { DomainRoute } from "../../../crds/types.ts";
import { loadCrdCatalog } from "../../../crds/catalog.ts";
import { checkCustomResource } from "../../../policies/schema/check.ts";
import { contains, withAppliedHash } from "../../apply/plan-apply.ts";
import { GATEWAY_API_VERSION, renderPoolGateways } from "./render-pool-gateways.ts";
import { claimsOf, gatewayApiConfig, placedRoute } from "./testing/gateway-api-config.ts";

const FIXTURES = join(import.meta.dirname, "..", "..", "..", "test", "fixtures", "gateway-api");
const entry = loadCrdCatalog(FIXTURES).lookup(GATEWAY_API_VERSION, "Gateway");

/** What the API server would say to a create of `object`, and what it would store. */
function admit(object: KubeObject): { problems: string[]; stored: unknown } {
  assert.ok(entry, `the Gateway API's Gateway CRD is missing from ${FIXTURES}`);
  const result = checkCustomResource(entry, object, { operation: "CREATE" });
  return { problems: [...result.violations.map((v) => v.message), ...result.prunedFields.map((f) => `pruned ${f}`)], stored: result.object };
}

function gatewaysOf(routes: readonly DomainRoute[], config: PlatformConfig): KubeObject[] {
  const gateways = renderPoolGateways(routes, claimsOf(routes), config).gateways;
  assert.ok(gateways.length > 0, "a Gateway was rendered");
  return gateways.map(withAppliedHash);
}

describe("the pooled Gateways hostgate renders, against the Gateway API's CRD", () => {
  const longLabel = "a".repeat(63);
  const longest = `${[longLabel, longLabel, longLabel, "a".repeat(253 - 3 * 64 - ".example.com".length)].join(".")}.example.com`;
  const on1 = (name: string, domain: string, namespace?: string) => placedRoute(name, domain, "public-1", namespace === undefined ? {} : { namespace });
  const two = [on1("shop", "shop.example.com"), on1("blog", "blog.example.com", "team-b")];
  const cases = [
    { name: "HTTP listeners (no certificates)", routes: two, config: gatewayApiConfig() },
    { name: "HTTPS listeners terminating with cert-manager Secrets (envoy-gateway)", routes: two, config: gatewayApiConfig({ certificates: "cert-manager" }) },
    {
      name: "HTTPS listeners with Istio's implementation and its infrastructure labels",
      routes: two,
      config: gatewayApiConfig({ implementation: "istio", certificates: "cert-manager" }),
    },
    {
      name: "HTTPS listeners without tls, their certificates found in ACM (AWS Load Balancer Controller)",
      routes: two,
      config: gatewayApiConfig({ implementation: "aws-load-balancer-controller", certificates: "acm" }),
    },
    { name: "a wildcard domain's listener", routes: [on1("any", "*.team.example.com")], config: gatewayApiConfig({ certificates: "cert-manager" }) },
    { name: "a 253-character domain's listener", routes: [on1("long", longest)], config: gatewayApiConfig({ certificates: "cert-manager" }) },
    {
      name: "64 listeners, the most a Gateway may have",
      routes: Array.from({ length: 64 }, (_, i) => on1(`r${i}`, `r${i}.example.com`)),
      config: gatewayApiConfig({ certificates: "cert-manager" }),
    },
  ];
  it("includes a domain of the greatest length a DomainRoute allows", () => {
    assert.equal(longest.length, 253);
  });

  for (const c of cases) {
    it(`${c.name}: accepted whole, and stored as rendered`, () => {
      for (const gateway of gatewaysOf(c.routes, c.config)) {
        const { problems, stored } = admit(gateway);
        assert.deepEqual(problems, []);
        assert.ok(contains(stored, gateway), "the stored object (defaults applied) still contains everything rendered");
      }
    });
  }

  it("is checked by a comparison that notices a listener the CRD's rules refuse (tls on an HTTP listener)", () => {
    const [gateway] = gatewaysOf([on1("shop", "shop.example.com")], gatewayApiConfig());
    const broken = structuredClone(gateway!) as { spec: { listeners: Record<string, unknown>[] } };
    broken.spec.listeners[0]!.tls = { mode: "Terminate", certificateRefs: [{ name: "x" }] };
    assert.ok(admit(broken as unknown as KubeObject).problems.some((p) => /tls must not be specified/.test(p)));
  });

  it("refuses a 65th listener, which is why the render holds such a member instead of writing it", () => {
    const [gateway] = gatewaysOf(
      Array.from({ length: 64 }, (_, i) => on1(`r${i}`, `r${i}.example.com`)),
      gatewayApiConfig(),
    );
    const over = structuredClone(gateway!) as { spec: { listeners: Record<string, unknown>[] } };
    over.spec.listeners.push({ ...over.spec.listeners[0]!, name: "one-more", hostname: "one-more.example.com" });
    assert.ok(admit(over as unknown as KubeObject).problems.length > 0);
  });

  it("is checked by a comparison that notices a default the render leaves out (the listener list is compared whole)", () => {
    const [gateway] = gatewaysOf([on1("shop", "shop.example.com")], gatewayApiConfig({ certificates: "cert-manager" }));
    const sparse = structuredClone(gateway!) as { spec: { listeners: { tls: { mode?: string; certificateRefs: { group?: string }[] } }[] } };
    delete sparse.spec.listeners[0]!.tls.mode;
    delete sparse.spec.listeners[0]!.tls.certificateRefs[0]!.group;
    const { stored } = admit(sparse as unknown as KubeObject);
    assert.equal(contains(stored, sparse), false, "without the defaults written out, every pass would re-apply");
  });
});
