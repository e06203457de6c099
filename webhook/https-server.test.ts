// Every refusal the webhook's HTTPS port answers carries the same metav1.Status
// body, whichever layer refuses: Node's HTTP parser and its timeouts (which
// the app never sees) as much as the app's own 404/405/413/415/400. These go
// over a raw TLS socket, the only way to send a Content-Length that lies.
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { connect } from "node:tls";
import { localCertificates } from "../certs/index.ts";
import type { TlsMaterial } from "../certs/index.ts";
import { silentLogger } from "../core/logger.ts";
import { createAdmissionApp } from "./admission-app.ts";
import type { HttpProblem } from "./http-errors.ts";
import { listenHttps } from "./https-server.ts";
import type { HttpsListener } from "./https-server.ts";
import { exampleEnvironment } from "./testing/reviews.ts";

const REQUEST_TIMEOUT_MS = 1_200;
const HEADERS_TIMEOUT_MS = 800;
const BODY_LIMIT = 4096;

let dir: string;
let tls: TlsMaterial;
let listener: HttpsListener;
const rejected: number[] = [];

before(async () => {
  dir = mkdtempSync(join(tmpdir(), "hostgate-https-server-test-"));
  const manager = localCertificates({ dir, hosts: ["127.0.0.1", "localhost"] });
  await manager.start();
  tls = manager.current();
  manager.stop();
  const env = await exampleEnvironment();
  const app = createAdmissionApp({ environment: () => env.verdict, logger: silentLogger, bodyLimitBytes: BODY_LIMIT });
  listener = await listenHttps(app, { current: () => tls, onChange: () => {} }, { host: "127.0.0.1", port: 0 }, silentLogger, {
    // Short, so a stalled request is refused within the test; checked often, so the refusal comes on time.
    timeouts: { requestTimeout: REQUEST_TIMEOUT_MS, headersTimeout: HEADERS_TIMEOUT_MS, connectionsCheckingInterval: 100 },
    onRejected: (problem: HttpProblem) => rejected.push(problem.code),
  });
});

after(async () => {
  await listener.close(500);
  rmSync(dir, { recursive: true, force: true });
});

interface RawResponse {
  code: number;
  headers: Record<string, string>;
  body: string;
}

/** Sends `raw` over a fresh TLS connection and reads one response (to its Content-Length, or to the close). */
function exchange(raw: string): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: "127.0.0.1", port: listener.address.port, ca: tls.ca, servername: "localhost" }, () => socket.write(raw));
    let text = "";
    const timer = setTimeout(() => finish(new Error(`no whole response within 5 s; got ${JSON.stringify(text)}`)), 5_000);
    const finish = (error?: Error) => {
      clearTimeout(timer);
      socket.destroy();
      if (error) return reject(error);
      const end = text.indexOf("\r\n\r\n");
      if (end < 0) return reject(new Error(`not an HTTP response: ${JSON.stringify(text)}`));
      const [statusLine, ...lines] = text.slice(0, end).split("\r\n");
      const headers = Object.fromEntries(lines.map((line) => [line.slice(0, line.indexOf(":")).toLowerCase(), line.slice(line.indexOf(":") + 1).trim()]));
      resolve({ code: Number(/^HTTP\/1\.1 (\d{3}) /.exec(statusLine!)?.[1]), headers, body: text.slice(end + 4) });
    };
    const whole = () => {
      const end = text.indexOf("\r\n\r\n");
      const length = /\r\ncontent-length: (\d+)\r\n/i.exec(text.slice(0, end + 2))?.[1];
      return end >= 0 && length !== undefined && Buffer.byteLength(text.slice(end + 4)) >= Number(length);
    };
    socket.on("data", (chunk: Buffer) => {
      text += chunk.toString();
      if (whole()) finish();
    });
    socket.once("close", () => finish());
    socket.once("error", (error) => finish(error));
  });
}

const head = (headers: Record<string, string | number>, method = "POST", path = "/validate") =>
  `${method} ${path} HTTP/1.1\r\nHost: localhost\r\n${Object.entries(headers)
    .map(([k, v]) => `${k}: ${v}\r\n`)
    .join("")}\r\n`;

interface Case {
  name: string;
  raw: string;
  code: number;
  reason: string;
  message: RegExp;
  /** Refused by the server itself (counted through onRejected), not by the app. */
  byServer: boolean;
}

