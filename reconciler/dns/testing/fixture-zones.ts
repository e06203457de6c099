// A fake Route53 holding the zones dnsConfig() names (dns-fixtures.ts):
// example.com public (ZONE) and private (PRIVATE_ZONE), and other.org
// (OTHER_APEX_ZONE), so every DNS controller test starts from the same zones.
import type { FakeRoute53Options } from "../route53/testing/fake-route53.ts";
import { FakeRoute53 } from "../route53/testing/fake-route53.ts";
import { OTHER_APEX_ZONE, PRIVATE_ZONE, ZONE } from "./dns-fixtures.ts";

export function fixtureZones(options: FakeRoute53Options = {}): FakeRoute53 {
  const route53 = new FakeRoute53(options);
  route53.addZone(ZONE, "example.com");
  route53.addZone(PRIVATE_ZONE, "example.com", true);
  route53.addZone(OTHER_APEX_ZONE, "other.org");
  return route53;
}
