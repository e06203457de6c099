// The cluster the benchmarks measure against: N HostnameGrants (one team,
// namespace and apex each) and M DomainRoutes spread over those teams, plus
// the request an app team typically applies. Shared so that the policy and
// webhook benchmarks measure the same thing. And the routes-with-claims the
// wholesale controllers' benchmarks (identity table, DNS) plan from.
import type { DomainClaim, DomainRoute, DomainRouteSpec } from "../crds/types.ts";

export function syntheticObjects(routeCount: number, grantCount: number): Record<string, unknown>[] {
  const objects: Record<string, unknown>[] = [];
  for (let g = 0; g < grantCount; g++) {
    objects.push({
      apiVersion: "hostgate.dev/v1alpha1",
      kind: "HostnameGrant",
      metadata: { name: `team-${g}` },
      spec: { namespaces: [`team-${g}`], hostnames: [`*.team-${g}.example.com`, `team-${g}.example.com`] },
    });
  }
  for (let r = 0; r < routeCount; r++) {
    const team = r % grantCount;
    objects.push({
      apiVersion: "hostgate.dev/v1alpha1",
      kind: "DomainRoute",
      metadata: { name: `app-${r}`, namespace: `team-${team}`, uid: `00000000-0000-4000-8000-${String(r).padStart(12, "0")}` },
      spec: {
        domain: `app-${r}.team-${team}.example.com`,
        lb: r % 3 === 0 ? "alb-in" : "alb-out",
        routing: { mode: "Managed" },
        backend: { service: { name: `app-${r}`, port: 8080 } },
        protection: { provider: "sso", appId: `app-${r}` },
      },
    });
  }
  return objects;
}

/** What an app team applies: a public, protected route with a service backend (admitted, with one certificate-coverage warning). */
export function benchmarkRoute(): Record<string, unknown> {
  return {
    apiVersion: "hostgate.dev/v1alpha1",
    kind: "DomainRoute",
    metadata: { name: "checkout", namespace: "team-42", labels: { app: "checkout", "app.kubernetes.io/part-of": "shop" } },
    spec: {
      domain: "checkout.team-42.example.com",
      lb: "alb-out",
      routing: { mode: "Managed" },
      backend: { service: { name: "checkout", port: 8080 } },
      dns: { ttl: 300 },
      protection: {
        provider: "sso",
        appId: "checkout-web",
        rules: [
          { action: "Allow", paths: ["/healthz", "/static/*"] },
          { action: "Authenticate", paths: ["/*"] },
        ],
      },
    },
  };
}

/** The same route with its backend on a VM (safe-external-backend then runs in full: IP parsing, CIDR containment). */
export function externalBackendRoute(): Record<string, unknown> {
  const route = benchmarkRoute() as { spec: Record<string, unknown> };
  return { ...route, spec: { ...route.spec, backend: { external: { ip: "10.40.12.7", port: 8443, protocol: "HTTPS" } } } };
}

/**
 * `count` DomainRoutes `app-<i>` in 200 namespaces (`team-<i % 200>`) on
 * alb-out, each holding the DomainClaim of its domain
 * `app-<i>.team-<n>.<apex(i)>`; `spec(i)` adds to each route's spec.
 */
export function claimedRoutes(
  count: number,
  apex: (i: number) => string,
  spec: (i: number) => Partial<DomainRouteSpec> = () => ({}),
): { routes: DomainRoute[]; claims: DomainClaim[] } {
  const routes: DomainRoute[] = [];
  const claims: DomainClaim[] = [];
  for (let i = 0; i < count; i++) {
    const namespace = `team-${i % 200}`;
    const name = `app-${i}`;
    const uid = `00000000-0000-4000-8000-${String(i).padStart(12, "0")}`;
    const domain = `${name}.${namespace}.${apex(i)}`;
    routes.push({ apiVersion: "hostgate.dev/v1alpha1", kind: "DomainRoute", metadata: { name, namespace, uid }, spec: { domain, lb: "alb-out", ...spec(i) } });
    claims.push({ apiVersion: "hostgate.dev/v1alpha1", kind: "DomainClaim", metadata: { name: domain }, spec: { domain, owner: { namespace, name, uid } } });
  }
  return { routes, claims };
}
