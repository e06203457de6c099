// Names of the Istio objects hostgate produces for a domain. Every object of
// one route is named after its domain, which the DomainClaim makes unique in
// the cluster, so routes never overwrite each other's objects, even in the
// shared gateway namespace.
import { createHash } from "node:crypto";

/** Longest DNS-1123 label, which is also the longest label value. */
export const MAX_NAME_LENGTH = 63;

const HASH_LENGTH = 8;
// The readable part leaves room for "-" and the hash.
const MAX_READABLE_LENGTH = MAX_NAME_LENGTH - 1 - HASH_LENGTH;

/**
 * The first 8 hex digits of sha256(domain). Part of every object name (and a
 * label), so two domains that read the same once dots become dashes
 * (`a-b.c`, `a.b-c`) or once truncated still get different names.
 */
export function domainHash(domain: string): string {
  return createHash("sha256").update(domain, "utf8").digest("hex").slice(0, HASH_LENGTH);
}

/**
 * `shop-example-com-1a2b3c4d` for `shop.example.com`: a DNS-1123 label of at
 * most 63 characters, the same for the same domain on every call.
 */
export function objectNameFor(domain: string): string {
  const readable = domain
    .toLowerCase()
    .replace(/[^a-z0-9-]/g, "-")
    .slice(0, MAX_READABLE_LENGTH)
    // A label cannot start or end with "-"; truncation may leave one at the end.
    .replace(/^-+|-+$/g, "");
  const hash = domainHash(domain);
  return readable === "" ? hash : `${readable}-${hash}`;
}
