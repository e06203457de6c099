// The DomainRoutes the run creates, what hostgate should make for each in
// AWS, and how to read their status from the in-memory API server.
import type { FakeKubeApi } from "../core/kube/testing/fake-kube-api.ts";
import type { KubeObject } from "../core/kube/object-key.ts";
import type { LoadBalancerName } from "../core/config/platform-config.ts";
import type { DomainRoute } from "../crds/types.ts";
import { DOMAIN_ROUTES } from "../reconciler/resources.ts";

export const NAMESPACE = "team-a";

export interface RouteCase {
  name: string;
  domain: string;
  apex: string;
  lb: LoadBalancerName;
  /** The wildcard certificate that should serve it. */
  wildcard: string;
}

/** A route whose name the platform already holds with a record of its own (platform-setup.ts): hostgate must refuse it, not take it. */
export const TAKEN: RouteCase = { name: "legacy", domain: "legacy.example.com", apex: "example.com", lb: "alb-out", wildcard: "*.example.com" };

export function conditionReason(api: FakeKubeApi, name: string, type: string): { status: string; reason: string; message: string } | undefined {
  const c = storedRoute(api, name)?.status?.conditions?.find((x) => x.type === type);
  return c === undefined ? undefined : { status: c.status, reason: c.reason, message: c.message };
}

export const ROUTES: readonly RouteCase[] = [
  { name: "shop", domain: "shop.example.com", apex: "example.com", lb: "alb-out", wildcard: "*.example.com" },
  { name: "wiki", domain: "wiki.corp.example.net", apex: "corp.example.net", lb: "alb-in", wildcard: "*.corp.example.net" },
];

export function routeObject(route: RouteCase): KubeObject {
  return {
    apiVersion: "hostgate.dev/v1alpha1",
    kind: "DomainRoute",
    metadata: { name: route.name, namespace: NAMESPACE },
    spec: {
      domain: route.domain,
      lb: route.lb,
      routing: { mode: "Managed" },
      backend: { service: { name: "web", port: 8080 } },
      protection: { provider: "sso", appId: route.name },
    },
  };
}

export function storedRoute(api: FakeKubeApi, name: string): DomainRoute | undefined {
  return api.server.get(DOMAIN_ROUTES, { namespace: NAMESPACE, name }) as unknown as DomainRoute | undefined;
}

/** `Type=Status Reason` for each condition, sorted: what a failed wait prints. */
export function conditionSummary(api: FakeKubeApi, name: string): string {
  const conditions = storedRoute(api, name)?.status?.conditions ?? [];
  return conditions
    .map((c) => `${c.type}=${c.status} ${c.reason}${c.status === "True" ? "" : ` (${c.message})`}`)
    .sort()
    .join("; ");
}

export function conditionStatus(api: FakeKubeApi, name: string, type: string): string | undefined {
  return storedRoute(api, name)?.status?.conditions?.find((c) => c.type === type)?.status;
}
