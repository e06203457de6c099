// With certificates in ACM, every load balancer (a single entry, or each pool
// member) holds route certificates on its own HTTPS listener, and one ACM
// certificate serves the load balancers of one region: the rules here. A
// member with no ALB of hostgate's in front (two-step, or autoscaled) has no
// such listener, and is refused rather than served over plain HTTP.
import { arnParts } from "../aws/arn.ts";
import { asRecord } from "../json.ts";
import { stringAt } from "./data-fields.ts";
import type { WrittenLoadBalancer } from "./load-balancer-entries.ts";
import { LOAD_BALANCER_CLASSES, where, writtenLoadBalancers } from "./load-balancer-entries.ts";
import { gatewayApiImplementation, gatewayProvider } from "./pooled-gateways.ts";
import type { Issue } from "./schema-problems.ts";

/**
 * The two-step key a load balancer has (`service`, else `gatewayHostname`)
 * when it has no fixed key; one with keys of both kinds is
 * load-balancer-checks.ts's to report.
 */
function twoStepOnly(lb: Record<string, unknown>): string | undefined {
  if ("dnsName" in lb || "hostedZoneId" in lb) return undefined;
  return ["service", "gatewayHostname"].find((key) => key in lb);
}

/** Where a two-step member's traffic arrives, with no ALB of hostgate's in front. */
function reachedThrough(provider: string): string {
  return provider === "gateway-api"
    ? "its pooled Gateway's own load balancer (the implementation's Service, with no ALB in front)"
    : "the gateway Service's own load balancer (a Service never gets an ALB)";
}

/**
 * An autoscaled member is a pooled Gateway with no ALB of hostgate's in front
 * (no listenerArn), like a written two-step member. With provider acm on Envoy
 * Gateway or Istio its Gateway listens on plain HTTP (listener-tls.ts, TLS
 * ending on the ALB), so the routes it takes would be served in cleartext at
 * its own address; with cert-manager importing into ACM the certificates are
 * attached to ALB listeners, which it has none of. Only the AWS Load Balancer
 * Controller's Gateways are ALBs that find their ACM certificates themselves
 * (acmListenerIssues returns before this there).
 */
function autoscaleIssues(config: Record<string, unknown>, acm: string, plainHttp: boolean): Issue[] {
  const implementation = gatewayApiImplementation(config) ?? "its implementation";
  const loadBalancers = asRecord(config.loadBalancers) ?? {};
  const why = plainHttp
    ? `with ${implementation} a pooled Gateway's listeners are plain HTTP (TLS is meant to end on an ALB's HTTPS listener, and an autoscaled ` +
      "member has none), so its routes would be served unencrypted"
    : "hostgate attaches each certificate to a member's ALB listener (listenerArn), and an autoscaled member has none, so its routes' certificates would never be served";
  return LOAD_BALANCER_CLASSES.filter((lbClass) => asRecord(loadBalancers[lbClass])?.autoscale !== undefined).map((lbClass) => ({
    path: ["loadBalancers", lbClass, "autoscale"],
    anchor: "key" as const,
    message:
      `adds pooled Gateways with no ALB in front, but certificates go to ACM (${acm}) and ${why}: ` +
      "remove autoscale and list the members with their ALBs (dnsName, hostedZoneId, listenerArn), use certificates.provider cert-manager " +
      "without importToAcm (each Gateway serves its certificates), or use implementation aws-load-balancer-controller (each Gateway is an ALB)",
  }));
}

/** A load balancer ACM certificates cannot reach, or whose listener is not named. */
function listenerIssue(config: Record<string, unknown>, lb: WrittenLoadBalancer, acm: string): Issue | undefined {
  const twoStepKey = twoStepOnly(lb.entry);
  const kind = lb.member ? "member" : "entry";
  if (twoStepKey !== undefined)
    return {
      path: [...lb.path, twoStepKey],
      anchor: "key",
      message:
        `is a two-step ${kind}, but certificates go to ACM (${acm}): hostgate attaches ACM certificates to an ALB's HTTPS listener, ` +
        `and a two-step ${kind}'s routes reach ${reachedThrough(gatewayProvider(config))}, so no listener of theirs ` +
        "would hold the certificate; use certificates.provider cert-manager without importToAcm (the gateway serves the certificates), " +
        `or make this ${kind} fixed (dnsName and hostedZoneId of the ALB whose listener holds them)`,
    };
  if (stringAt(lb.entry, "listenerArn") !== undefined) return undefined;
  return {
    path: lb.path,
    anchor: "key",
    message: `needs listenerArn because certificates go to ACM and are attached to this load balancer's HTTPS listener: set it to the listener's ARN (aws elbv2 describe-listeners)`,
  };
}

/**
 * `acm` names the setting that sends certificates to ACM, as messages quote it.
 * With the AWS Load Balancer Controller as the Gateway API implementation,
 * each member is an ALB the controller creates and owns, whose listener finds
 * its ACM certificates itself: no listener of hostgate's to name or check
 * (gateway-api-checks.ts refuses a listenerArn there).
 */
export function acmListenerIssues(config: Record<string, unknown>, acm: string): Issue[] {
  if (gatewayApiImplementation(config) === "aws-load-balancer-controller") return [];
  const lbs = writtenLoadBalancers(config);
  const issues = lbs.map((lb) => listenerIssue(config, lb, acm)).filter((issue) => issue !== undefined);
  // Autoscale exists on the Gateway API data plane only (autoscale-checks.ts reports it elsewhere).
  if (gatewayProvider(config) === "gateway-api") issues.push(...autoscaleIssues(config, acm, acm === "certificates.provider acm"));
  const withArn = lbs.flatMap((lb) => {
    const arn = stringAt(lb.entry, "listenerArn");
    return arn === undefined ? [] : [{ lb, arn }];
  });
  const region = (arn: string) => arnParts(arn)?.region;
  withArn.forEach(({ lb, arn }, j) => {
    const first = withArn[0];
    const same = withArn.findIndex((other) => other.arn === arn);
    if (same < j)
      issues.push({
        path: [...lb.path, "listenerArn"],
        anchor: "value",
        message: `is the same listener as ${where(withArn[same].lb)}.listenerArn; each load balancer has its own HTTPS listener, so set this one's`,
      });
    else if (region(arn) !== region(first.arn))
      issues.push({
        path: [...lb.path, "listenerArn"],
        anchor: "value",
        message:
          `is in region ${region(arn)} but ${where(first.lb)}.listenerArn is in ${region(first.arn)}: an ACM certificate serves load balancers ` +
          "of its own region only, and hostgate uses one region, so put every load balancer in one region",
      });
  });
  return issues;
}
