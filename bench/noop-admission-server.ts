// The benchmark's floor: an AdmissionReview server in the same stack as the
// webhook (node:https with the same server options, express 5, express.json)
// that parses the review, echoes its uid and allows. Whatever hostgate costs
// beyond this is the price of judging the request.
//
//   node bench/noop-admission-server.ts --cert tls.crt --key tls.key --port 9443
import { readFileSync } from "node:fs";
import { createServer } from "node:https";
import { parseArgs } from "node:util";
import express from "express";
import type { Request, Response } from "express";
import { HTTPS_SERVER_OPTIONS } from "../webhook/https-server.ts";

const { values } = parseArgs({
  options: { cert: { type: "string" }, key: { type: "string" }, port: { type: "string", default: "0" }, host: { type: "string", default: "127.0.0.1" } },
});
if (values.cert === undefined || values.key === undefined) {
  process.stderr.write("usage: noop-admission-server.ts --cert FILE --key FILE [--port N] [--host H]\n");
  process.exit(2);
}

const app = express();
app.disable("x-powered-by");
app.set("etag", false);
app.post("/validate", express.json({ limit: 8 * 1024 * 1024, type: () => true }), (req: Request, res: Response) => {
  const uid = (req.body as { request?: { uid?: unknown } } | undefined)?.request?.uid;
  res.json({ apiVersion: "admission.k8s.io/v1", kind: "AdmissionReview", response: { uid, allowed: true } });
});

const server = createServer({ ...HTTPS_SERVER_OPTIONS, cert: readFileSync(values.cert), key: readFileSync(values.key) }, app);
server.listen(Number(values.port), values.host, () => {
  const address = server.address() as import("node:net").AddressInfo;
  process.stdout.write(`listening ${address.port}\n`);
});
process.on("SIGTERM", () => server.close(() => process.exit(0)));
