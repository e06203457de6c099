// V8 keeps the source text of every loaded module for as long as the process
// runs (it compiles functions lazily from it, and Function#toString returns
// it). @kubernetes/client-node's generated client is mostly JSDoc: the files
// `hostgate serve` loads hold 16.2 MB of text, 9.5 MB of it whole-line
// comments, resident in every webhook and reconciler (issue 11, memory). A
// module load hook blanks those comment lines before V8 sees the text; the
// code is compiled from exactly the same characters at the same lines and
// columns, so behaviour and stack traces are unchanged.
//
// The rewrite is safe by construction, and gives up (returns the text as it
// was) on anything it cannot prove:
// - A file with a backtick anywhere is left alone: template literals are the
//   only JavaScript strings that span lines without a trailing backslash.
// - Without them, the only construct that spans lines is a block comment, so
//   a line whose first non-blank characters are `/*` or `//` starts a comment
//   (a regular expression cannot begin with `*` or `/`).
// - Every other line must be plain: no `/` outside single- or double-quoted
//   strings (so no comment, regular expression or division starts on it, and
//   this scan stays in step with the real tokenizer), strings closed on the
//   line, and no trailing backslash.
// - A block comment must end its line (`*/` then only blanks) and must end.
import { registerHooks } from "node:module";

/**
 * The source with every whole-line comment blanked (line count, and every
 * code line, kept byte for byte); the source itself when there is nothing to
 * blank; undefined when the file is outside what the rewrite can prove safe.
 */
export function stripWholeLineComments(source: string): string | undefined {
  if (source.includes("`")) return undefined;
  const lines = source.split("\n");
  let inComment = false;
  let blanked = false;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    if (inComment) {
      const end = line.indexOf("*/");
      if (end >= 0) {
        if (line.slice(end + 2).trim() !== "") return undefined;
        inComment = false;
      }
      lines[i] = "";
      blanked = true;
      continue;
    }
    const text = line.trimStart();
    if (text.startsWith("/*")) {
      const end = text.indexOf("*/", 2);
      if (end >= 0 && text.slice(end + 2).trim() !== "") return undefined;
      inComment = end < 0;
      lines[i] = "";
      blanked = true;
      continue;
    }
    if (text.startsWith("//")) {
      // The source map reference stays: debuggers read it.
      if (!text.startsWith("//# sourceMappingURL=")) {
        lines[i] = "";
        blanked = true;
      }
      continue;
    }
    if (!isPlainCodeLine(line)) return undefined;
  }
  if (inComment) return undefined;
  return blanked ? lines.join("\n") : source;
}

/** No `/` outside single- or double-quoted strings, every string closed on the line, no trailing backslash. */
function isPlainCodeLine(line: string): boolean {
  let quote = "";
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (quote !== "") {
      if (c === "\\") i++;
      else if (c === quote) quote = "";
      continue;
    }
    if (c === "/") return false;
    if (c === "'" || c === '"') quote = c;
  }
  return quote === "" && !line.endsWith("\\");
}

/** The packages whose modules are loaded with their whole-line comments blanked. */
export const COMMENT_STRIPPED_PACKAGES: readonly string[] = ["@kubernetes/client-node"];

let registered = false;

/**
 * Registers the load hook for the ES modules (`.js`) of `packages`; modules
 * loaded before this call keep their text. Idempotent.
 */
export function stripCommentsOfPackages(packages: readonly string[] = COMMENT_STRIPPED_PACKAGES): void {
  if (registered) return;
  registered = true;
  const markers = packages.map((name) => `/node_modules/${name}/`);
  registerHooks({
    load(url, context, nextLoad) {
      const result = nextLoad(url, context);
      if (result.format !== "module" || result.source === undefined || result.source === null || !url.endsWith(".js") || !markers.some((m) => url.includes(m)))
        return result;
      const text = typeof result.source === "string" ? result.source : Buffer.from(result.source as Uint8Array).toString("utf8");
      const stripped = stripWholeLineComments(text);
      return stripped === undefined || stripped === text ? result : { ...result, source: stripped };
    },
  });
}
