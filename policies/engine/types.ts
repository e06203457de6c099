// The policy engine's vocabulary. Everything here is plain data: the engine
// knows resource types and the shape of the state it reads, never where that
// state came from (files, a watch cache, a test case).

/** Admission operations, as the API server names them. */
export type Operation = "CREATE" | "UPDATE" | "DELETE" | "CONNECT";

/** What a failed validation does. Deny rejects; Warn admits with a warning; Audit only records. */
export type Action = "Deny" | "Warn" | "Audit";

export interface GroupVersionKind {
  group: string;
  version: string;
  kind: string;
}

/** `apps/v1` -> ["apps", "v1"]; `v1` (the core group) -> ["", "v1"]. */
export function splitApiVersion(apiVersion: string): [group: string, version: string] {
  const slash = apiVersion.indexOf("/");
  return slash === -1 ? ["", apiVersion] : [apiVersion.slice(0, slash), apiVersion.slice(slash + 1)];
}

/** The request a verdict is computed for: an AdmissionReview request, minus transport. */
export interface AdmissionInput {
  operation: Operation;
  kind: GroupVersionKind;
  /** Set for subresource requests (e.g. "status"); these are not policy-checked. */
  subResource?: string;
  namespace?: string;
  name?: string;
  /** The incoming object; null for DELETE and CONNECT. */
  object: unknown;
  /** The stored object; set for UPDATE and DELETE. */
  oldObject: unknown;
  userInfo?: { username?: string; uid?: string; groups?: string[] };
  dryRun?: boolean;
}

/** One RFC 6902 operation. */
export interface JsonPatchOperation {
  op: "add" | "remove" | "replace" | "move" | "copy" | "test";
  path: string;
  value?: unknown;
  from?: string;
}

/** A failed check: who said no, why, and where. */
export interface Violation {
  policy: string;
  message: string;
  /** Kubernetes-style field path, e.g. `spec.backend.external.ip`. */
  field?: string;
  /** A StatusReason-like constant: Invalid, Forbidden, Conflict, ... */
  reason: string;
  action: Action;
}
