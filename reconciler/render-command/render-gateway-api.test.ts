// `hostgate render` on the Gateway API data plane: the pooled Gateways and
// each route's Gateway API objects, as the reconciler's controllers would
// keep them, with the implementation deciding what exists (no Istio
// EnvoyFilter where Istio does not run the gateways).
import assert from "node:assert/strict";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, test } from "node:test";
import { parseAllDocuments } from "yaml";
import { main } from "../../bin/cli.ts";
import { tempDir } from "../../test/fixtures.ts";

const ROOT = join(import.meta.dirname, "..", "..");
const CONFIG = join(ROOT, "examples", "platform-config-gateway-api.yaml");
const dir = tempDir("render-gateway-api");

interface Rendered {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string };
  spec?: Record<string, unknown>;
}

/** The example config with `edit` applied to its text (each replacement must apply). */
function config(...edits: [string, string][]): string {
  let text = readFileSync(CONFIG, "utf8");
  for (const [from, to] of edits) {
    assert.ok(text.includes(from), `the example config contains ${JSON.stringify(from)}`);
    text = text.replace(from, to);
  }
  const path = join(dir, `config-${Math.random().toString(36).slice(2)}.yaml`);
  writeFileSync(path, text);
  return path;
}

function routes(...yaml: string[]): string {
  const path = join(dir, `routes-${Math.random().toString(36).slice(2)}.yaml`);
  writeFileSync(path, yaml.join("---\n"));
  return path;
}

const SHOP = `apiVersion: hostgate.dev/v1alpha1
kind: DomainRoute
metadata: {name: shop, namespace: team-a}
spec:
  domain: shop.example.com
  lb: alb-out
  backend: {service: {name: web, port: 8080}}
  protection: {provider: sso, appId: shop-app}
`;
const BLOG = `apiVersion: hostgate.dev/v1alpha1
kind: DomainRoute
metadata: {name: blog, namespace: team-b}
spec:
  domain: blog.example.com
  lb: alb-out
  backend: {service: {name: web, port: 80}}
`;

async function render(configPath: string, ...files: string[]) {
  const result = await main(["render", "--config", configPath, ...files.flatMap((f) => ["-f", f]), "-o", "json"]);
  const items = result.exitCode === 2 ? [] : (JSON.parse(result.stdout) as { items: Rendered[] }).items;
  return { ...result, items };
}

const kindsOf = (items: readonly Rendered[]) => items.map((o) => `${o.apiVersion} ${o.kind}`);

