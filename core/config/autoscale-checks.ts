// Rules about loadBalancers.<class>.autoscale that the JSON schema cannot
// express. Autoscaled members are named `<prefix>-NN` and published at
// `<prefix>-NN.<gatewayDomain>` (edge-pool.ts autoscaledMember); status.edge
// and the move annotation name a member by its name alone, so those names and
// records must never be a configured member's. Written defensively against
// data that failed the schema.
import { asRecord } from "../json.ts";
import type { ConfigPath } from "./config-path.ts";
import { formatPath } from "./config-path.ts";
import { stringAt } from "./data-fields.ts";
import type { WrittenLoadBalancer } from "./load-balancer-entries.ts";
import { MAX_LABEL, MAX_NAME, REGISTRY_PREFIX } from "./load-balancer-checks.ts";
import { LOAD_BALANCER_CLASSES, writtenLoadBalancers } from "./load-balancer-entries.ts";
import type { LoadBalancerName } from "./platform-config.ts";
import { gatewayProvider } from "./pooled-gateways.ts";
import type { Issue } from "./schema-problems.ts";
import { DNS_LABEL_PATTERN, DNS_NAME_PATTERN } from "./schema.ts";

/** The suffix every autoscaled name has: `-NN`. */
const INDEX_SUFFIX = "-99";

interface Autoscale {
  readonly lbClass: LoadBalancerName;
  readonly path: ConfigPath;
  /** Undefined while missing or malformed: the schema reports it. */
  readonly prefix: string | undefined;
  readonly gatewayDomain: string | undefined;
}

function writtenAutoscales(config: Record<string, unknown>): Autoscale[] {
  const loadBalancers = asRecord(config.loadBalancers) ?? {};
  return LOAD_BALANCER_CLASSES.flatMap((lbClass) => {
    const autoscale = asRecord(asRecord(loadBalancers[lbClass])?.autoscale);
    if (autoscale === undefined) return [];
    const prefix = stringAt(autoscale, "prefix");
    const gatewayDomain = stringAt(autoscale, "gatewayDomain");
    return [
      {
        lbClass,
        path: ["loadBalancers", lbClass, "autoscale"],
        prefix: prefix !== undefined && new RegExp(DNS_LABEL_PATTERN).test(prefix) ? prefix : undefined,
        gatewayDomain: gatewayDomain !== undefined && new RegExp(DNS_NAME_PATTERN).test(gatewayDomain) ? gatewayDomain : undefined,
      },
    ];
  });
}

/** Whether `name` has the form of one of the autoscaled members of `prefix` (any two digits: raising maxMembers must not make a collision). */
const isAutoscaledName = (name: string, prefix: string) =>
  name.length === prefix.length + 3 && name.startsWith(`${prefix}-`) && /^[0-9]{2}$/.test(name.slice(-2));

/** A configured member named like an autoscaled one would be two members under one name. */
function memberNameIssues(autoscale: Autoscale, prefix: string, lbs: readonly WrittenLoadBalancer[]): Issue[] {
  return lbs.flatMap((lb) =>
    lb.member && lb.name !== undefined && isAutoscaledName(lb.name, prefix)
      ? [
          {
            path: [...lb.path, "name"],
            anchor: "value" as const,
            message:
              `"${lb.name}" has the form of a member ${autoscale.lbClass} adds itself (${prefix}-01, ${prefix}-02, … by loadBalancers.${autoscale.lbClass}.autoscale.prefix), ` +
              "and a route's status.edge names a member by its name alone: rename this member, or choose another autoscale prefix",
          },
        ]
      : [],
  );
}

/** A configured gateway record at an autoscaled member's name would hold two gateways' addresses. */
function gatewayHostnameIssues(autoscale: Autoscale, prefix: string, gatewayDomain: string, lbs: readonly WrittenLoadBalancer[]): Issue[] {
  return lbs.flatMap((lb) => {
    const hostname = stringAt(lb.entry, "gatewayHostname");
    if (hostname === undefined || !hostname.endsWith(`.${gatewayDomain}`)) return [];
    const first = hostname.slice(0, -gatewayDomain.length - 1);
    if (!isAutoscaledName(first, prefix)) return [];
    return [
      {
        path: [...lb.path, "gatewayHostname"],
        anchor: "value" as const,
        message:
          `"${hostname}" is the gateway record of ${first}, a member ${autoscale.lbClass} adds itself (loadBalancers.${autoscale.lbClass}.autoscale); ` +
          "one name holds one gateway's address, so give this member another gatewayHostname",
      },
    ];
  });
}

