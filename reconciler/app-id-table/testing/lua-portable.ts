// The Lua both interpreters accept alike: Lua 5.1 as LuaJIT runs it (what
// Envoy embeds, and what CI runs) and Lua 5.4 (wasmoon, on machines without
// LuaJIT). The generated filter must stay inside it, or a test could pass
// under one and the gateway fail under the other. Running the filter catches
// a construct only under the interpreter at hand; this check catches it
// under either, by reading the source: string literals and comments are
// skipped, escapes inside literals are checked, and the code between is
// matched against the constructs the two disagree on.

export interface NonPortable {
  readonly line: number;
  readonly construct: string;
  readonly why: string;
}

const CODE_RULES: { construct: string; pattern: RegExp; why: string }[] = [
  { construct: "goto", pattern: /\bgoto\b|::/, why: "goto and labels are Lua 5.2+" },
  { construct: "floor division", pattern: /\/\//, why: "// is Lua 5.3+" },
  { construct: "bitwise operator", pattern: /[&|]|~(?!=)|<<|>>/, why: "bitwise operators are Lua 5.3+ (LuaJIT has the bit library instead)" },
  { construct: "division or power", pattern: /(?<!\/)\/(?!\/)|\^/, why: "they yield floats, which Lua 5.4 prints as 1.0 and Lua 5.1 as 1" },
  { construct: "length operator", pattern: /#/, why: "# of a table with holes may differ between Lua 5.1 and 5.4; keep an explicit count" },
  { construct: "variable attribute", pattern: /<\s*(const|close)\s*>/, why: "<const> and <close> are Lua 5.4" },
  { construct: "Lua 5.1-only function", pattern: /(?<![\w.])(unpack|setfenv|getfenv|loadstring|module)\s*\(/, why: "removed after Lua 5.1" },
  {
    construct: "Lua 5.2+ library",
    pattern: /\b(table\.(unpack|pack|move)|utf8\.|math\.(tointeger|type|maxinteger|mininteger|ult)|string\.(pack|unpack|packsize)|_ENV|bit32\.|bit\.)/,
    why: "not in Lua 5.1, or LuaJIT-only",
  },
  { construct: "string.format", pattern: /\bformat\s*\(/, why: "Lua 5.4 rejects %d for a non-integral number and formats floats differently" },
  { construct: "hexadecimal float", pattern: /\b0[xX][0-9a-fA-F]*[.pP]/, why: "hexadecimal floats are Lua 5.2+" },
  { construct: "large integer", pattern: /(?<![\w.])\d{16,}/, why: "integers beyond 2^53 are exact in Lua 5.4 only" },
];

const SIMPLE_ESCAPES = new Set(["a", "b", "f", "n", "r", "t", "v", "\\", '"', "'", "\n", "\r"]);

// Where scanning code can meet a comment, a long bracket or a short string.
const NEXT_SPECIAL = /--|\[=*\[|['"]/g;
const LONG_OPEN = /\[(=*)\[/y;

export function nonPortableLua(source: string): NonPortable[] {
  const found: NonPortable[] = [];
  const lineAt = (index: number) => source.slice(0, index).split("\n").length;
  // The source with every literal and comment blanked out (newlines kept),
  // so that positions, and so line numbers, stay those of the source.
  const code: string[] = [];
  const blank = (from: number, to: number) => code.push(source.slice(from, to).replace(/[^\n]/g, " "));
  let i = 0;
  for (;;) {
    NEXT_SPECIAL.lastIndex = i;
    const next = NEXT_SPECIAL.exec(source);
    if (!next) break;
    code.push(source.slice(i, next.index));
    i = next.index;
    LONG_OPEN.lastIndex = next[0] === "--" ? i + 2 : i;
    const long = next[0] === "'" || next[0] === '"' ? null : LONG_OPEN.exec(source);
    if (long) {
      const close = `]${long[1]}]`;
      const end = source.indexOf(close, LONG_OPEN.lastIndex);
      if (end < 0) return [...found, { line: lineAt(i), construct: "unclosed long bracket", why: `no ${close} closes it` }];
      blank(i, end + close.length);
      i = end + close.length;
    } else if (next[0] === "--") {
      const end = source.indexOf("\n", i);
      blank(i, end < 0 ? source.length : end);
      i = end < 0 ? source.length : end;
    } else {
      const end = shortStringEnd(source, i, found, lineAt);
      if (end < 0) return [...found, { line: lineAt(i), construct: "unterminated string", why: "a short string must close on its line" }];
      blank(i, end);
      i = end;
    }
  }
  code.push(source.slice(i));
  const text = code.join("");
  for (const rule of CODE_RULES) {
    for (const match of text.matchAll(new RegExp(rule.pattern.source, "g")))
      found.push({ line: lineAt(match.index), construct: rule.construct, why: rule.why });
  }
  return found.sort((a, b) => a.line - b.line);
}

/** The index just past the short string opening at `start` (-1 if it never closes); records escapes Lua 5.1 lacks. */
function shortStringEnd(source: string, start: number, found: NonPortable[], lineAt: (index: number) => number): number {
  const quote = source[start];
  for (let j = start + 1; j < source.length; j++) {
    if (source[j] === quote) return j + 1;
    if (source[j] === "\n") return -1;
    if (source[j] !== "\\") continue;
    const digits = /^\d{1,3}/.exec(source.slice(j + 1, j + 4));
    if (digits) {
      if (Number(digits[0]) > 255) found.push({ line: lineAt(j), construct: `escape \\${digits[0]}`, why: "a decimal escape above 255 is an error" });
      j += digits[0].length;
    } else if (SIMPLE_ESCAPES.has(source[j + 1])) {
      j++;
    } else {
      const why = "Lua 5.1 knows only \\a \\b \\f \\n \\r \\t \\v \\\\ \\\" \\' and \\ddd (no \\x, \\z or \\u{...})";
      found.push({ line: lineAt(j), construct: `escape \\${source[j + 1] ?? ""}`, why });
      j++;
    }
  }
  return -1;
}
