// Builders for webhook tests: AdmissionReview bodies and an environment built
// from the bundled examples (the same files `npm start` serves).
import { randomUUID } from "node:crypto";
import { join } from "node:path";
import { loadEnvironment } from "../../core/environment.ts";
import type { LoadedEnvironment } from "../../core/environment.ts";
import { BUILTIN_POLICIES, DEFAULT_CONFIG, EXAMPLES } from "../../core/cli/paths.ts";
import type { Operation } from "../../policies/engine/types.ts";
import { splitApiVersion } from "../../policies/engine/types.ts";

export interface ReviewOptions {
  operation?: Operation;
  uid?: string;
  oldObject?: unknown;
  subResource?: string;
  dryRun?: boolean;
  /** Overrides request.kind (defaults to the object's). */
  kind?: { group: string; version: string; kind: string };
}

type Manifest = { apiVersion?: string; kind?: string; metadata?: { name?: string; namespace?: string } };

/** An admission.k8s.io/v1 AdmissionReview for `object`, as the API server sends it. */
export function admissionReview(object: unknown, options: ReviewOptions = {}): Record<string, unknown> {
  const operation = options.operation ?? "CREATE";
  const subject = (object ?? options.oldObject) as Manifest | null;
  const [group, version] = splitApiVersion(subject?.apiVersion ?? "v1");
  const kind = options.kind ?? { group, version, kind: subject?.kind ?? "Unknown" };
  const resource = { group: kind.group, version: kind.version, resource: `${kind.kind.toLowerCase()}s` };
  return {
    apiVersion: "admission.k8s.io/v1",
    kind: "AdmissionReview",
    request: {
      uid: options.uid ?? randomUUID(),
      kind,
      resource,
      requestKind: kind,
      requestResource: resource,
      ...(options.subResource !== undefined ? { subResource: options.subResource, requestSubResource: options.subResource } : {}),
      name: subject?.metadata?.name ?? "",
      ...(subject?.metadata?.namespace !== undefined ? { namespace: subject.metadata.namespace } : {}),
      operation,
      userInfo: { username: "alice@example.com", uid: "1000", groups: ["system:authenticated", "team-a"] },
      object: operation === "DELETE" || operation === "CONNECT" ? null : object,
      oldObject: operation === "UPDATE" || operation === "DELETE" ? (options.oldObject ?? object) : null,
      dryRun: options.dryRun ?? false,
      options: operation === "CREATE" ? { apiVersion: "meta.k8s.io/v1", kind: "CreateOptions" } : null,
    },
  };
}

let examples: Promise<LoadedEnvironment> | undefined;

/** The bundled examples' config, built-in policies and examples/state, loaded once per test process. */
export function exampleEnvironment(): Promise<LoadedEnvironment> {
  examples ??= loadEnvironment({ config: DEFAULT_CONFIG, policies: [BUILTIN_POLICIES], state: join(EXAMPLES, "state") });
  return examples;
}
