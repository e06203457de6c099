// A verdict's findings worded as a cluster would show them to the person:
// warnings as the webhook sends them (the API server passes each on as a
// `Warning` header), denials as the webhook's message. Local mode words its
// own verdicts this way, and the in-memory API server words its webhook's,
// so both modes read the same. These mirror webhook/denial-message.ts
// (warningTexts, denialMessage) without importing it: portal/ never imports
// webhook/ (the layering rule); test/portal-wording.test.ts holds them equal.
import type { Finding } from "../../policies/verdict.ts";

/** The API server truncates longer warnings, so the webhook shortens them first (MAX_WARNING_LENGTH). */
const MAX_WARNING_LENGTH = 120;

/** Each warning as `policy: message`, or the message alone when that is too long, at most 120 characters. */
export function warningTexts(warnings: readonly Finding[]): string[] {
  return warnings.map((w) => {
    const message = oneLine(w.message).replace(/^warning:\s*/i, "");
    const named = `${w.policy}: ${message}`;
    return named.length <= MAX_WARNING_LENGTH ? named : clip(message, MAX_WARNING_LENGTH);
  });
}

/** `DomainRoute team-a/shop violates 2 policies:` then `- policy: message` per denial. */
export function denialText(subject: { kind: string; namespace?: string; name?: string }, denials: readonly Finding[]): string {
  const policies = new Set(denials.map((d) => d.policy)).size;
  const who = subject.name ? `${subject.kind} ${subject.namespace ? `${subject.namespace}/` : ""}${subject.name}` : `this ${subject.kind}`;
  const header = `${who} violates ${policies === 1 ? "1 policy" : `${policies} policies`}:`;
  return [header, ...denials.map((d) => `- ${d.policy}: ${oneLine(d.message)}`)].join("\n");
}

function oneLine(text: string): string {
  return text.replace(/\s*\n\s*/g, " ").trim();
}

function clip(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}
