import { describe, test } from "node:test";
import assert from "node:assert/strict";
import type { KubeObject } from "../../core/kube/object-key.ts";
import type { DomainClaim, DomainRoute } from "../../crds/types.ts";
import { aConfig } from "../domainroute/render/testing/platform-config.ts";
import { objectNameFor, regionalObjectName } from "../domainroute/render/names.ts";
import { RouteIndex, routeObjectNames } from "./event-routing.ts";

function route(namespace: string, name: string, uid: string, domain: string, backend: object = { service: { name: "web", port: 8080 } }): DomainRoute {
  return {
    apiVersion: "hostgate.dev/v1alpha1",
    kind: "DomainRoute",
    metadata: { namespace, name, uid },
    spec: { domain, lb: "alb-in", routing: { mode: "Managed" }, backend },
  } as DomainRoute;
}
/** A produced object at `name`, labelled and annotated for a route (or not). */
function produced(name: string, owner?: { uid: string; route: string }): KubeObject {
  const ownership = owner ? { labels: { "hostgate.dev/route-uid": owner.uid }, annotations: { "hostgate.dev/route": owner.route } } : {};
  return { apiVersion: "networking.istio.io/v1", kind: "Gateway", metadata: { name, namespace: "istio-system", ...ownership } };
}
const service = (namespace: string, name: string): KubeObject => ({ apiVersion: "v1", kind: "Service", metadata: { namespace, name } });

describe("routing events to the routes they concern", () => {
  // Two domains whose names collide, as a hash collision would make them.
  const colliding = (domain: string) => (domain === "b.example.com" ? objectNameFor("a.example.com") : objectNameFor(domain));
  const a = route("team-a", "shop", "uid-a", "a.example.com");
  const b = route("team-b", "shop", "uid-b", "b.example.com");

  test("an event for a produced object re-queues every route whose names collide on it, not only the one its annotation names", () => {
    const index = new RouteIndex((domain) => [colliding(domain)]);
    index.set("team-a/shop", a);
    index.set("team-b/shop", b);
    // Labelled and annotated as team-b's: team-a, whose name it is too, hears of it.
    assert.deepEqual(index.producedRouteRefs(produced(objectNameFor("a.example.com"), { uid: "uid-b", route: "team-b/shop" })), ["team-a/shop", "team-b/shop"]);
    // Not labelled at all (a person's): still both.
    assert.deepEqual(index.producedRouteRefs(produced(objectNameFor("a.example.com"))), ["team-a/shop", "team-b/shop"]);
  });

  test("an event for a produced object reaches the route its uid label names even when the annotation was edited away", () => {
    const index = new RouteIndex();
    index.set("team-a/shop", a);
    const object = produced("renamed-by-hand", { uid: "uid-a", route: "team-z/other" });
    assert.deepEqual(index.producedRouteRefs(object), ["team-a/shop", "team-z/other"]);
  });

  test("a route that changes domain or goes away stops claiming the old names", () => {
    const index = new RouteIndex();
    index.set("team-a/shop", a);
    const moved = route("team-a", "shop", "uid-a", "c.example.com");
    index.set("team-a/shop", moved, a);
    assert.deepEqual(index.producedRouteRefs(produced(objectNameFor("a.example.com"))), []);
    assert.deepEqual(index.producedRouteRefs(produced(objectNameFor("c.example.com"))), ["team-a/shop"]);
    index.delete("team-a/shop", moved);
    assert.deepEqual(index.producedRouteRefs(produced(objectNameFor("c.example.com"))), []);
  });

  test("a claim's event reaches every route declaring its domain and the claim's owner", () => {
    const index = new RouteIndex();
    index.set("team-a/shop", a);
    index.set("team-c/copy", route("team-c", "copy", "uid-c", "a.example.com"));
    const claim = {
      metadata: { name: "a.example.com" },
      spec: { domain: "a.example.com", owner: { namespace: "old", name: "gone", uid: "x" } },
    } as unknown as DomainClaim;
    assert.deepEqual(index.claimRouteRefs(claim), ["old/gone", "team-a/shop", "team-c/copy"]);
  });

  const serviceCases = [
    {
      name: "a Service's event re-queues the routes whose backend it is, in the route's namespace",
      routes: [a],
      service: service("team-a", "web"),
      expected: ["team-a/shop"],
    },
    {
      name: "a Service's event re-queues a route naming it across namespaces",
      routes: [route("team-a", "x", "u", "x.example.com", { service: { name: "api", namespace: "shared", port: 80 } })],
      service: service("shared", "api"),
      expected: ["team-a/x"],
    },
    { name: "a Service no route names re-queues nothing", routes: [a], service: service("team-b", "web"), expected: [] },
    {
      name: "a route with an external backend names no Service",
      routes: [route("team-a", "vm", "u", "vm.example.com", { external: { ip: "203.0.113.1", port: 80 } })],
      service: service("team-a", "web"),
      expected: [],
    },
  ];
  for (const c of serviceCases) {
    test(c.name, () => {
      const index = new RouteIndex();
      for (const r of c.routes) index.set(`${r.metadata.namespace}/${r.metadata.name}`, r);
      assert.deepEqual(index.serviceRouteRefs(c.service), c.expected);
    });
  }
});

