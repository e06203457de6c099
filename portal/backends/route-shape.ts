// What both backends refuse before asking anyone: a body that is not a
// DomainRoute of the served version, one that names no namespace (the
// namespace is where the write goes: the HTTP layer checks it against the
// URL's), and an update that does not carry the resourceVersion it was read
// at (without it the write would replace whatever is stored now, silently
// undoing someone else's change; the API server also refuses a CRD update
// without one).
import type { KubeObject } from "../../core/kube/object-key.ts";
import { API_VERSION, KIND_DOMAIN_ROUTE } from "../../crds/types.ts";
import type { Refusal } from "../portal-backend.ts";

export function checkRoute(operation: "create" | "update", route: KubeObject): Refusal | undefined {
  if (typeof route !== "object" || route === null || route.apiVersion !== API_VERSION || route.kind !== KIND_DOMAIN_ROUTE) {
    return badRequest({}, [`the page can only write ${KIND_DOMAIN_ROUTE}s of apiVersion ${API_VERSION}`]);
  }
  const namespace = route.metadata?.namespace;
  if (typeof namespace !== "string" || namespace === "") {
    return badRequest({ "metadata.namespace": ["the namespace to write the route in is missing"] }, []);
  }
  const resourceVersion = route.metadata?.resourceVersion;
  if (operation === "update" && (typeof resourceVersion !== "string" || resourceVersion === "")) {
    return badRequest({}, ["an update must carry the metadata.resourceVersion the route was read at; reload the route and make the change again"]);
  }
  return undefined;
}

function badRequest(fields: Record<string, string[]>, general: string[]): Refusal {
  return { stage: "other", status: 400, reason: "BadRequest", fields, general };
}
