// Text in HTTP header values, as Node handles it: a header value is a string
// of bytes, one character per byte (latin1), both when Node reads one and when
// it writes one. Kubernetes reads header bytes as UTF-8, so text goes out as
// the latin1 reading of its UTF-8 bytes and comes back the same way.

/** The form of `text` Node must be given to send its UTF-8 bytes in a header: `jürgen` arrives as `jürgen`. */
export function headerValue(text: string): string {
  return Buffer.from(text, "utf8").toString("latin1");
}

/** True when every character is a byte (a string Node could have read from, or write to, a header). */
export function isByteString(text: string): boolean {
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) > 0xff) return false;
  return true;
}

/** Go's unicode.IsControl over the string: C0 controls, DEL and C1 controls (U+0080–U+009F). */
export function hasControlCharacter(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code < 0x20 || (code >= 0x7f && code <= 0x9f)) return true;
  }
  return false;
}
