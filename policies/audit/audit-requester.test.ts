// auditRequester: the reconciler's username only for objects the audited
// objects prove it wrote; hostgate-audit for everything else, forgeries first.
// test/audit-reconciler-objects.test.ts checks the same against the
// reconciler's real renderers; here each rule is taken apart on its own.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, test } from "node:test";
import { parseAllDocuments } from "yaml";
import { toCelInput } from "../../core/objects/cel-input.ts";
import type { KubeObject } from "../../core/kube/object-key.ts";
import { objectNameFor } from "../../core/kube/produced-names.ts";
import { AUDIT_USER, auditRequester, RECONCILER_USERNAME } from "./audit-requester.ts";

const ROOT = join(import.meta.dirname, "..", "..");
const ISTIO = toCelInput({ gateway: { namespace: "istio-system", selector: { istio: "ingressgateway" } } });
// The pool: alb-out's configured member public-1 and its autoscaled public-01..99; alb-in has no members, so one named alb-in.
const LOAD_BALANCERS = { "alb-out": { members: [{ name: "public-1" }], autoscale: { prefix: "public" } }, "alb-in": {} };
const GATEWAY_API = toCelInput({ gateway: { namespace: "edge", provider: "gateway-api" }, loadBalancers: LOAD_BALANCERS });
const MANAGED = { "app.kubernetes.io/managed-by": "hostgate" };
const SHOP = objectNameFor("shop.example.com");

function route(name: string, domain: string, extra: { namespace?: string; uid?: string; metadata?: object; spec?: object } = {}): KubeObject {
  return {
    apiVersion: "hostgate.dev/v1alpha1",
    kind: "DomainRoute",
    metadata: { name, namespace: extra.namespace ?? "team-a", uid: extra.uid ?? `uid-${name}`, ...extra.metadata },
    spec: { domain, ...extra.spec },
  };
}

const ROUTES = [
  route("shop", "shop.example.com"),
  route("blog", "blog.example.com", { spec: { routing: { mode: "External" } } }),
  route("b", "b.example.com", { namespace: "team-b" }),
];

const uid = (value: string) => ({ ...MANAGED, "hostgate.dev/route-uid": value });
/** The controller owner reference the reconciler sets in the route's namespace (producedMetadata). */
const controller = (routeUid: string, edit: object = {}) => [
  { apiVersion: "hostgate.dev/v1alpha1", kind: "DomainRoute", name: "shop", uid: routeUid, controller: true, blockOwnerDeletion: true, ...edit },
];

/** metadata beyond namespace; by default the reconciler's for route shop in team-a. */
interface Meta {
  namespace?: string;
  name?: string;
  labels?: Record<string, string>;
  ownerReferences?: unknown;
}

function produced(apiVersion: string, kind: string, spec: object, meta: Required<Pick<Meta, "namespace" | "name">> & Meta): KubeObject {
  const { ownerReferences, labels, ...rest } = meta;
  return {
    apiVersion,
    kind,
    metadata: { ...rest, labels: labels ?? uid("uid-shop"), ...(ownerReferences === undefined ? {} : { ownerReferences }) },
    spec,
  };
}
// VirtualServices and HTTPRoutes live in the route's namespace and carry its controller reference.
const vs = (hosts: unknown, meta: Meta = {}) =>
  produced(
    "networking.istio.io/v1",
    "VirtualService",
    { hosts, gateways: [`istio-system/${SHOP}`] },
    { namespace: "team-a", name: SHOP, ownerReferences: controller("uid-shop"), ...meta },
  );
const httpRoute = (hostnames: unknown, meta: Meta = {}) =>
  produced("gateway.networking.k8s.io/v1", "HTTPRoute", { hostnames }, { namespace: "team-a", name: SHOP, ownerReferences: controller("uid-shop"), ...meta });
// Istio Gateways live in the gateway namespace, where an owner reference cannot point (it must name an owner in its own namespace).
const istioGateway = (hosts: unknown, meta: Meta = {}) =>
  produced(
    "networking.istio.io/v1",
    "Gateway",
    { selector: { istio: "ingressgateway" }, servers: [{ port: { number: 80 }, hosts }] },
    { namespace: "istio-system", name: SHOP, ...meta },
  );
const poolGateway = (hostnames: unknown[], meta: Meta = {}) =>
  produced(
    "gateway.networking.k8s.io/v1",
    "Gateway",
    { listeners: hostnames.map((h, i) => ({ name: `l${i}`, hostname: h })) },
    { namespace: "edge", name: "public-1", labels: { ...MANAGED }, ...meta },
  );

