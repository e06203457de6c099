import assert from "node:assert/strict";
import { afterEach, beforeEach, describe, it } from "node:test";
import {
  ACMClient,
  ACMServiceException,
  DeleteCertificateCommand,
  DescribeCertificateCommand,
  ImportCertificateCommand,
  ListCertificatesCommand,
  AddTagsToCertificateCommand,
  ListTagsForCertificateCommand,
  RequestCertificateCommand,
} from "@aws-sdk/client-acm";
import { type AwsStub, mockClient } from "aws-sdk-client-mock";
import { AcmInUseError, AcmRejectedError, AcmUnavailableError } from "../acm-port.ts";
import { ALL_CERTIFICATE_STATUSES, ALL_KEY_TYPES, SdkAcm } from "./sdk-acm.ts";

const ARN = "arn:aws:acm:eu-west-1:123456789012:certificate/1f2e3d4c-0000-4000-8000-000000000001";
const serviceError = (name: string, httpStatusCode = 400, message = `${name} happened`) =>
  new ACMServiceException({ name, $fault: httpStatusCode >= 500 ? "server" : "client", $metadata: { httpStatusCode }, message });
const socketError = (code: string) => Object.assign(new Error(`socket ${code}`), { code });

let acm: AwsStub<any, any, any>;
let sleeps: number[];
let port: SdkAcm;

beforeEach(() => {
  acm = mockClient(ACMClient);
  sleeps = [];
  port = new SdkAcm(new ACMClient({ region: "eu-west-1" }), { sleep: async (ms) => void sleeps.push(ms), random: () => 0 });
});
afterEach(() => acm.restore());

const inputs = (command: any) => acm.commandCalls(command).map((call) => call.args[0].input);

describe("SdkAcm listCertificates", () => {
  it("asks for every status and every key type and pages with NextToken", async () => {
    acm
      .on(ListCertificatesCommand)
      .resolvesOnce({ CertificateSummaryList: [{ CertificateArn: "arn:1", DomainName: "*.Example.COM." }], NextToken: "t1" })
      .resolvesOnce({ CertificateSummaryList: [{ CertificateArn: "arn:2", DomainName: "example.org" }], NextToken: "t2" })
      .resolvesOnce({ CertificateSummaryList: [{ CertificateArn: "arn:3", DomainName: "example.net" }] })
      // The list without a key type filter (below) adds nothing here.
      .resolves({ CertificateSummaryList: [{ CertificateArn: "arn:2", DomainName: "example.org" }] });
    assert.deepEqual(await port.listCertificates(), [
      { arn: "arn:1", domainName: "*.example.com" },
      { arn: "arn:2", domainName: "example.org" },
      { arn: "arn:3", domainName: "example.net" },
    ]);
    const every = {
      CertificateStatuses: ["EXPIRED", "FAILED", "INACTIVE", "ISSUED", "PENDING_VALIDATION", "REVOKED", "VALIDATION_TIMED_OUT"],
      Includes: { keyTypes: ["EC_prime256v1", "EC_secp384r1", "EC_secp521r1", "RSA_1024", "RSA_2048", "RSA_3072", "RSA_4096"] },
      MaxItems: 1000,
    };
    assert.deepEqual(inputs(ListCertificatesCommand).slice(0, 3), [every, { ...every, NextToken: "t1" }, { ...every, NextToken: "t2" }]);
  });

  it("also lists without a key type filter and merges by ARN, so a service that ignores or mishandles keyTypes still shows every certificate", async () => {
    // LocalStack answered a keyTypes filter with no certificate at all (localstack/localstack#13461); ACM answers the filterless list with a subset.
    acm
      .on(ListCertificatesCommand, { Includes: { keyTypes: [...ALL_KEY_TYPES] } })
      .resolves({ CertificateSummaryList: [{ CertificateArn: "arn:ec", DomainName: "*.example.com" }] })
      .on(ListCertificatesCommand, { Includes: undefined }, false)
      .resolvesOnce({ CertificateSummaryList: [{ CertificateArn: "arn:rsa", DomainName: "example.org" }], NextToken: "d1" })
      .resolvesOnce({ CertificateSummaryList: [{ CertificateArn: "arn:ec", DomainName: "*.example.com" }] });
    assert.deepEqual(await port.listCertificates(), [
      { arn: "arn:ec", domainName: "*.example.com" },
      { arn: "arn:rsa", domainName: "example.org" },
    ]);
    const unfiltered = inputs(ListCertificatesCommand).filter((input) => input.Includes === undefined);
    assert.deepEqual(unfiltered, [
      { CertificateStatuses: [...ALL_CERTIFICATE_STATUSES], MaxItems: 1000 },
      { CertificateStatuses: [...ALL_CERTIFICATE_STATUSES], MaxItems: 1000, NextToken: "d1" },
    ]);
  });

  it("includes every key type the SDK knows, not only RSA_2048 (ACM's default filter)", () => {
    assert.ok(ALL_KEY_TYPES.includes("EC_prime256v1") && ALL_KEY_TYPES.includes("RSA_4096") && ALL_KEY_TYPES.length >= 7);
  });
});

