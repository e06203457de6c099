// The request's namespace is the namespace. The API server writes an object
// to the namespace of its request and rejects an object naming another one
// (registry/rest EnsureObjectNamespaceMatchesRequestNamespace, a 400), but
// only after the mutating webhooks, and the webhook must not rely on it: a
// direct caller reaches the webhook with any review it likes. Policies read
// the namespace from object.metadata.namespace first (it is also what
// `hostgate check` and the policy tests have), so an object naming another
// namespace than its request would be judged as that namespace's: with its
// grants, as its owner. Such a request is denied before any policy runs.
import type { AdmissionInput } from "./engine/types.ts";
import { isRecord } from "../core/json.ts";
import type { Finding } from "./verdict.ts";

/** The name findings of this rule are reported under (like `crd-schema`, not a policy module). */
export const REQUEST_NAMESPACE_RULE = "request-namespace";

/**
 * A denial for each of object and oldObject whose metadata.namespace is set
 * and differs from request.namespace; none when the request has no namespace
 * (cluster-scoped kinds) or the objects name none (the API server fills it in).
 */
export function namespaceMismatches(input: AdmissionInput): Finding[] {
  const requested = input.namespace;
  if (requested === undefined || requested === "") return [];
  const findings: Finding[] = [];
  for (const [which, object] of [
    ["object", input.object],
    ["oldObject", input.oldObject],
  ] as const) {
    const metadata = isRecord(object) && isRecord(object.metadata) ? object.metadata : undefined;
    const named = metadata?.namespace;
    if (named === undefined || named === null || named === "" || named === requested) continue;
    const says = typeof named === "string" ? `"${named}"` : `a ${Array.isArray(named) ? "list" : typeof named}, not a namespace name`;
    const elsewhere = typeof named === "string" ? `, or write it to namespace "${named}" instead` : "";
    const why =
      which === "object"
        ? "an object is written to the namespace of its request, and judging it as another namespace's would use that namespace's grants." +
          ` Remove metadata.namespace or set it to "${requested}"${elsewhere}.`
        : "the stored object of a request is always in the request's namespace, so this review was not sent by the API server.";
    findings.push({
      policy: REQUEST_NAMESPACE_RULE,
      message: `${which}.metadata.namespace is ${says}, but the request is for namespace "${requested}" (request.namespace); ${why}`,
      field: "metadata.namespace",
      reason: "BadRequest",
    });
  }
  return findings;
}
