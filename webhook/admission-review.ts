// Reading an AdmissionReview v1 request body. Whatever arrives is checked
// field by field, so a malformed review is a 400 that says exactly what is
// wrong, and everything past this point can trust the shape it is given.
import { isRecord } from "../core/json.ts";
import type { AdmissionInput, GroupVersionKind, Operation } from "../policies/engine/types.ts";

export const ADMISSION_API_VERSION = "admission.k8s.io/v1";
export const ADMISSION_KIND = "AdmissionReview";

export const MAX_UID_LENGTH = 128;

const OPERATIONS: ReadonlySet<string> = new Set<Operation>(["CREATE", "UPDATE", "DELETE", "CONNECT"]);

/** A review this webhook can answer: the request's uid and what the verdict needs. */
export interface ParsedReview {
  uid: string;
  input: AdmissionInput;
}

export type ReviewParseResult = { ok: true; review: ParsedReview } | { ok: false; message: string };

export function parseAdmissionReview(body: unknown): ReviewParseResult {
  if (!isRecord(body)) return fail(`the body is ${describe(body)}, not an AdmissionReview object`);
  if (body.apiVersion !== ADMISSION_API_VERSION || body.kind !== ADMISSION_KIND) {
    return fail(
      `expected apiVersion "${ADMISSION_API_VERSION}" and kind "${ADMISSION_KIND}", got apiVersion ${quote(body.apiVersion)} and kind ${quote(body.kind)}; ` +
        `set admissionReviewVersions: ["v1"] in the webhook configuration`,
    );
  }
  const request = body.request;
  if (!isRecord(request)) return fail(`request is ${describe(request)}; an AdmissionReview sent to a webhook carries a request object`);
  if (typeof request.uid !== "string" || request.uid === "")
    return fail(`request.uid is ${describe(request.uid)}; it must be a non-empty string, echoed in the response`);
  // The API server sends a UUID; anything far longer is not from it, and
  // would be echoed and logged on every request.
  if (request.uid.length > MAX_UID_LENGTH)
    return fail(`request.uid is ${request.uid.length} characters long; the API server sends a UUID (36), at most ${MAX_UID_LENGTH} are accepted`);
  const uid = request.uid;

  if (typeof request.operation !== "string" || !OPERATIONS.has(request.operation)) {
    return fail(`request.operation is ${quote(request.operation)}; it must be one of CREATE, UPDATE, DELETE, CONNECT`);
  }
  const operation = request.operation as Operation;
  const kind = groupVersionKind(request.kind);
  if (typeof kind === "string") return fail(`request.kind ${kind}`);

  for (const field of ["namespace", "name", "subResource"] as const) {
    const value = request[field];
    if (value !== undefined && value !== null && typeof value !== "string")
      return fail(`request.${field} is ${describe(value)}; it must be a string when present`);
  }
  if (request.dryRun !== undefined && request.dryRun !== null && typeof request.dryRun !== "boolean")
    return fail(`request.dryRun is ${describe(request.dryRun)}; it must be a boolean when present`);

  const object = request.object ?? null;
  const oldObject = request.oldObject ?? null;
  // What the API server sends for each operation: a review without the
  // object its operation implies cannot be judged, so it is not guessed at.
  if ((operation === "CREATE" || operation === "UPDATE") && !isRecord(object)) {
    return fail(`request.object is ${describe(request.object)}; a ${operation} review carries the object as a JSON object`);
  }
  if (operation === "UPDATE" && !isRecord(oldObject)) {
    return fail(`request.oldObject is ${describe(request.oldObject)}; an UPDATE review carries the stored object as a JSON object`);
  }
  if (object !== null && !isRecord(object)) return fail(`request.object is ${describe(object)}; it must be a JSON object or null`);
  if (oldObject !== null && !isRecord(oldObject)) return fail(`request.oldObject is ${describe(oldObject)}; it must be a JSON object or null`);

  const userInfo = isRecord(request.userInfo) ? userInfoOf(request.userInfo) : undefined;
  const input: AdmissionInput = {
    operation,
    kind,
    object,
    oldObject,
    ...(typeof request.namespace === "string" && request.namespace !== "" ? { namespace: request.namespace } : {}),
    ...(typeof request.name === "string" && request.name !== "" ? { name: request.name } : {}),
    ...(typeof request.subResource === "string" && request.subResource !== "" ? { subResource: request.subResource } : {}),
    ...(userInfo !== undefined ? { userInfo } : {}),
    ...(request.dryRun === true ? { dryRun: true } : {}),
  };
  return { ok: true, review: { uid, input } };
}

function groupVersionKind(value: unknown): GroupVersionKind | string {
  if (!isRecord(value)) return `is ${describe(value)}; it must be an object {group, version, kind}`;
  const { group, version, kind } = value;
  if (group !== undefined && typeof group !== "string") return `.group is ${describe(group)}; it must be a string ("" for the core group)`;
  if (typeof version !== "string" || version === "") return `.version is ${describe(version)}; it must be a non-empty string`;
  if (typeof kind !== "string" || kind === "") return `.kind is ${describe(kind)}; it must be a non-empty string`;
  return { group: group ?? "", version, kind };
}

function userInfoOf(value: Record<string, unknown>): NonNullable<AdmissionInput["userInfo"]> {
  const info: NonNullable<AdmissionInput["userInfo"]> = {};
  if (typeof value.username === "string") info.username = value.username;
  if (typeof value.uid === "string") info.uid = value.uid;
  if (Array.isArray(value.groups)) info.groups = value.groups.filter((g): g is string => typeof g === "string");
  return info;
}

function fail(message: string): ReviewParseResult {
  return { ok: false, message };
}

function quote(value: unknown): string {
  return typeof value === "string" ? JSON.stringify(value.length > 60 ? `${value.slice(0, 60)}…` : value) : describe(value);
}

/** A short description of a value for an error message: its type, never its content. */
function describe(value: unknown): string {
  if (value === undefined) return "missing";
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array";
  if (typeof value === "string") return value === "" ? "an empty string" : "a string";
  return `a ${typeof value}`;
}
