// Every AWS client hostgate builds, over a real socket (no SDK mock): an
// endpoint that accepts the connection and never answers (a connection a NAT
// silently dropped, a hung proxy) must fail the call, which the retry policy
// and the controller's backoff then handle, instead of holding the
// controller's one worker forever.
import assert from "node:assert/strict";
import { once } from "node:events";
import net from "node:net";
import { after, before, describe, it } from "node:test";
import { AcmUnavailableError } from "../../reconciler/certificates/acm-port.ts";
import { defaultAcmClient, SdkAcm } from "../../reconciler/certificates/aws/sdk-acm.ts";
import { defaultListenerClient, SdkListener } from "../../reconciler/certificates/aws/sdk-listener.ts";
import { ListenerUnavailableError } from "../../reconciler/certificates/listener-port.ts";
import { Route53UnavailableError } from "../../reconciler/dns/route53-port.ts";
import { defaultRoute53Client, SdkRoute53 } from "../../reconciler/dns/route53/sdk-route53.ts";
import type { AwsHttpTimeouts } from "./aws-http-timeouts.ts";

const SHORT: AwsHttpTimeouts = { connectionTimeout: 1000, socketTimeout: 50 };
const ONCE = { policy: { attempts: 1, backoff: { initialMs: 1, maxMs: 1, factor: 2, jitter: 0 } } };
const LISTENER = "arn:aws:elasticloadbalancing:us-east-1:123456789012:listener/app/public-1/50dc6c495c0c9188/f2f7dc8efc522ab2";

const clients: { name: string; call: () => Promise<unknown>; failure: (e: unknown) => boolean }[] = [
  {
    name: "Route53",
    call: async () => new SdkRoute53(await defaultRoute53Client(SHORT), ONCE).changeStatus("C1"),
    failure: (e) => e instanceof Route53UnavailableError && e.code === "TimeoutError" && /GetChange/.test(e.message),
  },
  {
    name: "ACM",
    call: () => new SdkAcm(defaultAcmClient("us-east-1", SHORT), ONCE).listCertificates(),
    failure: (e) => e instanceof AcmUnavailableError && e.code === "TimeoutError",
  },
  {
    name: "ELBv2",
    call: () => new SdkListener(defaultListenerClient("us-east-1", SHORT), ONCE).listCertificates(LISTENER),
    failure: (e) => e instanceof ListenerUnavailableError && e.code === "TimeoutError",
  },
];

describe("the AWS clients against an endpoint that never answers", () => {
  const sockets: net.Socket[] = [];
  const server = net.createServer((socket) => sockets.push(socket));
  const saved = { ...process.env };
  const keys = ["AWS_ENDPOINT_URL", "AWS_REGION", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"];
  before(async () => {
    server.listen(0, "127.0.0.1");
    await once(server, "listening");
    const { port } = server.address() as net.AddressInfo;
    Object.assign(process.env, {
      AWS_ENDPOINT_URL: `http://127.0.0.1:${port}`,
      AWS_REGION: "us-east-1",
      AWS_ACCESS_KEY_ID: "test",
      AWS_SECRET_ACCESS_KEY: "test",
    });
  });
  after(() => {
    for (const key of keys) {
      if (saved[key] === undefined) delete process.env[key];
      else process.env[key] = saved[key];
    }
    for (const socket of sockets) socket.destroy();
    server.close();
  });

  for (const { name, call, failure } of clients) {
    // The test's own timeout only turns a hang into a failure; what is asserted is the error, not how long it took.
    it(`${name}: fails the call as a network timeout, not hanging`, { timeout: 10_000 }, async () => {
      await assert.rejects(call(), failure);
    });
  }
});
