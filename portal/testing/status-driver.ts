// Stands in for the reconciler in the portal's test world: writes a
// DomainRoute's status conditions through the status subresource, worded as
// the reconciler words them (reconciler/domainroute/route-conditions.ts: Ready
// is True only when every other condition is; otherwise False with the first
// failing condition's reason and `<Type>: <message>`). So tests and
// screenshots show a route going from pending to live without running it.
import type { Condition } from "../../crds/types.ts";
import {
  CONDITION_CERTIFICATE_READY,
  CONDITION_CLAIMED,
  CONDITION_DNS_READY,
  CONDITION_EDGE_PLACED,
  CONDITION_GATEWAY_READY,
  CONDITION_PROTECTION_READY,
  CONDITION_READY,
} from "../../crds/types.ts";
import { DOMAIN_ROUTES } from "../../core/state/sources/indexed-resources.ts";
import type { ObjectApi } from "../../core/kube/object-api.ts";
import type { KubeObject } from "../../core/kube/object-key.ts";
import { formatTime } from "../../core/clock.ts";

/** Which step a pending route waits for: the reasons the reconciler's controllers write meanwhile. */
export type PendingStep = "certificate" | "dns" | "protection" | "placement";

type ConditionInput = Omit<Condition, "lastTransitionTime" | "observedGeneration">;

const PENDING: Readonly<Record<PendingStep, (domain: string) => ConditionInput>> = {
  certificate: (domain) => ({
    type: CONDITION_CERTIFICATE_READY,
    status: "Unknown",
    reason: "CertificatePending",
    message: `waiting for the certificate controller to decide on a certificate for ${domain}`,
  }),
  dns: (domain) => ({ type: CONDITION_DNS_READY, status: "Unknown", reason: "DNSPending", message: `waiting for the DNS records of ${domain}` }),
  protection: () => ({
    type: CONDITION_PROTECTION_READY,
    status: "False",
    reason: "ProtectionPending",
    message: "waiting for the protection provider to publish the route",
  }),
  placement: () => ({ type: CONDITION_EDGE_PLACED, status: "Unknown", reason: "PlacementPending", message: "waiting for a member of the load balancer pool" }),
};

export class StatusDriver {
  readonly #api: ObjectApi;
  readonly #now: () => number;

  constructor(api: ObjectApi, now: () => number = () => Date.UTC(2030, 0, 1)) {
    this.#api = api;
    this.#now = now;
  }

  /** Claimed and applied, waiting for `step`. */
  pending(namespace: string, name: string, step: PendingStep = "certificate"): Promise<KubeObject> {
    return this.#write(namespace, name, (route) => {
      const waiting = PENDING[step](domainOf(route));
      return [...served(route).filter((c) => c.type !== waiting.type), waiting];
    });
  }

  /** Every condition True: the route is served. */
  live(namespace: string, name: string): Promise<KubeObject> {
    return this.#write(namespace, name, served);
  }

  /** Another route holds the domain (`owner`: `namespace/name`). */
  taken(namespace: string, name: string, owner: string): Promise<KubeObject> {
    return this.#write(namespace, name, (route) => [
      {
        type: CONDITION_CLAIMED,
        status: "False",
        reason: "DomainTaken",
        message: `${domainOf(route)} is already claimed by DomainRoute ${owner}; nothing was created for this route. Use another domain, or delete that route to release it.`,
      },
    ]);
  }

  async #write(namespace: string, name: string, conditionsOf: (route: KubeObject) => ConditionInput[]): Promise<KubeObject> {
    const route = await this.#api.get(DOMAIN_ROUTES, { namespace, name });
    if (route === undefined) throw new Error(`status driver: DomainRoute ${namespace}/${name} does not exist`);
    const conditions = conditionsOf(route);
    const failing = conditions.find((c) => c.status !== "True");
    const ready: ConditionInput =
      failing === undefined
        ? { type: CONDITION_READY, status: "True", reason: "Ready", message: "the domain is claimed and served" }
        : { type: CONDITION_READY, status: "False", reason: failing.reason, message: `${failing.type}: ${failing.message}` };
    const generation = route.metadata?.generation as number | undefined;
    const time = formatTime(this.#now());
    const stamped = [...conditions, ready].map((c) => ({
      ...c,
      lastTransitionTime: time,
      ...(generation === undefined ? {} : { observedGeneration: generation }),
    }));
    const status = { ...(generation === undefined ? {} : { observedGeneration: generation }), claimedDomain: domainOf(route), conditions: stamped };
    return this.#api.updateStatus(DOMAIN_ROUTES, { ...route, status });
  }
}

/** The conditions of a route that is served (protection only when it asks for it). */
function served(route: KubeObject): ConditionInput[] {
  const protectedRoute = (route.spec as { protection?: unknown } | undefined)?.protection !== undefined;
  return [
    { type: CONDITION_CLAIMED, status: "True", reason: "Claimed", message: `${domainOf(route)} is claimed by this route` },
    { type: CONDITION_GATEWAY_READY, status: "True", reason: "Applied", message: "the gateway objects are applied" },
    protectedRoute
      ? { type: CONDITION_PROTECTION_READY, status: "True", reason: "Published", message: "the protection provider serves this route" }
      : { type: CONDITION_PROTECTION_READY, status: "True", reason: "NotRequested", message: "spec.protection is not set" },
    { type: CONDITION_DNS_READY, status: "True", reason: "NotManaged", message: "dns.provider is none: hostgate manages no DNS record for this domain" },
    {
      type: CONDITION_CERTIFICATE_READY,
      status: "True",
      reason: "NotManaged",
      message: "certificates.provider is none: hostgate manages no certificate for this domain",
    },
  ];
}

function domainOf(route: KubeObject): string {
  const domain = (route.spec as { domain?: unknown } | undefined)?.domain;
  return typeof domain === "string" ? domain : "";
}
