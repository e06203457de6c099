// The fake ACM is a test oracle for the certificate controller: these tests pin
// the ACM behaviours it claims (idempotency, late validation records, issuance
// on DNS, in-use deletes, imports and re-imports).
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { ManualClock } from "../../../core/clock.ts";
import type { CertificateRequest } from "../acm-port.ts";
import { AcmInUseError, AcmRejectedError, AcmUnavailableError } from "../acm-port.ts";
import { validationRecordFor } from "./acm-names.ts";
import { FakeAcm } from "./fake-acm.ts";
import { FakeRoute53 } from "../../dns/route53/testing/fake-route53.ts";
import { fakeCertificateAws, validationInRoute53, validationInSet, validationInZones, validationKey } from "./fake-aws.ts";
import { serverPair } from "./pem-fixtures.ts";

const HOUR = 3_600_000;
const LISTENER = "arn:aws:elasticloadbalancing:us-east-1:123456789012:listener/app/alb-out/50dc6c495c0c9188/f2f7dc8efc522ab2";
const BALANCER = "arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/app/alb-out/50dc6c495c0c9188";

function wildcard(apex: string, token = "tok1", tags: Record<string, string> = { "hostgate.dev/owner": "prod" }): CertificateRequest {
  return { domainName: `*.${apex}`, subjectAlternativeNames: [apex], idempotencyToken: token, tags };
}

describe("FakeAcm requestCertificate", () => {
  const cases: { name: string; second: CertificateRequest; after: number; same: boolean }[] = [
    { name: "the same token and names within the hour return the same ARN", second: wildcard("example.com"), after: 59 * 60_000, same: true },
    { name: "the same token after the hour requests a new certificate", second: wildcard("example.com"), after: HOUR, same: false },
    { name: "the same token for other names requests a new certificate", second: wildcard("example.org"), after: 0, same: false },
    { name: "another token for the same names requests a new certificate", second: wildcard("example.com", "tok2"), after: 0, same: false },
  ];

  it("the same token within the hour answers the ARN of a certificate deleted since (one certificate per token)", async () => {
    const clock = new ManualClock();
    const acm = new FakeAcm({ clock });
    const first = await acm.requestCertificate(wildcard("example.com"));
    await acm.deleteCertificate(first);
    clock.advance(30 * 60_000);
    assert.equal(await acm.requestCertificate(wildcard("example.com")), first);
    assert.equal(await acm.describeCertificate(first), undefined);
  });
  for (const c of cases) {
    it(c.name, async () => {
      const clock = new ManualClock();
      const acm = new FakeAcm({ clock });
      const first = await acm.requestCertificate(wildcard("example.com"));
      clock.advance(c.after);
      const second = await acm.requestCertificate(c.second);
      assert.equal(first === second, c.same);
      assert.equal(acm.arns().length, c.same ? 1 : 2);
      assert.equal(acm.calls.requestCertificate, 2);
    });
  }

  const rejected: { name: string; request: CertificateRequest; code: string; message: RegExp }[] = [
    { name: "a token with a hyphen is refused", request: wildcard("example.com", "tok-1"), code: "ValidationException", message: /IdempotencyToken/ },
    { name: "a token over 32 characters is refused", request: wildcard("example.com", "t".repeat(33)), code: "ValidationException", message: /1 to 32/ },
    {
      name: "eleven names exceed the default quota of ten",
      request: { ...wildcard("example.com"), subjectAlternativeNames: Array.from({ length: 10 }, (_, i) => `n${i}.example.com`) },
      code: "LimitExceededException",
      message: /11 domain names exceed the quota of 10/,
    },
    { name: "an uppercase name is refused (names must come normalised)", request: wildcard("Example.com"), code: "ValidationException", message: /normalised/ },
    { name: "a trailing dot is refused", request: wildcard("example.com."), code: "ValidationException", message: /normalised/ },
    {
      name: "a wildcard below the first label is refused",
      request: { ...wildcard("example.com"), domainName: "a.*.example.com" },
      code: "ValidationException",
      message: /a\.\*\.example\.com/,
    },
  ];
  for (const c of rejected) {
    it(c.name, async () => {
      const acm = new FakeAcm();
      await assert.rejects(acm.requestCertificate(c.request), (error: unknown) => {
        assert.ok(error instanceof AcmRejectedError);
        assert.equal(error.code, c.code);
        assert.match(error.message, c.message);
        return true;
      });
      assert.deepEqual(acm.arns(), []);
    });
  }

  it("lists the DomainName first among the SANs, once, and keeps the tags", async () => {
    const acm = new FakeAcm();
    const arn = await acm.requestCertificate({ ...wildcard("example.com"), subjectAlternativeNames: ["*.example.com", "example.com"] });
    const certificate = await acm.describeCertificate(arn);
    assert.match(arn, /^arn:aws:acm:us-east-1:123456789012:certificate\/[0-9a-f-]{36}$/);
    assert.deepEqual(certificate?.subjectAlternativeNames, ["*.example.com", "example.com"]);
    assert.deepEqual(certificate?.tags, { "hostgate.dev/owner": "prod" });
    assert.equal(certificate?.type, "AMAZON_ISSUED");
    assert.equal(certificate?.status, "PENDING_VALIDATION");
    assert.equal(certificate?.notAfter, undefined);
  });
});