describe("SdkAcm describeCertificate", () => {
  it("joins the description and the tags into the port's certificate, names normalised", async () => {
    acm.on(DescribeCertificateCommand, { CertificateArn: ARN }).resolves({
      Certificate: {
        CertificateArn: ARN,
        DomainName: "*.Example.com",
        SubjectAlternativeNames: ["*.Example.com", "example.com."],
        Status: "ISSUED",
        Type: "AMAZON_ISSUED",
        NotAfter: new Date("2031-02-03T04:05:06.789Z"),
        InUseBy: ["arn:lb/b", "arn:lb/a"],
        DomainValidationOptions: [
          {
            DomainName: "*.example.com",
            ValidationMethod: "DNS",
            ResourceRecord: { Name: "_ABC.Example.com.", Type: "CNAME", Value: "_DEF.xyz.acm-validations.aws." },
          },
          { DomainName: "example.com", ValidationMethod: "DNS" },
        ],
      },
    });
    acm.on(ListTagsForCertificateCommand, { CertificateArn: ARN }).resolves({ Tags: [{ Key: "hostgate.dev/owner", Value: "prod" }, { Key: "empty" }] });
    assert.deepEqual(await port.describeCertificate(ARN), {
      arn: ARN,
      domainName: "*.example.com",
      subjectAlternativeNames: ["*.example.com", "example.com"],
      status: "ISSUED",
      type: "AMAZON_ISSUED",
      notAfter: "2031-02-03T04:05:06Z",
      validation: [
        { domainName: "*.example.com", record: { name: "_abc.example.com", type: "CNAME", value: "_def.xyz.acm-validations.aws" } },
        { domainName: "example.com" },
      ],
      inUseBy: ["arn:lb/a", "arn:lb/b"],
      tags: { "hostgate.dev/owner": "prod", empty: "" },
    });
  });

  const issued: { name: string; detail: Record<string, unknown>; issuedAt: string | undefined }[] = [
    {
      name: "carries IssuedAt as issuedAt for a certificate ACM issued",
      detail: { Type: "AMAZON_ISSUED", IssuedAt: new Date("2026-12-05T05:00:00.400Z") },
      issuedAt: "2026-12-05T05:00:00Z",
    },
    {
      name: "carries ImportedAt as issuedAt for an imported certificate",
      detail: { Type: "IMPORTED", ImportedAt: new Date("2026-12-05T05:01:02Z") },
      issuedAt: "2026-12-05T05:01:02Z",
    },
    { name: "has no issuedAt while ACM gives neither (still being validated)", detail: { Type: "AMAZON_ISSUED" }, issuedAt: undefined },
  ];
  for (const c of issued) {
    it(c.name, async () => {
      acm.on(DescribeCertificateCommand).resolves({ Certificate: { CertificateArn: ARN, DomainName: "a.example.com", Status: "ISSUED", ...c.detail } });
      acm.on(ListTagsForCertificateCommand).resolves({ Tags: [] });
      assert.equal((await port.describeCertificate(ARN))?.issuedAt, c.issuedAt);
    });
  }

  const missing: { name: string; describe: "found" | "missing"; tags: "found" | "missing" }[] = [
    { name: "is undefined when ACM has no such certificate", describe: "missing", tags: "found" },
    { name: "is undefined when the certificate is deleted between the describe and the tags", describe: "found", tags: "missing" },
  ];
  for (const c of missing) {
    it(c.name, async () => {
      const notFound = serviceError("ResourceNotFoundException");
      if (c.describe === "found")
        acm.on(DescribeCertificateCommand).resolves({ Certificate: { CertificateArn: ARN, DomainName: "a.example.com", Status: "ISSUED" } });
      else acm.on(DescribeCertificateCommand).rejects(notFound);
      if (c.tags === "found") acm.on(ListTagsForCertificateCommand).resolves({ Tags: [] });
      else acm.on(ListTagsForCertificateCommand).rejects(notFound);
      assert.equal(await port.describeCertificate(ARN), undefined);
      assert.deepEqual(sleeps, []);
    });
  }
});

