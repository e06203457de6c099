// Whether a route's listener may go on its member's pooled Gateway yet, as far
// as its certificate goes (for the pool Gateways controller, reconciler/edge/
// gateways/). With the AWS Load Balancer Controller (certificatesByDiscovery)
// the controller builds the ALB's HTTPS listener from every Gateway listener
// hostname on the port and fails the WHOLE Gateway's reconcile when one host
// has no issued certificate it can see ("no certificate found for host", in
// every release; older releases also on "multiple certificates found for
// host": discovery-conflicts.ts). A route whose certificate is still being
// validated (or keeps failing: a zone hostgate cannot write) would stop the
// member's ALB from being updated for every other route on it. So there a new
// listener waits until the route's certificate is ready AND the controller can
// see it: the controller caches its list of issued certificate ARNs for one
// minute (certARNsCacheKey, defaultCertARNsCacheTTL = 1 * time.Minute, in
// pkg/ingress and pkg/certs cert_discovery.go alike), so a certificate issued
// (or imported) less than that ago may be missing from it. The listener opens
// CONTROLLER_CACHE_WAIT_MS after issuedAt, and the pass asks to run again then.
// A listener already on the Gateway is judged otherwise: it stays while
// hostgate's certificate is ready (a renewal moving issuedAt changes nothing)
// or only conflicts with another one (the route is served; taking it off would
// be an outage neither release causes), and is withdrawn when hostgate's own
// certificate stops being issued. Elsewhere a listener never waits: TLS ends
// before the Gateway, or a Gateway listener whose Secret is missing is invalid
// alone (the Gateway API's per-listener ResolvedRefs), not the Gateway. Pure.
import { certificatesByDiscovery } from "../../core/config/acm-settings.ts";
import type { PlatformConfig } from "../../core/config/platform-config.ts";
import type { DomainRoute } from "../../crds/types.ts";
import type { CertificateOutcomeLookup } from "./certificate-outcomes.ts";

/** The controller's certificate-list cache (1 minute) plus a margin for its reconcile and clock skew. */
export const CONTROLLER_CACHE_WAIT_MS = 90_000;

export interface ListenerGate {
  readonly open: boolean;
  /** Closed only until then (epoch ms): the pass should run again at that time. */
  readonly opensAt?: number;
}

const OPEN: ListenerGate = { open: true };
const CLOSED: ListenerGate = { open: false };

/**
 * `listed`: the Gateway lists the route's listener now; `now`: epoch ms, from the injected clock. Before the certificate
 * controller's first pass in this term nothing is known, so what is listed stays listed and nothing new is added: a restart
 * changes no Gateway.
 */
export function listenerGate(
  route: Pick<DomainRoute, "metadata" | "spec">,
  lookup: CertificateOutcomeLookup,
  config: PlatformConfig,
  listed: boolean,
  now: number,
): ListenerGate {
  if (!certificatesByDiscovery(config)) return OPEN;
  if (!lookup.known) return listed ? OPEN : CLOSED;
  const outcome = lookup.outcome;
  if (outcome === undefined || outcome.uid !== route.metadata.uid || outcome.domain !== route.spec.domain.toLowerCase()) return CLOSED;
  if (outcome.kind === "discoveryConflict") return listed ? OPEN : CLOSED;
  if (outcome.kind !== "ready") return CLOSED;
  // ACM gives every ISSUED certificate an IssuedAt (ImportedAt when imported); without one there is nothing to wait for.
  if (listed || outcome.issuedAt === undefined) return OPEN;
  const opensAt = Date.parse(outcome.issuedAt) + CONTROLLER_CACHE_WAIT_MS;
  return now >= opensAt ? OPEN : { open: false, opensAt };
}