describe("hostgate render on the Gateway API data plane", () => {
  test("with Envoy Gateway it prints the pooled Gateway, each route's HTTPRoute and login, and nothing of Istio's", async () => {
    const result = await render(config(), routes(SHOP, BLOG));
    assert.equal(result.exitCode, 0, result.stderr);
    const kinds = kindsOf(result.items);
    assert.ok(kinds.includes("gateway.networking.k8s.io/v1 Gateway"), kinds.join("\n"));
    assert.equal(kinds.filter((k) => k === "gateway.networking.k8s.io/v1 HTTPRoute").length, 2);
    assert.ok(kinds.includes("gateway.envoyproxy.io/v1alpha1 SecurityPolicy"));
    const strip = result.items.find((o) => o.kind === "ClientTrafficPolicy");
    assert.ok(strip, "the ClientTrafficPolicy that strips the identity header is printed");
    assert.ok(
      kinds.indexOf("gateway.envoyproxy.io/v1alpha1 ClientTrafficPolicy") < kinds.indexOf("gateway.networking.k8s.io/v1 Gateway"),
      "before its Gateway",
    );
    assert.deepEqual(
      kinds.filter((k) => k.includes("istio.io")),
      [],
      "no Istio object (the identity table's EnvoyFilter included) where Istio does not run",
    );
  });

  test("the login carries the appId the identity table gives the route, and none for an appId two routes claim", async () => {
    const twin = SHOP.replace("name: shop, namespace: team-a", "name: twin, namespace: team-a").replace("domain: shop.example.com", "domain: twin.example.com");
    const alone = await render(config(), routes(SHOP));
    const contested = await render(config(), routes(SHOP, twin));
    const extensions = (items: readonly Rendered[]) =>
      items.filter((o) => o.kind === "SecurityPolicy").map((o) => (o.spec!.extAuth as { contextExtensions?: unknown }).contextExtensions ?? "none");
    assert.deepEqual(extensions(alone.items), [[{ name: "x-app-id", type: "Value", value: "shop-app" }]]);
    assert.deepEqual(extensions(contested.items), ["none", "none"]);
  });

  test("every HTTPRoute attaches to a listener of a Gateway the render prints, and that listener admits the route's namespace only", async () => {
    const { items } = await render(config(), routes(SHOP, BLOG));
    const gateways = items.filter((o) => o.kind === "Gateway");
    for (const route of items.filter((o) => o.kind === "HTTPRoute")) {
      const [parent] = route.spec!.parentRefs as { name: string; namespace: string; sectionName: string }[];
      const gateway = gateways.find((g) => g.metadata.name === parent!.name && g.metadata.namespace === parent!.namespace);
      assert.ok(gateway, `HTTPRoute ${route.metadata.name} names Gateway ${parent!.namespace}/${parent!.name}, which is printed`);
      const listener = (
        gateway!.spec!.listeners as { name: string; allowedRoutes: { namespaces: { selector: { matchLabels: Record<string, string> } } } }[]
      ).find((l) => l.name === parent!.sectionName);
      assert.ok(listener, `the Gateway has the listener ${parent!.sectionName}`);
      assert.deepEqual(listener!.allowedRoutes.namespaces.selector.matchLabels, { "kubernetes.io/metadata.name": route.metadata.namespace });
    }
  });

  test("with Istio as the implementation the identity table is printed and the login is an AuthorizationPolicy on the pooled Gateway", async () => {
    const istio = config(
      ["implementation: envoy-gateway", "implementation: istio"],
      ["    authServices:\n      sso: {namespace: sso-system, name: sso-authz, port: 9001}\n", ""],
    );
    const result = await render(istio, routes(SHOP));
    assert.equal(result.exitCode, 0, result.stderr);
    const kinds = kindsOf(result.items);
    assert.ok(kinds.includes("networking.istio.io/v1alpha3 EnvoyFilter"), kinds.join("\n"));
    const policy = result.items.find((o) => o.kind === "AuthorizationPolicy");
    assert.ok(policy, "an AuthorizationPolicy is printed");
    assert.deepEqual((policy.spec as { targetRefs?: unknown }).targetRefs, [{ group: "gateway.networking.k8s.io", kind: "Gateway", name: "public-1" }]);
    assert.equal(kinds.includes("gateway.envoyproxy.io/v1alpha1 SecurityPolicy"), false);
  });

  test("with the AWS Load Balancer Controller a protected route is refused, named on stderr, and gets no listener", async () => {
    const alb = config(
      ["implementation: envoy-gateway", "implementation: aws-load-balancer-controller"],
      ["    authServices:\n      sso: {namespace: sso-system, name: sso-authz, port: 9001}\n", "    gatewayClassNames: {alb-out: alb-public}\n"],
      ["  provider: cert-manager\n  certManager:\n    issuerRef: {kind: ClusterIssuer, name: letsencrypt-dns}\n    namespace: edge", "  provider: acm"],
      ["dns:\n  provider: external-dns", "dns:\n  provider: route53\n  ownerId: cluster-1"],
    );
    const result = await render(alb, routes(SHOP, BLOG));
    assert.equal(result.exitCode, 1, result.stdout);
    assert.match(result.stderr, /team-a\/shop: .*ProtectionUnsupported/);
    const hostnames = result.items.filter((o) => o.kind === "Gateway").flatMap((g) => (g.spec!.listeners as { hostname: string }[]).map((l) => l.hostname));
    assert.deepEqual(hostnames, ["blog.example.com"]);
    assert.equal(
      result.items.some((o) => o.kind === "HTTPRoute" && o.metadata.namespace === "team-a"),
      false,
    );
  });

  test("a pooled Gateway given with -f, with its address, shows its gateway record", async () => {
    const gateway = routes(`apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {name: public-1, namespace: edge}
spec: {gatewayClassName: eg, listeners: [{name: http, port: 80, protocol: HTTP}]}
status:
  addresses: [{type: Hostname, value: k8s-edge-public1-0123456789.elb.us-east-1.amazonaws.com}]
`);
    const result = await main(["render", "--config", config(), "-f", routes(BLOG), "-f", gateway]);
    assert.equal(result.exitCode, 0, result.stderr);
    const endpoints = parseAllDocuments(result.stdout)
      .map((d) => d.toJS() as Rendered & { spec: { endpoints?: { dnsName: string; targets: string[] }[] } })
      .filter((o) => o.kind === "DNSEndpoint")
      .flatMap((o) => o.spec.endpoints ?? []);
    assert.ok(
      endpoints.some((e) => e.dnsName === "public-1.gw.example.com" && e.targets.includes("k8s-edge-public1-0123456789.elb.us-east-1.amazonaws.com")),
      JSON.stringify(endpoints),
    );
  });
});