describe("FakeAcm validation records", () => {
  const cases: { name: string; describesBeforeRecords?: number; describes: number; shown: boolean }[] = [
    { name: "the first describe shows no record by default", describes: 1, shown: false },
    { name: "the second describe shows the records by default", describes: 2, shown: true },
    { name: "with three describes before records, the third shows none", describesBeforeRecords: 3, describes: 3, shown: false },
    { name: "with three describes before records, the fourth shows them", describesBeforeRecords: 3, describes: 4, shown: true },
    { name: "with no delay the first describe shows them", describesBeforeRecords: 0, describes: 1, shown: true },
  ];
  for (const c of cases) {
    it(c.name, async () => {
      const acm = new FakeAcm({ describesBeforeRecords: c.describesBeforeRecords });
      const arn = await acm.requestCertificate(wildcard("example.com"));
      let certificate;
      for (let i = 0; i < c.describes; i++) certificate = await acm.describeCertificate(arn);
      assert.deepEqual(
        certificate?.validation.map((v) => v.domainName),
        ["*.example.com", "example.com"],
      );
      assert.equal(
        certificate?.validation.every((v) => v.record !== undefined),
        c.shown,
      );
    });
  }

  it("gives *.x and x one record, shaped as ACM's, shared with every certificate of the account", async () => {
    const acm = new FakeAcm({ describesBeforeRecords: 0 });
    const first = await acm.describeCertificate(await acm.requestCertificate(wildcard("example.com")));
    const second = await acm.describeCertificate(await acm.requestCertificate({ ...wildcard("example.com", "other"), subjectAlternativeNames: [] }));
    const [wild, apex] = first!.validation.map((v) => v.record);
    assert.deepEqual(wild, apex);
    assert.deepEqual(second!.validation[0]?.record, wild);
    assert.match(wild!.name, /^_[0-9a-f]{32}\.example\.com$/);
    assert.match(wild!.value, /^_[0-9a-f]{32}\.[a-z]{10}\.acm-validations\.aws$/);
    assert.equal(wild!.type, "CNAME");
  });

  it("gives other accounts and other names other records", () => {
    assert.notDeepEqual(validationRecordFor("111111111111", "example.com"), validationRecordFor("222222222222", "example.com"));
    assert.notDeepEqual(validationRecordFor("111111111111", "example.com"), validationRecordFor("111111111111", "team.example.com"));
  });
});

