// The API server's `Warning` response headers (admission webhook warnings,
// deprecated API versions, fields dropped by fieldValidation=Warn), read the
// way client-go reads them: k8s.io/apimachinery pkg/util/net/http.go
// ParseWarningHeader(s), RFC 7234 section 5.5.
//
//   Warning: 299 - "text with \"escaped\" quotes, and commas"
//   Warning: 299 - "first", 299 - "second" "Tue, 15 Nov 1994 08:12:31 GMT"
//
// warn-code is three digits, warn-agent has no spaces, warn-text is a quoted
// string with backslash escapes, an optional quoted warn-date follows, and
// several warnings may share one line separated by commas. Commas inside the
// quoted text are text: splitting a line on "," would cut warnings apart.
//
// Input is a header line as Node (and undici) hand it over: one character per
// byte (latin1). Like the Go parser, this one works on those bytes and decodes
// agent and text as UTF-8 at the end, so UTF-8 text survives and a line that
// is not UTF-8 is refused rather than shown as mojibake.
import { hasControlCharacter, isByteString } from "./header-text.ts";

/** One parsed warning. */
export interface WarningHeader {
  /** 299 is "miscellaneous persistent warning", the only code the API server sends. */
  code: number;
  /** "-" when the sender did not name itself. */
  agent: string;
  text: string;
}

/** The result of one ParseWarningHeader step: a warning and what follows it on the line. */
export type WarningStep = { ok: true; warning: WarningHeader; remainder: string } | { ok: false; error: string };

const CODE = /^[0-9]{3}$/;
const UTF8 = new TextDecoder("utf-8", { fatal: true });

/** The first warning of `header` and the rest of the line (apimachinery's ParseWarningHeader). */
export function parseWarningHeader(header: string): WarningStep {
  const line = goTrimSpace(header);
  const parts = splitN(line, " ", 3);
  if (parts.length !== 3) return fail("fewer than 3 segments");
  const [code, agentBytes, textDateRemainder] = parts as [string, string, string];
  if (!CODE.test(code)) return fail("code segment is not 3 digits between 100-299");
  if (agentBytes === "") return fail("empty agent segment");
  const agent = utf8(agentBytes);
  if (agent === undefined || hasControlCharacter(agent)) return fail("invalid agent");
  if (textDateRemainder === "") return fail("empty text segment");
  const quoted = parseQuotedString(textDateRemainder);
  if (!quoted.ok) return fail(quoted.error);
  // Warnings written to RFC 2616 may be RFC 2047 encoded-words; RFC 7234 dropped that, the API server never sends it.
  const text = utf8(decodeEncodedWords(quoted.value));
  if (text === undefined || hasControlCharacter(text)) return fail("invalid text");
  const warning = { code: Number(code), agent, text };
  let remainder = "";
  const dateAndRemainder = quoted.remainder;
  if (dateAndRemainder !== "") {
    if (dateAndRemainder[0] === '"') {
      // The date is quoted without escapes.
      const end = dateAndRemainder.indexOf('"', 1);
      if (end < 0) return fail("unterminated date segment");
      remainder = goTrimSpace(dateAndRemainder.slice(end + 1));
    } else {
      remainder = dateAndRemainder;
    }
  }
  if (remainder !== "") {
    if (remainder[0] !== ",") return fail("unexpected token after warn-date");
    remainder = goTrimSpace(remainder.slice(1));
  }
  return { ok: true, warning, remainder };
}

/**
 * Every warning of every line, in order (apimachinery's ParseWarningHeaders):
 * a malformed warning ends its line (nothing after it can be trusted to start
 * a warning) and the next line is read.
 */
export function parseWarningHeaders(lines: readonly string[]): { warnings: WarningHeader[]; errors: string[] } {
  const warnings: WarningHeader[] = [];
  const errors: string[] = [];
  for (const line of lines) {
    let rest = line;
    while (rest.length > 0) {
      const step = parseWarningHeader(rest);
      if (!step.ok) {
        errors.push(`${step.error} in ${JSON.stringify(readable(rest))}`);
        break;
      }
      warnings.push(step.warning);
      rest = step.remainder;
    }
  }
  return { warnings, errors };
}

/**
 * What a person should read from the Warning lines of one answer, in order:
 * each warning's text, and for a malformed one a note carrying the raw line,
 * so that a warning is never lost because its sender garbled the format.
 * Only code 299 with a text counts, as client-go's WarningLogger and kubectl
 * show them (the API server sends nothing else; a 199 is a proxy's, not the cluster's).
 */
export function warningTexts(lines: readonly string[]): string[] {
  const texts: string[] = [];
  for (const line of lines) {
    const { warnings, errors } = parseWarningHeaders([line]);
    texts.push(...warnings.filter((w) => w.code === 299 && w.text !== "").map((w) => w.text));
    texts.push(...errors.map((e) => `a malformed Warning header from the API server: ${e}`));
  }
  return texts;
}

function fail(reason: string): WarningStep {
  return { ok: false, error: `invalid warning header: ${reason}` };
}

