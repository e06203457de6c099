// A pooled Gateway's GatewayClass never changes under it. The Gateway API
// lets spec.gatewayClassName be changed in place (the CRD has no rule against
// it), and the new class's implementation would then take the Gateway with
// its listeners and the HTTPRoutes on them, before the route controller has
// rewritten each protected route's login for that implementation (Istio's
// AuthorizationPolicy means nothing to Envoy Gateway, and the reverse). So a
// member whose existing Gateway (hostgate's own) is of another class than the
// config's is held: its Gateway is left as it is and the pass fails saying
// why. The reconciler refuses to start on such a change anyway
// (manager/data-plane-gate.ts); this is the defence behind it.
import type { PlatformConfig } from "../../../core/config/platform-config.ts";
import type { KubeObject } from "../../../core/kube/object-key.ts";
import type { HeldMember } from "./render-pool-gateways.ts";

const classOf = (gateway: KubeObject | undefined) => (gateway?.spec as { gatewayClassName?: unknown } | undefined)?.gatewayClassName;

/** `desired` split into the Gateways that may be written and the members held because their current Gateway is of another class. */
export function holdClassChanges(
  desired: readonly KubeObject[],
  current: (name: string) => KubeObject | undefined,
  owns: (object: KubeObject) => boolean,
  config: Pick<PlatformConfig, "gateway">,
): { write: KubeObject[]; held: HeldMember[] } {
  const write: KubeObject[] = [];
  const held: HeldMember[] = [];
  for (const gateway of desired) {
    const name = gateway.metadata!.name!;
    const existing = current(name);
    const was = classOf(existing);
    const wanted = classOf(gateway);
    // Someone else's Gateway at the name is writeOwnedObjects' to refuse; a new one takes the configured class.
    if (existing === undefined || !owns(existing) || was === undefined || was === wanted) {
      write.push(gateway);
      continue;
    }
    held.push({
      member: name,
      message:
        `the Gateway ${config.gateway.namespace}/${name} is of GatewayClass ${JSON.stringify(was)} and gateway.gatewayApi.gatewayClassName is ` +
        `${JSON.stringify(wanted)}: hostgate never changes a pooled Gateway's class (the new class's implementation would serve its routes before their ` +
        `logins are rewritten for it), so it is left as it is; set gateway.gatewayApi.gatewayClassName back to ${JSON.stringify(was)}, or migrate: ` +
        "delete the DomainRoutes on it under the old class, then change the class and create them again",
    });
  }
  return { write, held };
}
