// Names of the objects hostgate's reconciler produces for a domain, in core/
// so that the policies side (policies/audit/audit-requester.ts, which must
// not import the reconciler) computes the very name the reconciler writes.
// reconciler/domainroute/render/names.ts re-exports everything here.
//
// Every object of one route is named after its domain, which the DomainClaim
// makes unique in the cluster; the name is a readable prefix plus a hash of
// the whole domain.
//
// Why the hash is 100 bits: names are cut to a DNS-1123 label (63
// characters), so two long domains share their readable prefix and only the
// hash tells them apart. A tenant who can choose domains could otherwise search
// for one whose name equals a victim's (a second preimage of the hash): with
// 8 hex digits (32 bits) that took about 2^32 hashes, half an hour on one core.
// 20 base32 characters carry 100 bits of SHA-256, so the same search costs
// about 2^100 hashes: out of reach. (A birthday search over pairs of the
// attacker's own domains finds nothing useful: both names are the attacker's.)
// Names never need to be unique for safety alone, though: the reconciler also
// refuses to write or delete an object labelled for another route (see
// reconciler/apply/ownership.ts), so a collision would stop a route, not
// hand it over.
import { createHash } from "node:crypto";

/** Longest DNS-1123 label, which is also the longest label value. */
export const MAX_NAME_LENGTH = 63;

/** Characters of the hash: 20 base32 characters of 5 bits each, 100 bits. */
export const HASH_LENGTH = 20;
// The readable part leaves room for "-" and the hash.
const MAX_READABLE_LENGTH = MAX_NAME_LENGTH - 1 - HASH_LENGTH;
/** RFC 4648 base32, lowercased: every character is valid in a DNS-1123 label. */
const BASE32 = "abcdefghijklmnopqrstuvwxyz234567";

/**
 * The first 100 bits of sha256(domain) as 20 lowercase base32 characters.
 * Part of every object name (and a label), so two domains that read the same
 * once dots become dashes (`a-b.c`, `a.b-c`) or once truncated still get
 * different names.
 */
export function domainHash(domain: string): string {
  const digest = createHash("sha256").update(domain, "utf8").digest();
  let out = "";
  for (let i = 0; i < HASH_LENGTH; i++) {
    const bit = i * 5;
    // Two bytes always hold the 5 bits starting at `bit` (digest has 32 bytes, we read at most 13).
    const pair = (digest[bit >> 3]! << 8) | digest[(bit >> 3) + 1]!;
    out += BASE32[(pair >> (11 - (bit & 7))) & 31];
  }
  return out;
}

/**
 * `shop-example-com-<hash>` for `shop.example.com`: a DNS-1123 label of at
 * most 63 characters, the same for the same domain on every call.
 */
export function objectNameFor(domain: string): string {
  return hashedName(domain, domain);
}

/**
 * The name of an object hostgate writes once per region on a platform that
 * spans regions (external-dns's DNSEndpoints): `shop-example-com-weu-<hash>`,
 * the hash over cluster, region and domain. The cluster is in the hash (and
 * in the object's labels) so two clusters' objects never share a name, even
 * where their objects meet in one API (a hub that collects DNSEndpoints).
 */
export function regionalObjectName(domain: string, cluster: string, region: string): string {
  return hashedName(`${domain}-${region}`, `${cluster}\n${region}\n${domain}`);
}

/**
 * `<readable>-<hash>`: `readable` made a DNS-1123 prefix (cut to leave room
 * for the hash), the hash domainHash(identity), which tells apart whatever
 * the cut readable part does not.
 */
export function hashedName(readable: string, identity: string): string {
  const prefix = readable
    .toLowerCase()
    .replace(/[^a-z0-9-]/g, "-")
    .slice(0, MAX_READABLE_LENGTH)
    // A label cannot start or end with "-"; truncation may leave one at the end.
    .replace(/^-+|-+$/g, "");
  const hash = domainHash(identity);
  return prefix === "" ? hash : `${prefix}-${hash}`;
}
