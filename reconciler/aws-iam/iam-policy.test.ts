import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { loadPlatformConfig } from "../../core/config/index.ts";
import type { CertificatesConfig, DnsConfig, DomainConfig, PlatformConfig } from "../../core/config/platform-config.ts";
import { aConfig } from "../domainroute/render/testing/platform-config.ts";
import type { IamPolicy, IamStatement } from "./iam-policy.ts";
import { MANAGED_POLICY_LIMIT, policySize, reconcilerIamPolicy } from "./iam-policy.ts";

const ROOT = join(import.meta.dirname, "..", "..");
const OUT = "arn:aws:elasticloadbalancing:us-east-1:123456789012:listener/app/public-1/50dc6c495c0c9188/f2f7dc8efc522ab2";
const IN = "arn:aws:elasticloadbalancing:us-east-1:123456789012:listener/app/internal-1/60dc6c495c0c9188/a2f7dc8efc522ab3";

interface Options {
  dns?: Partial<DnsConfig>;
  certificates?: Partial<CertificatesConfig>;
  domains?: DomainConfig[];
  listeners?: { "alb-out"?: string; "alb-in"?: string };
}

function config(options: Options): PlatformConfig {
  const base = aConfig({
    dns: { ownerId: "hostgate-prod", ...options.dns },
    ...(options.certificates === undefined ? {} : { certificates: options.certificates }),
    ...(options.listeners === undefined ? {} : { listenerArns: options.listeners }),
  });
  return options.domains === undefined ? base : { ...base, domains: options.domains };
}

const statement = (policy: IamPolicy, sid: string): IamStatement | undefined => policy.Statement.find((s) => s.Sid === sid);
const sids = (policy: IamPolicy) => policy.Statement.map((s) => s.Sid);
/** Every action the policy allows, with the resources it allows it on. */
const actions = (policy: IamPolicy) => policy.Statement.flatMap((s) => s.Action.map((a) => `${a} on ${[s.Resource].flat().join(" ")}`)).sort();

const ROUTE53 = ["ReadConfiguredZones", "ChangeHostgateRecordsInConfiguredZones", "WaitForChanges"];
const ACM_READ = ["ListCertificates", "ReadCertificates", "TagOnlyWithHostgateOwner"];
const LISTENERS = ["ReadListenerCertificates", "AttachCertificatesToConfiguredListeners"];

