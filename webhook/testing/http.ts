// Network helpers for tests and benchmarks that run a real server: a free
// local port, and a JSON POST over HTTPS trusting a given CA.
import { request } from "node:https";
import { createServer } from "node:net";
import type { AddressInfo } from "node:net";

/** A TCP port on 127.0.0.1 that was free a moment ago. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/** POSTs a JSON body over HTTPS, trusting `ca`; resolves with the status and the response text. */
export function postJson(url: string, body: string, ca: string | Buffer): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: "POST", ca, headers: { "content-type": "application/json" } }, (res) => {
      let text = "";
      res.on("data", (chunk: Buffer) => (text += chunk.toString()));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, text }));
    });
    req.on("error", reject);
    req.end(body);
  });
}

/** `hostgate serve`'s flags for a webhook on 127.0.0.1 at these ports that stops at once when told (no drain delay): for tests and benchmarks. */
export function localServeFlags(port: number, healthPort: number): string[] {
  return ["--listen", `127.0.0.1:${port}`, "--health-listen", `127.0.0.1:${healthPort}`, "--shutdown-delay", "0s"];
}
