// With certificates in ACM, every load balancer (a single entry, or each pool
// member) holds route certificates on its own HTTPS listener, and one ACM
// certificate serves the load balancers of one region: the rules here.
import { arnParts } from "../aws/arn.ts";
import { stringAt } from "./data-fields.ts";
import type { WrittenLoadBalancer } from "./load-balancer-entries.ts";
import { where, writtenLoadBalancers } from "./load-balancer-entries.ts";
import { gatewayApiImplementation } from "./pooled-gateways.ts";
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

/** A load balancer ACM certificates cannot reach, or whose listener is not named. */
function listenerIssue(lb: WrittenLoadBalancer, acm: string): Issue | undefined {
  const twoStepKey = twoStepOnly(lb.entry);
  const kind = lb.member ? "member" : "entry";
  if (twoStepKey !== undefined)
    return {
      path: [...lb.path, twoStepKey],
      anchor: "key",
      message:
        `is a two-step ${kind}, but certificates go to ACM (${acm}): hostgate attaches ACM certificates to an ALB's HTTPS listener, ` +
        `and a two-step ${kind}'s routes reach the gateway Service's own load balancer (a Service never gets an ALB), so no listener of theirs ` +
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
  const issues = lbs.map((lb) => listenerIssue(lb, acm)).filter((issue) => issue !== undefined);
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
