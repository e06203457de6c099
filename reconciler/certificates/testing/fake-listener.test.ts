// The fake listeners are a test oracle for the certificate controller: these
// tests pin the ELBv2 behaviours they claim.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { ListenerRejectedError, ListenerUnavailableError } from "../listener-port.ts";
import { fakeCertificateAws } from "./fake-aws.ts";
import { FakeListener } from "./fake-listener.ts";

const LISTENER = "arn:aws:elasticloadbalancing:us-east-1:123456789012:listener/app/alb-out/50dc6c495c0c9188/f2f7dc8efc522ab2";
const OTHER = "arn:aws:elasticloadbalancing:us-east-1:123456789012:listener/app/alb-in/60dc6c495c0c9188/a2f7dc8efc522ab2";
const DEFAULT = "arn:aws:acm:us-east-1:123456789012:certificate/default";
const cert = (n: number): string => `arn:aws:acm:us-east-1:123456789012:certificate/c${n}`;

interface Step {
  op: "add" | "remove";
  arns: string[];
  listener?: string;
}

describe("FakeListener", () => {
  const cases: { name: string; limit?: number; steps: Step[]; held: string[]; error?: { code: string; message: RegExp } }[] = [
    { name: "adds certificates beside the default", steps: [{ op: "add", arns: [cert(1), cert(2)] }], held: [cert(1), cert(2)] },
    {
      name: "adding a certificate already there changes nothing",
      steps: [
        { op: "add", arns: [cert(1)] },
        { op: "add", arns: [cert(1), cert(1)] },
      ],
      held: [cert(1)],
    },
    {
      name: "removing a certificate not there changes nothing",
      steps: [
        { op: "add", arns: [cert(1)] },
        { op: "remove", arns: [cert(2)] },
      ],
      held: [cert(1)],
    },
    {
      name: "removes a certificate",
      steps: [
        { op: "add", arns: [cert(1), cert(2)] },
        { op: "remove", arns: [cert(1)] },
      ],
      held: [cert(2)],
    },
    {
      name: "takes certificates up to its limit, the default not counted",
      limit: 2,
      steps: [
        { op: "add", arns: [cert(1)] },
        { op: "add", arns: [cert(2)] },
      ],
      held: [cert(1), cert(2)],
    },
    {
      name: "refuses the certificate past its limit, keeping those added before it (one certificate per request)",
      limit: 2,
      steps: [
        { op: "add", arns: [cert(1)] },
        { op: "add", arns: [cert(2), cert(3)] },
      ],
      held: [cert(1), cert(2)],
      error: { code: "TooManyCertificates", message: /already holds 2 certificates, its limit/ },
    },
    {
      name: "refuses the 26th certificate by default",
      steps: [{ op: "add", arns: Array.from({ length: 26 }, (_, i) => cert(i + 10)) }],
      held: Array.from({ length: 25 }, (_, i) => cert(i + 10)),
      error: { code: "TooManyCertificates", message: /already holds 25 certificates/ },
    },
    {
      name: "refuses to remove the default certificate",
      steps: [{ op: "remove", arns: [DEFAULT] }],
      held: [],
      error: { code: "OperationNotPermitted", message: /default certificate/ },
    },
    {
      name: "answers ListenerNotFound for an unknown listener",
      steps: [{ op: "add", arns: [cert(1)], listener: `${LISTENER}0` }],
      held: [],
      error: { code: "ListenerNotFound", message: /not found/ },
    },
  ];
  for (const c of cases) {
    it(c.name, async () => {
      const listener = new FakeListener({ certificateLimit: c.limit });
      listener.addListener(LISTENER, { defaultCertificate: DEFAULT });
      let failure: unknown;
      for (const step of c.steps) {
        const target = step.listener ?? LISTENER;
        try {
          await (step.op === "add" ? listener.addCertificates(target, step.arns) : listener.removeCertificates(target, step.arns));
        } catch (error) {
          failure = error;
        }
      }
      if (c.error === undefined) assert.equal(failure, undefined);
      else {
        assert.ok(failure instanceof ListenerRejectedError, String(failure));
        assert.equal(failure.code, c.error.code);
        assert.match(failure.message, c.error.message);
      }
      assert.deepEqual(listener.peek(LISTENER), [...c.held].sort());
      assert.deepEqual(await listener.listCertificates(LISTENER), [{ arn: DEFAULT, isDefault: true }, ...c.held.map((arn) => ({ arn, isDefault: false }))]);
    });
  }

  it("takes a per-listener limit over the default one", async () => {
    const listener = new FakeListener();
    listener.addListener(LISTENER, { limit: 1 });
    await listener.addCertificates(LISTENER, [cert(1)]);
    await assert.rejects(
      listener.addCertificates(LISTENER, [cert(2)]),
      (error: unknown) => error instanceof ListenerRejectedError && error.code === "TooManyCertificates",
    );
  });

  it("refuses a listener ARN that is not a listener's", () => {
    assert.throws(() => new FakeListener().addListener("arn:aws:elasticloadbalancing:us-east-1:1:loadbalancer/app/x/1"), /not a load balancer listener ARN/);
  });

  const usability: { name: string; status?: "ISSUED" | "PENDING_VALIDATION"; known: boolean; accepted: boolean }[] = [
    { name: "accepts a certificate ACM holds as ISSUED", status: "ISSUED", known: true, accepted: true },
    { name: "answers CertificateNotFound for a certificate still pending validation", status: "PENDING_VALIDATION", known: true, accepted: false },
    { name: "answers CertificateNotFound for a certificate ACM does not hold", known: false, accepted: false },
  ];
  for (const c of usability) {
    it(c.name, async () => {
      const { acm, listener } = fakeCertificateAws();
      listener.addListener(LISTENER);
      const arn = c.known ? acm.seed({ domainName: "*.example.com", status: c.status }) : cert(9);
      const attempt = listener.addCertificates(LISTENER, [arn]);
      if (c.accepted) await attempt;
      else
        await assert.rejects(
          attempt,
          (error: unknown) => error instanceof ListenerRejectedError && error.code === "CertificateNotFound" && error.message.includes(arn),
        );
      assert.deepEqual(listener.peek(LISTENER), c.accepted ? [arn] : []);
    });
  }

  it("names each load balancer using a certificate once, sorted, default certificates included", async () => {
    const listener = new FakeListener();
    listener.addListener(LISTENER);
    listener.addListener(OTHER, { defaultCertificate: cert(1) });
    await listener.addCertificates(LISTENER, [cert(1)]);
    assert.deepEqual(listener.usingLoadBalancers(cert(1)), [
      "arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/app/alb-in/60dc6c495c0c9188",
      "arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/app/alb-out/50dc6c495c0c9188",
    ]);
    assert.deepEqual(listener.usingLoadBalancers(cert(2)), []);
  });

  it("counts one request per certificate added and fails a queued call once", async () => {
    const listener = new FakeListener();
    listener.addListener(LISTENER);
    listener.failNext("addCertificates", new ListenerUnavailableError("Throttling", "Rate exceeded"));
    await assert.rejects(listener.addCertificates(LISTENER, [cert(1)]), ListenerUnavailableError);
    await listener.addCertificates(LISTENER, [cert(1)]);
    await listener.listCertificates(LISTENER);
    await listener.addCertificates(LISTENER, [cert(2), cert(3)]);
    await listener.removeCertificates(LISTENER, []);
    assert.deepEqual(listener.calls, { listCertificates: 1, addCertificates: 4, removeCertificates: 0 });
    assert.equal(listener.totalCalls(), 5);
  });
});