describe("FakeAcm issuance", () => {
  const cases: { name: string; publish: "none" | "one" | "all"; advance: number; describes: number; status: string }[] = [
    { name: "stays pending while no validation CNAME is in DNS", publish: "none", advance: 0, describes: 3, status: "PENDING_VALIDATION" },
    { name: "stays pending while one of two names' CNAMEs is missing", publish: "one", advance: 0, describes: 3, status: "PENDING_VALIDATION" },
    { name: "is issued on the describe after its records show and their CNAMEs exist", publish: "all", advance: 0, describes: 2, status: "ISSUED" },
    { name: "is not issued before its records show, even with the CNAMEs in DNS", publish: "all", advance: 0, describes: 1, status: "PENDING_VALIDATION" },
    { name: "times out 72 hours after the request without its CNAMEs", publish: "none", advance: 72 * HOUR, describes: 2, status: "VALIDATION_TIMED_OUT" },
    { name: "expires when its not-after passes", publish: "all", advance: 396 * 24 * HOUR, describes: 2, status: "EXPIRED" },
  ];
  for (const c of cases) {
    it(c.name, async () => {
      const clock = new ManualClock();
      const published = new Set<string>();
      const acm = new FakeAcm({ clock, validationExists: validationInSet(published) });
      const arn = await acm.requestCertificate({ ...wildcard("example.com"), subjectAlternativeNames: ["example.com", "other.org"] });
      const records = ["example.com", "other.org"].map((name) => validationRecordFor("123456789012", name));
      for (const record of c.publish === "none" ? [] : c.publish === "one" ? records.slice(0, 1) : records) published.add(validationKey(record));
      for (let i = 0; i < c.describes - 1; i++) await acm.describeCertificate(arn);
      // Expiry needs the certificate issued first: one more describe before the clock moves.
      if (c.status === "EXPIRED") assert.equal((await acm.describeCertificate(arn))?.status, "ISSUED");
      clock.advance(c.advance);
      const certificate = await acm.describeCertificate(arn);
      assert.equal(certificate?.status, c.status);
    });
  }

  it("sets not-after from the issue time and the validity", async () => {
    const clock = new ManualClock();
    const acm = new FakeAcm({ clock, describesBeforeRecords: 0, validationExists: () => true, validityDays: 198 });
    const arn = await acm.requestCertificate(wildcard("example.com"));
    clock.advance(HOUR);
    assert.equal((await acm.describeCertificate(arn))?.notAfter, "2030-07-18T01:00:00Z");
  });

  it("is issued once the validation CNAME is written to the fake Route53, read without a Route53 request", async () => {
    const route53 = new FakeRoute53();
    route53.addZone("Z1", "example.com");
    const acm = new FakeAcm({ validationExists: validationInZones(route53, ["Z1"]) });
    const arn = await acm.requestCertificate(wildcard("example.com"));
    await acm.describeCertificate(arn);
    const record = (await acm.describeCertificate(arn))!.validation[0]!.record!;
    assert.equal(acm.peek(arn)?.status, "PENDING_VALIDATION");
    await route53.changeRecords("Z1", [{ action: "CREATE", record: { name: record.name, type: "CNAME", ttl: 300, values: [record.value] } }]);
    assert.equal((await acm.describeCertificate(arn))?.status, "ISSUED");
    assert.equal(route53.counts.listRecords, 0);
  });

  it("checks the records through any Route53Port, trailing dots and case aside", async () => {
    const record = validationRecordFor("123456789012", "example.com");
    const zones: Record<string, { name: string; type: string; values: string[] }[]> = {
      Z1: [{ name: "example.com", type: "A", values: ["192.0.2.1"] }],
      Z2: [{ name: record.name, type: "CNAME", values: [`${record.value.toUpperCase()}.`] }],
    };
    const route53 = {
      listRecords: async (zoneId: string) => zones[zoneId] ?? [],
      getZone: async () => assert.fail("not used"),
      changeRecords: async () => assert.fail("not used"),
      changeStatus: async () => assert.fail("not used"),
    };
    const acm = new FakeAcm({ describesBeforeRecords: 0, validationExists: validationInRoute53(route53, ["Z1", "Z2"]) });
    const arn = await acm.requestCertificate(wildcard("example.com"));
    assert.equal((await acm.describeCertificate(arn))?.status, "ISSUED");
  });
});

