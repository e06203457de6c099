import assert from "node:assert/strict";
import { afterEach, beforeEach, describe, it } from "node:test";
import {
  AddListenerCertificatesCommand,
  CertificateNotFoundException,
  DescribeListenerCertificatesCommand,
  ElasticLoadBalancingV2Client,
  ElasticLoadBalancingV2ServiceException,
  ListenerNotFoundException,
  RemoveListenerCertificatesCommand,
  TooManyCertificatesException,
} from "@aws-sdk/client-elastic-load-balancing-v2";
import { type AwsStub, mockClient } from "aws-sdk-client-mock";
import { ListenerRejectedError, ListenerUnavailableError } from "../listener-port.ts";
import { SdkListener } from "./sdk-listener.ts";

const LISTENER = "arn:aws:elasticloadbalancing:eu-west-1:123456789012:listener/app/alb-out/50dc6c495c0c9188/f2f7dc8efc522ab2";
const cert = (n: number) => `arn:aws:acm:eu-west-1:123456789012:certificate/c${n}`;
const $metadata = { httpStatusCode: 400 };
const serviceError = (name: string, httpStatusCode = 400) =>
  new ElasticLoadBalancingV2ServiceException({
    name,
    $fault: httpStatusCode >= 500 ? "server" : "client",
    $metadata: { httpStatusCode },
    message: `${name} happened`,
  });

let elb: AwsStub<any, any, any>;
let sleeps: number[];
let port: SdkListener;

beforeEach(() => {
  elb = mockClient(ElasticLoadBalancingV2Client);
  sleeps = [];
  port = new SdkListener(new ElasticLoadBalancingV2Client({ region: "eu-west-1" }), { sleep: async (ms) => void sleeps.push(ms), random: () => 0 });
});
afterEach(() => elb.restore());

const inputs = (command: any) => elb.commandCalls(command).map((call) => call.args[0].input);

describe("SdkListener", () => {
  it("pages the listener's certificates with Marker, the default one flagged", async () => {
    elb
      .on(DescribeListenerCertificatesCommand)
      .resolvesOnce({
        Certificates: [
          { CertificateArn: cert(0), IsDefault: true },
          { CertificateArn: cert(1), IsDefault: false },
        ],
        NextMarker: "m1",
      })
      .resolvesOnce({ Certificates: [{ CertificateArn: cert(2) }] });
    assert.deepEqual(await port.listCertificates(LISTENER), [
      { arn: cert(0), isDefault: true },
      { arn: cert(1), isDefault: false },
      { arn: cert(2), isDefault: false },
    ]);
    assert.deepEqual(inputs(DescribeListenerCertificatesCommand), [
      { ListenerArn: LISTENER, PageSize: 400 },
      { ListenerArn: LISTENER, PageSize: 400, Marker: "m1" },
    ]);
  });

  it("adds and removes one certificate per call, each once, and sends nothing for none", async () => {
    elb.on(AddListenerCertificatesCommand).resolves({});
    elb.on(RemoveListenerCertificatesCommand).resolves({});
    await port.addCertificates(LISTENER, [cert(1), cert(2), cert(1)]);
    await port.removeCertificates(LISTENER, [cert(3)]);
    await port.addCertificates(LISTENER, []);
    assert.deepEqual(inputs(AddListenerCertificatesCommand), [
      { ListenerArn: LISTENER, Certificates: [{ CertificateArn: cert(1) }] },
      { ListenerArn: LISTENER, Certificates: [{ CertificateArn: cert(2) }] },
    ]);
    assert.deepEqual(inputs(RemoveListenerCertificatesCommand), [{ ListenerArn: LISTENER, Certificates: [{ CertificateArn: cert(3) }] }]);
  });

  it("retries ELBv2's Throttling, then adds", async () => {
    elb.on(AddListenerCertificatesCommand).rejectsOnce(serviceError("Throttling")).resolves({});
    await port.addCertificates(LISTENER, [cert(1)]);
    assert.deepEqual(sleeps, [500]);
    assert.equal(inputs(AddListenerCertificatesCommand).length, 2);
  });

  const cases: {
    name: string;
    error: () => Error;
    type: typeof ListenerRejectedError | typeof ListenerUnavailableError;
    code: string;
    attempts: number;
    message: RegExp;
  }[] = [
    {
      name: "TooManyCertificates is rejected, naming the quota and the setting to raise",
      error: () => new TooManyCertificatesException({ $metadata, message: "too many" }),
      type: ListenerRejectedError,
      code: "TooManyCertificates",
      attempts: 1,
      message: /has no room for certificate \S+c1 .*Service Quotas.*certificates\.listenerCertificateLimit/,
    },
    {
      name: "CertificateNotFound is rejected, saying the certificate must be issued in the listener's region",
      error: () => new CertificateNotFoundException({ $metadata, message: "not found" }),
      type: ListenerRejectedError,
      code: "CertificateNotFound",
      attempts: 1,
      message: /cannot use certificate \S+c1 on listener .*ISSUED/,
    },
    {
      name: "ListenerNotFound is rejected, pointing at the platform config's listenerArn",
      error: () => new ListenerNotFoundException({ $metadata, message: "no listener" }),
      type: ListenerRejectedError,
      code: "ListenerNotFound",
      attempts: 1,
      message: /Listener \S+ does not exist .*listenerArn/,
    },
    {
      name: "a denial is unavailable at once, naming the ELBv2 action and the listener",
      error: () => serviceError("AccessDenied", 403),
      type: ListenerUnavailableError,
      code: "AccessDenied",
      attempts: 1,
      message: /denied elasticloadbalancing:AddListenerCertificates on arn:aws:elasticloadbalancing:\S+listener\S+ .*IAM policy/,
    },
    {
      name: "throttling on every attempt ends unavailable after 6 attempts",
      error: () => serviceError("Throttling"),
      type: ListenerUnavailableError,
      code: "Throttling",
      attempts: 6,
      message: /still throttled after 6 attempts/,
    },
    {
      name: "a 503 on every attempt ends unavailable after 6 attempts",
      error: () => serviceError("ServiceUnavailable", 503),
      type: ListenerUnavailableError,
      code: "ServiceUnavailable",
      attempts: 6,
      message: /on the service's side after 6 attempts/,
    },
  ];
  for (const c of cases) {
    it(c.name, async () => {
      elb.on(AddListenerCertificatesCommand).callsFake(() => Promise.reject(c.error()));
      await assert.rejects(port.addCertificates(LISTENER, [cert(1), cert(2)]), (error: unknown) => {
        assert.ok(error instanceof c.type, String(error));
        assert.equal((error as ListenerRejectedError).code, c.code);
        assert.match((error as Error).message, c.message);
        return true;
      });
      // The first certificate's failure stops the add: the second is never sent.
      assert.equal(inputs(AddListenerCertificatesCommand).length, c.attempts);
    });
  }
});
