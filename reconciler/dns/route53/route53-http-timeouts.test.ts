// The default client over a real socket (no SDK mock): a Route53 endpoint that
// accepts the connection and never answers (a connection a NAT silently
// dropped, a hung proxy) must fail the call, which the retry policy and the
// controller's backoff then handle, instead of holding the one DNS worker forever.
import assert from "node:assert/strict";
import { once } from "node:events";
import net from "node:net";
import { after, before, describe, it } from "node:test";
import { Route53UnavailableError } from "../route53-port.ts";
import { defaultRoute53Client, SdkRoute53 } from "./sdk-route53.ts";

describe("the default Route53 client against an endpoint that never answers", () => {
  const sockets: net.Socket[] = [];
  const server = net.createServer((socket) => sockets.push(socket));
  const saved = { ...process.env };
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
    for (const key of ["AWS_ENDPOINT_URL", "AWS_REGION", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"]) {
      if (saved[key] === undefined) delete process.env[key];
      else process.env[key] = saved[key];
    }
    for (const socket of sockets) socket.destroy();
    server.close();
  });

  // The test's own timeout only turns a hang into a failure; what is asserted is the error, not how long it took.
  it("fails the call as a network timeout, not hanging", { timeout: 10_000 }, async () => {
    const client = await defaultRoute53Client({ connectionTimeout: 1000, socketTimeout: 50 });
    const port = new SdkRoute53(client, { policy: { attempts: 1, backoff: { initialMs: 1, maxMs: 1, factor: 2, jitter: 0 } } });
    await assert.rejects(port.changeStatus("C1"), (e) => e instanceof Route53UnavailableError && e.code === "TimeoutError" && /GetChange/.test(e.message));
    client.destroy();
  });
});