describe("reconcilerIamPolicy", () => {
  const cases = [
    {
      name: "dns none and certificates none need no statement at all",
      options: {},
      sids: [],
    },
    {
      name: "route53 without certificates grants Route53 only",
      options: { dns: { provider: "route53" as const } },
      sids: ROUTE53,
    },
    {
      name: "external-dns calls no AWS API (external-dns has its own credentials): no Route53 statement",
      options: { dns: { provider: "external-dns" as const } },
      sids: [],
    },
    {
      name: "route53 with ACM certificates adds ACM requests and deletes and the listeners",
      options: { dns: { provider: "route53" as const }, certificates: { provider: "acm" as const }, listeners: { "alb-out": OUT, "alb-in": IN } },
      sids: [...ROUTE53, ...ACM_READ, "RequestOwnedDnsValidatedCertificatesForConfiguredApexes", "DeleteOwnedCertificates", ...LISTENERS],
    },
    {
      name: "cert-manager importing into ACM imports instead of requesting, and touches no Route53 without it",
      options: {
        dns: { provider: "external-dns" as const },
        certificates: {
          provider: "cert-manager" as const,
          certManager: { issuerRef: { kind: "ClusterIssuer" as const, name: "le", group: "cert-manager.io" }, namespace: "hostgate-system", importToAcm: true },
        },
        listeners: { "alb-out": OUT, "alb-in": IN },
      },
      sids: [...ACM_READ, "ImportNewOwnedCertificates", "ReimportOwnedCertificates", "DeleteOwnedCertificates", ...LISTENERS],
    },
    {
      name: "cert-manager without importToAcm calls no AWS API",
      options: {
        certificates: {
          provider: "cert-manager" as const,
          certManager: {
            issuerRef: { kind: "ClusterIssuer" as const, name: "le", group: "cert-manager.io" },
            namespace: "hostgate-system",
            importToAcm: false,
          },
        },
      },
      sids: [],
    },
    {
      name: "ACM without any listener configured reads listener certificates but attaches to none",
      options: { dns: { provider: "route53" as const }, certificates: { provider: "acm" as const } },
      sids: [...ROUTE53, ...ACM_READ, "RequestOwnedDnsValidatedCertificatesForConfiguredApexes", "DeleteOwnedCertificates", "ReadListenerCertificates"],
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      assert.deepEqual(sids(reconcilerIamPolicy(config(c.options))), c.sids);
    });
  }

  const zoneCases = [
    {
      name: "one zone per apex",
      domains: [{ apex: "example.com", zoneId: "Z0123456789ABC", additionalZoneIds: [] }],
      zones: ["Z0123456789ABC"],
      names: ["*.example.com", "example.com"],
    },
    {
      name: "additionalZoneIds join their apex's zone, sorted and without repeats",
      domains: [
        { apex: "example.com", zoneId: "Z0123456789ABC", additionalZoneIds: ["Z0PRIVATE0002", "Z0PRIVATE0001"] },
        { apex: "corp.example.net", zoneId: "Z0INTERNAL42XYZ", additionalZoneIds: ["Z0PRIVATE0001"] },
      ],
      zones: ["Z0123456789ABC", "Z0INTERNAL42XYZ", "Z0PRIVATE0001", "Z0PRIVATE0002"],
      names: ["*.corp.example.net", "*.example.com", "corp.example.net", "example.com"],
    },
    {
      name: "a zone id written with its /hostedzone/ prefix is named once, bare",
      domains: [{ apex: "example.com", zoneId: "/hostedzone/Z0123456789ABC", additionalZoneIds: ["Z0123456789ABC"] }],
      zones: ["Z0123456789ABC"],
      names: ["*.example.com", "example.com"],
    },
  ];
  for (const c of zoneCases) {
    it(`Route53: ${c.name}`, () => {
      const policy = reconcilerIamPolicy(config({ dns: { provider: "route53" }, domains: c.domains }));
      const arns = c.zones.map((z) => `arn:aws:route53:::hostedzone/${z}`);
      assert.deepEqual(statement(policy, "ReadConfiguredZones")?.Resource, arns);
      const change = statement(policy, "ChangeHostgateRecordsInConfiguredZones")!;
      assert.deepEqual(change.Resource, arns);
      assert.deepEqual(change.Condition, {
        "ForAllValues:StringEquals": { "route53:ChangeResourceRecordSetsRecordTypes": ["A", "AAAA", "CNAME", "TXT"] },
        "ForAllValues:StringLike": { "route53:ChangeResourceRecordSetsNormalizedRecordNames": c.names },
      });
    });
  }

  it("grants nothing on every zone or every listener: no wildcard resource but where AWS has no resource-level permission", () => {
    const policy = reconcilerIamPolicy(
      config({ dns: { provider: "route53" }, certificates: { provider: "acm" }, listeners: { "alb-out": OUT, "alb-in": IN } }),
    );
    const everywhere = policy.Statement.filter((s) => [s.Resource].flat().some((r) => r === "*" || r.endsWith(":hostedzone/*") || r.endsWith(":listener/*")));
    assert.deepEqual(
      everywhere.flatMap((s) => s.Action),
      ["acm:ListCertificates", "elasticloadbalancing:DescribeListenerCertificates"],
    );
    assert.deepEqual(statement(policy, "AttachCertificatesToConfiguredListeners")?.Resource, [IN, OUT]);
  });

  it("lets ACM delete only certificates tagged with the owner id, and request only DNS-validated, owner-tagged ones under the apexes", () => {
    const policy = reconcilerIamPolicy(
      config({ dns: { provider: "route53", ownerId: "cluster-b" }, certificates: { provider: "acm" }, listeners: { "alb-out": OUT } }),
    );
    assert.deepEqual(statement(policy, "DeleteOwnedCertificates")?.Condition, { StringEquals: { "aws:ResourceTag/hostgate.dev/owner": "cluster-b" } });
    assert.deepEqual(statement(policy, "RequestOwnedDnsValidatedCertificatesForConfiguredApexes")?.Condition, {
      StringEquals: { "aws:RequestTag/hostgate.dev/owner": "cluster-b", "acm:ValidationMethod": "DNS" },
      "ForAllValues:StringEquals": { "aws:TagKeys": ["hostgate.dev/owner", "hostgate.dev/wildcard"] },
      "ForAllValues:StringLike": { "acm:DomainNames": ["*.example.com", "example.com"] },
    });
    // Certificates of the listener's region and account only.
    assert.deepEqual(statement(policy, "DeleteOwnedCertificates")?.Resource, ["arn:aws:acm:us-east-1:123456789012:certificate/*"]);
  });

  it("takes the partition from the listeners, or from the option", () => {
    const china = "arn:aws-cn:elasticloadbalancing:cn-north-1:123456789012:listener/app/public-1/50dc6c495c0c9188/f2f7dc8efc522ab2";
    const options = { dns: { provider: "route53" as const }, certificates: { provider: "acm" as const }, listeners: { "alb-out": china } };
    const resources = (policy: IamPolicy) => policy.Statement.flatMap((s) => [s.Resource].flat()).filter((r) => r !== "*");
    assert.ok(resources(reconcilerIamPolicy(config(options))).every((r) => r.startsWith("arn:aws-cn:")));
    assert.ok(
      resources(reconcilerIamPolicy(config({ dns: { provider: "route53" } }), { partition: "aws-us-gov" })).every((r) => r.startsWith("arn:aws-us-gov:")),
    );
  });

  it("refuses to grant ACM rights without an owner id to condition them on", () => {
    assert.throws(
      () => reconcilerIamPolicy(config({ dns: { provider: "route53", ownerId: "" }, certificates: { provider: "acm" }, listeners: { "alb-out": OUT } })),
      /dns\.ownerId is not set/,
    );
  });

  it("grants exactly the AWS calls the reconciler's adapters make", () => {
    const called = (file: string) => [...readFileSync(join(ROOT, file), "utf8").matchAll(/new (\w+)Command\(/g)].map((m) => m[1]!);
    const route53 = called("reconciler/dns/route53/sdk-route53.ts").map((c) => `route53:${c}`);
    const acm = called("reconciler/certificates/aws/sdk-acm.ts").map((c) => `acm:${c}`);
    const elb = called("reconciler/certificates/aws/sdk-listener.ts").map((c) => `elasticloadbalancing:${c}`);
    const all = reconcilerIamPolicy(config({ dns: { provider: "route53" }, certificates: { provider: "acm" }, listeners: { "alb-out": OUT, "alb-in": IN } }));
    const imports = reconcilerIamPolicy(
      config({
        dns: { provider: "route53" },
        certificates: {
          provider: "cert-manager",
          certManager: { issuerRef: { kind: "ClusterIssuer", name: "le", group: "cert-manager.io" }, namespace: "n", importToAcm: true },
        },
        listeners: { "alb-out": OUT, "alb-in": IN },
      }),
    );
    const granted = new Set([...all.Statement, ...imports.Statement].flatMap((s) => s.Action));
    // AddTagsToCertificate: IAM checks it for the tags a request or an import carries.
    assert.deepEqual([...granted].sort(), [...new Set([...route53, ...acm, ...elb, "acm:AddTagsToCertificate"])].sort());
    assert.ok(actions(all).length > 0);
  });

  it("stays within a managed policy's size for a typical installation", () => {
    const domains = Array.from({ length: 10 }, (_, i) => ({
      apex: `team-${i}.example.com`,
      zoneId: `Z0${i}ABCDEFGHIJKLMN`,
      additionalZoneIds: [`Z0${i}PRIVATE0000000`],
    }));
    const policy = reconcilerIamPolicy(
      config({ dns: { provider: "route53" }, certificates: { provider: "acm" }, domains, listeners: { "alb-out": OUT, "alb-in": IN } }),
    );
    assert.ok(policySize(policy) < MANAGED_POLICY_LIMIT, `${policySize(policy)} characters`);
  });
});

describe("deploy/aws/iam-policy.example.json", () => {
  it("is what `hostgate iam-policy --config examples/platform-config-aws.yaml` prints", () => {
    const expected = reconcilerIamPolicy(loadPlatformConfig(join(ROOT, "examples", "platform-config-aws.yaml")));
    // Compared as JSON: the file is laid out by the formatter (biome), the command prints JSON.stringify's layout.
    assert.deepEqual(JSON.parse(readFileSync(join(ROOT, "deploy", "aws", "iam-policy.example.json"), "utf8")), expected);
  });
});
