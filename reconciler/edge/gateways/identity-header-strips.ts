// The identity-header ClientTrafficPolicies of the pooled Gateways on Envoy
// Gateway (render/gateway-api/identity-header-strip.ts): one per pooled
// Gateway, removing protection.identityHeader from every request before
// anything reads it, so a client can never forge it. Kept by the pool
// Gateways controller in the same pass as the Gateways, with the same
// ownership rules (its own labels and field manager, never over someone
// else's object, uid and resourceVersion preconditions on delete), in the
// order that never lets a Gateway serve without its policy:
//   - written before the Gateways: a Gateway is created or changed only once
//     its policy is in place (the cache holds it as rendered, or this pass
//     wrote it); one whose policy cannot be written is left as it is;
//   - deleted after them: only once its Gateway is gone (deleted this pass,
//     or in no cache), so a Gateway whose delete failed keeps it.
// With other implementations none is written or watched (Envoy Gateway's
// CRDs may not be installed: a watch on a missing CRD never syncs).
import type { PlatformConfig } from "../../../core/config/platform-config.ts";
import type { ObjectApi } from "../../../core/kube/object-api.ts";
import type { KubeObject } from "../../../core/kube/object-key.ts";
import { deleteOwnedObjects, writeOwnedObjects } from "../../apply/owned-objects.ts";
import type { OwnedDeletes } from "../../apply/owned-objects.ts";
import { contains, withAppliedHash } from "../../apply/plan-apply.ts";
import type { ObjectReader } from "../../cluster/object-reader.ts";
import {
  CLIENT_TRAFFIC_POLICY_RESOURCE,
  identityHeaderStripNameFor,
  renderIdentityHeaderStrip,
} from "../../domainroute/render/gateway-api/identity-header-strip.ts";
import { FIELD_MANAGER, MANAGED_SELECTOR } from "../../resources.ts";
import { memberObjectMadeHere, ownMemberObject } from "./member-object-ownership.ts";
import { LABEL_EDGE_MEMBER } from "./render-pool-gateways.ts";

/** Whether the pooled Gateways get identity-header ClientTrafficPolicies: on Envoy Gateway only (Istio's EnvoyFilter overwrites the header). */
export function identityHeaderStripsNeeded(config: Pick<PlatformConfig, "gateway">): boolean {
  return config.gateway.provider === "gateway-api" && config.gateway.gatewayApi?.implementation === "envoy-gateway";
}

export interface StripWrites {
  /** `namespace/name` of each ClientTrafficPolicy created or applied, in the order given. */
  written: string[];
  /** The Gateways (by name) whose policy is in place: only these may be written. */
  inPlace: Set<string>;
  failures: string[];
}

/** Writes the policy of each of `gateways` (their names) that the cache does not hold as rendered. */
export async function writeIdentityHeaderStrips(
  api: ObjectApi,
  reader: ObjectReader,
  config: PlatformConfig,
  gateways: readonly string[],
): Promise<StripWrites> {
  const namespace = config.gateway.namespace;
  const desired = gateways.map((name) => renderIdentityHeaderStrip(name, config));
  const current = (object: KubeObject) => reader.get(CLIENT_TRAFFIC_POLICY_RESOURCE, { namespace, name: object.metadata!.name! });
  const writes = await writeOwnedObjects(api, CLIENT_TRAFFIC_POLICY_RESOURCE, desired, {
    current: (key) => reader.get(CLIENT_TRAFFIC_POLICY_RESOURCE, key),
    owns: ownMemberObject,
    notOwned: (object) =>
      `ClientTrafficPolicy ${namespace}/${object.metadata!.name} exists and hostgate did not create it (its metadata.managedFields name no write by ` +
      `${FIELD_MANAGER}), so it is left as it is and pooled Gateway ${stripGateway(object)} is not written (it must never serve without the policy that ` +
      `removes the identity header ${config.protection.identityHeader}); delete it (or give it another name) so hostgate can write its own`,
  });
  const written = new Set(writes.written.map((o) => o.metadata!.name!));
  const inPlace = new Set(
    desired.filter((object) => written.has(object.metadata!.name!) || contains(current(object), withAppliedHash(object))).map((object) => stripGateway(object)),
  );
  return { written: writes.written.map((o) => `${namespace}/${o.metadata!.name}`), inPlace, failures: writes.failures };
}

/** Deletes the policies this controller made whose Gateway is gone: not `wanted`, and not in `gatewayExists` (the cache, less this pass's deletes). */
export async function deleteIdentityHeaderStrips(
  api: ObjectApi,
  reader: ObjectReader,
  config: PlatformConfig,
  keep: (gateway: string) => boolean,
): Promise<OwnedDeletes> {
  const namespace = config.gateway.namespace;
  const ours = reader.list({ ...CLIENT_TRAFFIC_POLICY_RESOURCE, namespace, labelSelector: MANAGED_SELECTOR }).filter((o) => stripMadeHere(o, config));
  return deleteOwnedObjects(
    api,
    CLIENT_TRAFFIC_POLICY_RESOURCE,
    ours.filter((o) => !keep(stripGateway(o))),
  );
}

/** The pooled Gateway a policy belongs to (its edge-member label, set by renderIdentityHeaderStrip). */
function stripGateway(object: KubeObject): string {
  return ((object.metadata?.labels ?? {}) as Record<string, string>)[LABEL_EDGE_MEMBER] ?? "";
}

/** A policy this controller made: in the gateway namespace, its labels and field manager, named after its Gateway. */
export function stripMadeHere(object: KubeObject, config: Pick<PlatformConfig, "gateway">): boolean {
  return memberObjectMadeHere(object, config, identityHeaderStripNameFor);
}
