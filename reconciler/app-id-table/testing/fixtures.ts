// Small builders for DomainRoutes and the DomainClaims they own.
import type { DomainClaim, DomainRoute } from "../../../crds/types.ts";
import type { AppIdEntry } from "../app-id-table.ts";

export interface RouteOptions {
  namespace?: string;
  domain?: string;
  /** Omit (or undefined) for a route without protection. */
  appId?: string;
  uid?: string;
  deleting?: boolean;
}

/** A DomainRoute `name` (uid `uid-<name>`) in namespace `team-a` for `<name>.example.com`. */
export function route(name: string, options: RouteOptions = {}): DomainRoute {
  const namespace = options.namespace ?? "team-a";
  return {
    apiVersion: "hostgate.dev/v1alpha1",
    kind: "DomainRoute",
    metadata: {
      name,
      namespace,
      uid: options.uid ?? `uid-${name}`,
      ...(options.deleting ? { deletionTimestamp: "2025-01-01T00:00:00Z" } : {}),
    },
    spec: {
      domain: options.domain ?? `${name}.example.com`,
      lb: "alb-out",
      ...(options.appId === undefined ? {} : { protection: { provider: "sso", appId: options.appId } }),
    },
  };
}

/** The DomainClaim that makes `owner` the owner of its domain (or of `domain`, when given). */
export function claimFor(owner: DomainRoute, domain: string = owner.spec.domain): DomainClaim {
  return {
    apiVersion: "hostgate.dev/v1alpha1",
    kind: "DomainClaim",
    metadata: { name: domain },
    spec: { domain, owner: { namespace: owner.metadata.namespace ?? "", name: owner.metadata.name ?? "", uid: owner.metadata.uid ?? "" } },
  };
}

/** A published route together with the claim it owns. */
export function owned(name: string, options: RouteOptions = {}): { route: DomainRoute; claim: DomainClaim } {
  const r = route(name, options);
  return { route: r, claim: claimFor(r) };
}

/** Identity entries for hosts `<name>.example.com` mapped to appIds. */
export function entries(table: Record<string, string>): AppIdEntry[] {
  return Object.entries(table).map(([host, appId]) => ({ host, appId, route: { namespace: "team-a", name: host.split(".")[0] } }));
}

/** `count` synthetic entries, `app-<i>.example.com` → `id-<i>`. */
export function manyEntries(count: number): AppIdEntry[] {
  const list: AppIdEntry[] = [];
  for (let i = 0; i < count; i++) list.push({ host: `app-${i}.example.com`, appId: `id-${i}`, route: { namespace: "team-a", name: `app-${i}` } });
  return list;
}
