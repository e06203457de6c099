// What the page says when a write (or its dry run) is refused: the API
// server's answer, or in local mode decide()'s verdict, turned into a Refusal
// (portal-backend.ts): messages under the field paths that cause them, the
// rest above the form, and the stage that decides how the page words it.
// Pure. The stages follow the API server's pipeline (research A2):
//   403 without a webhook marker: RBAC → permission ("cannot impersonate": the
//       page's own rights → unavailable, worded neutrally: the ServiceAccount's
//       name is the operator's business, not the person's);
//   422 Invalid with causes: the CRD schema and its CEL rules → schema;
//   `admission webhook "…" denied the request`: a policy → policy, fields from
//       details.causes, else read from hostgate's own message format;
//   409 AlreadyExists / Conflict → conflict; 400 strict decoding → other;
//   no answer, 5xx, 401, 429 → unavailable.
import { KubeApiError } from "../core/kube/api-error.ts";
import type { StatusCause } from "../core/kube/api-error.ts";
import type { Finding, Verdict } from "../policies/verdict.ts";
import { SCHEMA_POLICY } from "../policies/verdict.ts";
import { deniedLines, webhookDenialText } from "./denial-text.ts";
import type { Refusal, RefusalStage } from "./portal-backend.ts";

/** Shown when the API server refuses the page's own impersonation: the operator's problem, and no name of the page's identity in it. */
export const CANNOT_ACT_FOR_YOU = "the page is not allowed to act for you; tell the platform team";
/** Shown for a 409 Conflict: the object's resourceVersion moved since the page read it. */
export const CHANGED_SINCE_OPENED = "this DomainRoute changed since you opened it: reload, then make your change again";
const NO_ANSWER = "the cluster did not answer; try again in a moment";
const CREDENTIALS_REFUSED = "the cluster refused the page's own credentials; tell the platform team";
const BUSY = "the cluster is busy; try again in a moment";

/** The API server's (or the network's) answer to a write as the page shows it. Never throws. */
export function refusalFromError(error: unknown): Refusal {
  if (!(error instanceof KubeApiError)) return refusal("unavailable", 0, "NetworkError", {}, [NO_ANSWER]);
  const { status, reason } = error;
  const message = error.statusMessage;
  const denied = webhookDenialText(message);
  if (denied !== undefined && status < 500) return policyRefusal(error, denied);
  if (status === 0) return refusal("unavailable", 0, reason, {}, [NO_ANSWER]);
  if (status >= 500) return refusal("unavailable", status, reason, {}, [denied ?? message]);
  if (status === 401) return refusal("unavailable", status, reason, {}, [CREDENTIALS_REFUSED]);
  if (status === 429) return refusal("unavailable", status, reason, {}, [BUSY]);
  if (status === 403) {
    // The impersonation filter's 403 ("… cannot impersonate resource "users" …") names the page's ServiceAccount.
    if (/\bcannot impersonate\b/.test(message)) return refusal("unavailable", status, reason, {}, [CANNOT_ACT_FOR_YOU]);
    return refusal("permission", status, reason, {}, [message]);
  }
  if (status === 422 || reason === "Invalid") {
    const { fields, general } = fromCauses(error.causes);
    return refusal("schema", status, reason, fields, general.length > 0 || Object.keys(fields).length > 0 ? general : [message]);
  }
  if (status === 409 && reason === "AlreadyExists") return refusal("conflict", status, reason, { "metadata.name": [alreadyExists(message)] }, []);
  if (status === 409) return refusal("conflict", status, reason, {}, [CHANGED_SINCE_OPENED]);
  if (status === 400) {
    const unknown = unknownFields(message);
    if (unknown.length > 0) return refusal("other", status, reason, {}, [versionSkew(unknown)]);
  }
  return refusal("other", status, reason, {}, [message]);
}

/**
 * decide()'s denials (local mode, every phase at once) as the page shows them:
 * `schema` when the CRD schema refused anything (the API server would stop
 * there), else `policy`. Undefined when the verdict admits.
 */
