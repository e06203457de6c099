// Reading an admission webhook's denial out of the API server's message, for
// a refusal that carries no `details.causes` (a webhook older than the causes,
// or another webhook). The API server wraps the webhook's message as
//   current: `<resource>.<group> "<name>" is forbidden: admission webhook "<webhook>" denied the request: <message>`
//   older:   `admission webhook "<webhook>" denied the request: <message>`
// (admission/plugin/webhook/errors/statuserror.go ToStatusErr), and hostgate's
// webhook writes its message as policies/denial-message.ts does:
//   DomainRoute team-a/shop violates 2 policies:
//   - hostname-granted: spec.domain shop.example.com is granted to no namespace …
//   - … and 3 more violations (`hostgate check` lists them all)
// Pure; no import of webhook/ (the format is the contract, pinned by tests).

const WEBHOOK_MARKER = /admission webhook "[^"]*" denied the request(?:: |\s+without explanation)/;

/** The webhook's own message when `message` is an API server's wrapping of a webhook denial; undefined when it is not one. */
export function webhookDenialText(message: string): string | undefined {
  const found = WEBHOOK_MARKER.exec(message);
  if (found === null) return undefined;
  return message.slice(found.index + found[0].length).trim();
}

/** One violation line of hostgate's format: `policy: message`, under the first object path it names (undefined: none). */
export interface DeniedLine {
  field?: string;
  message: string;
}

/**
 * The violations of a hostgate denial text, each under the first `spec.…` or
 * `metadata.…` path its message names. Text in another format comes back as
 * one line without a field, so nothing a webhook said is lost.
 */
export function deniedLines(text: string): DeniedLine[] {
  const lines = text.split("\n");
  const header = /^.+ violates (?:1 policy|\d+ policies):$/;
  if (lines.length < 2 || !header.test(lines[0]!.trim())) return text === "" ? [] : [{ message: text }];
  const result: DeniedLine[] = [];
  for (const raw of lines.slice(1)) {
    const line = raw.trim();
    if (line === "") continue;
    const body = line.startsWith("- ") ? line.slice(2) : line;
    // "- … and N more violations": about no field.
    const colon = body.indexOf(": ");
    const field = body.startsWith("…") ? undefined : firstObjectPath(colon < 0 ? body : body.slice(colon + 2));
    result.push(field === undefined ? { message: body } : { field, message: body });
  }
  return result;
}

/** `spec.backend.external.port`, `spec.rules[0].paths`, `metadata.name`: the first such path in `text`. */
export function firstObjectPath(text: string): string | undefined {
  const found = /(?<![\w.-])\.?((?:spec|metadata)(?:\.[A-Za-z_][\w-]*|\[\d+\])+)/.exec(text);
  return found?.[1];
}
