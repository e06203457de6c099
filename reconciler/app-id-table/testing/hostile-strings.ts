// Values crafted to break out of a Lua string literal if one were spliced
// in raw: quotes, long brackets, backslashes, line breaks, control bytes.

export const HOSTILE_STRINGS: readonly string[] = [
  `"..os.exit()..`,
  `'..os.exit()..'`,
  `]]..os.exit()..[[`,
  `]=]os.exit()--[=[`,
  `\\'..os.exit()--`,
  `trailing backslash\\`,
  `\\065 is not A`,
  "line\nbreak\r\nos.exit()",
  "nul\0byte",
  "\x1b[31mescape\x7f",
  "--[[ comment",
  "caf\u00e9 \u2603 \u{1f600}",
  "",
];