describe("auditRequester", () => {
  const cases: Array<{ name: string; object: KubeObject; config?: unknown; objects?: KubeObject[]; expected: string }> = [
    {
      name: "the reconciler's VirtualService for a Managed route, in its namespace, for its domain, is the reconciler's",
      object: vs(["shop.example.com"]),
      expected: RECONCILER_USERNAME,
    },
    { name: "hosts compare as DNS names: case and a trailing dot do not matter", object: vs(["Shop.Example.com."]), expected: RECONCILER_USERNAME },
    {
      name: "the reconciler's Istio Gateway in the gateway namespace is the reconciler's",
      object: istioGateway(["shop.example.com"]),
      expected: RECONCILER_USERNAME,
    },
    {
      name: "an Istio Gateway for an External route is the reconciler's too (External routes get the Gateway)",
      object: istioGateway(["blog.example.com"], { name: objectNameFor("blog.example.com"), labels: uid("uid-blog") }),
      expected: RECONCILER_USERNAME,
    },
    {
      name: "an HTTPRoute with provider gateway-api is the reconciler's",
      object: httpRoute(["shop.example.com"]),
      config: GATEWAY_API,
      expected: RECONCILER_USERNAME,
    },
    {
      name: "a pooled Gateway whose every listener serves a live route's domain is the reconciler's",
      object: poolGateway(["shop.example.com", "b.example.com", "blog.example.com"]),
      config: GATEWAY_API,
      expected: RECONCILER_USERNAME,
    },
    {
      name: "the config may be a plain object as well as a CEL map",
      object: httpRoute(["shop.example.com"]),
      config: { gateway: { namespace: "edge", provider: "gateway-api" } },
      expected: RECONCILER_USERNAME,
    },
    {
      name: "a controller reference written under another version of hostgate.dev still names the route",
      object: vs(["shop.example.com"], { ownerReferences: controller("uid-shop", { apiVersion: "hostgate.dev/v1" }) }),
      expected: RECONCILER_USERNAME,
    },
    {
      name: "a pooled Gateway named as an autoscaled member (<prefix>-NN) is the reconciler's",
      object: poolGateway(["shop.example.com"], { name: "public-07" }),
      config: GATEWAY_API,
      expected: RECONCILER_USERNAME,
    },
    {
      name: "a pooled Gateway named after a class without members is the reconciler's (that class is one member of its name)",
      object: poolGateway(["shop.example.com"], { name: "alb-in" }),
      config: GATEWAY_API,
      expected: RECONCILER_USERNAME,
    },

    {
      name: "without the managed-by label it is the audit's",
      object: vs(["shop.example.com"], { labels: { "hostgate.dev/route-uid": "uid-shop" } }),
      expected: AUDIT_USER,
    },
    {
      name: "managed-by with another value is the audit's",
      object: vs(["shop.example.com"], { labels: { "app.kubernetes.io/managed-by": "Hostgate", "hostgate.dev/route-uid": "uid-shop" } }),
      expected: AUDIT_USER,
    },
    {
      name: "a route-uid naming no route is the audit's",
      object: vs(["shop.example.com"], { labels: uid("uid-none"), ownerReferences: controller("uid-none") }),
      expected: AUDIT_USER,
    },
    { name: "no route-uid is the audit's", object: vs(["shop.example.com"], { labels: { ...MANAGED } }), expected: AUDIT_USER },
    {
      name: "a VirtualService in another namespace than its route's is the audit's",
      object: vs(["b.example.com"], { name: objectNameFor("b.example.com"), labels: uid("uid-b"), ownerReferences: controller("uid-b") }),
      expected: AUDIT_USER,
    },
    { name: "a VirtualService with a second host is the audit's", object: vs(["shop.example.com", "b.example.com"]), expected: AUDIT_USER },
    { name: "a VirtualService with no hosts is the audit's", object: vs([]), expected: AUDIT_USER },
    { name: "a VirtualService whose hosts are not a list is the audit's", object: vs("shop.example.com"), expected: AUDIT_USER },
    {
      name: "a VirtualService for an External route is the audit's: the team writes that one",
      object: vs(["blog.example.com"], { name: objectNameFor("blog.example.com"), labels: uid("uid-blog"), ownerReferences: controller("uid-blog") }),
      expected: AUDIT_USER,
    },
    {
      name: "a VirtualService of a route being deleted is the audit's",
      object: vs(["shop.example.com"]),
      objects: [route("shop", "shop.example.com", { metadata: { deletionTimestamp: "2030-01-01T00:00:00Z" } })],
      expected: AUDIT_USER,
    },
    {
      name: "a route-uid that two DomainRoutes hold proves nothing",
      object: vs(["shop.example.com"]),
      objects: [route("shop", "shop.example.com"), route("shop", "shop.example.com", { namespace: "team-b" })],
      expected: AUDIT_USER,
    },
    { name: "the route must be among the audited objects", object: vs(["shop.example.com"]), objects: [], expected: AUDIT_USER },
    {
      name: "a route whose uid is the label but whose kind is not DomainRoute proves nothing",
      object: vs(["shop.example.com"]),
      objects: [{ ...route("shop", "shop.example.com"), kind: "HostnameGrant" }],
      expected: AUDIT_USER,
    },
    {
      name: "an Istio Gateway outside the gateway namespace is the audit's",
      object: istioGateway(["shop.example.com"], { namespace: "team-a" }),
      expected: AUDIT_USER,
    },
    {
      name: "an Istio Gateway host in namespace/host form is the audit's: the renderer writes a bare host",
      object: istioGateway(["*/shop.example.com"]),
      expected: AUDIT_USER,
    },
    { name: "an Istio Gateway with a second host is the audit's", object: istioGateway(["shop.example.com", "b.example.com"]), expected: AUDIT_USER },
    { name: "an Istio Gateway server without hosts is the audit's", object: istioGateway([]), expected: AUDIT_USER },
    {
      name: "with no gateway namespace in the config no Istio Gateway is proven",
      object: istioGateway(["shop.example.com"]),
      config: {},
      expected: AUDIT_USER,
    },
    { name: "an HTTPRoute with provider istio is the audit's (the reconciler writes none)", object: httpRoute(["shop.example.com"]), expected: AUDIT_USER },
    {
      name: "an HTTPRoute for an External route is the audit's",
      object: httpRoute(["blog.example.com"], { name: objectNameFor("blog.example.com"), labels: uid("uid-blog"), ownerReferences: controller("uid-blog") }),
      config: GATEWAY_API,
      expected: AUDIT_USER,
    },
    {
      name: "an HTTPRoute with a second hostname is the audit's",
      object: httpRoute(["shop.example.com", "evil.example.com"]),
      config: GATEWAY_API,
      expected: AUDIT_USER,
    },
    {
      name: "a pooled Gateway with a listener for a domain no route has is the audit's",
      object: poolGateway(["shop.example.com", "evil.example.com"]),
      config: GATEWAY_API,
      expected: AUDIT_USER,
    },
    {
      name: "a pooled Gateway with a listener without hostname is the audit's",
      object: poolGateway(["shop.example.com", undefined]),
      config: GATEWAY_API,
      expected: AUDIT_USER,
    },
    { name: "a pooled Gateway without listeners is the audit's", object: poolGateway([]), config: GATEWAY_API, expected: AUDIT_USER },
    {
      name: "a pooled Gateway outside the gateway namespace is the audit's",
      object: poolGateway(["shop.example.com"], { namespace: "team-a" }),
      config: GATEWAY_API,
      expected: AUDIT_USER,
    },
    {
      name: "a Gateway API Gateway with provider istio is the audit's",
      object: poolGateway(["shop.example.com"]),
      config: toCelInput({ gateway: { namespace: "edge" }, loadBalancers: LOAD_BALANCERS }),
      expected: AUDIT_USER,
    },
    {
      name: "a DomainRoute itself is the audit's",
      object: { ...route("shop", "shop.example.com"), metadata: { name: "shop", namespace: "team-a", uid: "uid-shop", labels: uid("uid-shop") } },
      expected: AUDIT_USER,
    },
    {
      name: "a GRPCRoute is the audit's (the reconciler writes none)",
      object: { ...httpRoute(["shop.example.com"]), kind: "GRPCRoute" },
      config: GATEWAY_API,
      expected: AUDIT_USER,
    },

    // A team's own object with the labels, the route's uid and the route's hosts is not the reconciler's (review R16):
    // only the one object at the route's name, controlled by the route, is.
    {
      name: "a labelled VirtualService at another name than its route's (a team's second one) is the audit's, even with the controller reference",
      object: vs(["shop.example.com"], { name: "tenant-wrote-this" }),
      expected: AUDIT_USER,
    },
    {
      name: "a VirtualService for shop at the name of another route's domain is the audit's",
      object: vs(["shop.example.com"], { name: objectNameFor("b.example.com") }),
      expected: AUDIT_USER,
    },
    {
      name: "a VirtualService at the route's name without the controller reference is the audit's",
      object: vs(["shop.example.com"], { ownerReferences: undefined }),
      expected: AUDIT_USER,
    },
    {
      name: "a VirtualService whose controller reference names another route's uid is the audit's",
      object: vs(["shop.example.com"], { ownerReferences: controller("uid-b") }),
      expected: AUDIT_USER,
    },
    {
      name: "a VirtualService whose reference to the route is not the controller's is the audit's",
      object: vs(["shop.example.com"], { ownerReferences: controller("uid-shop", { controller: false }) }),
      expected: AUDIT_USER,
    },
    {
      name: "a VirtualService whose controller reference with the route's uid names another kind is the audit's",
      object: vs(["shop.example.com"], { ownerReferences: controller("uid-shop", { kind: "HostnameGrant" }) }),
      expected: AUDIT_USER,
    },
    {
      name: "a VirtualService whose controller reference with the route's uid names another group is the audit's",
      object: vs(["shop.example.com"], { ownerReferences: controller("uid-shop", { apiVersion: "example.com/v1" }) }),
      expected: AUDIT_USER,
    },
    {
      name: "a labelled HTTPRoute at another name than its route's is the audit's",
      object: httpRoute(["shop.example.com"], { name: "tenant-wrote-this" }),
      config: GATEWAY_API,
      expected: AUDIT_USER,
    },
    {
      name: "an HTTPRoute at the route's name without the controller reference is the audit's",
      object: httpRoute(["shop.example.com"], { ownerReferences: undefined }),
      config: GATEWAY_API,
      expected: AUDIT_USER,
    },
    {
      name: "an HTTPRoute whose controller reference names another route's uid is the audit's",
      object: httpRoute(["shop.example.com"], { ownerReferences: controller("uid-b") }),
      config: GATEWAY_API,
      expected: AUDIT_USER,
    },
    {
      name: "an Istio Gateway in the gateway namespace at another name than its route's is the audit's",
      object: istioGateway(["shop.example.com"], { name: "shop" }),
      expected: AUDIT_USER,
    },
    {
      name: "a pooled Gateway named as no pool member is the audit's",
      object: poolGateway(["shop.example.com"], { name: "edge-proxy" }),
      config: GATEWAY_API,
      expected: AUDIT_USER,
    },
    ...["public-00", "public-100", "public-7", "public-0a", "other-01"].map((name) => ({
      name: `a pooled Gateway named ${name}, not <prefix>-01..99 of an autoscaled class, is the audit's`,
      object: poolGateway(["shop.example.com"], { name }),
      config: GATEWAY_API,
      expected: AUDIT_USER,
    })),
    {
      name: "a pooled Gateway named after a class that has members is the audit's",
      object: poolGateway(["shop.example.com"], { name: "alb-out" }),
      config: GATEWAY_API,
      expected: AUDIT_USER,
    },
    {
      name: "with no loadBalancers in the config no pooled Gateway is proven",
      object: poolGateway(["shop.example.com"]),
      config: toCelInput({ gateway: { namespace: "edge", provider: "gateway-api" } }),
      expected: AUDIT_USER,
    },
  ];
  for (const c of cases) {
    test(c.name, () => {
      const objects = [...(c.objects ?? ROUTES), c.object];
      assert.equal(auditRequester(objects, c.config ?? ISTIO)(c.object), c.expected);
    });
  }
});

describe("RECONCILER_USERNAME", () => {
  test("is the username hostname-granted exempts, exactly", () => {
    const library = readFileSync(join(ROOT, "policies", "library", "hostname-granted.yaml"), "utf8");
    assert.ok(library.includes(`request.userInfo.username != '${RECONCILER_USERNAME}'`));
  });

  test("is the ServiceAccount deploy/ runs the reconciler as", () => {
    const read = (file: string) => parseAllDocuments(readFileSync(join(ROOT, "deploy", "base", file), "utf8")).map((d) => d.toJS());
    const [account] = read("reconciler-serviceaccount.yaml");
    const deployment = read("reconciler-deployment.yaml").find((o) => o.kind === "Deployment");
    assert.equal(account.kind, "ServiceAccount");
    assert.equal(`system:serviceaccount:${account.metadata.namespace}:${account.metadata.name}`, RECONCILER_USERNAME);
    assert.equal(deployment.metadata.namespace, account.metadata.namespace);
    assert.equal(deployment.spec.template.spec.serviceAccountName, account.metadata.name);
  });
});
