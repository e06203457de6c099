// On the Gateway API data plane (gateway.provider gateway-api) a two-step
// load balancer written with `gatewayHostname` alone is a Gateway hostgate
// writes in gateway.namespace, named after the member (a class without
// members is one member named after the class). Its `gateway` key is derived
// here when the config loads, never written in the file: a name of its own
// could drift from the member's, which status.edge and the pooled Gateways
// controller both go by.
import { asRecord } from "../json.ts";
import { stringAt } from "./data-fields.ts";
import { writtenLoadBalancers } from "./load-balancer-entries.ts";

/** The config's data plane: gateway.provider, `istio` when absent. */
export const gatewayProvider = (config: Record<string, unknown>): string => stringAt(config.gateway, "provider") ?? "istio";

/** gateway.gatewayApi.implementation when the data plane is gateway-api; undefined otherwise or while missing. */
export const gatewayApiImplementation = (config: Record<string, unknown>): string | undefined =>
  gatewayProvider(config) === "gateway-api" ? stringAt(asRecord(config.gateway)?.gatewayApi, "implementation") : undefined;

/** Whether an entry is two-step to a pooled Gateway: gatewayHostname, no gateway Service, no fixed key. */
function isPooledGateway(entry: Record<string, unknown>): boolean {
  return "gatewayHostname" in entry && !["service", "dnsName", "hostedZoneId"].some((key) => key in entry);
}

/** Each load balancer entry (or member) that is a pooled Gateway, with the Gateway's name; none unless provider is gateway-api. */
export function pooledGateways(config: Record<string, unknown>): { entry: Record<string, unknown>; gateway: string }[] {
  if (gatewayProvider(config) !== "gateway-api") return [];
  return writtenLoadBalancers(config).flatMap((lb) => (lb.name !== undefined && isPooledGateway(lb.entry) ? [{ entry: lb.entry, gateway: lb.name }] : []));
}

/**
 * `config` as it could be written again: a loaded config without the keys
 * derived when it loaded (the pooled Gateways' names), so that overrides can
 * be merged over it and the result validated like a file.
 */
export function withoutDerivedKeys(config: unknown): unknown {
  const copy = structuredClone(config);
  const record = asRecord(copy);
  if (record === undefined) return copy;
  const loadBalancers = asRecord(record.loadBalancers) ?? {};
  for (const value of Object.values(loadBalancers)) {
    const entry = asRecord(value);
    if (entry === undefined) continue;
    delete entry.gateway;
    for (const member of Array.isArray(entry.members) ? entry.members : []) delete asRecord(member)?.gateway;
  }
  return copy;
}
