// `hostgate iam-policy --config FILE`: prints the reconciler's least-privilege
// IAM policy (iam-policy.ts) for the zones, listeners and providers of that
// platform config, as JSON ready for `aws iam create-policy --policy-document`.
import { parseArgs } from "node:util";
import { loadPlatformConfig } from "../../core/config/index.ts";
import type { Command } from "../../core/cli/main.ts";
import { UsageError } from "../../core/errors.ts";
import type { CommandResult } from "../../core/errors.ts";
import { MANAGED_POLICY_LIMIT, policySize, reconcilerIamPolicy } from "./iam-policy.ts";

export const IAM_POLICY_USAGE = `Usage: hostgate iam-policy --config FILE [--partition PARTITION]

Prints the IAM policy the reconciler needs for the platform config in FILE,
as JSON: Route53 only on the configured zones (dns.provider route53), ACM
only for certificates tagged with dns.ownerId and names under the configured
apexes, ELBv2 only on the configured listeners (when certificates go to ACM).
Attach it to the role the reconciler's ServiceAccount uses (IRSA or EKS Pod
Identity; see deploy/README.md). With dns.provider and certificates.provider
that call no AWS API, it prints nothing and says so.

Options:
      --config FILE         platform config (required)
      --partition NAME      AWS partition of the ARNs: aws, aws-cn, aws-us-gov
                            (default: the listeners' partition, else aws)

Exit status: 0 printed (or nothing needed), 2 unusable input.`;

const PARTITIONS = ["aws", "aws-cn", "aws-us-gov", "aws-iso", "aws-iso-b", "aws-iso-e", "aws-iso-f", "aws-eusc"];

function readFlags(args: readonly string[]) {
  try {
    return parseArgs({
      args: [...args],
      options: { config: { type: "string" }, partition: { type: "string" } },
      strict: true,
      allowPositionals: false,
    }).values;
  } catch (error) {
    throw new UsageError(`iam-policy: ${(error as Error).message}`, "Run `hostgate iam-policy --help` for usage.");
  }
}

export function runIamPolicy(args: readonly string[]): CommandResult {
  const flags = readFlags(args);
  const problems: string[] = [];
  if (flags.config === undefined) problems.push("iam-policy: --config FILE is required (the platform config whose zones and listeners the policy names)");
  if (flags.partition !== undefined && !PARTITIONS.includes(flags.partition))
    problems.push(`iam-policy: --partition ${JSON.stringify(flags.partition)} is not an AWS partition; use one of ${PARTITIONS.join(", ")}`);
  if (problems.length > 0) throw new UsageError(...problems);
  const config = loadPlatformConfig(flags.config!);
  const policy = reconcilerIamPolicy(config, flags.partition === undefined ? {} : { partition: flags.partition });
  if (policy.Statement.length === 0) {
    const why = `dns.provider is ${config.dns.provider} and certificates.provider is ${config.certificates.provider}`;
    return { output: "", exitCode: 0, notes: [`iam-policy: the reconciler calls no AWS API with this config (${why}); it needs no IAM policy`] };
  }
  const size = policySize(policy);
  const notes =
    size > MANAGED_POLICY_LIMIT
      ? [
          `iam-policy: the policy is ${size} characters without whitespace, more than the ${MANAGED_POLICY_LIMIT} a managed policy may hold: ` +
            "attach it as an inline policy of the role (10,240 for all of a role's inline policies), or split the zones over two policies",
        ]
      : [];
  return { output: JSON.stringify(policy, null, 2), exitCode: 0, notes };
}

export const IAM_POLICY_COMMAND: Command = {
  summary: "print the reconciler's least-privilege AWS IAM policy for a platform config",
  usage: IAM_POLICY_USAGE,
  run: runIamPolicy,
};