describe("FakeAcm listCertificates, deleteCertificate and InUseBy", () => {
  it("lists certificates of every status and type", async () => {
    const acm = new FakeAcm();
    const statuses = ["ISSUED", "EXPIRED", "FAILED", "REVOKED", "INACTIVE"] as const;
    for (const status of statuses) acm.seed({ domainName: `${status.toLowerCase()}.example.com`, status });
    await acm.requestCertificate(wildcard("example.com"));
    const listed = await acm.listCertificates();
    assert.deepEqual(
      listed.map((c) => c.domainName),
      [...statuses.map((s) => `${s.toLowerCase()}.example.com`), "*.example.com"],
    );
    assert.equal(acm.calls.listCertificates, 1);
  });

  const deletes: { name: string; attach: boolean; exists: boolean; outcome: "deleted" | "in use" | "resolved" }[] = [
    { name: "deletes a certificate no load balancer uses", attach: false, exists: true, outcome: "deleted" },
    { name: "refuses to delete a certificate a listener holds", attach: true, exists: true, outcome: "in use" },
    { name: "resolves for a certificate already gone (a retried delete)", attach: false, exists: false, outcome: "resolved" },
  ];
  for (const c of deletes) {
    it(c.name, async () => {
      const { acm, listener } = fakeCertificateAws();
      listener.addListener(LISTENER);
      const arn = acm.seed({ domainName: "*.example.com" });
      if (c.attach) await listener.addCertificates(LISTENER, [arn]);
      if (!c.exists) await acm.deleteCertificate(arn);
      if (c.outcome === "in use") {
        await assert.rejects(acm.deleteCertificate(arn), (error: unknown) => error instanceof AcmInUseError && error.message.includes(arn));
        assert.deepEqual(acm.peek(arn)?.inUseBy, [BALANCER]);
      } else {
        await acm.deleteCertificate(arn);
        assert.equal(await acm.describeCertificate(arn), undefined);
      }
    });
  }

  it("shows InUseBy following the listeners: attached, then detached", async () => {
    const { acm, listener } = fakeCertificateAws();
    listener.addListener(LISTENER);
    const arn = acm.seed({ domainName: "*.example.com" });
    assert.deepEqual((await acm.describeCertificate(arn))?.inUseBy, []);
    await listener.addCertificates(LISTENER, [arn]);
    assert.deepEqual((await acm.describeCertificate(arn))?.inUseBy, [BALANCER]);
    await listener.removeCertificates(LISTENER, [arn]);
    assert.deepEqual((await acm.describeCertificate(arn))?.inUseBy, []);
    await acm.deleteCertificate(arn);
    assert.deepEqual(acm.arns(), []);
  });

  it("fails the queued call once, then answers again", async () => {
    const acm = new FakeAcm();
    acm.failNext("listCertificates", new AcmUnavailableError("ThrottlingException", "Rate exceeded"));
    await assert.rejects(acm.listCertificates(), AcmUnavailableError);
    assert.deepEqual(await acm.listCertificates(), []);
    assert.equal(acm.calls.listCertificates, 2);
    assert.equal(acm.totalCalls(), 2);
  });
});

