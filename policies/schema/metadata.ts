// The object-metadata checks the API server makes on every custom resource
// before its schema (ValidateObjectMetaAccessor with NameIsDNSSubdomain):
// a name, or a generateName to make one from, in DNS subdomain syntax.
// Namespace presence is not checked: kubectl fills it in from the context.
import type { SchemaViolation } from "./field-errors.ts";
import { invalid, required } from "./field-errors.ts";

const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const DNS1123_SUBDOMAIN_MESSAGE =
  "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')";

export function validateObjectMeta(object: unknown): SchemaViolation[] {
  const metadata = (object as { metadata?: unknown } | null)?.metadata;
  const meta = typeof metadata === "object" && metadata !== null ? (metadata as Record<string, unknown>) : {};
  const name = typeof meta.name === "string" ? meta.name : "";
  const generateName = typeof meta.generateName === "string" ? meta.generateName : "";
  const out: SchemaViolation[] = [];
  if (generateName !== "") {
    // A generateName is a prefix: the random suffix makes a trailing "-" legal.
    for (const msg of dnsSubdomainProblems(generateName.replace(/-$/, "a"))) out.push(invalid("metadata.generateName", generateName, msg));
  }
  if (name === "") {
    if (generateName === "") out.push(required("metadata.name", "name or generateName is required"));
  } else {
    for (const msg of dnsSubdomainProblems(name)) out.push(invalid("metadata.name", name, msg));
  }
  return out;
}

/** What makes `value` no valid object name (RFC 1123 subdomain, at most 253 characters); empty when it is one. */
export function dnsSubdomainProblems(value: string): string[] {
  const out: string[] = [];
  if (value.length > 253) out.push("must be no more than 253 characters");
  if (!DNS1123_SUBDOMAIN.test(value)) out.push(DNS1123_SUBDOMAIN_MESSAGE);
  return out;
}
