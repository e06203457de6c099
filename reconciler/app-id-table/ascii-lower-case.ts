// Lower-cases A-Z only, as Lua's string.lower does in the gateway. Unicode
// lower-casing would let a claimed domain such as "\u212Aey.example.com"
// (Kelvin sign) become "key.example.com" and take over someone else's host.

export function asciiLowerCase(text: string): string {
  return /[A-Z]/.test(text) ? text.replace(/[A-Z]+/g, (upper) => upper.toLowerCase()) : text;
}
