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

/** DNS's limits on a name, which Route53 enforces (RFC 1035: 63 bytes a label, 255 on the wire, so 253 characters written without the final dot). */
export const MAX_LABEL_CHARACTERS = 63;
export const MAX_NAME_CHARACTERS = 253;

/** What makes a port name too long for Route53: its first label over 63 characters, or the whole over 253; undefined when it fits. */
export function nameLengthProblem(name: string): { kind: "label"; label: string } | { kind: "name" } | undefined {
  const label = name.split(".").find((l) => l.length > MAX_LABEL_CHARACTERS);
  if (label !== undefined) return { kind: "label", label };
  return name.length > MAX_NAME_CHARACTERS ? { kind: "name" } : undefined;
}
