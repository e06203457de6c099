// Rules about the load balancer entries and pool members that the JSON
// schema cannot express. Each load balancer is read through
// writtenLoadBalancers() (a single entry is one, a pool one per member) and
// its target through loadBalancerTarget() once its keys have the right types;
// written defensively against data that failed the schema.
import { stringAt } from "./data-fields.ts";
import type { LoadBalancerTarget } from "./load-balancer-target.ts";
import type { WrittenLoadBalancer } from "./load-balancer-entries.ts";
import { LOAD_BALANCER_CLASSES, where, writtenLoadBalancers, writtenTarget } from "./load-balancer-entries.ts";
import { asRecord } from "../json.ts";
import type { Issue } from "./schema-problems.ts";
import { DNS_NAME_PATTERN } from "./schema.ts";

const FIXED_KEYS = ["dnsName", "hostedZoneId"];
const TWO_STEP_KEYS = ["service", "gatewayHostname"];
/** The keys that describe one load balancer: a pool entry has them on its members only. */
const LOAD_BALANCER_KEYS = [...FIXED_KEYS, ...TWO_STEP_KEYS, "listenerArn", "ipAddressType"];

/** A load balancer is fixed or two-step, never both: which address would routes get? */
function mixedKindIssue(lb: WrittenLoadBalancer): Issue | undefined {
  const fixed = FIXED_KEYS.filter((key) => key in lb.entry);
  const twoStep = TWO_STEP_KEYS.filter((key) => key in lb.entry);
  if (fixed.length === 0 || twoStep.length === 0) return undefined;
  return {
    path: [...lb.path, fixed[0]],
    anchor: "key",
    message:
      `is a fixed load balancer's key, but this ${lb.member ? "member" : "entry"} also has ${twoStep.join(" and ")} (a two-step entry's): ` +
      "keep dnsName and hostedZoneId for an ALB that routes alias to, or service and gatewayHostname for a gateway Service that hostgate publishes, not both",
  };
}

/** A pool names its load balancers in its members: a key beside `members` would be a load balancer no route is placed on. */
function poolOwnKeyIssues(config: Record<string, unknown>): Issue[] {
  const loadBalancers = asRecord(config.loadBalancers) ?? {};
  return LOAD_BALANCER_CLASSES.flatMap((lbClass) => {
    const entry = asRecord(loadBalancers[lbClass]);
    if (entry === undefined || !("members" in entry)) return [];
    return LOAD_BALANCER_KEYS.filter((key) => key in entry).map((key) => ({
      path: ["loadBalancers", lbClass, key],
      anchor: "key" as const,
      message:
        `is a load balancer's key, but this entry lists members: a pool's load balancers are its members, each with its own keys, ` +
        `so move ${key} into the member it belongs to, or remove members to keep a single load balancer`,
    }));
  });
}

