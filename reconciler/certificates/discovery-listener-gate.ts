// Whether a route's listener may go on its member's pooled Gateway yet, as far
// as its certificate goes (for the pool Gateways controller, reconciler/edge/
// gateways/). With the AWS Load Balancer Controller (certificatesByDiscovery)
// the controller builds the ALB's HTTPS listener from every Gateway listener
// hostname on the port and fails the WHOLE Gateway's reconcile when one host
// has no issued certificate in ACM ("no certificate found for host") or more
// than one ("multiple certificates found for host": discovery-conflicts.ts):
// a route whose certificate is still being validated (or keeps failing: a zone
// hostgate cannot write) would stop the member's ALB from being updated for
// every other route on it. So there the listener waits until the certificate
// controller says the route's certificate is ready. Elsewhere it never waits:
// TLS ends before the Gateway, or a Gateway listener whose Secret is missing is
// invalid alone (the Gateway API's per-listener ResolvedRefs), not the Gateway.
// Pure.
import { certificatesByDiscovery } from "../../core/config/acm-settings.ts";
import type { PlatformConfig } from "../../core/config/platform-config.ts";
import type { DomainRoute } from "../../crds/types.ts";
import type { CertificateOutcomeLookup } from "./certificate-outcomes.ts";

/**
 * `listed`: the Gateway lists the route's listener now. Before the certificate controller's first pass in this term
 * nothing is known, so what is listed stays listed and nothing new is added: a restart changes no Gateway.
 */
export function listenerCertificateReady(
  route: Pick<DomainRoute, "metadata" | "spec">,
  lookup: CertificateOutcomeLookup,
  config: PlatformConfig,
  listed: boolean,
): boolean {
  if (!certificatesByDiscovery(config)) return true;
  if (!lookup.known) return listed;
  const outcome = lookup.outcome;
  return outcome?.kind === "ready" && outcome.uid === route.metadata.uid && outcome.domain === route.spec.domain.toLowerCase();
}
