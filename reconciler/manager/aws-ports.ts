// The AWS services the DNS and certificate controllers talk to, as the narrow
// ports their planners are written against. `hostgate serve` builds the SDK
// adapters (only those the platform config needs); tests pass fakes.
import type { AcmPort } from "../certificates/acm-port.ts";
import type { ListenerPort } from "../certificates/listener-port.ts";
import type { Route53Port } from "../dns/route53-port.ts";

export interface AwsPorts {
  route53?: Route53Port;
  acm?: AcmPort;
  listeners?: ListenerPort;
}
