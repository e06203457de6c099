// What a user reads after `kubectl apply` is refused. The API server prints
// `admission webhook "<name>" denied the request: ` and then this message, so
// it starts with what happened and lists every violated policy on a line of
// its own: the policy, then its message (which names the field and the fix).
// Everything is bounded: a line, the count of lines and the whole message.
import type { Finding } from "./verdict.ts";

/** Longest message line (one violation), in characters. */
export const MAX_DENIAL_LINE = 1024;
/** Longest whole message, in characters; kubectl shows it all, etcd events store it. */
export const MAX_DENIAL_MESSAGE = 8192;
/** The API server truncates longer warnings, so they are shortened here, where we choose the cut. */
export const MAX_WARNING_LENGTH = 120;
/** Past this total the API server drops warnings; we stop adding them earlier. */
export const MAX_WARNINGS_TOTAL = 4096;

export interface Subject {
  kind: string;
  namespace?: string;
  name?: string;
}

export function denialMessage(subject: Subject, denials: readonly Finding[]): string {
  const policies = new Set(denials.map((d) => d.policy)).size;
  // Clipped: a direct caller may send any name; the API server's are at most 253.
  const who = clip(subject.name ? `${subject.kind} ${subject.namespace ? `${subject.namespace}/` : ""}${subject.name}` : `this ${subject.kind}`, 600);
  const header = `${who} violates ${policies === 1 ? "1 policy" : `${policies} policies`}:`;
  const lines = [header];
  let length = header.length;
  for (let i = 0; i < denials.length; i++) {
    const d = denials[i]!;
    const line = clip(`- ${d.policy}: ${oneLine(d.message)}`, MAX_DENIAL_LINE);
    const remaining = denials.length - i;
    // Keep room for the "and N more" line so the total stays bounded.
    if (length + 1 + line.length > MAX_DENIAL_MESSAGE - 64) {
      lines.push(`- … and ${remaining} more violation${remaining === 1 ? "" : "s"} (\`hostgate check\` lists them all)`);
      break;
    }
    lines.push(line);
    length += 1 + line.length;
  }
  return lines.join("\n");
}

/**
 * Warnings as the API server wants them: no "Warning:" prefix, each at most
 * 120 characters. The policy name is kept when it fits, since it tells the
 * reader where to look; otherwise the message itself is what matters.
 */
export function warningTexts(warnings: readonly Finding[]): string[] {
  const texts: string[] = [];
  let total = 0;
  for (const w of warnings) {
    const message = oneLine(w.message).replace(/^warning:\s*/i, "");
    const named = `${w.policy}: ${message}`;
    const text = named.length <= MAX_WARNING_LENGTH ? named : clip(message, MAX_WARNING_LENGTH);
    if (total + text.length > MAX_WARNINGS_TOTAL) break;
    texts.push(text);
    total += text.length;
  }
  return texts;
}

function oneLine(text: string): string {
  return text.replace(/\s*\n\s*/g, " ").trim();
}

/** The text, cut to at most `max` characters with "…" when longer. */
export function clip(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}