describe("routing region and gateway events to the routes they concern", () => {
  const on = (namespace: string, name: string, lb: string): DomainRoute => {
    const r = route(namespace, name, `uid-${namespace}-${name}`, `${name}.${namespace}.example.com`);
    return { ...r, spec: { ...r.spec, lb } } as DomainRoute;
  };
  const index = () => {
    const i = new RouteIndex();
    for (const r of [on("team-a", "shop", "alb-in"), on("team-a", "blog", "alb-out"), on("team-b", "shop", "alb-in")])
      i.set(`${r.metadata.namespace}/${r.metadata.name}`, r);
    return i;
  };

  const cases: { name: string; refs: (i: RouteIndex) => string[]; expected: string[] }[] = [
    {
      name: "a RegionPolicy's event reaches every route in its namespace",
      refs: (i) => i.namespaceRouteRefs("team-a"),
      expected: ["team-a/blog", "team-a/shop"],
    },
    { name: "a RegionPolicy in a namespace without routes reaches none", refs: (i) => i.namespaceRouteRefs("team-z"), expected: [] },
    {
      name: "a gateway record's load balancer reaches every route on it, in any namespace",
      refs: (i) => i.loadBalancerRouteRefs("alb-in"),
      expected: ["team-a/shop", "team-b/shop"],
    },
    {
      name: "a route that moves to another load balancer and namespace index no longer has it under the old ones",
      refs: (i) => {
        i.set("team-b/shop", on("team-b", "shop", "alb-out"), on("team-b", "shop", "alb-in"));
        return i.loadBalancerRouteRefs("alb-in");
      },
      expected: ["team-a/shop"],
    },
    {
      name: "a deleted route is in no namespace's list",
      refs: (i) => {
        i.delete("team-a/shop", on("team-a", "shop", "alb-in"));
        return i.namespaceRouteRefs("team-a");
      },
      expected: ["team-a/blog"],
    },
  ];
  for (const c of cases) test(c.name, () => assert.deepEqual(c.refs(index()), c.expected));
});

describe("routing events on a platform with regions to the routes whose names they hold", () => {
  const regions = [
    { name: "weu", dnsControllerLabels: { "router.io/region": "weu" } },
    { name: "neu", dnsControllerLabels: { "router.io/region": "neu" } },
  ];
  const regional = aConfig({ cluster: { name: "aks01-weu", region: "weu" }, regions });
  const shop = route("team-a", "shop", "uid-a", "shop.example.com");

  const cases: { name: string; object: string; expected: string[] }[] = [
    {
      name: "an object at the route's regional DNSEndpoint name in its own region reaches it",
      object: regionalObjectName("shop.example.com", "aks01-weu", "weu"),
      expected: ["team-a/shop"],
    },
    {
      name: "an object at its name in another region (RegionBound publishes there) reaches it",
      object: regionalObjectName("shop.example.com", "aks01-weu", "neu"),
      expected: ["team-a/shop"],
    },
    { name: "an object at its Istio objects' name still reaches it", object: objectNameFor("shop.example.com"), expected: ["team-a/shop"] },
    {
      name: "another cluster's regional name for the same domain reaches no route here",
      object: regionalObjectName("shop.example.com", "aks01-neu", "weu"),
      expected: [],
    },
  ];
  for (const c of cases) {
    test(`${c.name}, unlabelled (a leftover or a person's)`, () => {
      const index = new RouteIndex(routeObjectNames(regional));
      index.set("team-a/shop", shop);
      assert.deepEqual(index.producedRouteRefs(produced(c.object)), c.expected);
    });
  }

  test("without regions a domain has its one name, as before", () => {
    assert.deepEqual(routeObjectNames(aConfig())("shop.example.com"), [objectNameFor("shop.example.com")]);
  });
});
