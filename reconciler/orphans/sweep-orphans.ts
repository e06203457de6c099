// The orphan sweep: deletes what findOrphans suspects, once the API server
// confirms the owner is gone. The caches are separate watches and may lag
// one another (a claim seen before its new route is): a live read of the
// owner by name settles it. Deletes carry the object's uid as a
// precondition, so a same-named object made since is never touched.
import type { Logger } from "../../core/logger.ts";
import { KubeApiError } from "../../core/kube/api-error.ts";
import type { ObjectApi } from "../../core/kube/object-api.ts";
import { formatKey } from "../../core/kube/object-key.ts";
import type { ObjectKey } from "../../core/kube/object-key.ts";
import type { ObjectReader } from "../cluster/object-reader.ts";
import type { DomainClaim, DomainRoute } from "../../crds/types.ts";
import { PRODUCED_RESOURCES } from "../domainroute/render/produced-resources.ts";
import type { ProducedResource } from "../domainroute/render/produced-resources.ts";
import { DOMAIN_CLAIMS, DOMAIN_ROUTES, MANAGED_SELECTOR } from "../resources.ts";
import { describe, findOrphans } from "./find-orphans.ts";

export const SWEEP_KEY = "orphans";

export interface SweepDeps {
  api: ObjectApi;
  reader: ObjectReader;
  logger: Logger;
  /** The kinds the caches hold (producedResources(config)); default the Istio kinds every configuration produces. */
  produced?: readonly Readonly<ProducedResource>[];
  /** This cluster's name (config cluster.name): objects labelled for another cluster are never swept (find-orphans.ts). */
  cluster?: string;
}

export interface SweepOutcome {
  deleted: string[];
  /** Suspected, but the owner still exists (a cache behind). */
  kept: string[];
}

export async function sweepOrphans(deps: SweepDeps): Promise<SweepOutcome> {
  const candidates = findOrphans({
    routes: deps.reader.list(DOMAIN_ROUTES) as unknown as DomainRoute[],
    claims: deps.reader.list(DOMAIN_CLAIMS) as unknown as DomainClaim[],
    claimResource: DOMAIN_CLAIMS,
    ...(deps.cluster === undefined ? {} : { cluster: deps.cluster }),
    produced: (deps.produced ?? PRODUCED_RESOURCES).map((resource) => ({
      resource,
      objects: deps.reader.list({ ...resource, labelSelector: MANAGED_SELECTOR }),
    })),
  });
  const outcome: SweepOutcome = { deleted: [], kept: [] };
  const failures: string[] = [];
  const ownerAlive = new Map<string, Promise<boolean>>();
  /** One live read per owner, however many objects it left. */
  const alive = (owner: ObjectKey, uid: string): Promise<boolean> => {
    const key = `${formatKey(owner)}|${uid}`;
    let answer = ownerAlive.get(key);
    if (answer === undefined) {
      answer = deps.api.get(DOMAIN_ROUTES, owner).then((route) => route?.metadata?.uid === uid);
      ownerAlive.set(key, answer);
    }
    return answer;
  };
  for (const candidate of candidates) {
    const what = describe(candidate);
    // Without the owner's name there is no way to confirm it is gone: leave it.
    if (candidate.owner === undefined || (await alive(candidate.owner, candidate.ownerUid))) {
      outcome.kept.push(what);
      continue;
    }
    const metadata = candidate.object.metadata!;
    try {
      // uid: never a same-named object made since. resourceVersion: never one
      // another route has taken over by applying to the same name meanwhile.
      const key = { ...(metadata.namespace === undefined ? {} : { namespace: metadata.namespace }), name: metadata.name! };
      const deleted = await deps.api.delete(candidate.resource, key, {
        uid: metadata.uid!,
        ...(metadata.resourceVersion ? { resourceVersion: metadata.resourceVersion } : {}),
      });
      if (deleted) outcome.deleted.push(what);
    } catch (error) {
      // 409: a precondition failed, so it is no longer the orphan we saw. Anything
      // else: go on with the others, and fail the sweep at the end (retried).
      if (!(error instanceof KubeApiError && error.status === 409)) failures.push(`${what}: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
  if (outcome.deleted.length > 0)
    deps.logger.info({ deleted: outcome.deleted }, `removed ${outcome.deleted.length} object(s) left by DomainRoutes that no longer exist`);
  if (failures.length > 0)
    throw new Error(`could not remove ${failures.length} orphaned object(s): ${failures.slice(0, 3).join("; ")}${failures.length > 3 ? "; ..." : ""}`);
  return outcome;
}
