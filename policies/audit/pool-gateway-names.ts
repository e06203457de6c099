// The names the reconciler gives pooled Gateways (gateway.provider
// gateway-api), read from the platform config as the audit receives it (a CEL
// value). A pooled Gateway is named after its pool member
// (reconciler/edge/gateways/render-pool-gateways.ts), and the members are
// (core/config/edge-pool.ts, memberNamed):
//   - a class's configured members (loadBalancers.<class>.members[].name), or,
//     for a class without members, one member named after the class;
//   - with loadBalancers.<class>.autoscale, `<prefix>-NN` for NN 01..99
//     (autoscaledIndex: any two digits a route may hold, whatever maxMembers
//     is now).
// pool-gateway-names.test.ts holds this to memberNamed for a loaded config.
import { isRecord } from "../../core/json.ts";
import { MAX_AUTOSCALED_INDEX } from "../../core/config/edge-pool.ts";
import { LOAD_BALANCER_CLASSES } from "../../core/config/load-balancer-entries.ts";
import { configField } from "./config-field.ts";

/** Whether `name` is one a pooled Gateway of `config` can have; false for all when the config says nothing. */
export function poolGatewayNames(config: unknown): (name: string) => boolean {
  const fixed = new Set<string>();
  const prefixes: string[] = [];
  const loadBalancers = configField(config, "loadBalancers");
  for (const lbClass of LOAD_BALANCER_CLASSES) {
    const entry = configField(loadBalancers, lbClass);
    // A class the config does not hold has no members.
    if (!(entry instanceof Map) && !isRecord(entry)) continue;
    const members = configField(entry, "members");
    if (Array.isArray(members) && members.length > 0) {
      for (const member of members) {
        const name = configField(member, "name");
        if (typeof name === "string" && name !== "") fixed.add(name);
      }
    } else {
      fixed.add(lbClass);
    }
    const prefix = configField(configField(entry, "autoscale"), "prefix");
    if (typeof prefix === "string" && prefix !== "") prefixes.push(prefix);
  }
  return (name) => fixed.has(name) || prefixes.some((prefix) => autoscaledName(name, prefix));
}

/** `<prefix>-NN`, NN two digits from 01 to MAX_AUTOSCALED_INDEX. */
function autoscaledName(name: string, prefix: string): boolean {
  if (!name.startsWith(`${prefix}-`)) return false;
  const digits = name.slice(prefix.length + 1);
  return /^[0-9]{2}$/.test(digits) && Number(digits) >= 1 && Number(digits) <= MAX_AUTOSCALED_INDEX;
}
