// Rules about the two load balancer entries that the JSON schema cannot
// express. Entries are read through loadBalancerTarget() once their keys have
// the right types; written defensively against data that failed the schema.
import { asRecord } from "../json.ts";
import { stringAt } from "./data-fields.ts";
import type { LoadBalancerTarget } from "./load-balancer-target.ts";
import { loadBalancerTarget } from "./load-balancer-target.ts";
import type { LoadBalancerConfig, LoadBalancerName } from "./platform-config.ts";
import type { Issue } from "./schema-problems.ts";
import { DNS_NAME_PATTERN } from "./schema.ts";

const NAMES: readonly LoadBalancerName[] = ["alb-out", "alb-in"];
const FIXED_KEYS = ["dnsName", "hostedZoneId"];
const TWO_STEP_KEYS = ["service", "gatewayHostname"];

/** The entry's target, or undefined while its keys are missing or mistyped (the schema reports those). */
function targetOf(entry: Record<string, unknown>): LoadBalancerTarget | undefined {
  const service = asRecord(entry.service);
  const typed: LoadBalancerConfig = {
    ipAddressType: "ipv4",
    ...(typeof entry.dnsName === "string" ? { dnsName: entry.dnsName } : {}),
    ...(typeof entry.hostedZoneId === "string" ? { hostedZoneId: entry.hostedZoneId } : {}),
    ...(typeof entry.gatewayHostname === "string" ? { gatewayHostname: entry.gatewayHostname } : {}),
    ...(typeof service?.namespace === "string" && typeof service.name === "string" ? { service: { namespace: service.namespace, name: service.name } } : {}),
  };
  try {
    return loadBalancerTarget(typed);
  } catch {
    return undefined;
  }
}

/** An entry is fixed or two-step, never both: which address would routes get? */
function mixedKindIssue(name: LoadBalancerName, entry: Record<string, unknown>): Issue | undefined {
  const fixed = FIXED_KEYS.filter((key) => key in entry);
  const twoStep = TWO_STEP_KEYS.filter((key) => key in entry);
  if (fixed.length === 0 || twoStep.length === 0) return undefined;
  return {
    path: ["loadBalancers", name, fixed[0]],
    anchor: "key",
    message:
      `is a fixed load balancer's key, but this entry also has ${twoStep.join(" and ")} (a two-step entry's): ` +
      "keep dnsName and hostedZoneId for an ALB that routes alias to, or service and gatewayHostname for a gateway Service that hostgate publishes, not both",
  };
}

/** gatewayHostname gets a record in one of the platform's zones, beside the routes' names, never replacing a zone's apex. */
function gatewayHostnameIssue(name: LoadBalancerName, hostname: string, domains: unknown): Issue | undefined {
  const apexes = (Array.isArray(domains) ? domains : []).map((d) => asRecord(d)?.apex).filter((apex) => typeof apex === "string");
  const path = ["loadBalancers", name, "gatewayHostname"];
  if (apexes.includes(hostname))
    return {
      path,
      anchor: "value",
      message: `"${hostname}" is a zone apex (domains[].apex); routes get a CNAME to it and a CNAME cannot sit at an apex, so choose a name under it, e.g. aks01-weu-internal.${hostname}`,
    };
  if (apexes.some((apex) => hostname.endsWith(`.${apex}`))) return undefined;
  return {
    path,
    anchor: "value",
    message: `"${hostname}" is not under any of domains[].apex (${apexes.join(", ")}); hostgate publishes it in one of those zones, so choose a name under one`,
  };
}

/** DNS's limits on a name (RFC 1035), which Route53 enforces. */
const MAX_LABEL = 63;
const MAX_NAME = 253;
/** The longest prefix the TXT registry puts before a gateway record's name: `cname-` (a CNAME gateway record; `a-`, `aaaa-` for addresses). */
const REGISTRY_PREFIX = "cname-";

/**
 * On Route53 hostgate writes a TXT ownership record beside the gateway record,
 * named with a type prefix (reconciler/dns/txt-registry.ts). Which type the
 * record has depends on the address the Service reports later, so the name
 * must leave room for the longest prefix, or the gateway record could never
 * be written (Route53 refuses the TXT as DomainLabelTooLong).
 */
