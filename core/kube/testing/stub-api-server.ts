// A stand-in kube-apiserver for transport tests: a real node:https server on
// 127.0.0.1 with a freshly made CA and serving certificate, recording each
// request exactly as it arrived (raw header lines, in order, so a test can
// count `Impersonate-Group` lines), and answering with whatever the test's
// handler writes. Plus a KubeConfig pointing at it, trusting its CA.
import { createServer as createHttpsServer } from "node:https";
import type { IncomingMessage, Server, ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { KubeConfig } from "@kubernetes/client-node";
import type { User } from "@kubernetes/client-node";
import { createCertificateIssuer } from "../../../certs/issuer.ts";

export interface SeenRequest {
  method: string;
  path: string;
  query: Record<string, string>;
  /** Name/value pairs as received; names keep their case. */
  rawHeaders: string[];
  body: string;
  /** The client's port: the same port for two requests means one kept-alive connection. */
  remotePort: number;
}

export type StubHandler = (req: IncomingMessage, res: ServerResponse, seen: SeenRequest) => void;

export interface StubApiServer {
  url: string;
  /** PEM of the CA that signed the server's certificate. */
  caPem: string;
  seen: SeenRequest[];
  /** Replaces the handler and forgets what was seen. */
  reset(handler: StubHandler): void;
  close(): Promise<void>;
}

/** The values of every raw header line named `name` (case-insensitive), in order. */
export function headerLines(seen: SeenRequest, name: string): string[] {
  const lines: string[] = [];
  for (let i = 0; i < seen.rawHeaders.length; i += 2) if (seen.rawHeaders[i]!.toLowerCase() === name.toLowerCase()) lines.push(seen.rawHeaders[i + 1]!);
  return lines;
}

/** Writes `body` as JSON with `status` and any extra headers (an array value: one line each). */
export function answerJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string | string[]> = {}): void {
  res.writeHead(status, { "content-type": "application/json", ...headers });
  res.end(JSON.stringify(body));
}

export function statusBody(code: number, reason: string, message: string, details?: unknown) {
  return { kind: "Status", apiVersion: "v1", metadata: {}, status: "Failure", code, reason, message, ...(details === undefined ? {} : { details }) };
}

export async function startStubApiServer(): Promise<StubApiServer> {
  const issuer = createCertificateIssuer();
  const now = Date.now();
  const validity = { notBefore: new Date(now - 60_000), notAfter: new Date(now + 86_400_000) };
  const ca = await issuer.createAuthority({ commonName: "stub-apiserver-ca", ...validity });
  const serving = await issuer.issueServing({ signer: ca, commonName: "stub-apiserver", dnsNames: ["localhost"], ipAddresses: ["127.0.0.1"], ...validity });
  let handler: StubHandler = (_req, res) => answerJson(res, 500, statusBody(500, "InternalError", "no handler"));
  const seen: SeenRequest[] = [];
  const server: Server = createHttpsServer({ cert: serving.certPem, key: serving.keyPem }, (req, res) => {
    let body = "";
    req.setEncoding("latin1");
    req.on("data", (chunk: string) => (body += chunk));
    req.on("end", () => {
      const url = new URL(req.url ?? "/", "https://stub");
      const entry: SeenRequest = {
        method: req.method ?? "",
        path: url.pathname,
        query: Object.fromEntries(url.searchParams),
        rawHeaders: req.rawHeaders,
        body: Buffer.from(body, "latin1").toString("utf8"),
        remotePort: req.socket.remotePort ?? 0,
      };
      seen.push(entry);
      handler(req, res, entry);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `https://127.0.0.1:${(server.address() as AddressInfo).port}`,
    caPem: ca.certPem,
    seen,
    reset(next) {
      handler = next;
      seen.length = 0;
    },
    async close() {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

/** A KubeConfig for `server` trusting `caPem` (certificate-authority-data), its user a bearer token unless `user` says otherwise. */
export function kubeConfigFor(server: string, caPem: string | undefined, user: Partial<User> = { token: "sa-token" }): KubeConfig {
  const config = new KubeConfig();
  config.loadFromOptions({
    clusters: [{ name: "stub", server, skipTLSVerify: false, ...(caPem === undefined ? {} : { caData: Buffer.from(caPem).toString("base64") }) }],
    users: [{ name: "portal", ...user }],
    contexts: [{ name: "stub", cluster: "stub", user: "portal" }],
    currentContext: "stub",
  });
  return config;
}
