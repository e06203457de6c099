// Lua string literals for values that come from cluster data (hosts, appIds,
// the header name). Only printable ASCII other than the quote and backslash
// is written as itself; every other byte of the UTF-8 encoding becomes a
// three-digit `\ddd` escape (always three digits, so a following digit can't
// extend it). No value can therefore end the literal, open a long bracket or
// start a new line. Single quotes keep the source free of `"`, which would
// cost a backslash each once the Lua is embedded in a JSON object.

const PLAIN = /^[\x20-\x26\x28-\x5b\x5d-\x7e]*$/;

export function luaStringLiteral(value: string): string {
  if (PLAIN.test(value)) return `'${value}'`;
  let literal = "'";
  for (const byte of Buffer.from(value, "utf8")) {
    literal += byte >= 0x20 && byte <= 0x7e && byte !== 0x27 && byte !== 0x5c ? String.fromCharCode(byte) : `\\${String(byte).padStart(3, "0")}`;
  }
  return `${literal}'`;
}
