// The kinds the cluster index understands. Matched on group and kind, any
// version, so a future v1beta1 object is still indexed.

export const HOSTGATE_GROUP = "hostgate.dev";

export type IndexedKind = "HostnameGrant" | "DomainRoute";

/** The indexed kind of an object, or undefined for anything else. */
export function indexedKind(object: unknown): IndexedKind | undefined {
  if (object === null || typeof object !== "object") return undefined;
  const { apiVersion, kind } = object as Record<string, unknown>;
  if (typeof apiVersion !== "string" || !apiVersion.startsWith(`${HOSTGATE_GROUP}/`)) return undefined;
  return kind === "HostnameGrant" || kind === "DomainRoute" ? kind : undefined;
}