/** gatewayHostname gets a record in one of the platform's zones, beside the routes' names, never replacing a zone's apex. */
function gatewayHostnameIssue(lb: WrittenLoadBalancer, hostname: string, domains: unknown): Issue | undefined {
  const apexes = (Array.isArray(domains) ? domains : []).map((d) => asRecord(d)?.apex).filter((apex) => typeof apex === "string");
  const path = [...lb.path, "gatewayHostname"];
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
export const MAX_LABEL = 63;
export const MAX_NAME = 253;
/** The longest prefix the TXT registry puts before a gateway record's name: `cname-` (a CNAME gateway record; `a-`, `aaaa-` for addresses). */
export const REGISTRY_PREFIX = "cname-";

/**
 * On Route53 hostgate writes a TXT ownership record beside the gateway record,
 * named with a type prefix (reconciler/dns/txt-registry.ts). Which type the
 * record has depends on the address the Service reports later, so the name
 * must leave room for the longest prefix, or the gateway record could never
 * be written (Route53 refuses the TXT as DomainLabelTooLong).
 */
function registryLengthIssue(lb: WrittenLoadBalancer, hostname: string): Issue | undefined {
  const path = [...lb.path, "gatewayHostname"];
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

/** The key and words of the load balancer two targets share, if they do. */
function sharedKey(earlier: LoadBalancerTarget, later: LoadBalancerTarget): "dnsName" | "service" | "gatewayHostname" | undefined {
  if (earlier.kind === "fixed" && later.kind === "fixed") return earlier.dnsName === later.dnsName ? "dnsName" : undefined;
  // Two-step to a gateway Service or to a pooled Gateway: one gatewayHostname holds one gateway's address either way.
  if (earlier.kind === "fixed" || later.kind === "fixed") return undefined;
  if (
    earlier.kind === "service" &&
    later.kind === "service" &&
    earlier.service.namespace === later.service.namespace &&
    earlier.service.name === later.service.name
  )
    return "service";
  return earlier.gatewayHostname === later.gatewayHostname ? "gatewayHostname" : undefined;
}

/**
 * One load balancer in two places: across classes, publishing internal routes
 * on the public load balancer would expose them; within a pool, placement
 * would count one load balancer's limits twice and overfill it.
 */
function sharedLoadBalancerIssue(earlier: WrittenLoadBalancer, later: WrittenLoadBalancer, key: "dnsName" | "service" | "gatewayHostname"): Issue {
  const crossClass = earlier.lbClass !== later.lbClass;
  const why = crossClass
    ? "internal routes would be reachable from the internet"
    : "routes placed on either member would share one load balancer, whose limits placement would count twice";
  const path = [...later.path, key];
  const other = `${where(earlier)}.${key}`;
  if (key === "dnsName")
    return {
      path,
      anchor: "value",
      message: `is the same load balancer as ${other}; ${why}, so ${crossClass ? "set the internal load balancer's DNS name" : "list each load balancer once"}`,
    };
  if (key === "service") {
    const service = asRecord(later.entry.service) ?? {};
    return {
      path,
      anchor: "value",
      message: `is the same Service as ${other} (${service.namespace}/${service.name}); ${why}, so ${crossClass ? "name the internal gateway's Service" : "list each gateway once"}`,
    };
  }
  return {
    path,
    anchor: "value",
    message:
      `is the same name as ${other}; one name holds one gateway's address, so give ${crossClass ? "the internal gateway" : "each member's gateway"} its own, ` +
      `e.g. aks01-weu-${crossClass ? "internal" : (later.name ?? "internal-2")}.<apex>`,
  };
}

function sharedLoadBalancerIssues(lbs: readonly WrittenLoadBalancer[]): Issue[] {
  const targets = lbs.map((lb) => writtenTarget(lb.entry));
  return lbs.flatMap((later, j) => {
    const target = targets[j];
    if (target === undefined) return [];
    for (let i = 0; i < j; i++) {
      const earlierTarget = targets[i];
      const key = earlierTarget === undefined ? undefined : sharedKey(earlierTarget, target);
      if (key !== undefined) return [sharedLoadBalancerIssue(lbs[i], later, key)];
    }
    return [];
  });
}

/** A route's status.edge and the move annotation name a member by its name alone, so one name is one member. */
function memberNameIssues(lbs: readonly WrittenLoadBalancer[]): Issue[] {
  return lbs.flatMap((later, j) => {
    const i = lbs.findIndex((earlier) => earlier.name !== undefined && earlier.name === later.name);
    if (i === j || i < 0) return [];
    // The problem is put on a member's name: a single entry's name is its class's, not written.
    const [kept, renamed] = later.member ? [lbs[i], later] : [later, lbs[i]];
    const holder = kept.member ? where(kept) : `${where(kept)} (a class without members is one member named after it)`;
    return [
      {
        path: [...renamed.path, "name"],
        anchor: "value" as const,
        message:
          `"${renamed.name}" is already the name of ${holder}; a route's status.edge.member and the hostgate.dev/edge-member annotation ` +
          "name a member by its name alone, so give each member a name of its own across both classes",
      },
    ];
  });
}

export function loadBalancerIssues(config: Record<string, unknown>): Issue[] {
  const issues: Issue[] = poolOwnKeyIssues(config);
  const onRoute53 = stringAt(config.dns, "provider") === "route53";
  const lbs: WrittenLoadBalancer[] = [];
  for (const lb of writtenLoadBalancers(config)) {
    const mixed = mixedKindIssue(lb);
    if (mixed !== undefined) {
      issues.push(mixed);
      continue;
    }
    lbs.push(lb);
    const target = writtenTarget(lb.entry);
    // A malformed name is the schema's to report; judging its place would only repeat it.
    // A gateway Service's record and a pooled Gateway's (kind "gateway") are published alike, so the same rules hold for both.
    if ((target?.kind === "service" || target?.kind === "gateway") && new RegExp(DNS_NAME_PATTERN).test(target.gatewayHostname)) {
      const issue =
        gatewayHostnameIssue(lb, target.gatewayHostname, config.domains) ?? (onRoute53 ? registryLengthIssue(lb, target.gatewayHostname) : undefined);
      if (issue !== undefined) issues.push(issue);
    }
  }
  return [...issues, ...memberNameIssues(writtenLoadBalancers(config)), ...sharedLoadBalancerIssues(lbs)];
}
