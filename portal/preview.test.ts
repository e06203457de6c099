import assert from "node:assert/strict";
import { join } from "node:path";
import { describe, it } from "node:test";
import { configYaml } from "../core/config/config-fixtures.ts";
import { loadPlatformConfig, parsePlatformConfig } from "../core/config/index.ts";
import type { KubeObject } from "../core/kube/object-key.ts";
import type { PreviewContext } from "./preview.ts";
import { previewRoute } from "./preview.ts";

const ROOT = join(import.meta.dirname, "..");
/** ACM, apexes example.com and corp.example.net. */
const AWS = loadPlatformConfig(join(ROOT, "examples", "platform-config-aws.yaml"));
const CERT_MANAGER = parsePlatformConfig(
  configYaml((c) => {
    c.certificates = { provider: "cert-manager", certManager: { issuerRef: { kind: "ClusterIssuer", name: "letsencrypt" }, namespace: "hostgate-system" } };
  }),
  "cert-manager.yaml",
);
const NO_CERTIFICATES = parsePlatformConfig(configYaml(), "none.yaml");

function route(spec: Record<string, unknown>): KubeObject {
  return { apiVersion: "hostgate.dev/v1alpha1", kind: "DomainRoute", metadata: { name: "shop", namespace: "team-a" }, spec };
}

const publicShop = {
  domain: "shop.example.com",
  lb: "alb-out",
  routing: { mode: "Managed" },
  backend: { service: { name: "shop", port: 8080 } },
  protection: { provider: "sso", appId: "shop-web", rules: [{ action: "Allow", paths: ["/healthz", "/static/*"] }] },
};
const internalVm = {
  domain: "wiki.corp.example.net",
  lb: "alb-in",
  routing: { mode: "Managed" },
  backend: { external: { ip: "10.20.30.40", port: 443, protocol: "HTTPS" } },
};

describe("previewRoute", () => {
  type Case = { name: string; spec: Record<string, unknown>; context?: PreviewContext; lines: string[] };
  const cases: Case[] = [
    {
      name: "a public route behind a login on a Service, its certificate from the injected planner",
      spec: publicShop,
      context: { config: AWS, certificateFor: (domain) => `*.${domain.slice(domain.indexOf(".") + 1)}` },
      lines: [
        "Address: https://shop.example.com",
        "Exposure: public, reachable by anyone on the internet (alb-out)",
        "Certificate: *.example.com",
        "Login: sso (app shop-web); every path needs a login except /healthz, /static/*",
        "Backend: Service shop:8080",
      ],
    },
    {
      name: "an internal route without a login on a VM, the certificate's apex and issuer from the platform config",
      spec: internalVm,
      context: { config: AWS },
      lines: [
        "Address: https://wiki.corp.example.net",
        "Exposure: internal, reachable only inside the company network (alb-in)",
        "Certificate: one for names under corp.example.net, from AWS Certificate Manager",
        "Login: none, anyone who reaches it can use it",
        "Backend: VM 10.20.30.40:443 over HTTPS",
      ],
    },
    {
      name: "cert-manager is named as the issuer",
      spec: { ...internalVm, domain: "wiki.example.com" },
      context: { config: CERT_MANAGER },
      lines: [
        "Address: https://wiki.example.com",
        "Exposure: internal, reachable only inside the company network (alb-in)",
        "Certificate: one for names under example.com, from cert-manager",
        "Login: none, anyone who reaches it can use it",
        "Backend: VM 10.20.30.40:443 over HTTPS",
      ],
    },
    {
      name: "a planner that plans no certificate falls back to the config, which places the domain under no apex",
      spec: { ...internalVm, domain: "wiki.other.org" },
      context: { config: AWS, certificateFor: () => undefined },
      lines: [
        "Address: https://wiki.other.org",
        "Exposure: internal, reachable only inside the company network (alb-in)",
        "Certificate: none, wiki.other.org is under none of the platform's domains",
        "Login: none, anyone who reaches it can use it",
        "Backend: VM 10.20.30.40:443 over HTTPS",
      ],
    },
    {
      name: "a platform whose certificates hostgate does not manage says so",
      spec: internalVm,
      context: { config: NO_CERTIFICATES },
      lines: [
        "Address: https://wiki.corp.example.net",
        "Exposure: internal, reachable only inside the company network (alb-in)",
        "Certificate: provided by the platform outside hostgate",
        "Login: none, anyone who reaches it can use it",
        "Backend: VM 10.20.30.40:443 over HTTPS",
      ],
    },
    {
      name: "without a planner or a config the certificate line is left out",
      spec: publicShop,
      lines: [
        "Address: https://shop.example.com",
        "Exposure: public, reachable by anyone on the internet (alb-out)",
        "Login: sso (app shop-web); every path needs a login except /healthz, /static/*",
        "Backend: Service shop:8080",
      ],
    },
    {
      name: "a public route without a login is open to anyone on the internet; a VM without a protocol is reached over HTTP",
      spec: { ...publicShop, protection: undefined, backend: { external: { ip: "10.0.0.9", port: 80 } } },
      lines: [
        "Address: https://shop.example.com",
        "Exposure: public, reachable by anyone on the internet (alb-out)",
        "Login: none, anyone on the internet can use it",
        "Backend: VM 10.0.0.9:80 over HTTP",
      ],
    },
    {
      name: "Authenticate rules open nothing: every path needs a login",
      spec: { ...publicShop, protection: { provider: "sso", appId: "a", rules: [{ action: "Authenticate", paths: ["/admin"] }] } },
      lines: [
        "Address: https://shop.example.com",
        "Exposure: public, reachable by anyone on the internet (alb-out)",
        "Login: sso (app a); every path needs a login",
        "Backend: Service shop:8080",
      ],
    },
    {
      name: "a Service in another namespace is named with its namespace, one in the route's own without",
      spec: { ...publicShop, backend: { service: { name: "api", namespace: "team-b", port: 9000 } } },
      lines: [
        "Address: https://shop.example.com",
        "Exposure: public, reachable by anyone on the internet (alb-out)",
        "Login: sso (app shop-web); every path needs a login except /healthz, /static/*",
        "Backend: Service team-b/api:9000",
      ],
    },
    {
      name: "External mode says the person's own routing object serves it",
      spec: { domain: "blog.example.com", lb: "alb-in", routing: { mode: "External" } },
      lines: [
        "Address: https://blog.example.com",
        "Exposure: internal, reachable only inside the company network (alb-in)",
        "Login: none, anyone who reaches it can use it",
        "Backend: your own VirtualService or HTTPRoute routes it (External mode); hostgate provides the name, certificate and DNS",
      ],
    },
    {
      name: "a half-filled form says what is not chosen yet",
      spec: {},
      context: { config: AWS },
      lines: [
        "Address: not chosen yet",
        "Exposure: not chosen yet (public or internal)",
        "Login: none, anyone who reaches it can use it",
        "Backend: not chosen yet",
      ],
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      assert.deepEqual(previewRoute(route(c.spec), c.context), c.lines);
    });
  }

  it("keeps the route's own namespace out of a Service it names explicitly", () => {
    const lines = previewRoute(route({ ...publicShop, backend: { service: { name: "api", namespace: "team-a", port: 9000 } } }));
    assert.equal(lines.at(-1), "Backend: Service api:9000");
  });
});