/** gatewayDomain holds the autoscaled members' gateway records, in one of the platform's zones and beside the routes' names, not at an apex. */
function gatewayDomainIssue(config: Record<string, unknown>, autoscale: Autoscale, prefix: string | undefined, gatewayDomain: string): Issue | undefined {
  const domains = Array.isArray(config.domains) ? config.domains : [];
  const apexes = domains.map((d) => stringAt(d, "apex")).filter((apex) => apex !== undefined);
  const path = [...autoscale.path, "gatewayDomain"];
  if (apexes.includes(gatewayDomain))
    return {
      path,
      anchor: "value",
      message: `"${gatewayDomain}" is a zone apex (domains[].apex), where the routes' own names are; keep the pool's gateway records apart under a name of their own, e.g. gw.${gatewayDomain}`,
    };
  if (!apexes.some((apex) => gatewayDomain.endsWith(`.${apex}`)))
    return {
      path,
      anchor: "value",
      message: `"${gatewayDomain}" is not under any of domains[].apex (${apexes.join(", ")}); hostgate publishes the autoscaled members' records in one of those zones, so choose a name under one`,
    };
  if (prefix === undefined) return undefined;
  // On Route53 a TXT ownership record named `cname-<record>` sits beside each gateway record.
  const registry = stringAt(config.dns, "provider") === "route53" ? REGISTRY_PREFIX.length : 0;
  const longest = `${prefix}${INDEX_SUFFIX}.${gatewayDomain}`;
  if (longest.length + registry > MAX_NAME)
    return {
      path,
      anchor: "value",
      message:
        `makes the autoscaled members' gateway records ${longest.length} characters long (${longest}${registry > 0 ? ", plus the TXT ownership record's cname- prefix" : ""}), ` +
        `but a DNS name has ${MAX_NAME} at most: use a shorter gatewayDomain or prefix`,
    };
  return undefined;
}

/** On Route53 the TXT ownership record beside `<prefix>-NN.<gatewayDomain>` is `cname-<prefix>-NN…`, whose first label must fit 63 characters. */
function prefixLengthIssue(config: Record<string, unknown>, autoscale: Autoscale, prefix: string): Issue | undefined {
  if (stringAt(config.dns, "provider") !== "route53") return undefined;
  const longest = MAX_LABEL - REGISTRY_PREFIX.length - INDEX_SUFFIX.length;
  if (prefix.length <= longest) return undefined;
  return {
    path: [...autoscale.path, "prefix"],
    anchor: "value",
    message:
      `"${prefix}" is ${prefix.length} characters, but on Route53 hostgate writes a TXT ownership record beside each autoscaled member's gateway record, ` +
      `named ${REGISTRY_PREFIX}${prefix}-NN.… (a- or aaaa- for addresses), and a DNS label has ${MAX_LABEL} characters at most: use a prefix of at most ${longest} characters`,
  };
}

export function autoscaleIssues(config: Record<string, unknown>): Issue[] {
  const autoscales = writtenAutoscales(config);
  const provider = gatewayProvider(config);
  if (provider !== "gateway-api")
    return autoscales.map((autoscale) => ({
      path: autoscale.path,
      anchor: "key" as const,
      message:
        `is only used with gateway.provider gateway-api (it is ${provider}), where hostgate creates pooled Gateways itself; on the Istio data plane the ` +
        "load balancers are the ones listed: remove autoscale, or list more members",
    }));
  const lbs = writtenLoadBalancers(config);
  return autoscales.flatMap((autoscale, i) => {
    const { prefix, gatewayDomain } = autoscale;
    const issues: Issue[] = [];
    const earlier = autoscales.slice(0, i).find((other) => other.prefix !== undefined && other.prefix === prefix);
    if (earlier !== undefined)
      issues.push({
        path: [...autoscale.path, "prefix"],
        anchor: "value",
        message: `"${prefix}" is also ${formatPath(earlier.path)}.prefix; both classes would add members of the same names, so give each class its own prefix`,
      });
    if (prefix !== undefined) {
      issues.push(...memberNameIssues(autoscale, prefix, lbs));
      const tooLong = prefixLengthIssue(config, autoscale, prefix);
      if (tooLong !== undefined) issues.push(tooLong);
    }
    if (gatewayDomain !== undefined) {
      const domainIssue = gatewayDomainIssue(config, autoscale, prefix, gatewayDomain);
      if (domainIssue !== undefined) issues.push(domainIssue);
      if (prefix !== undefined) issues.push(...gatewayHostnameIssues(autoscale, prefix, gatewayDomain, lbs));
    }
    return issues;
  });
}
