// The least-privilege IAM policy of the reconciler, from the platform config:
// exactly the AWS calls its adapters make (dns/route53/sdk-route53.ts,
// certificates/aws/sdk-acm.ts, certificates/aws/sdk-listener.ts), on exactly
// the zones and listeners the config names. Pure.
//
//   Route53 (dns.provider route53): ListResourceRecordSets, GetHostedZone and
//     ChangeResourceRecordSets on each configured zone (domains[].zoneId and
//     additionalZoneIds) only, and changes only of the record types hostgate
//     writes (A and AAAA aliases, CNAMEs, TXT registry records) at names at or
//     below the configured apexes; GetChange on changes (no per-change ARN is
//     known before the change exists).
//   ACM (certificates.provider acm, or cert-manager with importToAcm):
//     ListCertificates ("*": no resource-level permission), and everything
//     else only on certificates of the listeners' accounts and regions (a
//     listener takes no other): Describe and ListTags;
//     RequestCertificate only with DNS validation, only for names under the
//     configured apexes and only carrying hostgate's owner tag;
//     ImportCertificate of a new certificate only with that tag, and a
//     re-import only into a certificate already tagged with it (ACM refuses
//     tags on a re-import); the tags themselves (AddTagsToCertificate, which
//     IAM also checks for tags passed to a request or import) only hostgate's
//     two keys with its owner value; DeleteCertificate only of certificates
//     tagged with its owner id. What IAM cannot tell apart: a tag added with
//     a request or import from one added later, so the role could tag another
//     certificate of the account as hostgate's and then delete it; the
//     reconciler never calls AddTagsToCertificate itself against AWS (only
//     after an emulator dropped the tags on a re-import), so a CloudTrail
//     AddTagsToCertificate event by this role is the alarm.
//   ELBv2 (whenever hostgate attaches certificates: certificatesOnListeners):
//     Add/RemoveListenerCertificates on the configured listeners only;
//     DescribeListenerCertificates on "*" (Elastic Load Balancing's Describe
//     actions have no resource-level permissions). None with the AWS Load
//     Balancer Controller on the Gateway API data plane: it puts the
//     certificates on its own ALBs' listeners (found in ACM by hostname), so
//     hostgate never calls ELBv2 and gets no ELBv2 permission at all.
import type { PlatformConfig } from "../../core/config/platform-config.ts";
import { compareStrings } from "../../core/compare-strings.ts";
import { TAG_OWNER, TAG_WILDCARD } from "../certificates/certificate-names.ts";
import { arnParts } from "../../core/aws/arn.ts";
import { certificatesInAcm, certificatesOnListeners, listenerArns } from "../../core/config/acm-settings.ts";

export interface IamStatement {
  Sid: string;
  Effect: "Allow";
  Action: string[];
  Resource: string | string[];
  Condition?: Record<string, Record<string, string | string[]>>;
}

export interface IamPolicy {
  Version: "2012-10-17";
  Statement: IamStatement[];
}

/** Record types hostgate writes: alias A/AAAA, CNAME (cname routes, ACM validation), TXT (ownership registry). */
export const WRITTEN_RECORD_TYPES = ["A", "AAAA", "CNAME", "TXT"] as const;

/** IAM's limit for a customer managed policy, in characters without whitespace. */
export const MANAGED_POLICY_LIMIT = 6144;

export interface IamPolicyOptions {
  /** The AWS partition (`aws`, `aws-cn`, `aws-us-gov`); default: the listeners', else `aws`. */
  partition?: string;
}

const sortedUnique = (values: Iterable<string>) => [...new Set(values)].sort(compareStrings);

