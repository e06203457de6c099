// What will exist once the route is saved, in words, shown before submit:
// its address, who can reach it, the certificate that covers it, the login in
// front of it and where requests go. Pure, one line each; from the object the
// dry run answered (defaults and mutations applied), so it says what the
// cluster would store, not what the form holds.
import type { KubeObject } from "../core/kube/object-key.ts";
import type { PlatformConfig } from "../core/config/platform-config.ts";
import { LB_INTERNAL, LB_PUBLIC, MODE_EXTERNAL } from "../crds/types.ts";
import type { DomainRouteSpec } from "../crds/types.ts";
import { apexOf } from "../policies/engine/functions/hostname.ts";

export interface PreviewContext {
  /** The platform config: the apexes and the certificate provider, when the caller has it. */
  config?: PlatformConfig;
  /**
   * The certificate covering a domain (`*.shop.example.com`), as the
   * reconciler plans it; bin/cli.ts injects it (portal/ never imports
   * reconciler/). Undefined for a domain it plans none for.
   */
  certificateFor?: (domain: string) => string | undefined;
}

const CERTIFICATE_SOURCE: Readonly<Record<string, string>> = { acm: "AWS Certificate Manager", "cert-manager": "cert-manager" };

/** The preview's lines, in a fixed order: address, exposure, certificate (when knowable), login, backend. */
export function previewRoute(route: KubeObject, context: PreviewContext = {}): string[] {
  const spec = (route.spec ?? {}) as Partial<DomainRouteSpec>;
  const domain = typeof spec.domain === "string" && spec.domain !== "" ? spec.domain : undefined;
  const lines = [domain === undefined ? "Address: not chosen yet" : `Address: https://${domain}`, exposure(spec.lb)];
  const certificate = domain === undefined ? undefined : certificateLine(domain, context);
  if (certificate !== undefined) lines.push(certificate);
  lines.push(login(spec), backend(spec, route.metadata?.namespace));
  return lines;
}

function exposure(lb: unknown): string {
  if (lb === LB_INTERNAL) return `Exposure: internal, reachable only inside the company network (${LB_INTERNAL})`;
  if (lb === LB_PUBLIC) return `Exposure: public, reachable by anyone on the internet (${LB_PUBLIC})`;
  return "Exposure: not chosen yet (public or internal)";
}

/** The injected planner's answer, else what the platform config tells (the apex and who issues), else nothing. */
function certificateLine(domain: string, context: PreviewContext): string | undefined {
  const planned = context.certificateFor?.(domain);
  if (planned !== undefined && planned !== "") return `Certificate: ${planned}`;
  const config = context.config;
  if (config === undefined) return undefined;
  const provider = config.certificates.provider;
  if (provider === "none") return "Certificate: provided by the platform outside hostgate";
  const apex = apexOf(
    domain,
    config.domains.map((d) => d.apex),
  );
  if (apex === "") return `Certificate: none, ${domain} is under none of the platform's domains`;
  return `Certificate: one for names under ${apex}, from ${CERTIFICATE_SOURCE[provider] ?? provider}`;
}

function login(spec: Partial<DomainRouteSpec>): string {
  const protection = spec.protection;
  if (protection === undefined || protection === null) {
    return spec.lb === LB_PUBLIC ? "Login: none, anyone on the internet can use it" : "Login: none, anyone who reaches it can use it";
  }
  const open = (protection.rules ?? []).filter((r) => r.action === "Allow").flatMap((r) => r.paths ?? []);
  const where = open.length === 0 ? "every path needs a login" : `every path needs a login except ${[...new Set(open)].join(", ")}`;
  return `Login: ${protection.provider} (app ${protection.appId}); ${where}`;
}

/** A Service in another namespace is named with it; its own namespace is the default. */
function backend(spec: Partial<DomainRouteSpec>, namespace: string | undefined): string {
  if (spec.routing?.mode === MODE_EXTERNAL)
    return "Backend: your own VirtualService or HTTPRoute routes it (External mode); hostgate provides the name, certificate and DNS";
  const service = spec.backend?.service;
  if (service !== undefined)
    return `Backend: Service ${service.namespace && service.namespace !== namespace ? `${service.namespace}/` : ""}${service.name}:${service.port}`;
  const external = spec.backend?.external;
  if (external !== undefined) return `Backend: VM ${external.ip}:${external.port} over ${external.protocol ?? "HTTP"}`;
  return "Backend: not chosen yet";
}
