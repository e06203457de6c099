// The DNS controller's tests against the fake Route53 (reconcile-gateway,
// reconcile-pooled-gateway): the routes and claims their reader lists, passes
// until Route53 has taken every change, and the zone as sortable lines.
import type { ManualClock } from "../../../core/clock.ts";
import type { KubeObject } from "../../../core/kube/object-key.ts";
import type { ResourceRef } from "../../../core/kube/resource.ts";
import type { DomainRoute } from "../../../crds/types.ts";
import { claimFor } from "../../app-id-table/testing/fixtures.ts";
import { DOMAIN_CLAIMS, DOMAIN_ROUTES } from "../../resources.ts";
import type { FakeRoute53 } from "../route53/testing/fake-route53.ts";

/** What an ObjectReader lists of `resource`: the routes, the claims each holds, nothing else. */
export function routesAndClaims(resource: ResourceRef, routes: readonly DomainRoute[]): KubeObject[] {
  return (resource === DOMAIN_ROUTES ? routes : resource === DOMAIN_CLAIMS ? routes.map((r) => claimFor(r)) : []) as unknown as KubeObject[];
}

/** Runs `pass` four times, moving the clock 5 s after each: until Route53 reports every change INSYNC. */
export async function settle(pass: () => Promise<unknown>, clock: ManualClock): Promise<void> {
  for (let i = 0; i < 4; i++) {
    await pass();
    clock.advance(5000);
  }
}

/** The records of `zone`, `TYPE name values` (a TXT record's values left out), sorted. */
export function zoneLines(route53: FakeRoute53, zone: string): string[] {
  return route53
    .peek(zone)
    .map((r) => `${r.type} ${r.name}${r.values === undefined || r.type === "TXT" ? "" : ` ${r.values.join(",")}`}`)
    .sort();
}