const cases: Case[] = [
  {
    name: "a body that stalls short of its Content-Length gets 408 RequestTimeout once the request timeout passes",
    raw: `${head({ "Content-Type": "application/json", "Content-Length": 100 })}{}`,
    code: 408,
    reason: "RequestTimeout",
    message: /^the request did not arrive in full within 1\.2 s: a body shorter than its Content-Length/,
    byServer: true,
  },
  {
    name: "headers that stall get 408 RequestTimeout once the headers timeout passes",
    raw: "POST /validate HTTP/1.1\r\nHost: localhost\r\n",
    code: 408,
    reason: "RequestTimeout",
    message: /^the request's headers did not arrive in full within 0\.8 s/,
    byServer: true,
  },
  {
    name: "a body longer than its Content-Length gets 400 BadRequest: the bytes past it are refused as a request, with the parser's complaint",
    raw: `${head({ "Content-Type": "application/json", "Content-Length": 2 })}{}{"apiVersion":"admission.k8s.io/v1"}`,
    code: 400,
    reason: "BadRequest",
    message:
      /^the request is not valid HTTP\/1\.1 \(HPE_INVALID_METHOD: Invalid method encountered\); if the request before it on this connection had a body longer than its Content-Length/,
    byServer: true,
  },
  {
    name: "a Content-Length beside Transfer-Encoding gets 400 BadRequest",
    raw: `${head({ "Content-Type": "application/json", "Content-Length": 2, "Transfer-Encoding": "chunked" })}{}`,
    code: 400,
    reason: "BadRequest",
    message: /\(HPE_INVALID_TRANSFER_ENCODING: .*\); send one Content-Length equal to the body's size in bytes, and no Transfer-Encoding with it$/,
    byServer: true,
  },
  {
    name: "a Content-Length that is not a number gets 400 BadRequest",
    raw: `${head({ "Content-Type": "application/json", "Content-Length": "2x" })}{}`,
    code: 400,
    reason: "BadRequest",
    message: /\(HPE_INVALID_CONTENT_LENGTH: .*\); send one Content-Length, a decimal byte count/,
    byServer: true,
  },
  {
    name: "two Content-Lengths that disagree get 400 BadRequest",
    raw: `POST /validate HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: 2\r\nContent-Length: 3\r\n\r\n{}`,
    code: 400,
    reason: "BadRequest",
    message: /\(HPE_UNEXPECTED_CONTENT_LENGTH: .*\); send one Content-Length/,
    byServer: true,
  },
  {
    name: "headers larger than Node reads get 431 RequestHeaderFieldsTooLarge",
    raw: head({ "X-Padding": "a".repeat(20_000) }),
    code: 431,
    reason: "RequestHeaderFieldsTooLarge",
    message: /^the request line and headers are larger than 16384 bytes/,
    byServer: true,
  },
  {
    name: "an Expect other than 100-continue gets 417 ExpectationFailed",
    raw: `${head({ "Content-Type": "application/json", "Content-Length": 2, Expect: "teapot" })}{}`,
    code: 417,
    reason: "ExpectationFailed",
    message: /^the webhook cannot meet Expect: teapot; it honours only Expect: 100-continue/,
    byServer: true,
  },
  {
    name: "an unknown path gets 404 NotFound",
    raw: head({ "Content-Length": 0 }, "POST", "/nowhere"),
    code: 404,
    reason: "NotFound",
    message: /^no endpoint at \/nowhere/,
    byServer: false,
  },
  {
    name: "GET on /validate gets 405 MethodNotAllowed",
    raw: head({}, "GET"),
    code: 405,
    reason: "MethodNotAllowed",
    message: /^GET is not allowed on \/validate/,
    byServer: false,
  },
  {
    name: "a body over the limit gets 413 RequestEntityTooLarge",
    raw: head({ "Content-Type": "application/json", "Content-Length": BODY_LIMIT + 1 }) + "x".repeat(BODY_LIMIT + 1),
    code: 413,
    reason: "RequestEntityTooLarge",
    message: /^the request body is larger than 4096 bytes/,
    byServer: false,
  },
  {
    name: "a body that is not JSON by its Content-Type gets 415 UnsupportedMediaType",
    raw: `${head({ "Content-Type": "text/plain", "Content-Length": 2 })}{}`,
    code: 415,
    reason: "UnsupportedMediaType",
    message: /^Content-Type is "text\/plain"/,
    byServer: false,
  },
  {
    name: "a body that is not JSON gets 400 BadRequest",
    raw: `${head({ "Content-Type": "application/json", "Content-Length": 4 })}{not`,
    code: 400,
    reason: "BadRequest",
    message: /^the request body is not valid JSON/,
    byServer: false,
  },
];

describe("the HTTPS listener's refusals", () => {
  for (const c of cases) {
    it(`${c.name}, as a JSON Status like every other refusal`, async () => {
      const before = rejected.length;
      const response = await exchange(c.raw);
      assert.equal(response.code, c.code, response.body);
      assert.equal(response.headers["content-type"], "application/json; charset=utf-8");
      const status = JSON.parse(response.body) as Record<string, unknown>;
      assert.deepEqual(Object.keys(status), ["apiVersion", "kind", "status", "code", "reason", "message"]);
      assert.deepEqual({ ...status, message: "" }, { apiVersion: "v1", kind: "Status", status: "Failure", code: c.code, reason: c.reason, message: "" });
      assert.match(String(status.message), c.message);
      assert.deepEqual(rejected.slice(before), c.byServer ? [c.code] : [], "the server reports the refusals it answers itself, and only those");
    });
  }
});