function registryLengthIssue(name: LoadBalancerName, hostname: string): Issue | undefined {
  const path = ["loadBalancers", name, "gatewayHostname"];
  const first = hostname.split(".")[0]!;
  const txt = `${REGISTRY_PREFIX}${hostname}`;
  if (first.length + REGISTRY_PREFIX.length > MAX_LABEL)
    return {
      path,
      anchor: "value",
      message:
        `"${hostname}" has a first label of ${first.length} characters, but the TXT ownership record hostgate writes beside the gateway record ` +
        `is named ${REGISTRY_PREFIX}${first}... (a- or aaaa- for addresses), and Route53 allows ${MAX_LABEL} characters a label: ` +
        `use a first label of at most ${MAX_LABEL - REGISTRY_PREFIX.length} characters`,
    };
  if (txt.length > MAX_NAME)
    return {
      path,
      anchor: "value",
      message:
        `"${hostname}" is ${hostname.length} characters, but the TXT ownership record hostgate writes beside the gateway record is named ` +
        `${REGISTRY_PREFIX}<it>, and Route53 allows ${MAX_NAME} characters a name: use a name of at most ${MAX_NAME - REGISTRY_PREFIX.length} characters`,
    };
  return undefined;
}

/** Publishing internal routes on the public load balancer would expose them. */
function sameLoadBalancerIssue(outside: LoadBalancerTarget | undefined, inside: LoadBalancerTarget | undefined): Issue | undefined {
  const exposed = "internal routes would be reachable from the internet";
  if (outside?.kind === "fixed" && inside?.kind === "fixed" && outside.dnsName === inside.dnsName)
    return {
      path: ["loadBalancers", "alb-in", "dnsName"],
      anchor: "value",
      message: `is the same load balancer as loadBalancers.alb-out.dnsName; ${exposed}, so set the internal load balancer's DNS name`,
    };
  if (outside?.kind !== "service" || inside?.kind !== "service") return undefined;
  if (outside.service.namespace === inside.service.namespace && outside.service.name === inside.service.name)
    return {
      path: ["loadBalancers", "alb-in", "service"],
      anchor: "value",
      message: `is the same Service as loadBalancers.alb-out.service (${inside.service.namespace}/${inside.service.name}); ${exposed}, so name the internal gateway's Service`,
    };
  if (outside.gatewayHostname === inside.gatewayHostname)
    return {
      path: ["loadBalancers", "alb-in", "gatewayHostname"],
      anchor: "value",
      message: `is the same name as loadBalancers.alb-out.gatewayHostname; one name holds one gateway's address, so give the internal gateway its own, e.g. aks01-weu-internal.<apex>`,
    };
  return undefined;
}

export function loadBalancerIssues(config: Record<string, unknown>): Issue[] {
  const loadBalancers = asRecord(config.loadBalancers) ?? {};
  const issues: Issue[] = [];
  const targets = new Map<LoadBalancerName, LoadBalancerTarget | undefined>();
  const onRoute53 = stringAt(config.dns, "provider") === "route53";
  for (const name of NAMES) {
    const entry = asRecord(loadBalancers[name]);
    if (entry === undefined) continue;
    const mixed = mixedKindIssue(name, entry);
    if (mixed !== undefined) {
      issues.push(mixed);
      continue;
    }
    const target = targetOf(entry);
    targets.set(name, target);
    // A malformed name is the schema's to report; judging its place would only repeat it.
    if (target?.kind === "service" && new RegExp(DNS_NAME_PATTERN).test(target.gatewayHostname)) {
      const issue =
        gatewayHostnameIssue(name, target.gatewayHostname, config.domains) ?? (onRoute53 ? registryLengthIssue(name, target.gatewayHostname) : undefined);
      if (issue !== undefined) issues.push(issue);
    }
  }
  const same = sameLoadBalancerIssue(targets.get("alb-out"), targets.get("alb-in"));
  return same === undefined ? issues : [...issues, same];
}