/** Hosted zone ids as Route53 ARNs take them: without a `/hostedzone/` prefix. */
const bareZoneId = (id: string) => id.replace(/^\/?hostedzone\//, "");

/** `apex` and `*.apex` for every configured apex: names at or below them (StringLike's `*` also matches dots and `\052`). */
function apexPatterns(config: PlatformConfig): string[] {
  return sortedUnique(config.domains.flatMap((d) => [d.apex, `*.${d.apex}`]));
}

export function reconcilerIamPolicy(config: PlatformConfig, options: IamPolicyOptions = {}): IamPolicy {
  const listeners = listenerArns(config);
  const partition = options.partition ?? listeners.map(arnParts).find((p) => p !== undefined)?.partition ?? "aws";
  const statements: IamStatement[] = [];
  if (config.dns.provider === "route53") statements.push(...route53Statements(config, partition));
  if (certificatesInAcm(config)) {
    statements.push(...acmStatements(config, partition, listeners));
    if (certificatesOnListeners(config)) statements.push(...listenerStatements(listeners));
  }
  return { Version: "2012-10-17", Statement: statements };
}

function route53Statements(config: PlatformConfig, partition: string): IamStatement[] {
  const zones = sortedUnique(config.domains.flatMap((d) => [d.zoneId, ...d.additionalZoneIds]).map(bareZoneId));
  const zoneArns = zones.map((id) => `arn:${partition}:route53:::hostedzone/${id}`);
  return [
    { Sid: "ReadConfiguredZones", Effect: "Allow", Action: ["route53:GetHostedZone", "route53:ListResourceRecordSets"], Resource: zoneArns },
    {
      Sid: "ChangeHostgateRecordsInConfiguredZones",
      Effect: "Allow",
      Action: ["route53:ChangeResourceRecordSets"],
      Resource: zoneArns,
      Condition: {
        "ForAllValues:StringEquals": { "route53:ChangeResourceRecordSetsRecordTypes": [...WRITTEN_RECORD_TYPES] },
        "ForAllValues:StringLike": { "route53:ChangeResourceRecordSetsNormalizedRecordNames": apexPatterns(config) },
      },
    },
    { Sid: "WaitForChanges", Effect: "Allow", Action: ["route53:GetChange"], Resource: `arn:${partition}:route53:::change/*` },
  ];
}

function acmStatements(config: PlatformConfig, partition: string, listeners: readonly string[]): IamStatement[] {
  const owner = config.dns.ownerId;
  // The config refuses ACM without an owner id; fail closed rather than grant on an empty tag.
  if (owner === undefined || owner === "")
    throw new Error("certificates go to ACM but dns.ownerId is not set: set it, the owner tag hostgate's certificates carry");
  // A listener takes certificates of its own account and region only, so those are the only certificates hostgate uses.
  const places = sortedUnique(
    listeners
      .map(arnParts)
      .filter((p) => p !== undefined)
      .map((p) => `${p.region}:${p.account}`),
  );
  const certificates = places.length === 0 ? [`arn:${partition}:acm:*:*:certificate/*`] : places.map((place) => `arn:${partition}:acm:${place}:certificate/*`);
  const ownTag = { [`aws:RequestTag/${TAG_OWNER}`]: owner };
  const ownKeys = { "aws:TagKeys": [TAG_OWNER, TAG_WILDCARD] };
  const statements: IamStatement[] = [
    { Sid: "ListCertificates", Effect: "Allow", Action: ["acm:ListCertificates"], Resource: "*" },
    { Sid: "ReadCertificates", Effect: "Allow", Action: ["acm:DescribeCertificate", "acm:ListTagsForCertificate"], Resource: certificates },
    {
      Sid: "TagOnlyWithHostgateOwner",
      Effect: "Allow",
      Action: ["acm:AddTagsToCertificate"],
      Resource: certificates,
      Condition: { StringEquals: ownTag, "ForAllValues:StringEquals": ownKeys },
    },
  ];
  if (config.certificates.provider === "acm") {
    statements.push({
      Sid: "RequestOwnedDnsValidatedCertificatesForConfiguredApexes",
      Effect: "Allow",
      Action: ["acm:RequestCertificate"],
      Resource: certificates,
      Condition: {
        StringEquals: { ...ownTag, "acm:ValidationMethod": "DNS" },
        "ForAllValues:StringEquals": ownKeys,
        "ForAllValues:StringLike": { "acm:DomainNames": apexPatterns(config) },
      },
    });
  } else {
    statements.push(
      {
        Sid: "ImportNewOwnedCertificates",
        Effect: "Allow",
        Action: ["acm:ImportCertificate"],
        Resource: certificates,
        Condition: { StringEquals: ownTag, "ForAllValues:StringEquals": ownKeys },
      },
      {
        Sid: "ReimportOwnedCertificates",
        Effect: "Allow",
        Action: ["acm:ImportCertificate"],
        Resource: certificates,
        Condition: { StringEquals: { [`aws:ResourceTag/${TAG_OWNER}`]: owner } },
      },
    );
  }
  statements.push({
    Sid: "DeleteOwnedCertificates",
    Effect: "Allow",
    Action: ["acm:DeleteCertificate"],
    Resource: certificates,
    Condition: { StringEquals: { [`aws:ResourceTag/${TAG_OWNER}`]: owner } },
  });
  return statements;
}

function listenerStatements(listeners: readonly string[]): IamStatement[] {
  const statements: IamStatement[] = [
    { Sid: "ReadListenerCertificates", Effect: "Allow", Action: ["elasticloadbalancing:DescribeListenerCertificates"], Resource: "*" },
  ];
  if (listeners.length > 0) {
    statements.push({
      Sid: "AttachCertificatesToConfiguredListeners",
      Effect: "Allow",
      Action: ["elasticloadbalancing:AddListenerCertificates", "elasticloadbalancing:RemoveListenerCertificates"],
      Resource: [...listeners],
    });
  }
  return statements;
}

/** The policy's size as IAM counts it (JSON without whitespace). */
export function policySize(policy: IamPolicy): number {
  return JSON.stringify(policy).length;
}
