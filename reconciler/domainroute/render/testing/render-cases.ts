// The routes every rendering test runs over: each shape of route the
// renderer handles, with the kinds it must produce (in apply order) and the
// problems it must report. Tests of schemas, metadata and determinism loop
// over all of them, so a new case is checked by every one.
import type { PlatformConfig } from "../../../../core/config/platform-config.ts";
import type { DomainRoute } from "../../../../crds/types.ts";
import { aConfig } from "./platform-config.ts";
import { aRoute } from "./route-builder.ts";

export interface RenderCase {
  /** Completes "renders ..." / "for ...": a sentence fragment. */
  name: string;
  route: DomainRoute;
  config: PlatformConfig;
  kinds: string[];
  /** Each must match one problem, and there must be as many problems. */
  problems: RegExp[];
}

/** 253 characters, the most the schema allows. */
export const LONGEST_DOMAIN = ["a".repeat(63), "b".repeat(63), "c".repeat(63), "d".repeat(61)].join(".");

function renderCase(name: string, route: DomainRoute, kinds: string[], problems: RegExp[] = [], config: PlatformConfig = aConfig()): RenderCase {
  return { name, route, config, kinds, problems };
}

export const RENDER_CASES: readonly RenderCase[] = [
  renderCase("a Service in the route's namespace", aRoute().service("web", 8080).build(), ["Gateway", "VirtualService"]),
  renderCase("a route whose spec.routing is absent (Managed by default)", aRoute().mode(undefined).service("web", 8080).build(), ["Gateway", "VirtualService"]),
  renderCase("a Service in another namespace", aRoute().service("web", 8080, "shared").build(), ["Gateway", "VirtualService"]),
  renderCase("an external HTTP endpoint", aRoute().external("10.20.30.40", 8080, "HTTP").build(), ["ServiceEntry", "Gateway", "VirtualService"]),
  renderCase("an external endpoint without a protocol (HTTP by default)", aRoute().external("10.20.30.40", 80).build(), [
    "ServiceEntry",
    "Gateway",
    "VirtualService",
  ]),
  renderCase("an external HTTPS endpoint", aRoute().external("10.20.30.40", 443, "HTTPS").build(), [
    "ServiceEntry",
    "DestinationRule",
    "Gateway",
    "VirtualService",
  ]),
  renderCase("an external TCP endpoint", aRoute().external("10.20.30.40", 5000, "TCP").build(), ["ServiceEntry", "Gateway", "VirtualService"]),
  renderCase("External mode", aRoute().mode("External").build(), ["Gateway"]),
  renderCase("External mode with protection", aRoute().mode("External").protected("sso", "shop-app").build(), ["AuthorizationPolicy", "Gateway"]),
  renderCase(
    "a protected Service route with Allow and Authenticate paths",
    aRoute()
      .protected("sso", "shop-app", [
        { action: "Allow", paths: ["/public*", "/healthz"] },
        { action: "Authenticate", paths: ["/public/admin*"] },
        { action: "Allow", paths: ["/healthz", "/assets/{**}"] },
      ])
      .build(),
    ["AuthorizationPolicy", "Gateway", "VirtualService"],
  ),
  renderCase("a protected route without rules", aRoute().protected("sso", "shop-app").build(), ["AuthorizationPolicy", "Gateway", "VirtualService"]),
  renderCase(
    "a protected route with Authenticate rules only",
    aRoute()
      .protected("sso", "shop-app", [{ action: "Authenticate", paths: ["/admin"] }])
      .build(),
    ["AuthorizationPolicy", "Gateway", "VirtualService"],
  ),
  renderCase("a route protected by a provider the platform does not have", aRoute().protected("ssoo", "shop-app").build(), [
    "AuthorizationPolicy",
    "Gateway",
    "VirtualService",
  ]),
  renderCase(
    "a protected external HTTPS route in the gateway namespace",
    aRoute().named("edge", "istio-system").external("10.0.0.7", 8443, "HTTPS").protected("sso", "edge-app").build(),
    ["ServiceEntry", "DestinationRule", "AuthorizationPolicy", "Gateway", "VirtualService"],
  ),
  renderCase(
    "the longest domain the schema allows",
    aRoute()
      .domain(LONGEST_DOMAIN)
      .external("10.20.30.40", 443, "HTTPS")
      .protected("sso", "long-app", [{ action: "Allow", paths: ["/healthz"] }])
      .build(),
    ["ServiceEntry", "DestinationRule", "AuthorizationPolicy", "Gateway", "VirtualService"],
  ),
  renderCase(
    "a gateway selected by several labels",
    aRoute().build(),
    ["Gateway", "VirtualService"],
    [],
    aConfig({ gatewayNamespace: "ingress", gatewaySelector: { istio: "ingressgateway", app: "edge", "topology.kubernetes.io/zone": "a" } }),
  ),
  // Routes the API server would have refused: reported, never half-rendered.
  renderCase(
    "a Managed route without a backend",
    aRoute().withoutBackend().build(),
    ["Gateway"],
    [/^spec\.backend sets neither service nor external.*shop\.example\.com.*spec\.backend\.service/],
  ),
  renderCase(
    "a protected Managed route without a backend",
    aRoute().withoutBackend().protected("sso", "shop-app").build(),
    ["AuthorizationPolicy", "Gateway"],
    [/^spec\.backend sets neither/],
  ),
  renderCase(
    "a route with both a Service and an external backend",
    aRoute()
      .backend({ service: { name: "web", port: 8080 }, external: { ip: "10.0.0.1", port: 80 } })
      .build(),
    ["Gateway"],
    [/^spec\.backend sets both service and external/],
  ),
  renderCase(
    "a route with an unknown routing mode",
    aRoute()
      .mode("Shadow" as never)
      .build(),
    ["Gateway"],
    [/^spec\.routing\.mode is "Shadow": set Managed .* or External/],
  ),
  renderCase(
    "an external endpoint with a bad address, port and protocol",
    aRoute()
      .backend({ external: { ip: "10.020.30.40", port: 0, protocol: "UDP" as never } })
      .build(),
    ["Gateway"],
    [
      /^spec\.backend\.external\.ip is "10\.020\.30\.40"/,
      /^spec\.backend\.external\.port is 0/,
      /^spec\.backend\.external\.protocol is "UDP": set HTTP, HTTPS, TCP/,
    ],
  ),
  renderCase(
    "a protected route with a path Istio refuses",
    aRoute()
      .protected("sso", "shop-app", [{ action: "Allow", paths: ["/ok", "/{id}/public"] }])
      .build(),
    [],
    [/^spec\.protection\.rules\[0\]\.paths\[1\] is "\/\{id\}\/public": Istio refuses "\{" and "\}"/],
  ),
  renderCase("a route without a uid", aRoute().uid(undefined).build(), [], [/^metadata\.uid is empty/]),
];