describe("SdkAcm requests", () => {
  it("requests a DNS-validated certificate with its token, SANs without the DomainName, and sorted tags", async () => {
    acm.on(RequestCertificateCommand).resolves({ CertificateArn: ARN });
    const arn = await port.requestCertificate({
      domainName: "*.example.com",
      subjectAlternativeNames: ["*.example.com", "example.com", "example.com"],
      idempotencyToken: "hgwildcardexamplecom",
      tags: { "z-last": "1", "hostgate.dev/owner": "prod" },
    });
    assert.equal(arn, ARN);
    assert.deepEqual(inputs(RequestCertificateCommand), [
      {
        DomainName: "*.example.com",
        ValidationMethod: "DNS",
        IdempotencyToken: "hgwildcardexamplecom",
        SubjectAlternativeNames: ["example.com"],
        Tags: [
          { Key: "hostgate.dev/owner", Value: "prod" },
          { Key: "z-last", Value: "1" },
        ],
      },
    ]);
  });

  it("imports PEM as bytes: a new certificate with tags, a renewal into its ARN without", async () => {
    acm.on(ImportCertificateCommand).resolvesOnce({ CertificateArn: ARN }).resolvesOnce({ CertificateArn: ARN });
    acm.on(ListTagsForCertificateCommand).resolves({ Tags: [{ Key: "hostgate.dev/owner", Value: "prod" }] });
    assert.equal(await port.importCertificate({ certificate: "CERT", privateKey: "KEY", chain: "CHAIN", tags: { "hostgate.dev/owner": "prod" } }), ARN);
    assert.equal(await port.importCertificate({ arn: ARN, certificate: "CERT2", privateKey: "KEY2" }), ARN);
    const bytes = (text: string) => new TextEncoder().encode(text);
    assert.deepEqual(inputs(ImportCertificateCommand), [
      { Certificate: bytes("CERT"), PrivateKey: bytes("KEY"), CertificateChain: bytes("CHAIN"), Tags: [{ Key: "hostgate.dev/owner", Value: "prod" }] },
      { CertificateArn: ARN, Certificate: bytes("CERT2"), PrivateKey: bytes("KEY2") },
    ]);
  });

  const reimports: { name: string; before: { Key: string; Value: string }[]; after: { Key: string; Value: string }[]; restored?: unknown }[] = [
    {
      name: "a re-import that keeps the certificate's tags (as ACM does) tags nothing",
      before: [
        { Key: "hostgate.dev/owner", Value: "prod" },
        { Key: "hostgate.dev/wildcard", Value: "example.com" },
      ],
      after: [
        { Key: "hostgate.dev/owner", Value: "prod" },
        { Key: "hostgate.dev/wildcard", Value: "example.com" },
      ],
    },
    {
      name: "a re-import into a certificate whose tags the service dropped (moto, LocalStack) puts hostgate's tags back, and only those",
      before: [
        { Key: "team", Value: "platform" },
        { Key: "hostgate.dev/wildcard", Value: "example.com" },
        { Key: "hostgate.dev/owner", Value: "prod" },
      ],
      after: [],
      restored: {
        CertificateArn: ARN,
        Tags: [
          { Key: "hostgate.dev/owner", Value: "prod" },
          { Key: "hostgate.dev/wildcard", Value: "example.com" },
        ],
      },
    },
    {
      name: "a re-import into a certificate that carried none of hostgate's tags tags nothing",
      before: [{ Key: "team", Value: "platform" }],
      after: [],
    },
  ];
  for (const c of reimports) {
    it(c.name, async () => {
      acm.on(ImportCertificateCommand).resolves({ CertificateArn: ARN });
      acm.on(ListTagsForCertificateCommand).resolvesOnce({ Tags: c.before }).resolvesOnce({ Tags: c.after });
      acm.on(AddTagsToCertificateCommand).resolves({});
      assert.equal(await port.importCertificate({ arn: ARN, certificate: "CERT2", privateKey: "KEY2" }), ARN);
      assert.deepEqual(inputs(AddTagsToCertificateCommand), c.restored === undefined ? [] : [c.restored]);
    });
  }

  it("a new import reads and restores no tags (it sends its own)", async () => {
    acm.on(ImportCertificateCommand).resolves({ CertificateArn: ARN });
    await port.importCertificate({ certificate: "CERT", privateKey: "KEY", tags: { "hostgate.dev/owner": "prod" } });
    assert.deepEqual(inputs(ListTagsForCertificateCommand), []);
    assert.deepEqual(inputs(AddTagsToCertificateCommand), []);
  });

  const deletes: { name: string; error?: Error; outcome: "resolves" | "in use" }[] = [
    { name: "deletes a certificate", outcome: "resolves" },
    { name: "treats a certificate already gone as deleted", error: serviceError("ResourceNotFoundException"), outcome: "resolves" },
    { name: "answers AcmInUseError for ResourceInUseException", error: serviceError("ResourceInUseException"), outcome: "in use" },
  ];
  for (const c of deletes) {
    it(c.name, async () => {
      if (c.error === undefined) acm.on(DeleteCertificateCommand).resolves({});
      else acm.on(DeleteCertificateCommand).rejects(c.error);
      const attempt = port.deleteCertificate(ARN);
      if (c.outcome === "resolves") await attempt;
      else await assert.rejects(attempt, (error: unknown) => error instanceof AcmInUseError && error.message.includes(ARN));
      assert.deepEqual(inputs(DeleteCertificateCommand), [{ CertificateArn: ARN }]);
    });
  }
});

