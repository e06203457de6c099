// Builders for cluster-state test fixtures.

export interface GrantSpec {
  name: string;
  namespaces?: string[];
  hostnames?: string[];
  kinds?: string[];
  allowPublicWithoutProtection?: boolean;
}

export function grant({ name, ...spec }: GrantSpec): Record<string, unknown> {
  return { apiVersion: "hostgate.dev/v1alpha1", kind: "HostnameGrant", metadata: { name }, spec };
}

export interface RouteSpec {
  namespace?: string;
  name: string;
  uid?: string;
  domain?: string;
  lb?: string;
  appId?: string;
  /** The route's deletionTimestamp: set when it is Terminating. */
  deletionTimestamp?: string;
}

export function route({ namespace = "team-a", name, uid, domain, lb = "alb-out", appId, deletionTimestamp }: RouteSpec): Record<string, unknown> {
  return {
    apiVersion: "hostgate.dev/v1alpha1",
    kind: "DomainRoute",
    metadata: {
      namespace,
      name,
      uid: uid ?? `uid-${namespace}-${name}`,
      ...(deletionTimestamp === undefined ? {} : { deletionTimestamp, finalizers: ["hostgate.dev/cleanup"] }),
    },
    spec: {
      ...(domain === undefined ? {} : { domain }),
      lb,
      backend: { service: { name, port: 8080 } },
      ...(appId === undefined ? {} : { protection: { provider: "sso", appId } }),
    },
  };
}

/** A CEL value as plain JSON, for readable deep comparisons. */
export function plain(value: unknown): unknown {
  if (value instanceof Map) return Object.fromEntries([...value].map(([k, v]) => [k, plain(v)]));
  if (Array.isArray(value)) return value.map(plain);
  return value;
}

/** `cluster.<field>` as plain JSON. */
export function field(cluster: ReadonlyMap<string, unknown>, name: string): unknown {
  return plain(cluster.get(name));
}

/** Route lists of a by-key index as `{key: ["ns/name", ...]}`. */
export function routeNames(cluster: ReadonlyMap<string, unknown>, name: string): Record<string, string[]> {
  const index = cluster.get(name) as Map<string, Map<string, unknown>[]>;
  return Object.fromEntries([...index].map(([k, refs]) => [k, refs.map((r) => `${r.get("namespace")}/${r.get("name")}`)]));
}

/** Grant lists of `grantsByNamespace` as `{namespace: [grant names]}`. */
export function grantNames(cluster: ReadonlyMap<string, unknown>): Record<string, string[]> {
  const index = cluster.get("grantsByNamespace") as Map<string, Map<string, unknown>[]>;
  return Object.fromEntries([...index].map(([k, grants]) => [k, grants.map((g) => g.get("name") as string)]));
}
