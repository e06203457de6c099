// What the appId-table controller decided for each protected route
// (status/outcomes.ts): the route controller turns a route's outcome into
// ProtectionReady and status.effectiveAppId. An outcome names the route's uid
// and appId as the table controller saw them: a route whose appId changed
// since must not take an outcome decided for another appId.
import type { OutcomeLookup, OutcomeReader } from "../status/outcomes.ts";
import { Outcomes } from "../status/outcomes.ts";

export type AppIdOutcome =
  | { readonly kind: "published"; readonly uid: string; readonly appId: string }
  /** `others`: the other routes as `namespace/name (domain)`, sorted, capped (app-id-table.ts). */
  | { readonly kind: "conflict"; readonly uid: string; readonly appId: string; readonly others: readonly string[] }
  | { readonly kind: "unclaimed"; readonly uid: string; readonly appId: string }
  | { readonly kind: "unknownProvider"; readonly uid: string; readonly appId: string; readonly provider: string }
  /** The table is too large to write: the previous one stays in force. `problems` say what and how to fix it. */
  | { readonly kind: "tableTooLarge"; readonly uid: string; readonly appId: string; readonly problems: readonly string[] };

export type AppIdOutcomeLookup = OutcomeLookup<AppIdOutcome>;
export type AppIdOutcomeReader = OutcomeReader<AppIdOutcome>;

export class AppIdOutcomes extends Outcomes<AppIdOutcome> {}