describe("SdkAcm retries and errors", () => {
  it("retries throttling with growing delays, then answers", async () => {
    acm
      .on(DescribeCertificateCommand)
      .rejectsOnce(serviceError("ThrottlingException"))
      .rejectsOnce(serviceError("ThrottlingException"))
      .resolves({ Certificate: { CertificateArn: ARN, DomainName: "a.example.com", Status: "ISSUED" } });
    acm.on(ListTagsForCertificateCommand).resolves({ Tags: [] });
    assert.equal((await port.describeCertificate(ARN))?.status, "ISSUED");
    assert.deepEqual(sleeps, [500, 1000]);
    assert.equal(inputs(DescribeCertificateCommand).length, 3);
  });

  const cases: {
    name: string;
    error: () => Error;
    type: typeof AcmRejectedError | typeof AcmUnavailableError;
    code: string;
    attempts: number;
    message: RegExp;
  }[] = [
    {
      name: "throttling on every attempt ends unavailable after 6 attempts",
      error: () => serviceError("ThrottlingException"),
      type: AcmUnavailableError,
      code: "ThrottlingException",
      attempts: 6,
      message: /ACM DeleteCertificate on arn:aws:acm:\S+ was still throttled after 6 attempts/,
    },
    {
      name: "a server failure on every attempt ends unavailable",
      error: () => serviceError("InternalServerException", 500),
      type: AcmUnavailableError,
      code: "InternalServerException",
      attempts: 6,
      message: /on the service's side after 6 attempts/,
    },
    {
      name: "a network failure on every attempt ends unavailable",
      error: () => socketError("ECONNREFUSED"),
      type: AcmUnavailableError,
      code: "ECONNREFUSED",
      attempts: 6,
      message: /could not reach the service/,
    },
    {
      name: "a denial is unavailable at once, naming the action, the certificate and the IAM fix",
      error: () => serviceError("AccessDeniedException"),
      type: AcmUnavailableError,
      code: "AccessDeniedException",
      attempts: 1,
      message: /denied acm:DeleteCertificate on arn:aws:acm:eu-west-1:123456789012:certificate\/\S+ .*allow acm:DeleteCertificate .*IAM policy/,
    },
    {
      name: "missing credentials are unavailable at once",
      error: () => serviceError("UnrecognizedClientException"),
      type: AcmUnavailableError,
      code: "UnrecognizedClientException",
      attempts: 1,
      message: /no usable AWS credentials/,
    },
    {
      name: "a conflict (another operation on the certificate still running) is unavailable, so the controller retries it with backoff",
      error: () => serviceError("ConflictException", 400, "resource is being updated"),
      type: AcmUnavailableError,
      code: "ConflictException",
      attempts: 1,
      message:
        /ACM DeleteCertificate on arn:aws:acm:\S+ met another operation still running on it \(ConflictException: resource is being updated\); the next pass tries again/,
    },
    {
      name: "a refused request is rejected at once with ACM's reason",
      error: () => serviceError("InvalidArnException", 400, "arn is not valid"),
      type: AcmRejectedError,
      code: "InvalidArnException",
      attempts: 1,
      message: /ACM refused DeleteCertificate on \S+ \(InvalidArnException: arn is not valid\)/,
    },
  ];
  for (const c of cases) {
    it(c.name, async () => {
      acm.on(DeleteCertificateCommand).callsFake(() => Promise.reject(c.error()));
      await assert.rejects(port.deleteCertificate(ARN), (error: unknown) => {
        assert.ok(error instanceof c.type, String(error));
        assert.equal((error as AcmRejectedError).code, c.code);
        assert.match((error as Error).message, c.message);
        return true;
      });
      assert.equal(inputs(DeleteCertificateCommand).length, c.attempts);
      assert.equal(sleeps.length, c.attempts - 1);
    });
  }

  it("a limit ACM reports on a request is rejected, not retried", async () => {
    acm.on(RequestCertificateCommand).rejects(serviceError("LimitExceededException", 400, "too many certificates"));
    await assert.rejects(
      port.requestCertificate({ domainName: "*.example.com", subjectAlternativeNames: [], idempotencyToken: "t", tags: {} }),
      (error: unknown) =>
        error instanceof AcmRejectedError && error.code === "LimitExceededException" && /RequestCertificate \(LimitExceededException/.test(error.message),
    );
    assert.equal(inputs(RequestCertificateCommand).length, 1);
  });
});