/** apimachinery's parseQuotedString: a backslash escapes the next byte, whatever it is. */
function parseQuotedString(s: string): { ok: true; value: string; remainder: string } | { ok: false; error: string } {
  if (s[0] !== '"') return { ok: false, error: "invalid quoted string: missing initial quote" };
  let value = "";
  let escaping = false;
  for (let i = 1; i < s.length; i++) {
    const c = s[i]!;
    if (escaping) {
      value += c;
      escaping = false;
    } else if (c === "\\") {
      escaping = true;
    } else if (c === '"') {
      return { ok: true, value, remainder: goTrimSpace(s.slice(i + 1)) };
    } else {
      value += c;
    }
  }
  return { ok: false, error: "invalid quoted string: missing closing quote" };
}

/** Go's strings.SplitN: at most n parts, the last holding the rest unsplit. */
function splitN(s: string, separator: string, n: number): string[] {
  const parts: string[] = [];
  let rest = s;
  while (parts.length < n - 1) {
    const at = rest.indexOf(separator);
    if (at < 0) break;
    parts.push(rest.slice(0, at));
    rest = rest.slice(at + separator.length);
  }
  parts.push(rest);
  return parts;
}

/** Go's strings.TrimSpace on bytes: ASCII white space (the latin1 NEL and NBSP are not white space in a byte string). */
function goTrimSpace(s: string): string {
  return s.replace(/^[\t\n\v\f\r ]+|[\t\n\v\f\r ]+$/g, "");
}

/** The UTF-8 text of a byte string; undefined when the bytes are not UTF-8 (or the string is not one byte per character). */
function utf8(bytes: string): string | undefined {
  if (!isByteString(bytes)) return undefined;
  try {
    return UTF8.decode(Buffer.from(bytes, "latin1"));
  } catch {
    return undefined;
  }
}

/** A raw line for an error message: its UTF-8 reading where it has one. */
function readable(bytes: string): string {
  return utf8(bytes) ?? bytes;
}

/**
 * Go's mime.WordDecoder.DecodeHeader over a byte string: each well-formed
 * `=?charset?B|Q?data?=` becomes the UTF-8 bytes of its text, white space
 * between two encoded-words is dropped, a malformed word stays as written.
 * An unknown charset leaves the whole text as written (DecodeHeader's error,
 * which ParseWarningHeader ignores).
 */
function decodeEncodedWords(header: string): string {
  let i = header.indexOf("=?");
  if (i < 0) return header;
  let out = header.slice(0, i);
  let rest = header.slice(i);
  let betweenWords = false;
  for (;;) {
    const start = rest.indexOf("=?");
    if (start < 0) break;
    let cur = start + 2;
    i = rest.indexOf("?", cur);
    if (i < 0) break;
    const charset = rest.slice(cur, i);
    cur = i + 1;
    if (rest.length < cur + "Q??=".length) break;
    const encoding = rest[cur]!;
    cur++;
    if (rest[cur] !== "?") break;
    cur++;
    const j = rest.indexOf("?=", cur);
    if (j < 0) break;
    const content = decodeWord(encoding, rest.slice(cur, j));
    if (content === undefined) {
      betweenWords = false;
      out += rest.slice(0, start + 2);
      rest = rest.slice(start + 2);
      continue;
    }
    const before = rest.slice(0, start);
    if (start > 0 && (!betweenWords || /[^ \t\n\r]/.test(before))) out += before;
    const converted = fromCharset(charset, content);
    if (converted === undefined) return header;
    out += converted;
    rest = rest.slice(j + 2);
    betweenWords = true;
  }
  return out + rest;
}

/** The bytes (as a byte string) of one encoded-word's data; undefined when malformed. */
function decodeWord(encoding: string, data: string): string | undefined {
  switch (encoding) {
    case "B":
    case "b":
      // Go's base64.StdEncoding: padded, standard alphabet, nothing else.
      if (!/^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/.test(data)) return undefined;
      return Buffer.from(data, "base64").toString("latin1");
    case "Q":
    case "q": {
      let out = "";
      for (let k = 0; k < data.length; k++) {
        const c = data[k]!;
        if (c === "_") out += " ";
        else if (c === "=") {
          const hex = data.slice(k + 1, k + 3);
          if (!/^[0-9A-Fa-f]{2}$/.test(hex)) return undefined;
          out += String.fromCharCode(Number.parseInt(hex, 16));
          k += 2;
        } else if ((c >= " " && c <= "~") || c === "\n" || c === "\r" || c === "\t") out += c;
        else return undefined;
      }
      return out;
    }
    default:
      return undefined;
  }
}

/** Go's WordDecoder.convert without a CharsetReader: UTF-8 as is, ISO-8859-1 and US-ASCII converted, anything else unknown. */
function fromCharset(charset: string, bytes: string): string | undefined {
  switch (charset.toLowerCase()) {
    case "utf-8":
      return bytes;
    case "iso-8859-1":
      // A byte string's characters are the ISO-8859-1 characters: their UTF-8 bytes.
      return Buffer.from(bytes, "utf8").toString("latin1");
    case "us-ascii":
      return Buffer.from(bytes.replace(/[\u0080-\u00ff]/g, "\ufffd"), "utf8").toString("latin1");
    default:
      return undefined;
  }
}