export function refusalFromVerdict(verdict: Verdict): Refusal | undefined {
  if (verdict.allowed) return undefined;
  const schema = verdict.denials.some((d) => d.policy === SCHEMA_POLICY);
  const fields: Record<string, string[]> = {};
  const general: string[] = [];
  for (const d of verdict.denials) place(fields, general, d.field, findingMessage(d));
  return schema ? refusal("schema", 422, "Invalid", fields, general) : refusal("policy", 403, "Forbidden", fields, general);
}

/** A field path as the API writes it, as the page's fields name it: trimmed, without the leading `.` of CEL fieldPaths and SSA errors; indexes kept. */
export function normaliseField(field: string | undefined): string | undefined {
  const path = field?.trim().replace(/^\./, "");
  // `<nil>` is the API server's name for the object itself: no field.
  return path === undefined || path === "" || path === "<nil>" ? undefined : path;
}

function policyRefusal(error: KubeApiError, denied: string): Refusal {
  if (error.causes.length > 0) {
    const { fields, general } = fromCauses(error.causes);
    return refusal("policy", error.status, error.reason, fields, general);
  }
  const fields: Record<string, string[]> = {};
  const general: string[] = [];
  for (const line of deniedLines(denied)) place(fields, general, line.field, line.message);
  if (general.length === 0 && Object.keys(fields).length === 0) general.push(error.statusMessage);
  return refusal("policy", error.status, error.reason, fields, general);
}

function fromCauses(causes: readonly StatusCause[]): { fields: Record<string, string[]>; general: string[] } {
  const fields: Record<string, string[]> = {};
  const general: string[] = [];
  for (const cause of causes) {
    const message = cause.message?.trim() || cause.reason || "refused";
    place(fields, general, cause.field, message);
  }
  return { fields, general };
}

/** Adds `message` under its field (once), or to `general` when it names none. */
function place(fields: Record<string, string[]>, general: string[], field: string | undefined, message: string): void {
  const path = normaliseField(field);
  if (path !== undefined) fields[path] ??= [];
  const list = path === undefined ? general : fields[path]!;
  if (!list.includes(message)) list.push(message);
}

/**
 * A finding as the cluster would show it: a policy's message after its name
 * (the webhook's causes read `policy: message`); a schema finding as the API
 * server's cause, without the field it is already shown next to.
 */
function findingMessage(d: Finding): string {
  if (d.policy !== SCHEMA_POLICY) return `${d.policy}: ${d.message}`;
  const prefix = d.field === undefined ? "" : `${d.field}: `;
  return prefix !== "" && d.message.startsWith(prefix) ? d.message.slice(prefix.length) : d.message;
}

/** `domainroutes.hostgate.dev "shop" already exists` → words naming the name. */
function alreadyExists(message: string): string {
  const name = /"([^"]+)" already exists/.exec(message)?.[1];
  return name === undefined ? message : `a DomainRoute named "${name}" already exists in this namespace; choose another name`;
}

/**
 * The fields a strict decode (fieldValidation=Strict: `unknown field "spec.x"`,
 * `duplicate field "spec.x"`) or a server-side apply (`.spec.x: field not
 * declared in schema`) refused; these carry no causes, only the message.
 */
function unknownFields(message: string): string[] {
  const found = new Set<string>();
  for (const m of message.matchAll(/(?:unknown|duplicate) field "([^"]+)"/g)) found.add(normaliseField(m[1])!);
  for (const m of message.matchAll(/(\.?[\w.[\]-]+): field not declared in schema/g)) found.add(normaliseField(m[1])!);
  return [...found].filter((f) => f !== undefined).sort();
}

function versionSkew(fields: readonly string[]): string {
  const named = fields.map((f) => `"${f}"`).join(", ");
  return `the cluster's DomainRoute does not know ${fields.length === 1 ? "the field" : "the fields"} ${named} the page sent: the page and the installed CRD are different versions; tell the platform team`;
}

function refusal(stage: RefusalStage, status: number, reason: string, fields: Record<string, string[]>, general: string[]): Refusal {
  return { stage, status, reason, fields: sortedKeys(fields), general };
}

/** Deterministic output: fields in path order. */
function sortedKeys(fields: Record<string, string[]>): Record<string, string[]> {
  return Object.fromEntries(Object.entries(fields).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}
