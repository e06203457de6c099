// A stand-in Kubernetes API server for the webhook benchmark: it serves the
// HostnameGrants and DomainRoutes of the synthetic cluster as paginated lists
// (objects shaped like the real API returns them: managedFields, the
// last-applied annotation, status) and holds watches open with bookmarks, so
// the webhook runs its real cluster mode (client-node, reflectors, the
// projected cache) rather than local YAML files.
//
//   node bench/stub-apiserver.ts --routes 10000 --grants 1000   (prints "listening PORT")
import { createServer } from "node:http";
import { parseArgs } from "node:util";
import { syntheticObjects } from "./synthetic-state.ts";

const { values } = parseArgs({
  options: { routes: { type: "string", default: "10000" }, grants: { type: "string", default: "1000" }, port: { type: "string", default: "0" } },
});
const RESOURCE_VERSION = "424242";

function asStored(object: Record<string, unknown>, index: number): Record<string, unknown> {
  const metadata = object.metadata as Record<string, unknown>;
  const applied = JSON.stringify(object);
  return {
    ...object,
    metadata: {
      ...metadata,
      uid: metadata.uid ?? `11111111-0000-4000-8000-${String(index).padStart(12, "0")}`,
      resourceVersion: String(1000 + index),
      generation: 1,
      creationTimestamp: "2026-01-01T00:00:00Z",
      annotations: { "kubectl.kubernetes.io/last-applied-configuration": applied },
      managedFields: [
        {
          manager: "kubectl-client-side-apply",
          operation: "Update",
          apiVersion: object.apiVersion,
          time: "2026-01-01T00:00:00Z",
          fieldsType: "FieldsV1",
          fieldsV1: {
            "f:metadata": { "f:annotations": { ".": {}, "f:kubectl.kubernetes.io/last-applied-configuration": {} } },
            "f:spec": { ".": {}, "f:domain": {}, "f:lb": {}, "f:backend": {}, "f:protection": {} },
          },
        },
      ],
    },
    status: {
      observedGeneration: 1,
      conditions: [
        {
          type: "Ready",
          status: "True",
          reason: "Reconciled",
          message: "all parts are in place",
          lastTransitionTime: "2026-01-01T00:00:00Z",
          observedGeneration: 1,
        },
      ],
    },
  };
}

const all = syntheticObjects(Number(values.routes), Number(values.grants)).map(asStored);
const byPlural: Record<string, Record<string, unknown>[]> = {
  hostnamegrants: all.filter((o) => o.kind === "HostnameGrant"),
  domainroutes: all.filter((o) => o.kind === "DomainRoute"),
};

const server = createServer((req, res) => {
  const url = new URL(req.url ?? "/", "http://stub");
  const match = /^\/apis\/hostgate\.dev\/v1alpha1\/(hostnamegrants|domainroutes)$/.exec(url.pathname);
  if (req.method !== "GET" || !match) {
    res.writeHead(404, { "content-type": "application/json" });
    res.end(
      JSON.stringify({
        kind: "Status",
        apiVersion: "v1",
        status: "Failure",
        code: 404,
        reason: "NotFound",
        message: `the stub serves only hostgate lists and watches, not ${req.method} ${url.pathname}`,
      }),
    );
    return;
  }
  const items = byPlural[match[1]!]!;
  const kind = match[1] === "hostnamegrants" ? "HostnameGrant" : "DomainRoute";
  if (url.searchParams.get("watch") === "true") {
    // Nothing changes in the benchmark: a watch only carries bookmarks.
    res.writeHead(200, { "content-type": "application/json", "transfer-encoding": "chunked" });
    const bookmark = () =>
      res.write(
        `${JSON.stringify({ type: "BOOKMARK", object: { apiVersion: "hostgate.dev/v1alpha1", kind, metadata: { resourceVersion: RESOURCE_VERSION } } })}\n`,
      );
    bookmark();
    const timer = setInterval(bookmark, 10_000);
    req.on("close", () => clearInterval(timer));
    return;
  }
  const limit = Number(url.searchParams.get("limit") ?? "0") || items.length;
  const offset = Number(url.searchParams.get("continue") ?? "0");
  const page = items.slice(offset, offset + limit);
  const next = offset + limit < items.length ? String(offset + limit) : undefined;
  res.writeHead(200, { "content-type": "application/json" });
  res.end(
    JSON.stringify({
      apiVersion: "hostgate.dev/v1alpha1",
      kind: `${kind}List`,
      metadata: { resourceVersion: RESOURCE_VERSION, ...(next ? { continue: next } : {}) },
      items: page,
    }),
  );
});
server.listen(Number(values.port), "127.0.0.1", () => {
  process.stdout.write(`listening ${(server.address() as import("node:net").AddressInfo).port}\n`);
});
process.on("SIGTERM", () => process.exit(0));
