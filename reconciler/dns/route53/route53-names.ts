// Route53 spells names and ids its own way; the port speaks plain ones.
// Read: `*.Example.com.` comes back as `\052.example.com.` (every character
// outside letters, digits, `-` and `_` as a three-digit octal escape), ids as
// `/hostedzone/Z123` and `/change/C123`. The port wants `*.example.com`,
// `Z123`, `C123`. Written names get their trailing dot back.

/** `\052.Shop.Example.com.` → `*.shop.example.com`: octal escapes decoded, lowercase, no trailing dot. */
export function portName(route53Name: string): string {
  const decoded = route53Name.replace(/\\([0-7]{3})/g, (_, octal: string) => String.fromCharCode(Number.parseInt(octal, 8)));
  return decoded.toLowerCase().replace(/\.$/, "");
}

/** `shop.example.com` → `shop.example.com.`: the fully qualified form Route53 is sent (`*` is accepted as is). */
export function route53Name(portName: string): string {
  return `${portName}.`;
}

/** `/hostedzone/Z123` → `Z123` (a bare id passes through), so config may hold either form. */
export function bareZoneId(id: string): string {
  return id.replace(/^\/?hostedzone\//, "");
}

/** `/change/C123` → `C123`. */
export function bareChangeId(id: string): string {
  return id.replace(/^\/?change\//, "");
}
