// What the cluster cache keeps of each object while it is in flight: only
// the fields ClusterStateIndex reads (grant.ts, route-ref.ts). A DomainRoute
// as served carries managedFields, annotations (often a full copy of itself
// in kubectl's last-applied-configuration) and status; dropping them as soon
// as an object arrives keeps a 10,000-route relist small. Keep this in step
// with grant.ts and route-ref.ts: index-projection.test.ts builds the index
// from full and projected objects and requires the same result.
import type { KubeObject } from "../../kube/object-key.ts";
import { asRecord } from "../../json.ts";

// deletionTimestamp: a Terminating route leaves the domain and appId indexes.
const METADATA_FIELDS = ["name", "namespace", "uid", "deletionTimestamp"] as const;
const SPEC_FIELDS: Readonly<Record<string, readonly string[]>> = {
  HostnameGrant: ["namespaces", "hostnames", "kinds", "allowPublicWithoutProtection"],
  DomainRoute: ["domain", "lb"],
};

function pick(from: Record<string, unknown> | undefined, fields: readonly string[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (from === undefined) return out;
  for (const field of fields) if (from[field] !== undefined) out[field] = from[field];
  return out;
}

/** apiVersion, kind, metadata {name, namespace, uid, deletionTimestamp} and the spec fields the index reads; any other kind keeps no spec. */
export function projectForIndex(object: KubeObject): KubeObject {
  const projected: KubeObject = { apiVersion: object.apiVersion, kind: object.kind, metadata: pick(object.metadata, METADATA_FIELDS) };
  const spec = asRecord(object.spec);
  const fields = SPEC_FIELDS[String(object.kind)];
  if (spec === undefined || fields === undefined) return projected;
  const slim = pick(spec, fields);
  if (object.kind === "DomainRoute") {
    const protection = asRecord(spec.protection);
    if (protection !== undefined) slim.protection = pick(protection, ["appId"]);
  }
  projected.spec = slim;
  return projected;
}
