// The objects an audit judges out of any collection (a state folder, a
// cluster list): those of the kinds the webhooks intercept
// (audited-resources.ts), any version, kept as the caches keep them
// (trimForAudit). One function, so `hostgate audit --state DIR`, the webhook's
// local mode and the cluster reads judge the same objects the same way: a
// DomainClaim in a folder is no more audited than in a cluster.
import type { KubeObject } from "../kube/object-key.ts";
import { AUDITED_RESOURCES } from "./audited-resources.ts";
import { trimForAudit } from "./trim-for-audit.ts";

const AUDITED = new Set(AUDITED_RESOURCES.map((r) => `${r.group}/${r.kind}`));

/** True for an object of an audited kind (by group and kind, any version) that has a name. */
export function isAudited(object: KubeObject): boolean {
  if (typeof object.apiVersion !== "string" || typeof object.kind !== "string" || typeof object.metadata?.name !== "string") return false;
  const slash = object.apiVersion.indexOf("/");
  return AUDITED.has(`${slash < 0 ? "" : object.apiVersion.slice(0, slash)}/${object.kind}`);
}

/** The audited objects among `objects`, trimmed, in their order. */
export function auditedObjectsOf(objects: readonly KubeObject[]): KubeObject[] {
  return objects.filter(isAudited).map(trimForAudit);
}
