// A tenant asks for a name the platform already holds with a record of its
// own (no TXT owner record of hostgate's beside it): hostgate must say so on
// the route and leave the record exactly as it was.
import type { FakeKubeApi } from "../core/kube/testing/fake-kube-api.ts";
import { DOMAIN_ROUTES } from "../reconciler/resources.ts";
import { zoneLines } from "./aws-inspect.ts";
import type { AwsClients, Platform } from "./platform-setup.ts";
import { TAKEN, conditionReason, conditionStatus, conditionSummary, routeObject } from "./routes.ts";
import { expect, waitFor } from "./steps.ts";

export const TAKEN_RECORD = `${TAKEN.domain} A 192.0.2.20`;

/** Creates the route for TAKEN.domain and checks the refusal; returns the condition's message. */
export async function checkRefusedRoute(api: FakeKubeApi, clients: AwsClients, platform: Platform, timeoutMs: number): Promise<string> {
  await api.create(DOMAIN_ROUTES, routeObject(TAKEN));
  const refused = await waitFor(
    `${TAKEN.name} reports DNSReady=False RecordOwnedElsewhere`,
    timeoutMs,
    async () => {
      const dns = conditionReason(api, TAKEN.name, "DNSReady");
      return dns?.status === "False" && dns.reason === "RecordOwnedElsewhere" ? dns : undefined;
    },
    () => conditionSummary(api, TAKEN.name),
  );
  expect(refused.message.includes(TAKEN.domain), `the message does not name the record: ${refused.message}`);
  expect(conditionStatus(api, TAKEN.name, "Ready") === "False", `${TAKEN.name} is Ready: ${conditionSummary(api, TAKEN.name)}`);
  const lines = await zoneLines(clients, platform.zones[TAKEN.apex]);
  const atName = lines.filter((l) => l.startsWith(`${TAKEN.domain} `) || l.includes(`-${TAKEN.domain} `));
  expect(JSON.stringify(atName) === JSON.stringify([TAKEN_RECORD]), `the zone's records at ${TAKEN.domain} changed: ${JSON.stringify(atName)}`);
  return refused.message;
}