describe("FakeAcm importCertificate", () => {
  const T0 = new ManualClock().now();

  it("imports a new certificate as IMPORTED and ISSUED with its names, not-after and tags", async () => {
    const acm = new FakeAcm();
    const pair = await serverPair(T0, ["*.example.com", "example.com"], { days: 90 });
    const arn = await acm.importCertificate({ certificate: pair.certPem, privateKey: pair.keyPem, chain: pair.caPem, tags: { "hostgate.dev/owner": "prod" } });
    const certificate = acm.peek(arn);
    assert.equal(certificate?.type, "IMPORTED");
    assert.equal(certificate?.status, "ISSUED");
    assert.equal(certificate?.domainName, "*.example.com");
    assert.deepEqual(certificate?.subjectAlternativeNames, ["*.example.com", "example.com"]);
    assert.equal(certificate?.notAfter, "2030-04-01T00:00:00Z");
    assert.deepEqual(certificate?.tags, { "hostgate.dev/owner": "prod" });
    assert.deepEqual(certificate?.validation, []);
  });

  it("re-imports a renewal into the same ARN, keeping its tags and its listeners", async () => {
    const { acm, listener } = fakeCertificateAws();
    listener.addListener(LISTENER);
    const first = await serverPair(T0, ["*.example.com"], { days: 90 });
    const arn = await acm.importCertificate({ certificate: first.certPem, privateKey: first.keyPem, tags: { "hostgate.dev/owner": "prod" } });
    await listener.addCertificates(LISTENER, [arn]);
    const renewal = await serverPair(T0, ["*.example.com"], { days: 120 });
    assert.equal(await acm.importCertificate({ arn, certificate: renewal.certPem, privateKey: renewal.keyPem }), arn);
    const certificate = acm.peek(arn);
    assert.equal(certificate?.notAfter, "2030-05-01T00:00:00Z");
    assert.deepEqual(certificate?.tags, { "hostgate.dev/owner": "prod" });
    assert.deepEqual(certificate?.inUseBy, [BALANCER]);
    assert.equal(acm.arns().length, 1);
  });

  const refused: { name: string; make: (acm: FakeAcm) => Promise<Parameters<FakeAcm["importCertificate"]>[0]>; code: string; message: RegExp }[] = [
    {
      name: "tags on a re-import are refused, as ACM does",
      make: async (acm) => {
        const pair = await serverPair(T0, ["a.example.com"]);
        const arn = await acm.importCertificate({ certificate: pair.certPem, privateKey: pair.keyPem });
        return { arn, certificate: pair.certPem, privateKey: pair.keyPem, tags: { a: "b" } };
      },
      code: "ValidationException",
      message: /Tagging is not permitted on re-import/,
    },
    {
      name: "a re-import into a certificate ACM issued is refused",
      make: async (acm) => {
        const pair = await serverPair(T0, ["a.example.com"]);
        return { arn: acm.seed({ domainName: "a.example.com" }), certificate: pair.certPem, privateKey: pair.keyPem };
      },
      code: "ValidationException",
      message: /was not imported/,
    },
    {
      name: "a re-import into an unknown ARN is refused",
      make: async () => {
        const pair = await serverPair(T0, ["a.example.com"]);
        return {
          arn: "arn:aws:acm:us-east-1:123456789012:certificate/00000000-0000-4000-8000-00000000ffff",
          certificate: pair.certPem,
          privateKey: pair.keyPem,
        };
      },
      code: "ResourceNotFoundException",
      message: /does not exist/,
    },
    {
      name: "a key that is not the certificate's is refused",
      make: async () => {
        const [pair, other] = [await serverPair(T0, ["a.example.com"]), await serverPair(T0, ["a.example.com"])];
        return { certificate: pair.certPem, privateKey: other.keyPem };
      },
      code: "ValidationException",
      message: /does not match/,
    },
    {
      name: "an expired certificate is refused",
      make: async () => {
        const pair = await serverPair(T0 - 200 * 86_400_000, ["a.example.com"], { days: 90 });
        return { certificate: pair.certPem, privateKey: pair.keyPem };
      },
      code: "ValidationException",
      message: /not valid now/,
    },
    {
      name: "text that is not PEM is refused",
      make: async () => ({ certificate: "not a certificate", privateKey: "not a key" }),
      code: "ValidationException",
      message: /exactly one PEM certificate/,
    },
  ];
  for (const c of refused) {
    it(c.name, async () => {
      const acm = new FakeAcm();
      const request = await c.make(acm);
      await assert.rejects(acm.importCertificate(request), (error: unknown) => {
        assert.ok(error instanceof AcmRejectedError);
        assert.equal(error.code, c.code);
        assert.match(error.message, c.message);
        return true;
      });
    });
  }
});
