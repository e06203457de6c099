// A route's ProtectionReady and status.effectiveAppId, from the appId table's
// outcome for it (app-id-table/app-id-outcomes.ts). Pure. The route
// controller writes them; the table controller only publishes outcomes.
import type { PlatformConfig } from "../../core/config/platform-config.ts";
import type { DomainRoute } from "../../crds/types.ts";
import { CONDITION_PROTECTION_READY } from "../../crds/types.ts";
import type { AppIdOutcomeLookup } from "../app-id-table/app-id-outcomes.ts";
import type { ConditionInput } from "../status/conditions.ts";
import { decidedCondition } from "../status/conditions.ts";
import { unknownProviderProblem } from "./known-provider.ts";

export const PROTECTION_REASON = {
  NotRequested: "NotRequested",
  ProtectionPending: "ProtectionPending",
  Published: "Published",
  AppIDConflict: "AppIDConflict",
  NotClaimed: "NotClaimed",
  TableTooLarge: "IdentityTableTooLarge",
  /** The same reason GatewayReady gives (known-provider.ts). */
  UnknownProvider: "UnknownProvider",
} as const;

export interface ProtectionStatus {
  condition: ConditionInput;
  /** The appId the gateway stamps for the route, or undefined when it stamps none. */
  effectiveAppId?: string;
}

const type = CONDITION_PROTECTION_READY;

export function protectionStatus(route: DomainRoute, lookup: AppIdOutcomeLookup, config: PlatformConfig): ProtectionStatus {
  const protection = route.spec.protection;
  if (protection === undefined)
    return { condition: { type, status: "True", reason: PROTECTION_REASON.NotRequested, message: "the route asks for no protection" } };
  const previous = route.status?.effectiveAppId;
  const pending: ProtectionStatus = {
    condition: {
      type,
      status: "Unknown",
      reason: PROTECTION_REASON.ProtectionPending,
      message: "waiting for the identity table to publish this route's appId",
    },
    ...(previous === undefined ? {} : { effectiveAppId: previous }),
  };
  if (!lookup.known) {
    // The table controller has not run in this term yet (a restart): what the status says stays, so a restart writes nothing.
    const decided = decidedCondition(route.status?.conditions, type, PROTECTION_REASON.NotRequested);
    if (decided === undefined) return pending;
    return {
      condition: decided,
      ...(previous === undefined ? {} : { effectiveAppId: previous }),
    };
  }
  const outcome = lookup.outcome;
  // Decided for another incarnation of the route, or another appId: the next pass decides for this one.
  if (outcome === undefined || outcome.uid !== route.metadata.uid || outcome.appId !== protection.appId) return pending;
  switch (outcome.kind) {
    case "published": {
      const message = `requests for ${route.spec.domain} reach provider ${protection.provider} with appId ${outcome.appId}`;
      return { condition: { type, status: "True", reason: PROTECTION_REASON.Published, message }, effectiveAppId: outcome.appId };
    }
    case "conflict": {
      const message = `appId ${outcome.appId} is also claimed by ${outcome.others.join(", ")}; it is given to none of them until only one route claims it`;
      return { condition: { type, status: "False", reason: PROTECTION_REASON.AppIDConflict, message } };
    }
    case "unclaimed": {
      const message = `the route does not hold the DomainClaim for ${route.spec.domain}, so no appId is published for it`;
      return { condition: { type, status: "False", reason: PROTECTION_REASON.NotClaimed, message } };
    }
    case "unknownProvider": {
      const message = unknownProviderProblem(route, config) ?? `spec.protection.provider ${JSON.stringify(outcome.provider)} is not listed by the platform`;
      return { condition: { type, status: "False", reason: PROTECTION_REASON.UnknownProvider, message } };
    }
    case "tableTooLarge":
      // The previous table stays in force, and with it the appId the gateway stamps.
      return {
        condition: { type, status: "False", reason: PROTECTION_REASON.TableTooLarge, message: outcome.problems.join("; ") },
        ...(previous === undefined ? {} : { effectiveAppId: previous }),
      };
  }
}
